"""The interval plan (Orca's RunCanaryIntervalsStage), the stage JSON it reads, and the aggregation of scores
(Orca's AggregateCanaryResultsTask), driven by an explicit "now"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gennaker.canary.stage.context import StageConfigError, parse_canary_context, parse_iso_duration_ms
from gennaker.canary.stage.plan import plan_intervals, request_scopes
from gennaker.canary.stage.tasks import aggregate_scores

NOW = int(datetime(2024, 5, 1, 10, 0, tzinfo=UTC).timestamp() * 1000)
MIN = 60_000


def ctx(**canary: Any) -> dict[str, Any]:
    scope = {"controlScope": "web-v001", "experimentScope": "web-v002", "controlLocation": "prod"}
    scope.update(canary.pop("scope", {}))
    return {"canaryConfig": {"canaryConfigId": "c1", "scopes": [scope], **canary}}


def windows(stage: dict[str, Any], now: int = NOW) -> list[tuple[int, int, int, int]]:
    plan = plan_intervals(parse_canary_context(stage), now)
    return [
        (
            (w.start_ms - now) // MIN,
            (w.end_ms - now) // MIN,
            (w.control_start_ms - now) // MIN,
            (w.control_end_ms - now) // MIN,
        )
        for w in plan.windows
    ]


def test_real_time_windows_grow_from_the_warmup() -> None:
    stage = ctx(lifetimeDuration="PT1H", canaryAnalysisIntervalMins=15, beginCanaryAnalysisAfterMins=10)
    plan = plan_intervals(parse_canary_context(stage), NOW)
    assert plan.realtime and plan.warmup_ms == 10 * MIN and plan.interval_ms == 15 * MIN
    assert windows(stage) == [(10, 25, 10, 25), (10, 40, 10, 40), (10, 55, 10, 55), (10, 70, 10, 70)]


def test_lookback_makes_sliding_windows_and_the_baseline_can_be_offset() -> None:
    stage = ctx(
        lifetimeDuration="PT30M",
        canaryAnalysisIntervalMins=10,
        lookbackMins=5,
        baselineAnalysisOffsetInMins=60,
    )
    assert windows(stage) == [(5, 10, -55, -50), (15, 20, -45, -40), (25, 30, -35, -30)]


def test_retrospective_windows_start_at_the_start_time_and_ignore_the_warmup() -> None:
    stage = ctx(
        canaryAnalysisIntervalMins=20,
        beginCanaryAnalysisAfterMins=5,
        scope={"startTimeIso": "2024-05-01T08:00:00Z", "endTimeIso": "2024-05-01T09:00:30Z"},
    )
    plan = plan_intervals(parse_canary_context(stage), NOW)
    assert not plan.realtime and plan.lifetime_ms == 60 * MIN  # whole minutes, as Orca
    assert windows(stage) == [(-120, -100, -120, -100), (-120, -80, -120, -80), (-120, -60, -120, -60)]
    assert plan.warmup_ms == 5 * MIN  # Orca still adds the Warmup Wait


def test_interval_defaults_to_the_lifetime_and_never_exceeds_it() -> None:
    assert windows(ctx(lifetimeDuration="PT2H")) == [(0, 120, 0, 120)]
    assert windows(ctx(lifetimeDuration="PT2H", canaryAnalysisIntervalMins=0)) == [(0, 120, 0, 120)]
    assert windows(ctx(lifetimeDuration="PT2H", canaryAnalysisIntervalMins=500)) == [(0, 120, 0, 120)]
    assert len(windows(ctx(lifetimeDuration="PT1H", canaryAnalysisIntervalMins=25))) == 2  # floor(60 / 25)
    assert len(windows(ctx(lifetimeHours=3, canaryAnalysisIntervalMins=60))) == 3  # legacy lifetimeHours


def test_fractional_minutes_give_seconds_scale_intervals() -> None:
    plan = plan_intervals(
        parse_canary_context(ctx(lifetimeDuration="PT6S", canaryAnalysisIntervalMins=0.05)), NOW
    )
    assert plan.interval_ms == 3000
    assert [(w.start_ms - NOW, w.end_ms - NOW) for w in plan.windows] == [(0, 3000), (0, 6000)]


def test_request_scopes_are_kayenta_execution_request_scopes() -> None:
    stage = ctx(
        lifetimeDuration="PT10M",
        scope={"scopeName": "default", "step": 30, "extendedScopeParams": {"namespace": "prod"}},
    )
    canary = parse_canary_context(stage)
    (window,) = plan_intervals(canary, NOW).windows
    scopes = request_scopes(canary, window)
    assert scopes == {
        "default": {
            "controlScope": {
                "scope": "web-v001",
                "location": "prod",
                "start": "2024-05-01T10:00:00Z",
                "end": "2024-05-01T10:10:00Z",
                "step": 30.0,
                "extendedScopeParams": {"namespace": "prod"},
            },
            "experimentScope": {
                "scope": "web-v002",
                "location": None,
                "start": "2024-05-01T10:00:00Z",
                "end": "2024-05-01T10:10:00Z",
                "step": 30.0,
                "extendedScopeParams": {"namespace": "prod"},
            },
        }
    }


def test_stage_json_defaults_are_orcas() -> None:
    canary = parse_canary_context(ctx(lifetimeDuration="PT1H"))
    assert canary.thresholds.to_json() == {"pass": 75.0, "marginal": 50.0}
    assert canary.scopes[0].scope_name == "default" and canary.step_seconds == 60
    assert (canary.warmup_ms, canary.lookback_ms, canary.baseline_offset_ms, canary.interval_ms) == (
        0,
        0,
        0,
        None,
    )
    numeric_strings = parse_canary_context(ctx(lifetimeHours="1", canaryAnalysisIntervalMins="15"))
    assert (numeric_strings.lifetime_ms, numeric_strings.interval_ms) == (60 * MIN, 15 * MIN)


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ({"canaryConfig": {"canaryConfigId": "c", "scopes": []}}, "must contain at least one scope"),
        (ctx(), "must include either `endTime` or `lifetimeDuration`"),
        ({"canaryConfig": {"scopes": [{}], "lifetimeDuration": "PT1H"}}, "canaryConfig.canaryConfigId"),
        (
            ctx(lifetimeDuration="an hour"),
            "canaryConfig.lifetimeDuration: 'an hour' is not an ISO-8601 duration",
        ),
        (ctx(lifetimeDuration="PT1H", lookbackMins="x"), "canaryConfig.lookbackMins: expected a number"),
        (ctx(lifetimeDuration="PT1H", scope={"step": 0}), "canaryConfig.scopes[0].step: must be a positive"),
        (ctx(scope={"endTimeIso": "yesterday"}), "canaryConfig.scopes[0].endTimeIso: 'yesterday' is not"),
        (
            ctx(scope={"startTimeIso": "2024-05-01T10:00:00Z", "endTimeIso": "2024-05-01T09:00:00Z"}),
            "endTimeIso: must be after startTimeIso",
        ),
        ({}, "the kayentaCanary stage needs a canaryConfig object"),
    ],
)
def test_bad_stage_json_is_reported_with_the_field(stage: dict[str, Any], message: str) -> None:
    with pytest.raises(StageConfigError) as caught:
        parse_canary_context(stage)
    assert message in str(caught.value)


def test_a_sub_second_retrospective_lifetime_is_an_error_not_a_division_by_zero() -> None:
    stage = ctx(scope={"startTimeIso": "2024-05-01T10:00:00Z", "endTimeIso": "2024-05-01T10:00:00.500Z"})
    with pytest.raises(StageConfigError, match="lifetime is zero"):
        plan_intervals(parse_canary_context(stage), NOW)


def test_iso_durations_as_java_reads_them() -> None:
    assert parse_iso_duration_ms("PT1H", "f") == 3_600_000
    assert parse_iso_duration_ms("PT1H30M", "f") == 5_400_000
    assert parse_iso_duration_ms("P1DT2H", "f") == 93_600_000
    assert parse_iso_duration_ms("PT0.5S", "f") == 500
    assert parse_iso_duration_ms("pt15m", "f") == 900_000
    for bad in ("P", "PT", "1H", "PT1X"):
        with pytest.raises(StageConfigError):
            parse_iso_duration_ms(bad, "f")


@pytest.mark.parametrize(
    ("scores", "thresholds", "succeeded", "message"),
    [
        (
            [40.0, 96.0],
            {"pass": 95, "marginal": 75},
            True,
            "Final canary score 96.0 met or exceeded the pass score threshold.",
        ),
        (
            [96.0, 80.0],
            {"pass": 95, "marginal": 75},
            False,
            "Final canary score 80.0 is below the pass score threshold.",
        ),
        (
            [96.0, 75.0],
            {"pass": 95, "marginal": 75},
            False,
            "Final canary score 75.0 is not above the marginal score threshold.",
        ),
        ([10.0], {}, True, "No score thresholds were specified."),
        ([10.0], None, True, "No score thresholds were specified."),
        ([60.0], {"marginal": 50}, True, "No pass score threshold was specified."),
        (
            [95.0],
            {"pass": 95, "marginal": 75},
            True,
            "Final canary score 95.0 met or exceeded the pass score threshold.",
        ),
    ],
)
def test_only_the_last_score_counts(
    scores: list[float], thresholds: dict[str, Any] | None, succeeded: bool, message: str
) -> None:
    assert aggregate_scores(scores, thresholds) == (succeeded, message)
