"""The Helm trigger's watcher core: which versions of a chart in a repository's index are new.

Who calls it: the helm trigger's scheduler (later), which reads the repository's index through a ``helm``
artifact account (``HelmChartAccount.index()``) and persists the state. Behaviour (Igor's Helm monitor,
Echo's helm trigger): versions of ``chart`` not seen before fire, once each; the first look at a chart only
records what exists (unless ``fire_on_first_poll``); a version re-published with another digest fires again
(``digestChanged``); an optional ``version_pattern`` (a regex matching the whole version) filters.

State: ``ChartWatchState`` is plain JSON (version -> digest) handed in and out; persist it together with the
events, as for the docker poller. Each event carries the ``helm/chart`` artifact to fetch the chart with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gennaker.artifacts.helm_index import ChartIndex
from gennaker.artifacts.semver import parse_version
from gennaker.model.artifacts import Artifact
from gennaker.triggers.patterns import InvalidPattern, PatternTimeout, full_match


@dataclass
class ChartWatchState:
    """Versions of one chart seen so far, with their digests."""

    versions: dict[str, str | None] = field(default_factory=dict)
    initialized: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"initialized": self.initialized, "versions": dict(sorted(self.versions.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ChartWatchState:
        if not data:
            return cls()
        versions = {str(k): (str(v) if v else None) for k, v in (data.get("versions") or {}).items()}
        return cls(versions, bool(data.get("initialized")))


@dataclass(frozen=True)
class ChartVersionEvent:
    """A chart version to fire for."""

    account: str
    chart: str
    version: str
    digest: str | None
    reason: str = "new"

    @property
    def event_id(self) -> str:
        return f"helm:{self.account}:{self.chart}:{self.version}@{self.digest or '-'}"

    def artifact(self) -> Artifact:
        """The ``helm/chart`` artifact the trigger passes to the pipeline."""
        metadata: dict[str, Any] = {"digest": self.digest} if self.digest else {}
        return Artifact.model_validate(
            {
                "type": "helm/chart",
                "name": self.chart,
                "version": self.version,
                "artifactAccount": self.account,
                "metadata": metadata or None,
            }
        )


def _version_matches(pattern: str, version: str) -> bool:
    try:
        return full_match(pattern, version)
    except (InvalidPattern, PatternTimeout):
        return False


def diff_chart_versions(
    state: ChartWatchState,
    index: ChartIndex,
    chart: str,
    *,
    account: str,
    version_pattern: str | None = None,
    fire_on_first_poll: bool = False,
) -> tuple[ChartWatchState, list[ChartVersionEvent]]:
    """The new state and the events for ``chart`` in ``index`` (pure; lowest version fires first)."""
    entries = index.entries.get(chart) or ()
    current = {e.version: e.digest for e in entries}
    events: list[ChartVersionEvent] = []
    if state.initialized or fire_on_first_poll:
        for version, digest in current.items():
            if version_pattern and not _version_matches(version_pattern, version):
                continue
            if version not in state.versions:
                events.append(ChartVersionEvent(account, chart, version, digest))
            elif digest and state.versions[version] and digest != state.versions[version]:
                events.append(ChartVersionEvent(account, chart, version, digest, "digestChanged"))
    events.sort(key=lambda e: (parse_version(e.version) is None, parse_version(e.version) or e.version))
    return ChartWatchState(current, True), events
