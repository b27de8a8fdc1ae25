"""``NetflixACAJudge-v1.0``: Kayenta's production judge, end to end.

Who calls it: the canary run and the ``/judge`` endpoints, through
:func:`gennaker.canary.judge.registry.get_judge` or directly via :func:`judge`. Input: a validated canary
config, the score thresholds of the execution request and the metric set pairs (see
:mod:`gennaker.canary.metrics.mixer`); output: a :class:`~gennaker.canary.judge.results.CanaryJudgeResult`.

Per pair, as Kayenta: find the metric config by name (an unknown name is an error), read its
``analysisConfigurations.canary`` (:meth:`~gennaker.canary.config.CanaryMetricConfig.analysis`), pre-process
each side (NaN strategy, optional IQR outlier removal), summarise each side, then classify with the
Mann-Whitney classifier using the values Kayenta hard-codes — tolerance 0.25 and confidence 0.98 — whatever
the config says. Any failure inside the classification (e.g. every observation tied) becomes an ``Error``
result with reason "Metric Classification Failed" instead of failing the whole judgement. Then score (muted
results left out) and label the score against the thresholds.

Randomness: only the constant-versus-constant case draws noise; pass a seeded ``numpy.random.Generator`` to
make it reproducible (Kayenta's is unseeded). No I/O; nothing persisted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from gennaker.canary.config import CanaryConfig, ScoreThresholds
from gennaker.canary.errors import JudgeInputError
from gennaker.canary.judge.classifier import Label, MannWhitneyClassifier
from gennaker.canary.judge.preprocess import preprocess
from gennaker.canary.judge.registry import register_judge
from gennaker.canary.judge.results import (
    CanaryAnalysisResult,
    CanaryJudgeGroupScore,
    CanaryJudgeResult,
    CanaryJudgeScore,
    TestStatistics,
)
from gennaker.canary.judge.scorer import classify_score, weighted_sum_score
from gennaker.canary.judge.stats import summary
from gennaker.canary.metrics.model import MetricSetPair

log = logging.getLogger(__name__)

JUDGE_NAME = "NetflixACAJudge-v1.0"
#: Kayenta hard-codes these in NetflixACAJudge (its configuration properties are never read).
TOLERANCE = 0.25
CONFIDENCE_LEVEL = 0.98


class NetflixACAJudge:
    """Kayenta's ``NetflixACAJudge-v1.0``."""

    def __init__(self, rng: np.random.Generator | None = None) -> None:
        self._rng = rng

    @property
    def name(self) -> str:
        return JUDGE_NAME

    def classify_metric(self, config: CanaryConfig, pair: MetricSetPair) -> CanaryAnalysisResult:
        metric_config = config.metric(pair.name)
        if metric_config is None:
            raise JudgeInputError(f"Could not find metric config for {pair.name}")
        if "experiment" not in pair.values or "control" not in pair.values:
            raise JudgeInputError(
                f"metric set pair {pair.name!r} needs both 'control' and 'experiment' values"
            )
        settings = metric_config.analysis()
        experiment = preprocess(
            pair.values["experiment"],
            nan_strategy=settings.nan_strategy,
            remove_outliers_factor=settings.outlier_removal_factor,
        )
        control = preprocess(
            pair.values["control"],
            nan_strategy=settings.nan_strategy,
            remove_outliers_factor=settings.outlier_removal_factor,
        )
        experiment_stats = summary(experiment)
        control_stats = summary(control)
        classifier = MannWhitneyClassifier(
            tolerance=TOLERANCE,
            confidence_level=CONFIDENCE_LEVEL,
            effect_size_thresholds=(settings.allowed_decrease, settings.allowed_increase),
            critical_thresholds=(settings.critical_decrease, settings.critical_increase),
            effect_size_measure=settings.effect_measure,
            rng=self._rng if self._rng is not None else np.random.default_rng(),
        )

        def result(
            label: str, reason: str | None, critical: bool, ratio: float | None, stats: TestStatistics | None
        ) -> CanaryAnalysisResult:
            return CanaryAnalysisResult(
                name=pair.name,
                id=pair.id,
                tags=dict(pair.tags),
                groups=list(metric_config.groups),
                classification=label,
                classification_reason=reason,
                critical=critical,
                muted=settings.muted,
                experiment_stats=experiment_stats,
                control_stats=control_stats,
                ratio=ratio,
                statistics=stats,
            )

        try:
            outcome = classifier.classify(
                control,
                experiment,
                name=pair.name,
                direction=settings.direction,
                nan_strategy=settings.nan_strategy,
                is_critical=settings.critical,
                is_data_required=settings.must_have_data,
            )
        except Exception:
            log.exception("Metric Classification Failed for %s", pair.name)
            return result(Label.ERROR.value, "Metric Classification Failed", False, None, None)
        stats = None
        if outcome.test is not None and outcome.bound is not None and outcome.effect_size is not None:
            stats = TestStatistics(
                test=outcome.test,
                tolerance=TOLERANCE,
                bound=outcome.bound,
                effect_measure=outcome.effect_measure or "meanRatio",
                effect_size=outcome.effect_size,
            )
        return result(outcome.classification.value, outcome.reason, outcome.critical, outcome.ratio, stats)

    def judge(
        self, config: CanaryConfig, thresholds: ScoreThresholds, pairs: Sequence[MetricSetPair]
    ) -> CanaryJudgeResult:
        if thresholds.pass_ is None or thresholds.marginal is None:
            raise JudgeInputError("scoreThresholds must give both 'pass' and 'marginal'")
        results = [self.classify_metric(config, pair) for pair in pairs]
        scores = weighted_sum_score(results, config.group_weights)
        classification = classify_score(scores, thresholds.pass_, thresholds.marginal)
        return CanaryJudgeResult(
            judge_name=JUDGE_NAME,
            score=CanaryJudgeScore(
                score=classification.score,
                classification=classification.classification,
                classification_reason=classification.reason or "",
            ),
            results=results,
            group_scores=[CanaryJudgeGroupScore(g.name, g.score) for g in scores.group_scores],
        )


def judge(
    config: CanaryConfig,
    thresholds: ScoreThresholds,
    pairs: Sequence[MetricSetPair],
    *,
    rng: np.random.Generator | None = None,
) -> CanaryJudgeResult:
    """Judge ``pairs`` with ``NetflixACAJudge-v1.0``."""
    return NetflixACAJudge(rng=rng).judge(config, thresholds, pairs)


#: The name a Kayenta config carries when Kayenta forwards it to a remote judge (this one): judged the
#: same way.
REMOTE_JUDGE_NAME = "RemoteJudge-v1.0"

register_judge(JUDGE_NAME, NetflixACAJudge)
register_judge(REMOTE_JUDGE_NAME, NetflixACAJudge)
