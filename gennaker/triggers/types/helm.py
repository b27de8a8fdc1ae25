"""The ``helm`` trigger: a new version of a chart in a Helm repository (a ``helm`` artifact account).

Trigger JSON (Echo's)::

    {"type": "helm", "enabled": true, "account": "charts", "chart": "web", "version": "1\\..*"}

Who calls it: the helm pollers of the trigger runtime read the repository's ``index.yaml`` through the
artifact account and turn each new version (``gennaker.triggers.helm.diff_chart_versions``) into an event
with ``chart_event``. Matching: ``account`` and ``chart`` equal the event's; ``version``, when set, is a
regex that must match the whole version. Runtime trigger: ``version``, ``digest`` and the ``helm/chart``
artifact. Event key: ``helm:<account>:<chart>:<version>@<digest>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.triggers.events import TriggerEvent
from gennaker.triggers.helm import ChartVersionEvent
from gennaker.triggers.patterns import InvalidPattern, PatternTimeout, full_match
from gennaker.triggers.registry import Check


@dataclass(frozen=True)
class HelmData:
    version: ChartVersionEvent


def chart_event(version: ChartVersionEvent) -> TriggerEvent:
    return TriggerEvent(
        type="helm",
        key=version.event_id,
        source=f"{version.account}/{version.chart}",
        summary=(
            f"new version {version.version} of chart {version.chart} in {version.account} ({version.reason})"
        ),
        data=HelmData(version),
        artifacts=[version.artifact()],
        payload={
            "account": version.account,
            "chart": version.chart,
            "version": version.version,
            "digest": version.digest,
            "reason": version.reason,
        },
    )


class HelmTrigger:
    type = "helm"
    secret_keys: frozenset[str] = frozenset()

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool:
        data: HelmData = event.data
        return trigger.get("account") == data.version.account and trigger.get("chart") == data.version.chart

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check:
        data: HelmData = event.data
        pattern = trigger.get("version")
        if isinstance(pattern, str) and pattern.strip():
            try:
                if not full_match(pattern.strip(), data.version.version):
                    return Check.failed(f"version {data.version.version!r} does not match {pattern!r}")
            except (InvalidPattern, PatternTimeout) as exc:
                return Check.failed(f"version pattern {exc}")
        return Check.passed()

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]:
        data: HelmData = event.data
        fields: dict[str, Any] = {"version": data.version.version}
        if data.version.digest:
            fields["digest"] = data.version.digest
        return fields


TRIGGER_TYPE = HelmTrigger()
