"""The interval plan of a ``kayentaCanary`` stage, as Orca's ``RunCanaryIntervalsStage`` computes it.

Who uses it: the ``runCanaryIntervals`` synthetic stage's planner (:mod:`.definition`), which turns the plan
into synthetic stages (warmup wait, interval waits, one ``runCanary`` per interval); tests drive it with any
``now``. Pure functions.

Rules (Orca's), with ``now`` the time the plan is made (the stage start):

1. ``lifetime``: whole minutes from (startTime or now) to endTime when an end time is given (retrospective),
   else ``lifetimeDuration``. Gennaker extension: a retrospective lifetime under one minute is kept in whole
   seconds instead of becoming 0.
2. ``interval`` = ``canaryAnalysisIntervalMins``, or the lifetime when unset, zero or longer than it.
   ``N = floor(lifetime / interval)`` judgements (a zero lifetime is an error here; Orca divides by zero).
3. A ``Warmup Wait`` of ``beginCanaryAnalysisAfterMins`` comes first when it is positive (in both modes, as
   Orca). In real time each judgement is preceded by an ``Interval Wait #i`` of one interval; in retrospective
   mode nothing waits between judgements.
4. Window i: real time ``[t + warmup, t + warmup + i·interval]`` with ``t`` = startTime or now (growing);
   retrospective ``[start, start + i·interval]``. ``lookbackMins > 0`` makes it ``[end - lookback, end]``
   (sliding). The baseline (control) window is the same shifted earlier by ``baselineAnalysisOffsetInMins``.
   Every scope uses the first scope's step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gennaker.canary.metrics.prometheus import iso_from_millis
from gennaker.canary.stage.context import KayentaCanaryContext, StageConfigError

MINUTE_MS = 60_000


@dataclass(frozen=True)
class IntervalWindow:
    """One judgement: its number (from 1) and the experiment and control windows (epoch ms)."""

    index: int
    start_ms: int
    end_ms: int
    control_start_ms: int
    control_end_ms: int


@dataclass(frozen=True)
class IntervalPlan:
    realtime: bool
    lifetime_ms: int
    interval_ms: int
    warmup_ms: int
    windows: tuple[IntervalWindow, ...]


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def plan_intervals(context: KayentaCanaryContext, now_ms: int) -> IntervalPlan:
    """The judgements a ``kayentaCanary`` stage makes when it starts at ``now_ms``."""
    start = context.start_time
    end = context.end_time
    anchor = _ms(start) if start is not None else now_ms
    if end is not None:
        span = _ms(end) - anchor
        lifetime = span // MINUTE_MS * MINUTE_MS if span >= MINUTE_MS else span // 1000 * 1000
    else:
        assert context.lifetime_ms is not None  # checked by parse_canary_context
        lifetime = context.lifetime_ms
    if lifetime <= 0:
        raise StageConfigError(
            "canaryConfig: the canary lifetime is zero "
            "(check lifetimeDuration, or startTimeIso and endTimeIso)"
        )
    interval = context.interval_ms if context.interval_ms is not None else lifetime
    if interval <= 0 or interval > lifetime:
        interval = lifetime
    count = lifetime // interval
    realtime = end is None
    windows = []
    for i in range(1, count + 1):
        if realtime:
            window_start = anchor + context.warmup_ms
            window_end = anchor + context.warmup_ms + i * interval
        else:
            window_start = anchor
            window_end = anchor + i * interval
        if context.lookback_ms > 0:
            window_start = window_end - context.lookback_ms
        offset = context.baseline_offset_ms
        windows.append(
            IntervalWindow(i, window_start, window_end, window_start - offset, window_end - offset)
        )
    return IntervalPlan(realtime, lifetime, interval, context.warmup_ms, tuple(windows))


def _scope_json(
    scope: str | None, location: str | None, window: tuple[int, int], step: float, params: dict[str, str]
) -> dict[str, Any]:
    return {
        "scope": scope,
        "location": location,
        "start": iso_from_millis(window[0]),
        "end": iso_from_millis(window[1]),
        "step": step,
        "extendedScopeParams": dict(params),
    }


def request_scopes(context: KayentaCanaryContext, window: IntervalWindow) -> dict[str, dict[str, Any]]:
    """Kayenta's execution-request ``scopes`` of one window: ``{name: {controlScope, experimentScope}}``."""
    step = context.step_seconds
    out: dict[str, dict[str, Any]] = {}
    for s in context.scopes:
        out[s.scope_name] = {
            "controlScope": _scope_json(
                s.control_scope,
                s.control_location,
                (window.control_start_ms, window.control_end_ms),
                step,
                s.extended_scope_params,
            ),
            "experimentScope": _scope_json(
                s.experiment_scope,
                s.experiment_location,
                (window.start_ms, window.end_ms),
                step,
                s.extended_scope_params,
            ),
        }
    return out
