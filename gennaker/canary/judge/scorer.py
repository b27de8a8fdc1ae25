"""Scoring metric results into group scores and one canary score (Kayenta's ``WeightedSumScorer``), and
labelling it.

Who calls it: :mod:`gennaker.canary.judge.netflix_aca` after every metric is classified; tests replay
Kayenta's ``ScorerSuite``.

Rules (Kayenta's, in order):

1. Muted results are dropped (they are still listed in the judge result).
2. A group's score is ``100·#Pass / (#Pass + #High + #Low + #NodataFailMetric)``; ``Nodata`` and ``Error`` are
   not counted. A group with nothing counted is a "no data" group (score 0, but it counts as 100 in the
   summary). A metric in several groups counts in each.
3. Any remaining result that is critical and not ``Pass`` fails the canary: score 0, reason
   ``"Canary Failed: " + its reason``.
4. Otherwise, if 50% or more of the remaining results are ``Nodata``, score 0 with reason
   ``"Canary Failed: 50% or more metrics returned NODATA"``.
5. Otherwise the score is ``Σ effectiveScore·weight/100`` over the groups present, where a group's weight is
   its configured weight, or ``(100 - Σ all configured weights) / #unweighted groups present``; a configured
   group with no results simply loses its weight. The sum is rounded half-up to 2 decimals from its decimal
   representation (Java's ``new BigDecimal(Double.toString(x)).setScale(2, ROUND_HALF_UP)``).
6. ``score >= pass`` is Pass, ``score >= marginal`` is Marginal, anything else Fail.

Groups appear in the order they are first met in the results (Kayenta's order is a hash map's). Pure
functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

NODATA_THRESHOLD = 50


class ScorableResult(Protocol):
    @property
    def classification(self) -> str: ...
    @property
    def classification_reason(self) -> str | None: ...
    @property
    def groups(self) -> Sequence[str]: ...
    @property
    def critical(self) -> bool: ...
    @property
    def muted(self) -> bool: ...


@dataclass(frozen=True)
class GroupScore:
    name: str
    score: float
    no_data: bool
    label_counts: dict[str, int]
    num_metrics: int


@dataclass(frozen=True)
class ScoreResult:
    group_scores: list[GroupScore]
    summary_score: float
    num_metrics: int
    reason: str | None


@dataclass(frozen=True)
class ScoreClassification:
    classification: str  # Pass | Marginal | Fail
    reason: str | None
    score: float


def round_half_up(value: float, places: int = 2) -> float:
    """Round like Commons Math ``MathUtils.round``: half-up on the shortest decimal representation of
    ``value``."""
    if not math.isfinite(value):
        return value
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _group_score(name: str, labels: list[str]) -> GroupScore:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    passed = counts.get("Pass", 0)
    total = passed + counts.get("High", 0) + counts.get("Low", 0) + counts.get("NodataFailMetric", 0)
    no_data = total == 0
    score = 0.0 if no_data else (passed / float(total)) * 100
    return GroupScore(name=name, score=score, no_data=no_data, label_counts=counts, num_metrics=len(labels))


def group_scores(results: Sequence[ScorableResult]) -> list[GroupScore]:
    labels: dict[str, list[str]] = {}
    for result in results:
        for group in result.groups:
            labels.setdefault(group, []).append(result.classification)
    return [_group_score(name, group_labels) for name, group_labels in labels.items()]


def summary_score(groups: Sequence[GroupScore], group_weights: Mapping[str, float]) -> float:
    weight_sum = sum(float(w) for w in group_weights.values())
    unweighted = {g.name for g in groups} - set(group_weights)
    calculated_weight = (100 - weight_sum) / len(unweighted) if unweighted else 0.0
    total = 0.0
    for group in groups:
        effective = 100.0 if group.no_data else group.score
        weight = float(group_weights.get(group.name, calculated_weight))
        total += effective * (weight / 100)
    return round_half_up(total, 2)


def weighted_sum_score(results: Sequence[ScorableResult], group_weights: Mapping[str, float]) -> ScoreResult:
    """Kayenta's weighted-sum score of the (non-muted) results."""
    scored = [r for r in results if not r.muted]
    groups = group_scores(scored)
    failures = [r for r in scored if r.critical and r.classification != "Pass"]
    if failures:
        reason = f"Canary Failed: {failures[0].classification_reason}"
        return ScoreResult(groups, 0.0, len(scored), reason)
    nodata = sum(1 for r in scored if r.classification == "Nodata")
    if scored and nodata / len(scored) * 100 >= NODATA_THRESHOLD:
        reason = f"Canary Failed: {NODATA_THRESHOLD}% or more metrics returned NODATA"
        return ScoreResult(groups, 0.0, len(scored), reason)
    return ScoreResult(groups, summary_score(groups, group_weights), len(scored), None)


def classify_score(
    result: ScoreResult, pass_threshold: float, marginal_threshold: float
) -> ScoreClassification:
    """Kayenta's ``ThresholdScoreClassifier`` (note: ``>=``; the orchestrator fails a score ``<=``
    marginal)."""
    score = result.summary_score
    if score >= pass_threshold:
        return ScoreClassification("Pass", result.reason, score)
    if score >= marginal_threshold:
        return ScoreClassification("Marginal", result.reason, score)
    return ScoreClassification("Fail", result.reason, score)
