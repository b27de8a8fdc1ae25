"""Kayenta's ``kayenta-judge`` ClassifierSuite, replayed with the suite's own tolerances and confidences.

Thresholds are ``(decrease, increase)`` pairs, as in Kayenta's constructor. The "Large Input" data is the same
zero-heavy sample as the Mann-Whitney suite's "intermediate variables" test (shared fixture).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from gennaker.canary.judge.classifier import Label, MannWhitneyClassifier, MeanInequalityClassifier

PASS_EXPERIMENT = [
    9.7767343120109462, 10.587071850477695, 7.8375506388901766, 9.3243326886113884,
    8.3774505409784421, 8.9359264399606282, 8.2707663324728511, 9.7484308126716925,
    11.623746715547156, 9.2753442679633942, 8.1538047749171518, 10.562020975754294,
    13.498135575451835, 11.054419256110332, 6.9538903590055092, 12.521008342195479,
    9.0216358603546443, 4.9234856699531662, 11.251360203607172, 11.598449508040337,
    8.435232204668182, 11.110228516867279, 10.70063380164755, 8.9212773652115249,
    10.086167067942661, 11.42107515483087, 9.3792347813644952, 7.7980320148552593,
    10.62339807275746, 11.909642062063739,
]  # fmt: skip
CONTROL = [
    11.1453586774086, 9.9618059885597017, 7.068574306369829, 7.3012661810483657,
    9.7944630265656727, 9.6037918603687302, 6.1867793350339388, 12.345599159550174,
    10.371891733859533, 8.6094300785016724, 9.913162673361084, 10.361375299003466,
    14.206800387518818, 10.946153754753301, 10.215876627044048, 11.739760899484603,
    10.907627468626439, 12.823353694464775, 8.1018609771732137, 8.4981616408804932,
    12.113441374697231, 13.272210809932028, 10.114579381663297, 6.9463958767978067,
    6.2105278541727778, 10.160401684903775, 8.3457712066455461, 8.383822063895833,
    7.0020205070083765, 10.755757401808442,
]  # fmt: skip
HIGH_EXPERIMENT = [
    20.878412601720026, 21.78550581191622, 19.70828084717019, 15.859946903461562,
    19.510058772176841, 19.392005525270303, 22.926528314912101, 17.156530276709894,
    18.655117916226171, 23.422607911610392, 24.055817684156644, 22.62689958516501,
    21.979472967817678, 21.659318607218694, 20.067707574072426, 22.119570836305414,
    16.44037132663307, 21.559622826341268, 21.000181443489218, 17.779369411412663,
    17.806006358943584, 18.537200618386109, 20.555550300210797, 19.552928184468378,
    21.771118944087092, 21.809622806176627, 20.961762909905271, 20.977571577503021,
    19.106303205498794, 16.976918966987078,
]  # fmt: skip
LOW_CONTROL = [
    20.758113589510348, 22.802059629464559, 20.612340363492208, 20.973274654749986,
    23.469237330498622, 21.53133988954805, 21.767353687439805, 18.308050730374301,
    19.062145167827566, 25.879498436001779, 18.982629726336128, 19.387920182269266,
    18.995398251246982, 24.228420230932805, 20.050985172694688, 18.2340451091756,
    17.870515494460435, 23.058103863806618, 18.400259567501134, 16.971352091177167,
    19.467529066052151, 17.90465423342031, 17.553948617825831, 16.104611843907193,
    24.38171081433039, 15.919294339922635, 20.479409626304697, 19.08307201492406,
    17.455788050722866, 18.853826823235142,
]  # fmt: skip

CLES_PASS_EXPERIMENT = [
    0.00000000e00, 0.00000000e00, 1.46580998e-04, 0.00000000e00, 0.00000000e00, 0.00000000e00, 7.94701987e-05,
    0.00000000e00, 0.00000000e00, 0.00000000e00, 2.68889486e-05, 0.00000000e00, 0.00000000e00, 2.64935753e-05,
    0.00000000e00, 0.00000000e00, 0.00000000e00, 2.61608895e-05, 1.27824931e-04, 0.00000000e00, 0.00000000e00,
    0.00000000e00, 2.54511211e-05, 2.58665287e-05, 7.63339355e-05, 0.00000000e00, 2.54239443e-05,
    0.00000000e00,
    0.00000000e00, 0.00000000e00, 2.61001201e-05, 5.20101940e-05, 0.00000000e00, 2.64452319e-05,
    5.27551370e-05,
    7.83719533e-05, 5.19467027e-05, 2.58344528e-05, 2.58899676e-05, 0.00000000e00, 2.59497613e-05,
    2.57938043e-05,
    7.78553448e-05, 2.60593110e-05, 2.61001201e-05, 0.00000000e00, 0.00000000e00, 2.59349551e-05,
    2.60559160e-05,
    0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 2.58819267e-05,
    0.00000000e00, 2.58825965e-05, 2.57572635e-05, 2.56877906e-05,
]  # fmt: skip
CLES_PASS_CONTROL = [
    0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00,
    0.00000000e00, 2.91528191e-05, 0.00000000e00, 0.00000000e00, 0.00000000e00, 2.98284862e-05,
    5.99916012e-05,
    0.00000000e00, 5.92276712e-05, 0.00000000e00, 2.98053709e-05, 0.00000000e00, 2.97309350e-05,
    5.92153960e-05,
    0.00000000e00, 0.00000000e00, 0.00000000e00, 2.92800047e-05, 0.00000000e00, 2.94550810e-05, 0.00000000e00,
    0.00000000e00, 0.00000000e00, 5.83958656e-05, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00,
    0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 2.88600289e-05, 2.90334756e-05,
    2.91740817e-05, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00,
    2.92765758e-05, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 0.00000000e00, 2.94637596e-05,
    5.89136326e-05, 0.00000000e00, 0.00000000e00, 0.00000000e00,
]  # fmt: skip
CLES_HIGH_EXPERIMENT = [
    0.00689808, 0.00568664, 0.00680876, 0.00642045, 0.00561825, 0.00472294, 0.00398378, 0.00392403,
    0.00421201,
    0.0047529, 0.00460853, 0.00439888, 0.00561875, 0.01998866, 0.0124369, 0.00624391, 0.00444361, 0.00442059,
    0.00372095, 0.00540736, 0.00715402, 0.00425974, 0.00414409, 0.01172436, 0.0125959, 0.00371891, 0.00429855,
    0.00369876, 0.00325709, 0.00415943, 0.00371754, 0.00445212, 0.00521721, 0.00443938, 0.00380859,
    0.01602997,
    0.00788885, 0.0038155, 0.00326921, 0.00336928, 0.00365917, 0.00333869, 0.00427639, 0.00355911, 0.00381224,
    0.00360057, 0.00349305, 0.00401164, 0.00351947, 0.00356299, 0.003407, 0.00414397, 0.00393346, 0.00413318,
    0.00359041, 0.00366314, 0.00309383, 0.00383733, 0.00363324, 0.00280674,
]  # fmt: skip
CLES_HIGH_CONTROL = [
    0.00081956, 0.00239282, 0.00133685, 0.00094917, 0.00029518, 0.00035344, 0.00048194, 0.00034893, 0.0003202,
    0.00079814, 0.00090881, 0.00072599, 0.00037819, 0.00038286, 0.00057604, 0.00064821, 0.00032194, 0.0002245,
    0.00025202, 0.00071997, 0.00022721, 0.00042578, 0.00042496, 0.00045613, 0.00037072, 0.0003317, 0.00032889,
    0.00032749, 0.00036093, 0.00029285, 0.00038401, 0.00044467, 0.00071086, 0.00036692, 0.00052079,
    0.00074974,
    0.00128791, 0.00062046, 0.00086345, 0.00118563, 0.00103379, 0.00028913, 0.00057628, 0.00057943,
    0.00048735,
    0.00029409, 0.0002005, 0.00016612, 0.00089312, 0.00059367, 0.00061706, 0.00163313, 0.00097784, 0.00029305,
    0.00058839, 0.00085212, 0.00048298, 0.00035546, 0.00025866, 0.00038767,
]  # fmt: skip
CLES_LOW_EXPERIMENT = [
    24.24693907, 26.13330099, 22.50056744, 24.36646841, 23.19935673, 19.43801304, 20.99654102, 18.90793651,
    21.31949881, 21.83528381, 21.64211206, 23.13365968, 21.09163134, 19.45540615, 20.74783158, 22.25527831,
    19.82051791, 20.9865487, 19.94450026, 23.2904056, 18.18408424, 22.13843542, 19.42896044, 19.84140464,
    23.91557662, 21.00981557, 21.8594633, 23.11630163, 22.95700392, 17.80045135,
]  # fmt: skip
CLES_LOW_CONTROL = [
    25.09626848, 26.15032198, 24.88431438, 24.18870163, 22.14684987, 28.01743443, 21.29910501, 27.24688773,
    28.64187535, 27.03504445, 24.67888311, 22.35137878, 27.41640397, 26.00225548, 23.02118534, 25.99647292,
    22.77446912, 25.56704719, 25.57025827, 21.2721602, 23.12987357, 24.59111604, 27.48865016, 27.21967755,
    23.5951111, 22.5429607, 25.83015564, 23.31965305, 24.3911644, 25.11468194,
]  # fmt: skip

SMALL_HIGH_EXPERIMENT = [20.0, 22.0, 21.0, 25.0, 30.0]
SMALL_HIGH_CONTROL = [1.0, 2.2, 1.1, 2.5, 3.0]


@pytest.fixture(scope="module")
def large_input() -> dict[str, list[float]]:
    data = json.loads((Path(__file__).parent / "fixtures" / "mannwhitney_r_tie_out.json").read_text())
    return data["intermediate"]  # type: ignore[no-any-return]


def classifier(**kwargs: object) -> MannWhitneyClassifier:
    return MannWhitneyClassifier(rng=np.random.default_rng(7), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("experiment", "control", "direction", "expected"),
    [
        pytest.param(PASS_EXPERIMENT, CONTROL, "either", Label.PASS, id="pass metric"),
        pytest.param(HIGH_EXPERIMENT, CONTROL, "either", Label.HIGH, id="high metric"),
        pytest.param(PASS_EXPERIMENT, LOW_CONTROL, "either", Label.LOW, id="low metric"),
        pytest.param(PASS_EXPERIMENT, LOW_CONTROL, "increase", Label.PASS, id="directional: increase"),
        pytest.param(HIGH_EXPERIMENT, CONTROL, "decrease", Label.PASS, id="directional: decrease"),
        pytest.param(HIGH_EXPERIMENT, CONTROL, "increase", Label.HIGH, id="directional: high metric"),
        pytest.param(PASS_EXPERIMENT, LOW_CONTROL, "decrease", Label.LOW, id="directional: low metric"),
    ],
)
def test_mann_whitney_classifier(
    experiment: list[float], control: list[float], direction: str, expected: Label
) -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        control, experiment, direction=direction
    )
    assert result.classification == expected


def test_high_metric_large_input(large_input: dict[str, list[float]]) -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        large_input["control"], large_input["experiment"], direction="either"
    )
    assert result.classification == Label.HIGH
    assert not result.critical


def test_mean_ratio_effect_size_high() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(0.8, 1.2))
    assert c.classify(SMALL_HIGH_CONTROL, SMALL_HIGH_EXPERIMENT).classification == Label.HIGH


def test_mean_ratio_effect_size_low() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(0.8, 1.2))
    assert c.classify(LOW_CONTROL, PASS_EXPERIMENT, direction="decrease").classification == Label.LOW


def test_mean_ratio_effect_size_pass() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(0.5, 1.0))
    result = c.classify([20.0, 22.0, 21.0, 25.0, 30.0], [10.0, 12.2, 10.1, 12.5, 23.0], nan_strategy="remove")
    assert result.classification == Label.PASS


def test_mean_ratio_effect_size_pass_large_input(large_input: dict[str, list[float]]) -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(1.0, 5.0))
    assert c.classify(large_input["control"], large_input["experiment"]).classification == Label.PASS


def test_cles_effect_size_pass() -> None:
    c = classifier(
        tolerance=0.20, confidence_level=0.98, effect_size_thresholds=(0.5, 0.8), effect_size_measure="cles"
    )
    assert c.classify(CLES_PASS_CONTROL, CLES_PASS_EXPERIMENT).classification == Label.PASS


def test_cles_effect_size_high() -> None:
    c = classifier(
        tolerance=0.20, confidence_level=0.98, effect_size_thresholds=(0.2, 0.8), effect_size_measure="cles"
    )
    assert c.classify(CLES_HIGH_CONTROL, CLES_HIGH_EXPERIMENT).classification == Label.HIGH


def test_cles_effect_size_low() -> None:
    c = classifier(
        tolerance=0.20, confidence_level=0.98, effect_size_thresholds=(0.2, 0.8), effect_size_measure="cles"
    )
    assert c.classify(CLES_LOW_CONTROL, CLES_LOW_EXPERIMENT).classification == Label.LOW


def test_critical_effect_size_critical_high() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, critical_thresholds=(1.0, 1.2))
    result = c.classify(SMALL_HIGH_CONTROL, SMALL_HIGH_EXPERIMENT, is_critical=True)
    assert result.classification == Label.HIGH
    assert result.critical


def test_critical_effect_size_critical_low() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, critical_thresholds=(1.2, 1.0))
    result = c.classify([10.0, 20.2, 10.1, 20.5, 30.0], [2.0, 2.0, 2.0, 2.0, 3.0], is_critical=True)
    assert result.classification == Label.LOW
    assert result.critical


def test_critical_effect_size_high_but_not_critical() -> None:
    c = classifier(
        tolerance=0.10,
        confidence_level=0.95,
        effect_size_thresholds=(1.0, 5.0),
        critical_thresholds=(1.0, 13.0),
    )
    result = c.classify(SMALL_HIGH_CONTROL, SMALL_HIGH_EXPERIMENT, is_critical=True)
    assert result.classification == Label.HIGH
    assert not result.critical


def test_critical_effect_size_pass() -> None:
    c = classifier(
        tolerance=0.10,
        confidence_level=0.95,
        effect_size_thresholds=(1.0, 13.0),
        critical_thresholds=(1.0, 15.0),
    )
    result = c.classify(SMALL_HIGH_CONTROL, SMALL_HIGH_EXPERIMENT, is_critical=True)
    assert result.classification == Label.PASS
    assert not result.critical


def test_critical_high_with_default_thresholds() -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        SMALL_HIGH_CONTROL, SMALL_HIGH_EXPERIMENT, is_critical=True
    )
    assert result.classification == Label.HIGH
    assert result.critical


@pytest.mark.parametrize(
    ("experiment", "control", "direction"),
    [
        pytest.param([1.0, 1.0, 1.0], [1.0, 1.0], "decrease", id="tied observations"),
        pytest.param(
            [1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 4.0, 3.0, 2.0, 1.0], "decrease", id="identical populations"
        ),
        pytest.param(
            [0.0, 1.0, 1.0, 1.0, 1.0], [1.0] * 5, "decrease", id="leading zero identical population"
        ),
        pytest.param([1.0, 1.0, 1.0, 1.0, 10.0], [1.0] * 5, "either", id="majority tied observations"),
    ],
)
def test_passes(experiment: list[float], control: list[float], direction: str) -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        control, experiment, direction=direction
    )
    assert result.classification == Label.PASS


def test_missing_experiment_data() -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        [1.0, 2.0, 3.0, 4.0, 5.0], [], direction="decrease"
    )
    assert result.classification == Label.NODATA


def test_missing_experiment_data_critical_metric() -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        [1.0, 2.0, 3.0, 4.0, 5.0], [], direction="decrease", is_critical=True
    )
    assert result.classification == Label.NODATA
    assert result.critical


def test_missing_experiment_data_with_nan_replacement() -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        [1.0, 2.0, 3.0, 4.0, 5.0], [], direction="decrease", nan_strategy="replace"
    )
    assert result.classification == Label.PASS


def test_missing_data_reason_string() -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(
        [], [], name="test-critical-metric", direction="decrease", is_critical=True
    )
    assert result.reason


@pytest.mark.parametrize(
    ("experiment", "control", "expected"),
    [
        pytest.param([10.0] * 5, [1.0] * 5, Label.HIGH, id="tied ranks"),
        pytest.param([10.0] * 5, [0.0] * 5, Label.HIGH, id="tied ranks with zeros"),
    ],
)
def test_constant_samples_get_noise(experiment: list[float], control: list[float], expected: Label) -> None:
    result = classifier(tolerance=0.10, confidence_level=0.95).classify(control, experiment)
    assert result.classification == expected


def test_zero_mean_high_metric_with_effect_size() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(0.8, 1.2))
    result = c.classify([0.0] * 5, [54.9, 54.5, 55.1, 55.6, 57.4])
    assert result.classification == Label.HIGH
    assert math.isnan(result.ratio)


def test_zero_mean_low_metric_with_effect_size() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(0.8, 1.2))
    result = c.classify([54.9, 54.5, 55.1, 55.6, 57.4], [0.0] * 5)
    assert result.classification == Label.LOW
    assert math.isnan(result.ratio)


def test_zero_mean_critical_metric() -> None:
    experiment = [
        0.05000000074505806, 0.05000000074505806, 0.01666666753590107, 0.01666666753590107,
        0.01666666753590107,
        0.05000000074505806, 0.03333333507180214, 0.05000000260770321, 0.05000000260770321,
        0.13333333656191826,
    ]  # fmt: skip
    c = classifier(tolerance=0.10, confidence_level=0.95, critical_thresholds=(0.8, 1.2))
    result = c.classify([0.0] * 10, experiment, nan_strategy="replace", is_critical=True)
    assert result.classification == Label.HIGH
    assert result.critical


def test_zero_mean_pass_metric() -> None:
    c = classifier(tolerance=0.10, confidence_level=0.95, effect_size_thresholds=(0.8, 1.2))
    result = c.classify([0.0] * 5, [0.0] * 5)
    assert result.classification == Label.PASS
    assert result.ratio == 1.0


@pytest.mark.parametrize(
    ("experiment", "control", "expected"),
    [
        ([10.0, 20.0, 30.0, 40.0, 50.0], [1.0, 2.0, 3.0, 4.0, 5.0], Label.HIGH),
        ([1.0, 2.0, 3.0, 4.0, 5.0], [10.0, 20.0, 30.0, 40.0, 50.0], Label.LOW),
        ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0], Label.PASS),
    ],
)
def test_mean_inequality_classifier(experiment: list[float], control: list[float], expected: Label) -> None:
    assert MeanInequalityClassifier().classify(control, experiment).classification == expected
