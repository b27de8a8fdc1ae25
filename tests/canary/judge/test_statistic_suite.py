"""Kayenta's ``kayenta-judge`` StatisticSuite, replayed (descriptive statistics, percentiles, effects)."""

from __future__ import annotations

import math

import pytest

from gennaker.canary.judge.stats import MetricStatistics, cles, cohen_d, mean_ratio, percentile, summary


def test_summary_statistics_scalar() -> None:
    assert summary([4.0]) == MetricStatistics(4, 4, 4, 0, 1)


def test_summary_statistics_list() -> None:
    result = summary([1.0, 1.0, 1.0, 10.0, 10.0, 10.0])
    assert result.min == 1.0
    assert result.max == 10.0
    assert result.mean == 5.5
    assert result.std == pytest.approx(4.9295, abs=1e-4)
    assert result.count == 6.0


def test_summary_statistics_no_data() -> None:
    assert summary([]) == MetricStatistics(0, 0, 0, 0, 0)


def test_basic_percentile() -> None:
    data = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    assert percentile(data, 5) == pytest.approx(0.175, abs=1.0e-4)
    assert percentile(data, 50) == 1.75
    assert percentile(data, 100) == 3.5


def test_basic_percentile_estimate_linear_interpolation() -> None:
    assert percentile([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], 50) == 4.5


def test_percentile_nist_data() -> None:
    data = [
        95.1772,
        95.1567,
        95.1937,
        95.1959,
        95.1442,
        95.0610,
        95.1591,
        95.1195,
        95.1772,
        95.0925,
        95.1990,
        95.1682,
    ]
    assert percentile(data, 90) == pytest.approx(95.19568, abs=1e-12)


def test_percentile_of_a_single_value() -> None:
    assert percentile([1.0], 100) == 1.0


def test_percentile_estimate_linear_interpolation() -> None:
    data = [
        0.07142857142857144, 0.02083333333333332, 0.16666666666666666, 0.03448275862068966,
        0.038461538461538464,
        0.03225806451612904, 0.027777777777777773, 0.0, 0.23076923076923078, 0.10344827586206898,
        0.04545454545454542, 0.0, 0.028571428571428564, 0.0, 0.0, 0.04, 0.0, 0.0, 0.05128205128205127,
        0.10714285714285716, 0.0263157894736842, 0.04166666666666667, 0.09523809523809522,
        0.02941176470588235,
        0.024999999999999984, 0.0, 0.0, 0.023809523809523794, 0.0, 0.02564102564102563, 0.0, 0.0,
        0.028571428571428564, 0.07142857142857144, 0.047619047619047596, 0.021276595744680833,
        0.02564102564102563, 0.03125, 0.03125, 0.03125, 0.11363636363636356, 0.03571428571428572, 0.0,
        0.02777777777777777, 0.0, 0.0, 0.055555555555555546, 0.028571428571428564, 0.03225806451612904,
    ]  # fmt: skip
    assert percentile(data, 25) == 0.0
    assert percentile(data, 75) == pytest.approx(0.0416, abs=1.0e-4)


def test_effect_size_mean_ratio_no_effect() -> None:
    assert mean_ratio([1.0] * 5, [1.0] * 5) == 1.0


def test_effect_size_mean_ratio_high() -> None:
    assert mean_ratio([1.0] * 5, [10.0] * 5) == 10.0


def test_effect_size_mean_ratio_low() -> None:
    assert mean_ratio([100.0] * 5, [10.0] * 5) == 0.1


def test_effect_size_mean_ratio_zero_mean() -> None:
    assert math.isnan(mean_ratio([0.0] * 5, [10.0] * 5))
    assert math.isnan(mean_ratio([10.0] * 5, [0.0] * 5))


def test_effect_size_cohens_d() -> None:
    assert cohen_d([5.0, 5.0, 5.0, 10.0, 10.0, 10.0], [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]) == pytest.approx(
        3.03821, abs=1e-5
    )


def test_cles_identical() -> None:
    assert cles([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]) == 0.5


def test_cles_different_no_overlap() -> None:
    experiment = [2.27776335, 2.61149434, 3.26894105, 2.91672701, 1.40656921,
                  2.18292082, 3.47901292, 3.00034118, 3.02402043, 4.69912745]  # fmt: skip
    control = [25.31531073, 25.19450817, 24.6288846, 24.37991861, 26.40999244,
               25.28524759, 24.99788745, 26.13841676, 22.93604649, 24.56817832]  # fmt: skip
    assert cles(control, experiment) == 0.0


def test_cles_high_metric() -> None:
    experiment = [
        29.17644856, 25.16947646, 25.88467948, 29.4900454, 27.05622757, 26.13307864, 27.2711558, 26.69139944,
        29.05412377, 26.39818697, 26.68312641, 24.99600187, 27.99524816, 22.57278291, 23.72798196,
        25.82821505,
        28.26624521, 28.02370228, 24.1792213, 26.02914828, 25.90970275, 31.18337461, 27.44254942, 29.93347686,
        26.70848069, 28.12191913, 27.39257837, 30.17636627, 29.60240485, 30.10635388,
    ]  # fmt: skip
    control = [
        24.69397578, 25.37120574, 25.86186148, 26.93804252, 22.72232309, 24.15894084, 24.80842752,
        26.07830794,
        27.35323988, 23.25110886, 24.65909111, 23.88299016, 21.34817847, 26.33198082, 23.39498829, 26.6734461,
        25.33769589, 23.92348759, 25.29740715, 24.21381887, 28.1697053, 22.2271772, 27.16612837, 25.16639243,
        26.85955896, 27.13421926, 25.43350074, 26.32130314, 23.8854011, 27.86180318,
    ]  # fmt: skip
    assert cles(control, experiment) == pytest.approx(0.771, abs=0.001)


def test_cles_low_metric() -> None:
    experiment = [
        22.58442682, 18.83161858, 22.34282944, 18.52177725, 19.41399147, 21.77120485, 24.33796385,
        22.16390531,
        23.781802, 21.38514296, 22.2205035, 22.06152361, 21.30313392, 21.59652134, 22.38394223, 24.68882792,
        20.58916439, 21.03137302, 22.26213957, 23.76485986, 20.56271226, 24.56567102, 19.86055958,
        22.18967677,
        20.31475409, 19.2634656, 24.60283585, 20.41729998, 20.62069798, 22.53448767,
    ]  # fmt: skip
    control = [
        23.15322873, 22.09179077, 26.56410603, 23.0971542, 24.26372276, 25.6461273, 29.42730472, 22.08630097,
        29.15257054, 25.8096766, 24.62191338, 23.67398895, 23.63946085, 26.44684325, 25.76230914, 25.41279862,
        22.64005862, 24.58898152, 25.01968457, 25.03695883, 23.79864705, 26.60180151, 25.99405034,
        22.46726084,
        28.31843786, 24.30152484, 22.83713467, 21.92380184, 23.44735223, 29.15676219,
    ]  # fmt: skip
    assert cles(control, experiment) == 0.12
