"""The ``kayentaCanary`` stage's ``canaryConfig`` block (Orca's ``KayentaCanaryContext``), parsed and checked.

Who uses it: the stage's planners (:mod:`.plan`) and tasks (:mod:`.tasks`). Shape (Orca/Deck's JSON)::

    {"canaryConfig": {
        "canaryConfigId": "...", "canaryConfigName": "...",         # one of them
        "metricsAccountName": "prom", "storageAccountName": "...",   # storage account: accepted, unused
        "scopes": [{"scopeName": "default", "controlScope": "web-v001", "controlLocation": "ns",
                    "experimentScope": "web-v002", "experimentLocation": "ns",
                    "startTimeIso": "...", "endTimeIso": "...", "step": 60,
                    "extendedScopeParams": {"k": "v"}}],
        "scoreThresholds": {"pass": 95, "marginal": 75},
        "lifetimeDuration": "PT1H",            # or the legacy "lifetimeHours": 1
        "beginCanaryAnalysisAfterMins": 0, "canaryAnalysisIntervalMins": 15,
        "lookbackMins": 0, "baselineAnalysisOffsetInMins": 0}}

Defaults are Orca's: scopeName ``default``, step 60 s, thresholds pass 75 / marginal 50 when the block is
absent, 0 for the minute fields. Numbers may be JSON numbers or numeric strings (Deck and expressions write
both). Gennaker extension: minute fields and ``step`` accept fractions (``0.05`` minutes = 3 s), so intervals
of seconds can be tested quickly. Errors name the field: ``canaryConfig.scopes[0].endTimeIso: ...``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gennaker.canary.errors import CanaryError

_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<days>[-+]?\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>[-+]?\d+(?:\.\d+)?)H)?(?:(?P<minutes>[-+]?\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>[-+]?\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


class StageConfigError(CanaryError):
    """The stage's ``canaryConfig`` is missing something or holds a bad value."""


def parse_iso_duration_ms(text: str, where: str) -> int:
    """An ISO-8601 duration as Java's ``Duration.parse`` reads it (``PT1H``, ``PT30M``, ``P1DT2H``,
    ``PT0.5S``) in milliseconds."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise StageConfigError(f"{where}: {text!r} is not an ISO-8601 duration such as PT1H or PT30M")
    total = 0.0
    for name, ms in (("days", 86_400_000), ("hours", 3_600_000), ("minutes", 60_000), ("seconds", 1000)):
        value = match.group(name)
        if value is not None:
            total += float(value) * ms
    if match.group("sign") == "-":
        total = -total
    return round(total)


def _number(
    value: Any, where: str, *, default: float | None = None, minimum: float | None = 0
) -> float | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise StageConfigError(f"{where}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StageConfigError(f"{where}: expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise StageConfigError(f"{where}: expected a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise StageConfigError(f"{where}: must not be negative, got {value!r}")
    return number


def _instant(value: Any, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise StageConfigError(f"{where}: expected an ISO-8601 instant such as 2024-05-01T10:00:00Z")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise StageConfigError(
            f"{where}: {value!r} is not an ISO-8601 instant such as 2024-05-01T10:00:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise StageConfigError(f"{where}: expected a string, got {value!r}")


@dataclass(frozen=True)
class StageScope:
    """One entry of ``canaryConfig.scopes``."""

    scope_name: str
    control_scope: str | None
    control_location: str | None
    experiment_scope: str | None
    experiment_location: str | None
    start_time: datetime | None
    end_time: datetime | None
    step_seconds: float
    extended_scope_params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    pass_: float | None
    marginal: float | None

    def to_json(self) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.pass_ is not None:
            out["pass"] = self.pass_
        if self.marginal is not None:
            out["marginal"] = self.marginal
        return out


@dataclass(frozen=True)
class KayentaCanaryContext:
    """The parsed ``canaryConfig`` of a ``kayentaCanary`` stage. Durations are in milliseconds."""

    canary_config_id: str | None
    canary_config_name: str | None
    metrics_account_name: str | None
    storage_account_name: str | None
    scopes: tuple[StageScope, ...]
    thresholds: Thresholds
    lifetime_ms: int | None
    warmup_ms: int
    interval_ms: int | None
    lookback_ms: int
    baseline_offset_ms: int

    @property
    def start_time(self) -> datetime | None:
        """The first scope's start (Orca reads times from the first scope only)."""
        return self.scopes[0].start_time

    @property
    def end_time(self) -> datetime | None:
        return self.scopes[0].end_time

    @property
    def step_seconds(self) -> float:
        return self.scopes[0].step_seconds

    @property
    def retrospective(self) -> bool:
        """An end time was given: windows are in the past and nothing waits between judgements."""
        return self.end_time is not None


def _minutes_ms(raw: Mapping[str, Any], key: str, *, default: float | None) -> int | None:
    value = _number(raw.get(key), f"canaryConfig.{key}", default=default)
    return None if value is None else round(value * 60_000)


