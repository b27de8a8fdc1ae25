"""The Wilcoxon rank-sum (Mann-Whitney) test with its confidence interval, as Kayenta (and R) compute it.

Who calls it: :mod:`gennaker.canary.judge.classifier` for every metric that has data on both sides, and the
tests that replay Kayenta's ``MannWhitneySuite``.

What it computes, for x = experiment (canary) and y = control (baseline), exactly like R's
``wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE)`` and Kayenta's port of it:

* For a trial shift ``d``, ``f(d, q) = (dz - c) / sigma - q`` where ``dz = W(d) - nx(nx+1)/2 - nx·ny/2``,
  ``W(d)`` is the sum of the ranks of ``x - d`` in the pooled sample (average ranks for ties), ``c =
  0.5·sign(dz)`` (the continuity correction) and ``sigma`` the normal-approximation standard deviation with
  the tie correction ``Σ(t³ - t)`` over the tie groups of the pooled sample. ``sigma == 0`` is an error.
* ``ciLow = root(+|z|)``, ``ciHigh = root(-|z|)`` with ``z = Φ⁻¹((1 - conf)/2)``, where ``root`` returns
  ``μmin`` if ``f(μmin) <= 0``, ``μmax`` if ``f(μmax) >= 0``, otherwise runs
  :func:`~gennaker.canary.judge.zeroin.zeroin` on ``[μmin, μmax]`` (``μmin = min x - max y``, ``μmax = max x -
  min y``). The estimate is the ``zeroin`` root of ``f(·, 0)`` with no clamping.
* Beyond Kayenta: the U statistic ``W(0) - nx(nx+1)/2`` (R's ``W``) and the two-sided p-value of the same
  normal approximation (tie and continuity corrected), ``2·Φ(-|f(0, 0)|)``.

How it stays fast: the naive way re-sorts and re-ranks the pooled vector at every root-finder step. Here both
samples are sorted once; for each ``d`` the rank sum comes from ``U = Σ_i #{y < x_i - d} + ½·#{y = x_i - d}``
(two ``searchsorted`` calls, exact in integers) and the tie groups from one linear merge of the two sorted
runs. Values are compared in Java's ``Double.compare`` order (``-0.0 < 0.0``), which is how Kayenta's ranking
orders them, so ties and ranks are the same as Kayenta's, bit for bit: every quantity in ``dz`` and in the tie
sum is an exact half-integer or integer, and ``sigma`` and ``f`` are evaluated with Kayenta's operation order.

Invariants: pure; inputs are finite-or-infinite floats without NaN (the pre-processing removes or replaces
NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from gennaker.canary.judge.zeroin import zeroin

FloatArray = npt.NDArray[np.float64]
_SIGN_MASK = np.int64(0x7FFFFFFFFFFFFFFF)


class MannWhitneyError(ValueError):
    """The test cannot be computed for these samples (empty sample, or every pooled observation tied)."""


@dataclass(frozen=True)
class MannWhitneyResult:
    """The interval, estimate and test statistics for the shift ``experiment - control``."""

    ci_low: float
    ci_high: float
    estimate: float
    u_statistic: float
    z: float
    p_value: float
    confidence_level: float


def _order_keys(values: FloatArray) -> npt.NDArray[np.int64]:
    """Integers whose order is ``java.lang.Double.compare``'s order of the values (so ``-0.0 < 0.0``)."""
    bits = values.view(np.int64)
    return bits ^ ((bits >> 63) & _SIGN_MASK)


