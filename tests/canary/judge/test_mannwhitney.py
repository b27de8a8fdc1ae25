"""The fast rank-sum evaluator against plain re-ranking, and the extra statistics (U, p-value)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gennaker.canary.judge.mannwhitney import MannWhitneyError, RankSumShift, mann_whitney


def naive_f(x: list[float], y: list[float], d: float, q: float) -> float:
    """Kayenta's wilcoxonDiff written the slow, obvious way: rank the pooled vector, average ties."""
    pooled = [v - d for v in x] + list(y)
    order = sorted(range(len(pooled)), key=lambda i: pooled[i])
    ranks = [0.0] * len(pooled)
    ties: list[int] = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and pooled[order[j + 1]] == pooled[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + 1 + j + 1) / 2.0
        ties.append(j - i + 1)
        i = j + 1
    nx, ny = float(len(x)), float(len(y))
    dz = sum(ranks[: len(x)]) - nx * (nx + 1) / 2 - nx * ny / 2
    correction = 0.0 if dz == 0 else math.copysign(0.5, dz)
    tie_sum = sum(float(t) ** 3 - t for t in ties)
    sigma = math.sqrt((nx * ny / 12) * ((nx + ny + 1) - tie_sum / ((nx + ny) * (nx + ny - 1))))
    return (dz - correction) / sigma - q


@pytest.mark.parametrize("seed", range(8))
def test_fast_evaluation_equals_re_ranking_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Rounded values make plenty of ties, within each side and across sides, at many shifts.
    x = list(np.round(rng.normal(10, 3, 60), 1))
    y = list(np.round(rng.normal(11, 3, 45), 1))
    f = RankSumShift(x, y)
    shifts = [0.0, 0.1, -0.1, 0.5, 1.0, -2.3, min(x) - max(y), max(x) - min(y), *rng.uniform(-5, 5, 20)]
    for d in shifts:
        for q in (0.0, 2.326347874040841, -2.326347874040841):
            assert f(float(d), q) == naive_f(x, y, float(d), q)


def test_negative_zero_ranks_below_zero_as_in_java() -> None:
    # Java's Double.compare orders -0.0 before 0.0, so Kayenta's ranking does not tie them.
    f = RankSumShift([-0.0, 1.0], [0.0, 2.0])
    dz, tie_sum = f.statistics(0.0)
    assert tie_sum == 0.0
    assert dz == (1 + 3) - 3 - 2  # ranks of x: -0.0 -> 1, 1.0 -> 3


def test_u_statistic_and_p_value_match_r() -> None:
    # R: wilcox.test(c(10,20,30,40), c(1,2,3,4), exact=FALSE, correct=TRUE) -> W = 16, p-value = 0.03038
    result = mann_whitney([10.0, 20.0, 30.0, 40.0], [1.0, 2.0, 3.0, 4.0], confidence_level=0.95)
    assert result.u_statistic == 16.0
    assert result.p_value == pytest.approx(0.03038282, abs=1e-8)
    assert result.z > 0


def test_p_value_is_one_when_samples_are_exchangeable() -> None:
    result = mann_whitney([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], confidence_level=0.98)
    assert result.u_statistic == 4.5
    assert result.p_value == 1.0


def test_all_tied_is_an_error() -> None:
    with pytest.raises(MannWhitneyError, match="all observations are tied"):
        mann_whitney([1.0, 1.0], [1.0, 1.0, 1.0])


def test_empty_side_is_an_error() -> None:
    with pytest.raises(MannWhitneyError, match="both sides"):
        mann_whitney([], [1.0])


def test_interval_clamps_to_the_extreme_shifts() -> None:
    # One observation against many: the lower bound cannot be found inside [mumin, mumax] and clamps (R's
    # "extreme cases" comment: wilcox.test(1, 2:60, conf.int = TRUE)).
    result = mann_whitney([1.0], [float(v) for v in range(2, 61)], confidence_level=0.95)
    mu_min, mu_max = 1.0 - 60.0, 1.0 - 2.0
    assert (result.ci_low, result.ci_high) == (mu_min, mu_max)
    assert mu_min < result.estimate < mu_max