def _scope(raw: Any, index: int) -> StageScope:
    where = f"canaryConfig.scopes[{index}]"
    if not isinstance(raw, Mapping):
        raise StageConfigError(f"{where}: expected an object")
    params = raw.get("extendedScopeParams") or {}
    if not isinstance(params, Mapping):
        raise StageConfigError(f"{where}.extendedScopeParams: expected an object of strings")
    step = _number(raw.get("step"), f"{where}.step", default=60.0)
    assert step is not None
    if step <= 0:
        raise StageConfigError(f"{where}.step: must be a positive number of seconds, got {raw.get('step')!r}")
    return StageScope(
        scope_name=_text(raw.get("scopeName"), f"{where}.scopeName") or "default",
        control_scope=_text(raw.get("controlScope"), f"{where}.controlScope"),
        control_location=_text(raw.get("controlLocation"), f"{where}.controlLocation"),
        experiment_scope=_text(raw.get("experimentScope"), f"{where}.experimentScope"),
        experiment_location=_text(raw.get("experimentLocation"), f"{where}.experimentLocation"),
        start_time=_instant(raw.get("startTimeIso"), f"{where}.startTimeIso"),
        end_time=_instant(raw.get("endTimeIso"), f"{where}.endTimeIso"),
        step_seconds=step,
        extended_scope_params={
            str(k): _text(v, f"{where}.extendedScopeParams.{k}") or "" for k, v in params.items()
        },
    )


def parse_canary_context(stage_context: Mapping[str, Any]) -> KayentaCanaryContext:
    """Read ``canaryConfig`` from a stage context. Raises :class:`StageConfigError` naming the field."""
    raw = stage_context.get("canaryConfig")
    if not isinstance(raw, Mapping):
        raise StageConfigError("canaryConfig: the kayentaCanary stage needs a canaryConfig object")
    config_id = _text(raw.get("canaryConfigId"), "canaryConfig.canaryConfigId")
    config_name = _text(raw.get("canaryConfigName"), "canaryConfig.canaryConfigName")
    if not config_id and not config_name:
        raise StageConfigError(
            "canaryConfig.canaryConfigId: a canary config id (or canaryConfigName) is required"
        )
    raw_scopes = raw.get("scopes")
    if raw_scopes is not None and not isinstance(raw_scopes, list):
        raise StageConfigError("canaryConfig.scopes: expected a list of scopes")
    scopes = tuple(_scope(s, i) for i, s in enumerate(raw_scopes or []))
    if not scopes:
        raise StageConfigError(
            "canaryConfig.scopes: Canary stage configuration must contain at least one scope."
        )
    names = [s.scope_name for s in scopes]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise StageConfigError(f"canaryConfig.scopes: scopeName {duplicate!r} is used twice")
    if "scoreThresholds" in raw:
        given = raw.get("scoreThresholds") or {}
        if not isinstance(given, Mapping):
            raise StageConfigError("canaryConfig.scoreThresholds: expected {pass, marginal}")
        thresholds = Thresholds(
            _number(given.get("pass"), "canaryConfig.scoreThresholds.pass"),
            _number(given.get("marginal"), "canaryConfig.scoreThresholds.marginal"),
        )
    else:
        thresholds = Thresholds(75.0, 50.0)  # Orca's data-class default
    lifetime_ms: int | None = None
    if raw.get("lifetimeDuration") not in (None, ""):
        lifetime_ms = parse_iso_duration_ms(str(raw["lifetimeDuration"]), "canaryConfig.lifetimeDuration")
    elif raw.get("lifetimeHours") not in (None, ""):
        hours = _number(raw.get("lifetimeHours"), "canaryConfig.lifetimeHours")
        lifetime_ms = None if hours is None else round(hours * 3_600_000)
    if lifetime_ms is not None and lifetime_ms < 0:
        raise StageConfigError("canaryConfig.lifetimeDuration: must not be negative")
    context = KayentaCanaryContext(
        canary_config_id=config_id or None,
        canary_config_name=config_name or None,
        metrics_account_name=_text(raw.get("metricsAccountName"), "canaryConfig.metricsAccountName") or None,
        storage_account_name=_text(raw.get("storageAccountName"), "canaryConfig.storageAccountName") or None,
        scopes=scopes,
        thresholds=thresholds,
        lifetime_ms=lifetime_ms,
        warmup_ms=_minutes_ms(raw, "beginCanaryAnalysisAfterMins", default=0.0) or 0,
        interval_ms=_minutes_ms(raw, "canaryAnalysisIntervalMins", default=None),
        lookback_ms=_minutes_ms(raw, "lookbackMins", default=0.0) or 0,
        baseline_offset_ms=_minutes_ms(raw, "baselineAnalysisOffsetInMins", default=0.0) or 0,
    )
    if context.end_time is None and context.lifetime_ms is None:
        raise StageConfigError(
            "canaryConfig: Canary stage configuration must include either `endTime` or `lifetimeDuration`."
        )
    if context.start_time and context.end_time and context.end_time <= context.start_time:
        raise StageConfigError("canaryConfig.scopes[0].endTimeIso: must be after startTimeIso")
    return context
