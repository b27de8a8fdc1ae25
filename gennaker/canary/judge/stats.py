"""Descriptive statistics, percentiles and effect sizes, computed the way Kayenta's judge computes them.

Who calls it: :mod:`gennaker.canary.judge.preprocess` (percentiles for the IQR fences), the classifier (mean
ratio, CLES) and the judge (the ``stats`` block of each result). Tests replay Kayenta's ``StatisticSuite``
against it.

Conventions kept from Kayenta (Apache Commons Math underneath):

* mean: the sum taken left to right, divided by ``n``, then corrected by ``Σ(x - mean) / n``;
* std: the bias-corrected (sample, ``n - 1``) standard deviation, ``0`` for a single value;
* an empty sample summarises as all zeros (``count`` included);
* percentiles: R's type 7 (linear interpolation between order statistics; numpy's default);
* mean ratio ``mean(experiment) / mean(control)`` is NaN when either mean is 0;
* CLES ``(2·R₁ - m(m+1)) / (2·m·n)`` with R₁ the experiment's rank sum in the pooled sample (average ranks),
  i.e. P(experiment > control) + ½·P(tie).

Sequential sums use ``numpy.cumsum`` (which accumulates left to right, unlike ``numpy.sum``) so the rounding
is the same as a plain Java loop. Pure functions, no state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _as_array(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _sequential_sum(values: FloatArray) -> float:
    if values.size == 0:
        return 0.0
    return float(np.cumsum(values)[-1])


def mean(values: npt.ArrayLike) -> float:
    """The arithmetic mean with Commons Math's correction pass (NaN for an empty sample)."""
    data = _as_array(values)
    n = data.size
    if n == 0:
        return math.nan
    first = _sequential_sum(data) / n
    correction = _sequential_sum(data - first)
    return first + correction / n


def variance(values: npt.ArrayLike) -> float:
    """The bias-corrected sample variance (0 for one value, NaN for none)."""
    data = _as_array(values)
    n = data.size
    if n == 0:
        return math.nan
    if n == 1:
        return 0.0
    m = mean(data)
    deviations = data - m
    accum = _sequential_sum(deviations * deviations)
    accum2 = _sequential_sum(deviations)
    return (accum - (accum2 * accum2 / n)) / (n - 1)


def std(values: npt.ArrayLike) -> float:
    """The sample standard deviation (``n - 1``), 0 for one value."""
    return math.sqrt(variance(values))


def percentile(values: npt.ArrayLike, quantile: float) -> float:
    """The ``quantile``-th percentile (0 < quantile <= 100) by R's type 7 (linear interpolation)."""
    if not 0 < quantile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {quantile}")
    data = np.sort(_as_array(values))
    n = data.size
    if n == 0:
        return math.nan
    if n == 1:
        return float(data[0])
    p = quantile / 100.0
    pos = float(n) if p == 1.0 else 1 + (n - 1) * p
    if pos < 1:
        return float(data[0])
    if pos >= n:
        return float(data[-1])
    fpos = math.floor(pos)
    lower = float(data[int(fpos) - 1])
    upper = float(data[int(fpos)])
    return lower + (pos - fpos) * (upper - lower)


@dataclass(frozen=True)
class MetricStatistics:
    """``min, max, mean, std, count`` of one side, as reported in ``experimentMetadata.stats``."""

    min: float
    max: float
    mean: float
    std: float
    count: float

    def to_dict(self) -> dict[str, float]:
        return {"min": self.min, "max": self.max, "mean": self.mean, "std": self.std, "count": self.count}


def summary(values: npt.ArrayLike) -> MetricStatistics:
    """Descriptive statistics of a (pre-processed) sample; all zeros when it is empty."""
    data = _as_array(values)
    if data.size == 0:
        return MetricStatistics(0.0, 0.0, 0.0, 0.0, 0.0)
    return MetricStatistics(
        min=float(np.min(data)),
        max=float(np.max(data)),
        mean=mean(data),
        std=std(data),
        count=float(data.size),
    )


def mean_ratio(control: npt.ArrayLike, experiment: npt.ArrayLike) -> float:
    """``mean(experiment) / mean(control)``; NaN when either mean is 0 (or a side is empty)."""
    experiment_mean = mean(experiment)
    control_mean = mean(control)
    if (
        experiment_mean == 0.0
        or control_mean == 0.0
        or math.isnan(experiment_mean)
        or math.isnan(control_mean)
    ):
        return math.nan
    return experiment_mean / control_mean


def average_ranks(values: npt.ArrayLike) -> FloatArray:
    """1-based ranks with ties given the average of the ranks they span."""
    data = _as_array(values)
    order = np.argsort(data, kind="stable")
    sorted_values = data[order]
    n = data.size
    ranks = np.empty(n, dtype=np.float64)
    if n == 0:
        return ranks
    starts = np.concatenate(([0], np.flatnonzero(sorted_values[1:] != sorted_values[:-1]) + 1))
    ends = np.concatenate((starts[1:], [n]))
    averages = (starts + 1 + ends) / 2.0  # mean of the 1-based ranks start+1 .. end
    ranks[order] = np.repeat(averages, ends - starts)
    return ranks


def cles(control: npt.ArrayLike, experiment: npt.ArrayLike) -> float:
    """Common-language effect size: P(experiment > control) + ½·P(tie), from the pooled rank sum."""
    x = _as_array(experiment)
    y = _as_array(control)
    m, n = x.size, y.size
    if m == 0 or n == 0:
        return math.nan
    ranks = average_ranks(np.concatenate((x, y)))
    rank_sum = _sequential_sum(ranks[:m])
    return (2 * rank_sum - m * (m + 1)) / (2 * m * n)


def cohen_d(experiment: npt.ArrayLike, control: npt.ArrayLike) -> float:
    """Cohen's d with the pooled sample standard deviation (an extra of Kayenta's ``EffectSizes``)."""
    x = _as_array(experiment)
    y = _as_array(control)
    nx, ny = x.size, y.size
    pooled = math.sqrt(((nx - 1) * variance(x) + (ny - 1) * variance(y)) / (nx + ny - 2))
    return (mean(x) - mean(y)) / pooled
