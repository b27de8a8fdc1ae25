"""Kayenta's ``kayenta-judge`` ScorerSuite, replayed, plus the scoring rules the reference spells out.

Kayenta's old ``criticality: report-only`` (last case of the suite) is today's ``muted``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from gennaker.canary.judge.scorer import classify_score, round_half_up, weighted_sum_score


@dataclass(frozen=True)
class R:
    classification: str
    groups: list[str] = field(default_factory=lambda: ["test-group"])
    critical: bool = False
    muted: bool = False
    classification_reason: str | None = None


def score(results: list[R], weights: dict[str, float] | None = None) -> float:
    return weighted_sum_score(results, weights or {}).summary_score


def test_single_metric_pass() -> None:
    assert score([R("Pass")]) == 100.0


def test_single_metric_fail() -> None:
    assert score([R("High")]) == 0.0


def test_one_group_two_metrics() -> None:
    assert score([R("Pass"), R("High")]) == 50.0


def test_one_group_three_metrics() -> None:
    assert score([R("Pass"), R("High"), R("Low")]) == pytest.approx(33.33, abs=1.0e-2)


def test_two_groups_three_metrics() -> None:
    results = [R("Pass", ["group-1"]), R("Pass", ["group-1"]), R("High", ["group-2"])]
    assert score(results, {"group-1": 75.0, "group-2": 25.0}) == 75.0


def test_two_groups_three_metrics_equal_weight() -> None:
    results = [R("Pass", ["group-1"]), R("High", ["group-1"]), R("High", ["group-2"])]
    assert score(results, {"group-1": 50.0, "group-2": 50.0}) == 25.0


def test_no_data() -> None:
    assert score([R("Nodata")]) == 0.0


def test_two_metrics_one_good_normal_one_fail_critical() -> None:
    assert (
        score([R("Pass"), R("High", critical=True, classification_reason="x was classified as High")]) == 0.0
    )


def test_two_metrics_one_low_normal_one_good_critical() -> None:
    assert score([R("Low"), R("Pass", critical=True)]) == 50.0


def test_two_metrics_one_good_normal_one_fail_report_only() -> None:
    assert score([R("Pass"), R("High", muted=True)]) == 100.0


# ----------------------------------------------------------------- the rules beyond the suite


def test_nodata_and_error_are_not_counted_in_a_group() -> None:
    result = weighted_sum_score([R("Pass"), R("High"), R("Nodata"), R("Error")], {})
    assert result.group_scores[0].score == 50.0
    assert result.summary_score == 50.0


def test_nodata_fail_metric_counts_as_a_failure() -> None:
    assert score([R("Pass"), R("NodataFailMetric")]) == 50.0


def test_a_group_with_only_nodata_counts_as_100_in_the_summary() -> None:
    results = [R("Pass", ["a"]), R("High", ["a"]), R("Pass", ["b"]), R("Nodata", ["c"])]
    result = weighted_sum_score(results, {})
    by_name = {g.name: g for g in result.group_scores}
    assert by_name["c"].no_data and by_name["c"].score == 0.0
    assert result.summary_score == round_half_up((50.0 + 100.0 + 100.0) / 3)  # 83.33


def test_unweighted_groups_share_what_configured_weights_leave() -> None:
    results = [R("Pass", ["a"]), R("High", ["b"]), R("Pass", ["c"])]
    # a: 50 configured; b and c share the remaining 50 -> 25 each.
    assert score(results, {"a": 50.0}) == 50.0 + 0.0 + 25.0


def test_a_configured_group_without_results_just_loses_its_weight() -> None:
    results = [R("Pass", ["a"]), R("High", ["b"])]
    assert score(results, {"a": 40.0, "b": 40.0, "absent": 20.0}) == 40.0


def test_a_metric_in_several_groups_counts_in_each() -> None:
    result = weighted_sum_score([R("High", ["a", "b"]), R("Pass", ["b"])], {})
    assert [(g.name, g.score) for g in result.group_scores] == [("a", 0.0), ("b", 50.0)]
    assert result.summary_score == 25.0


def test_half_or_more_nodata_fails_the_canary() -> None:
    result = weighted_sum_score([R("Pass"), R("Nodata")], {})
    assert result.summary_score == 0.0
    assert result.reason == "Canary Failed: 50% or more metrics returned NODATA"


def test_less_than_half_nodata_is_scored() -> None:
    assert score([R("Pass"), R("Pass"), R("Nodata")]) == 100.0


def test_critical_nodata_fails_the_canary_with_its_reason() -> None:
    results = [
        R("Pass"),
        R("Pass"),
        R("Pass"),
        R("Nodata", critical=True, classification_reason="Missing data for m"),
    ]
    result = weighted_sum_score(results, {})
    assert result.summary_score == 0.0
    assert result.reason == "Canary Failed: Missing data for m"


def test_muted_results_are_left_out_of_every_rule() -> None:
    results = [
        R("Pass"),
        R("Nodata", muted=True),
        R("Nodata", muted=True),
        R("High", critical=True, muted=True),
    ]
    result = weighted_sum_score(results, {})
    assert result.summary_score == 100.0
    assert result.reason is None


def test_zero_weight_group_reports_without_scoring() -> None:
    results = [R("Pass", ["a"]), R("High", ["report"])]
    assert score(results, {"a": 100.0, "report": 0.0}) == 100.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.125, 0.13), (1.005, 1.01), (2.675, 2.68), (33.333333, 33.33), (66.665, 66.67), (-1.005, -1.01)],
)
def test_rounding_is_half_up_on_the_decimal_representation(value: float, expected: float) -> None:
    # Python's round() gives round(2.675, 2) == 2.67 (binary value below the half); Kayenta's BigDecimal of
    # Double.toString rounds the written decimal half up.
    assert round_half_up(value, 2) == expected


@pytest.mark.parametrize(
    ("summary", "label"),
    [
        (100.0, "Pass"),
        (95.0, "Pass"),
        (94.99, "Marginal"),
        (75.0, "Marginal"),
        (74.99, "Fail"),
        (0.0, "Fail"),
    ],
)
def test_score_classification_uses_greater_or_equal(summary: float, label: str) -> None:
    result = weighted_sum_score([], {})
    forced = type(result)(result.group_scores, summary, 0, None)
    assert classify_score(forced, 95.0, 75.0).classification == label
