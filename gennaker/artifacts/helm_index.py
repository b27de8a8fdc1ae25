"""A Helm chart repository's ``index.yaml``: parsing it and choosing a chart version.

Who calls it: the ``helm/chart`` account (which chart archive to download) and the Helm repository watcher
trigger (which versions are new). Format: Helm's repository index (``apiVersion: v1``, ``entries: {name:
[{name, version, urls, digest, created, appVersion, ...}]}``); unknown keys are ignored.

Invariants: chart URLs are resolved against the repository URL (relative URLs are common); an empty
version selects the latest stable version in SemVer order (pre-releases only when nothing else exists),
where Spinnaker used Maven's version order; errors name the chart, the version and what exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import yaml

from gennaker.artifacts.semver import latest, sort_versions


class ChartIndexError(ValueError):
    """The index is malformed, or it has no such chart or version."""


@dataclass(frozen=True)
class ChartVersion:
    """One entry of the index: a version of a chart and where its archive is."""

    name: str
    version: str
    urls: tuple[str, ...]
    digest: str | None = None
    created: str | None = None
    app_version: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChartIndex:
    """A parsed ``index.yaml``."""

    entries: Mapping[str, tuple[ChartVersion, ...]]

    def names(self) -> list[str]:
        """Every chart name, sorted."""
        return sorted(self.entries)

    def versions(self, name: str) -> list[str]:
        """The versions of chart ``name``, highest first."""
        return sort_versions(v.version for v in self._entries_of(name))

    def _entries_of(self, name: str) -> tuple[ChartVersion, ...]:
        if not name:
            raise ChartIndexError("the artifact has no name: a helm/chart artifact's name is the chart name")
        found = self.entries.get(name)
        if not found:
            known = ", ".join(self.names()[:20]) or "none"
            raise ChartIndexError(f"the repository has no chart named {name!r} (charts: {known})")
        return found

    def find(self, name: str, version: str | None) -> ChartVersion:
        """The entry for ``name`` at ``version`` (latest when empty)."""
        entries = self._entries_of(name)
        wanted = version or latest(e.version for e in entries)
        if wanted is None:
            raise ChartIndexError(f"chart {name!r} has no version that is a semantic version")
        for entry in entries:
            if entry.version == wanted:
                if not entry.urls:
                    raise ChartIndexError(f"chart {name!r} version {wanted!r} lists no download URL")
                return entry
        known = ", ".join(self.versions(name)[:20])
        raise ChartIndexError(f"chart {name!r} has no version {wanted!r} (versions: {known})")


def parse_index(text: bytes | str, repository_url: str) -> ChartIndex:
    """Parse ``index.yaml``; chart URLs are made absolute against ``repository_url``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ChartIndexError(f"index.yaml is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries", {}), dict):
        raise ChartIndexError("index.yaml has no 'entries' map")
    base = repository_url.rstrip("/") + "/"
    entries: dict[str, tuple[ChartVersion, ...]] = {}
    for name, versions in (data.get("entries") or {}).items():
        if not isinstance(versions, list):
            raise ChartIndexError(f"index.yaml entry {name!r} is not a list of versions")
        parsed: list[ChartVersion] = []
        for raw in versions:
            if not isinstance(raw, dict) or "version" not in raw:
                raise ChartIndexError(f"index.yaml entry {name!r} has a version without 'version'")
            urls = tuple(urljoin(base, str(u)) for u in raw.get("urls") or [])
            known = {"name", "version", "urls", "digest", "created", "appVersion"}
            parsed.append(
                ChartVersion(
                    name=str(raw.get("name") or name),
                    version=str(raw["version"]),
                    urls=urls,
                    digest=str(raw["digest"]) if raw.get("digest") else None,
                    created=str(raw["created"]) if raw.get("created") else None,
                    app_version=str(raw["appVersion"]) if raw.get("appVersion") else None,
                    extra={k: v for k, v in raw.items() if k not in known},
                )
            )
        entries[str(name)] = tuple(parsed)
    return ChartIndex(entries)
