"""Kayenta's ``kayenta-mannwhitney`` MannWhitneySuite, replayed: its data, expectations and tolerance (1e-6).

The "tie out with R" cases compare with the values R's ``wilcox.test(x, y, conf.int = TRUE)`` printed, as
the suite records them; like Kayenta's suite we assert R's interval but not R's estimate (Kayenta's suite
comments that assertion out: the estimate is a root of a step function and R lands elsewhere in the step).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gennaker.canary.judge.mannwhitney import RankSumShift, mann_whitney, normal_quantile
from gennaker.canary.judge.zeroin import zeroin

E = 0.000001
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def problem_case() -> dict[str, list[float]]:
    return json.loads((FIXTURES / "mannwhitney_problem_case.json").read_text())


def test_wilcox_function(problem_case: dict[str, list[float]]) -> None:
    f = RankSumShift(problem_case["experiment"], problem_case["control"])
    assert f(0, 0) == pytest.approx(-1.229416, abs=E)
    assert f(5, 0) == pytest.approx(-35.80606, abs=E)


def test_returns_expected_values() -> None:
    result = mann_whitney([10.0, 20.0, 30.0, 40.0], [1.0, 2.0, 3.0, 4.0], confidence_level=0.95)
    assert result.ci_low == pytest.approx(6.0, abs=E)
    assert result.ci_high == pytest.approx(39.0, abs=E)
    assert result.estimate == pytest.approx(22.5, abs=E)


def test_quant() -> None:
    assert normal_quantile(0.02 / 2) == pytest.approx(-2.326348, abs=E)


def test_problem_case(problem_case: dict[str, list[float]]) -> None:
    result = mann_whitney(problem_case["experiment"], problem_case["control"], confidence_level=0.98)
    assert result.ci_low == pytest.approx(-1.4808028936386108e-5, abs=E)
    assert result.ci_high == pytest.approx(1.808255910873413e-5, abs=E)
    assert result.estimate == pytest.approx(1.808255910873413e-5, abs=E)


def test_problem_case_is_bit_for_bit_kayentas(problem_case: dict[str, list[float]]) -> None:
    # Kayenta's suite tolerates 1e-6 on values of order 1e-5; the port reproduces the printed doubles exactly.
    result = mann_whitney(problem_case["experiment"], problem_case["control"], confidence_level=0.98)
    assert (result.ci_low, result.ci_high, result.estimate) == (
        -1.4808028936386108e-5,
        1.808255910873413e-5,
        1.808255910873413e-5,
    )


@pytest.fixture(scope="module")
def r_tie_out() -> dict[str, dict[str, list[float]]]:
    return json.loads((FIXTURES / "mannwhitney_r_tie_out.json").read_text())


def test_tie_out_with_r_version(r_tie_out: dict[str, dict[str, list[float]]]) -> None:
    data = r_tie_out["tie_out"]
    result = mann_whitney(data["experiment"], data["control"], confidence_level=0.95)
    assert result.ci_low == pytest.approx(-0.500002521696696, abs=E)  # R's conf.int[1]
    assert result.ci_high == pytest.approx(-3.486287505871302e-5, abs=E)  # R's conf.int[2]
    # R's estimate is -0.4999393907180323; Kayenta's (and this port's) root of the same step function:
    assert result.estimate == pytest.approx(-0.4999971, abs=E)


def test_tie_out_with_r_version_again(r_tie_out: dict[str, dict[str, list[float]]]) -> None:
    data = r_tie_out["tie_out_again"]
    result = mann_whitney(data["experiment"], data["control"], confidence_level=0.98)
    assert result.ci_low == pytest.approx(-0.4999173250549087, abs=E)
    assert result.ci_high == pytest.approx(-6.912685789769486e-6, abs=E)


def test_tie_out_intermediate_variables(r_tie_out: dict[str, dict[str, list[float]]]) -> None:
    """R's intermediate values for zero-heavy data (the "intermediate variables" test, 95% confidence)."""
    x, y = r_tie_out["intermediate"]["experiment"], r_tie_out["intermediate"]["control"]
    f = RankSumShift(x, y)
    mu_min, mu_max = min(x) - max(y), max(x) - min(y)
    alpha = 1.0 - 0.95  # as R and Kayenta compute it (not 0.05 exactly)
    zq_lower = -normal_quantile(alpha / 2)
    zq_upper = normal_quantile(alpha / 2)
    assert mu_min == pytest.approx(-3.124999999999986, abs=E)
    assert mu_max == pytest.approx(5.555555555555557, abs=E)
    assert zq_lower == pytest.approx(1.9599639845400536, abs=E)
    assert zq_upper == pytest.approx(-1.9599639845400536, abs=E)
    f_lower1, f_upper1 = f(mu_min, zq_lower), f(mu_max, zq_lower)
    f_lower2, f_upper2 = f(mu_min, zq_upper), f(mu_max, zq_upper)
    assert f_lower1 == pytest.approx(17.090968923762254, abs=E)
    assert f_upper1 == pytest.approx(-20.997687930433106, abs=E)
    assert f_lower2 == pytest.approx(21.01089689284236, abs=E)
    assert f_upper2 == pytest.approx(-17.077759961353, abs=E)
    # uniroot/zeroin on [mumin, mumax] as R runs it (no clamping needed: the end values bracket the roots).
    ci_lower = zeroin(mu_min, mu_max, f_lower1, f_upper1, lambda d: f(d, zq_lower))
    ci_upper = zeroin(mu_min, mu_max, f_lower2, f_upper2, lambda d: f(d, zq_upper))
    estimate = zeroin(mu_min, mu_max, f(mu_min, 0.0), f(mu_max, 0.0), lambda d: f(d, 0.0))
    assert ci_lower == pytest.approx(3.521755377702165e-5, abs=E)
    assert ci_upper == pytest.approx(2.02456461662334e-5, abs=E)
    assert estimate == pytest.approx(2.6279243045155653e-5, abs=E)
    # The known artifact: with heavy ties the "low" end exceeds the "high" end.
    result = mann_whitney(x, y, confidence_level=0.95)
    assert (result.ci_low, result.ci_high) == (ci_lower, ci_upper)
    assert result.ci_low > result.ci_high


@pytest.mark.parametrize(
    ("case", "confidence", "r_low", "r_high"),
    [
        ("tie_out", 0.95, -0.500002521696696, -3.486287505871302e-5),
        ("tie_out_again", 0.98, -0.4999173250549087, -6.912685789769486e-6),
        ("intermediate", 0.95, 3.521755377702165e-5, 2.02456461662334e-5),
    ],
)
def test_interval_equals_the_doubles_r_printed(
    r_tie_out: dict[str, dict[str, list[float]]], case: str, confidence: float, r_low: float, r_high: float
) -> None:
    """Stronger than the suite's 1e-6: the zeroin port lands on the very doubles R's wilcox.test printed."""
    data = r_tie_out[case]
    result = mann_whitney(data["experiment"], data["control"], confidence_level=confidence)
    assert (result.ci_low, result.ci_high) == (r_low, r_high)
