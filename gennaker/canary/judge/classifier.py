"""Metric classification: Kayenta's ``MannWhitneyClassifier`` (Pass / High / Low / Nodata / NodataFailMetric).

Who calls it: :mod:`gennaker.canary.judge.netflix_aca` once per metric set pair, on the pre-processed samples;
tests replay Kayenta's ``ClassifierSuite`` against it directly (with the suite's own tolerances and confidence
levels — the judge itself always uses 0.25 and 0.98).

The checks run in Kayenta's order and the first that applies decides:

1. no data on a side: ``NodataFailMetric`` (must-have-data, non-critical), else ``Nodata`` (critical flag
   kept) — or ``Pass`` when NaNs were replaced by zeros; ratio 1.0;
2. identical samples (as sorted arrays) → ``Pass``; 3. a single distinct value overall → ``Pass``;
4. both sides constant but different → tiny Gaussian noise (sigma = 1e-5 * the value) is added so ranks are
   defined;
5. the Mann-Whitney interval for experiment - control at the configured confidence;
6. High if the direction allows it, ``ciLow > tolerance·|estimate|`` and the effect size (NaN skips the gate)
   is at least ``allowedIncrease``; Low symmetrically with ``ciHigh < -tolerance·|estimate|`` and
   ``allowedDecrease``;
7. for a critical metric, a High/Low whose effect also passes ``criticalIncrease``/``criticalDecrease`` is
   critical.

The ratio reported is always the mean ratio. Exceptions (e.g. all observations tied) propagate: the judge
turns them into an ``Error`` result. :class:`MeanInequalityClassifier` is Kayenta's plain mean comparison,
kept for parity with Kayenta's suites; the judge does not use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from gennaker.canary.judge.mannwhitney import MannWhitneyResult, mann_whitney
from gennaker.canary.judge.stats import cles, mean, mean_ratio


class Label(StrEnum):
    """Classification labels, spelled exactly as Kayenta writes them."""

    PASS = "Pass"  # noqa: S105  (a label, not a password)
    HIGH = "High"
    LOW = "Low"
    NODATA = "Nodata"
    NODATA_FAIL_METRIC = "NodataFailMetric"
    ERROR = "Error"


@dataclass(frozen=True)
class MetricClassification:
    """The outcome for one metric, with the test's statistics when the test ran."""

    classification: Label
    reason: str | None
    ratio: float
    critical: bool
    test: MannWhitneyResult | None = None
    effect_measure: str | None = None
    effect_size: float | None = None
    bound: float | None = None


def _constant(values: npt.NDArray[np.float64]) -> bool:
    return bool(values.size > 0 and np.all(values == values[0]))


def _add_noise(values: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.float64]:
    return values + rng.standard_normal(values.size) * (1e-5 * values)


@dataclass(frozen=True)
class MannWhitneyClassifier:
    """Kayenta's classifier; thresholds are ``(decrease, increase)`` pairs as in Kayenta."""

    tolerance: float = 0.25
    confidence_level: float = 0.95
    effect_size_thresholds: tuple[float, float] = (1.0, 1.0)
    critical_thresholds: tuple[float, float] = (1.0, 1.0)
    effect_size_measure: str = "meanRatio"
    rng: np.random.Generator = field(default_factory=np.random.default_rng)

    def classify(
        self,
        control: npt.ArrayLike,
        experiment: npt.ArrayLike,
        *,
        name: str = "metric",
        direction: str = "either",
        nan_strategy: str = "remove",
        is_critical: bool = False,
        is_data_required: bool = False,
    ) -> MetricClassification:
        ctl = np.asarray(control, dtype=np.float64)
        exp = np.asarray(experiment, dtype=np.float64)

        if exp.size == 0 or ctl.size == 0:
            if nan_strategy == "replace":
                return MetricClassification(Label.PASS, None, 1.0, critical=False)
            reason = f"Missing data for {name}"
            if is_data_required and not is_critical:
                return MetricClassification(Label.NODATA_FAIL_METRIC, reason, 1.0, critical=False)
            return MetricClassification(Label.NODATA, reason, 1.0, critical=is_critical)

        if exp.size == ctl.size and np.array_equal(np.sort(exp), np.sort(ctl)):
            return MetricClassification(
                Label.PASS, "The Canary and Baseline data are identical", 1.0, critical=False
            )

        if np.unique(np.concatenate((exp, ctl))).size == 1:
            return MetricClassification(Label.PASS, None, 1.0, critical=False)

        if _constant(exp) and _constant(ctl):
            exp = _add_noise(exp, self.rng)
            ctl = _add_noise(ctl, self.rng)

        test = mann_whitney(exp, ctl, self.confidence_level)
        ratio = mean_ratio(ctl, exp)
        measure = "cles" if self.effect_size_measure == "cles" else "meanRatio"
        effect = cles(ctl, exp) if measure == "cles" else ratio
        bound = self.tolerance * abs(test.estimate)
        allowed_decrease, allowed_increase = self.effect_size_thresholds
        critical_decrease, critical_increase = self.critical_thresholds
        no_effect = math.isnan(effect)

        def stats(label: Label, reason: str | None, critical: bool) -> MetricClassification:
            return MetricClassification(
                label,
                reason,
                ratio,
                critical,
                test=test,
                effect_measure=measure,
                effect_size=effect,
                bound=bound,
            )

        if (
            direction in ("increase", "either")
            and test.ci_low > bound
            and (no_effect or effect >= allowed_increase)
        ):
            if is_critical and (no_effect or effect >= critical_increase):
                return stats(Label.HIGH, f"{name} was classified as High (Critical)", True)
            return stats(Label.HIGH, f"{name} was classified as High", False)
        if (
            direction in ("decrease", "either")
            and test.ci_high < -bound
            and (no_effect or effect <= allowed_decrease)
        ):
            if is_critical and (no_effect or effect <= critical_decrease):
                return stats(Label.LOW, f"{name} was classified as Low (Critical)", True)
            return stats(Label.LOW, f"{name} was classified as Low", False)
        return stats(Label.PASS, None, False)


@dataclass(frozen=True)
class MeanInequalityClassifier:
    """High when the experiment mean is above the control mean, Low when below (Kayenta's benchmark
    classifier)."""

    def classify(
        self,
        control: npt.ArrayLike,
        experiment: npt.ArrayLike,
        *,
        direction: str = "either",
        nan_strategy: str = "remove",
        is_critical: bool = False,
        is_data_required: bool = False,
    ) -> MetricClassification:
        ctl = np.asarray(control, dtype=np.float64)
        exp = np.asarray(experiment, dtype=np.float64)
        if exp.size == 0 or ctl.size == 0:
            if nan_strategy == "replace":
                return MetricClassification(Label.PASS, None, 1.0, critical=False)
            if is_data_required and not is_critical:
                return MetricClassification(Label.NODATA_FAIL_METRIC, None, 1.0, critical=False)
            return MetricClassification(Label.NODATA, None, 1.0, critical=is_critical)
        experiment_mean = mean(exp)
        control_mean = mean(ctl)
        ratio = experiment_mean / control_mean if control_mean != 0 else math.nan
        if direction in ("increase", "either") and experiment_mean > control_mean:
            reason = "The Canary mean was greater than the Baseline mean"
            return MetricClassification(Label.HIGH, reason, ratio, critical=is_critical)
        if direction in ("decrease", "either") and experiment_mean < control_mean:
            reason = "The Canary mean was less than the Baseline mean"
            return MetricClassification(Label.LOW, reason, ratio, critical=is_critical)
        return MetricClassification(Label.PASS, None, 1.0, critical=False)