class RankSumShift:
    """``f(d, q)`` for two fixed samples, evaluated in O(n) per shift after one sort of each sample."""

    def __init__(self, experiment: npt.ArrayLike, control: npt.ArrayLike) -> None:
        x = np.asarray(experiment, dtype=np.float64)
        y = np.asarray(control, dtype=np.float64)
        if x.size == 0 or y.size == 0:
            raise MannWhitneyError("the Mann-Whitney test needs data on both sides")
        self._x_sorted = np.sort(x)
        self._y_keys = np.sort(_order_keys(np.ascontiguousarray(y)))
        self.nx = float(x.size)
        self.ny = float(y.size)
        self.x_min = float(self._x_sorted[0])
        self.x_max = float(self._x_sorted[-1])
        y_sorted = np.sort(y)
        self.y_min = float(y_sorted[0])
        self.y_max = float(y_sorted[-1])

    def statistics(self, d: float) -> tuple[float, float]:
        """``(dz, tie_sum)`` for the shift ``d``: the centred rank sum of ``x - d`` and ``Σ(t³ - t)``."""
        shifted = self._x_sorted - d  # the same IEEE subtraction Kayenta performs element by element
        x_keys = _order_keys(shifted)
        # x - d keeps the order of x (subtracting one value is monotone), but rounding can create new ties
        # inside x, so the keys are recomputed and re-sorted cheaply (already sorted up to -0.0/0.0 swaps).
        x_keys.sort(kind="stable")
        below = np.searchsorted(self._y_keys, x_keys, side="left")
        at_or_below = np.searchsorted(self._y_keys, x_keys, side="right")
        u_twice = int(below.sum()) + int(at_or_below.sum())
        dz = u_twice / 2.0 - self.nx * self.ny / 2.0
        merged = np.concatenate((x_keys, self._y_keys))
        merged.sort(kind="stable")  # two sorted runs: a linear merge
        boundaries = np.flatnonzero(merged[1:] != merged[:-1])
        if boundaries.size == 0:
            runs = np.array([merged.size], dtype=np.int64)
        else:
            edges = np.concatenate(([0], boundaries + 1, [merged.size]))
            runs = np.diff(edges)
        runs = runs[runs > 1].astype(np.float64)
        tie_sum = float(np.sum(runs * runs * runs - runs))
        return dz, tie_sum

    def sigma(self, tie_sum: float) -> float:
        nx, ny = self.nx, self.ny
        return math.sqrt((nx * ny / 12) * ((nx + ny + 1) - tie_sum / ((nx + ny) * (nx + ny - 1))))

    def __call__(self, d: float, quantile: float) -> float:
        dz, tie_sum = self.statistics(d)
        correction = 0.0 if dz == 0 else math.copysign(0.5, dz)
        sigma = self.sigma(tie_sum)
        if sigma == 0:
            raise MannWhitneyError("cannot compute confidence interval when all observations are tied")
        return (dz - correction) / sigma - quantile


def normal_quantile(p: float) -> float:
    """Φ⁻¹(p) (Wichura's AS241, the algorithm of R's ``qnorm``)."""
    return NormalDist().inv_cdf(p)


def mann_whitney(
    experiment: npt.ArrayLike, control: npt.ArrayLike, confidence_level: float = 0.98
) -> MannWhitneyResult:
    """The confidence interval and estimate of ``experiment - control`` plus U and the two-sided p-value."""
    f = RankSumShift(experiment, control)
    mu_min = f.x_min - f.y_max
    mu_max = f.x_max - f.y_min
    alpha = 1.0 - confidence_level
    z_quant = normal_quantile(alpha / 2)

    def root(quantile: float) -> float:
        f_lower = f(mu_min, quantile)
        f_upper = f(mu_max, quantile)
        if f_lower <= 0:
            return mu_min
        if f_upper >= 0:
            return mu_max
        return zeroin(mu_min, mu_max, f_lower, f_upper, lambda d: f(d, quantile))

    ci_low = root(-z_quant)
    ci_high = root(z_quant)
    f_lower0 = f(mu_min, 0.0)
    f_upper0 = f(mu_max, 0.0)
    estimate = zeroin(mu_min, mu_max, f_lower0, f_upper0, lambda d: f(d, 0.0))

    dz0, _ = f.statistics(0.0)
    z = f(0.0, 0.0)
    u_statistic = dz0 + f.nx * f.ny / 2.0
    p_value = min(1.0, math.erfc(abs(z) / math.sqrt(2.0)))
    return MannWhitneyResult(
        ci_low=ci_low,
        ci_high=ci_high,
        estimate=estimate,
        u_statistic=u_statistic,
        z=z,
        p_value=p_value,
        confidence_level=confidence_level,
    )
