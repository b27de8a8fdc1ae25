"""NetflixACAJudge-v1.0 end to end: config + thresholds + pairs in, Kayenta's CanaryJudgeResult JSON out."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from gennaker.canary.config import CanaryConfig, ScoreThresholds, parse_canary_config
from gennaker.canary.errors import JudgeInputError, UnknownJudgeError
from gennaker.canary.judge.netflix_aca import NetflixACAJudge, judge
from gennaker.canary.judge.registry import get_judge, judge_names
from gennaker.canary.metrics.model import MetricSetPair

THRESHOLDS = ScoreThresholds.model_validate({"pass": 95, "marginal": 75})


def metric(name: str, groups: list[str], **canary: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "query": {"type": "prometheus", "metricName": name.replace(" ", "_")},
        "groups": groups,
        "scopeName": "default",
    }
    if canary:
        entry["analysisConfigurations"] = {"canary": canary}
    return entry


def config(*metrics: dict[str, Any], weights: dict[str, float] | None = None) -> CanaryConfig:
    raw: dict[str, Any] = {"name": "c", "metrics": list(metrics)}
    if weights is not None:
        raw["classifier"] = {"groupWeights": weights}
    return parse_canary_config(raw)


def pair(name: str, control: list[float], experiment: list[float], **extra: Any) -> MetricSetPair:
    return MetricSetPair(name=name, values={"control": control, "experiment": experiment}, **extra)


rng = np.random.default_rng(42)
BASE = list(rng.normal(100, 5, 120))
SAME = list(rng.normal(100, 5, 120))
HIGHER = list(rng.normal(130, 5, 120))
LOWER = list(rng.normal(70, 5, 120))


def run(cfg: CanaryConfig, *pairs: MetricSetPair) -> dict[str, Any]:
    return judge(cfg, THRESHOLDS, pairs, rng=np.random.default_rng(1)).to_json()


def test_result_has_kayentas_shape() -> None:
    result = run(config(metric("cpu", ["system"])), pair("cpu", BASE, SAME, id="pair-1", tags={"pod": "a"}))
    assert set(result) == {"judgeName", "results", "groupScores", "score"}
    assert result["judgeName"] == "NetflixACAJudge-v1.0"
    assert result["score"] == {"score": 100.0, "classification": "Pass", "classificationReason": ""}
    assert result["groupScores"] == [
        {"name": "system", "score": 100.0, "classification": "", "classificationReason": ""}
    ]
    (cpu,) = result["results"]
    assert cpu["name"] == "cpu"
    assert cpu["id"] == "pair-1"
    assert cpu["tags"] == {"pod": "a"}
    assert cpu["groups"] == ["system"]
    assert cpu["classification"] == "Pass"
    assert "classificationReason" not in cpu  # null in Kayenta, left out as Kayenta's mapper does
    assert (cpu["critical"], cpu["muted"]) == (False, False)
    assert set(cpu["experimentMetadata"]["stats"]) == {"min", "max", "mean", "std", "count"}
    assert cpu["controlMetadata"]["stats"]["count"] == 120.0
    assert cpu["resultMetadata"]["ratio"] == pytest.approx(np.mean(SAME) / np.mean(BASE))
    json.dumps(result, allow_nan=False)  # strict JSON: NaN would have been written as "NaN"


def test_extra_statistics_ride_in_result_metadata() -> None:
    result = run(config(metric("cpu", ["system"])), pair("cpu", BASE, HIGHER))
    (cpu,) = result["results"]
    assert cpu["classification"] == "High"
    assert cpu["classificationReason"] == "cpu was classified as High"
    mw = cpu["resultMetadata"]["mannWhitney"]
    assert set(mw) == {
        "uStatistic", "z", "pValue", "confidenceInterval", "estimate", "confidenceLevel", "tolerance",
        "bound", "effectSize",
    }  # fmt: skip
    assert mw["confidenceLevel"] == 0.98
    assert mw["tolerance"] == 0.25
    assert mw["uStatistic"] == 120.0 * 120.0  # complete separation
    assert mw["pValue"] < 1e-10
    assert mw["confidenceInterval"]["low"] < mw["estimate"] < mw["confidenceInterval"]["high"]
    assert mw["bound"] == pytest.approx(0.25 * abs(mw["estimate"]))
    assert mw["effectSize"] == {"measure": "meanRatio", "value": cpu["resultMetadata"]["ratio"]}
    assert result["score"]["classification"] == "Fail"


def test_tolerance_and_confidence_are_hard_coded() -> None:
    # A shift whose interval clears zero but not by 25% of the estimate passes (Kayenta #6278 behaviour).
    control = [float(v) for v in range(100)]
    experiment = [v + 20 + (i % 7) * 10 for i, v in enumerate(control)]
    cpu = run(config(metric("cpu", ["g"])), pair("cpu", control, experiment))["results"][0]
    mw = cpu["resultMetadata"]["mannWhitney"]
    assert mw["confidenceInterval"]["low"] > 0
    assert (cpu["classification"] == "High") == (mw["confidenceInterval"]["low"] > 0.25 * abs(mw["estimate"]))


def test_direction_limits_what_fails() -> None:
    cfg = config(
        metric("errors", ["e"], direction="increase"), metric("throughput", ["t"], direction="increase")
    )
    result = run(cfg, pair("errors", BASE, HIGHER), pair("throughput", BASE, LOWER))
    labels = {r["name"]: r["classification"] for r in result["results"]}
    assert labels == {"errors": "High", "throughput": "Pass"}


def test_nan_strategies() -> None:
    nans = [math.nan] * 50
    cfg = config(metric("removed", ["a"]), metric("replaced", ["b"], nanStrategy="replace"))
    result = run(cfg, pair("removed", BASE, nans), pair("replaced", [0.0] * 50, nans))
    by_name = {r["name"]: r for r in result["results"]}
    assert by_name["removed"]["classification"] == "Nodata"
    assert by_name["removed"]["classificationReason"] == "Missing data for removed"
    assert by_name["removed"]["experimentMetadata"]["stats"] == {
        "min": 0.0,
        "max": 0.0,
        "mean": 0.0,
        "std": 0.0,
        "count": 0.0,
    }
    assert by_name["replaced"]["classification"] == "Pass"
    assert by_name["replaced"]["classificationReason"] == "The Canary and Baseline data are identical"
    assert by_name["replaced"]["experimentMetadata"]["stats"]["count"] == 50.0
    # One of two results is Nodata: 50% or more -> the canary fails.
    assert result["score"] == {
        "score": 0.0,
        "classification": "Fail",
        "classificationReason": "Canary Failed: 50% or more metrics returned NODATA",
    }


def test_must_have_data_counts_a_missing_metric_as_a_failure() -> None:
    cfg = config(metric("a", ["g"]), metric("b", ["g"]), metric("c", ["g"], mustHaveData=True))
    result = run(cfg, pair("a", BASE, SAME), pair("b", BASE, SAME), pair("c", BASE, []))
    assert result["results"][2]["classification"] == "NodataFailMetric"
    assert result["score"]["score"] == pytest.approx(66.67)
    assert result["score"]["classification"] == "Fail"


def test_critical_failure_overrides_the_score() -> None:
    cfg = config(metric("a", ["g"]), metric("b", ["g"]), metric("errors", ["e"], critical=True))
    result = run(cfg, pair("a", BASE, SAME), pair("b", BASE, SAME), pair("errors", BASE, HIGHER))
    errors = result["results"][2]
    assert (errors["classification"], errors["critical"]) == ("High", True)
    assert errors["classificationReason"] == "errors was classified as High (Critical)"
    assert result["score"] == {
        "score": 0.0,
        "classification": "Fail",
        "classificationReason": "Canary Failed: errors was classified as High (Critical)",
    }


def test_muted_metric_is_reported_but_not_scored() -> None:
    cfg = config(metric("a", ["g"]), metric("noisy", ["g"], muted=True, critical=True))
    result = run(cfg, pair("a", BASE, SAME), pair("noisy", BASE, HIGHER))
    noisy = result["results"][1]
    assert (noisy["classification"], noisy["muted"]) == ("High", True)
    assert result["score"]["score"] == 100.0


def test_outlier_removal_is_opt_in() -> None:
    spiky = [*SAME[:-2], 10_000.0, 20_000.0]
    kept = run(config(metric("m", ["g"])), pair("m", BASE, spiky))["results"][0]
    removed = run(config(metric("m", ["g"], outliers={"strategy": "remove"})), pair("m", BASE, spiky))[
        "results"
    ][0]
    assert kept["experimentMetadata"]["stats"]["max"] == 20_000.0
    assert removed["experimentMetadata"]["stats"]["max"] < 1_000.0
    assert removed["experimentMetadata"]["stats"]["count"] == 118.0


def test_cles_effect_size_gate() -> None:
    # A clear but small shift: CLES is well below 0.9, so with allowedIncrease 0.9 it is not High.
    slightly = [v + 3 for v in SAME]
    plain = run(config(metric("m", ["g"])), pair("m", BASE, slightly))["results"][0]
    gated = run(
        config(metric("m", ["g"], effectSize={"measure": "cles", "allowedIncrease": 0.9})),
        pair("m", BASE, slightly),
    )["results"][0]
    assert plain["classification"] == "High"
    assert gated["classification"] == "Pass"
    assert gated["resultMetadata"]["mannWhitney"]["effectSize"]["measure"] == "cles"
    assert gated["resultMetadata"]["ratio"] == plain["resultMetadata"]["ratio"]  # always the mean ratio


def test_group_weights_and_unweighted_groups() -> None:
    cfg = config(
        metric("a", ["errors"]), metric("b", ["latency"]), metric("c", ["system"]), weights={"errors": 60}
    )
    result = run(cfg, pair("a", BASE, SAME), pair("b", BASE, HIGHER), pair("c", BASE, SAME))
    # errors 100 * 0.6 + latency 0 * 0.2 + system 100 * 0.2
    assert result["score"]["score"] == 80.0
    assert result["score"]["classification"] == "Marginal"


def test_classification_failure_becomes_an_error_result() -> None:
    # Constant sides get noise proportional to their value; for the smallest subnormal that noise underflows
    # to zero, so at the shift d = min(x) - max(y) every pooled observation ties and the rank-sum sigma is 0:
    # Kayenta's "cannot compute confidence interval when all observations are tied".
    bad = run(
        config(metric("m", ["g"]), metric("ok", ["g"])),
        pair("m", [0.0] * 3, [5e-324] * 3),
        pair("ok", BASE, SAME),
    )
    m = bad["results"][0]
    assert m["classification"] == "Error"
    assert m["classificationReason"] == "Metric Classification Failed"
    assert m["critical"] is False
    assert "resultMetadata" not in m
    assert bad["score"]["score"] == 100.0  # Error is not counted in the group


def test_a_pair_without_a_metric_config_is_rejected() -> None:
    with pytest.raises(JudgeInputError, match="Could not find metric config for ghost"):
        run(config(metric("cpu", ["g"])), pair("ghost", BASE, SAME))


def test_thresholds_are_required() -> None:
    with pytest.raises(JudgeInputError, match="pass"):
        judge(config(metric("cpu", ["g"])), ScoreThresholds(), [pair("cpu", BASE, SAME)])


def test_registry() -> None:
    assert judge_names()[0] == "NetflixACAJudge-v1.0"
    assert isinstance(get_judge(None), NetflixACAJudge)
    assert isinstance(get_judge("NetflixACAJudge-v1.0"), NetflixACAJudge)
    with pytest.raises(UnknownJudgeError, match=r"Unable to resolve canary judge 'dredd-v1\.0'"):
        get_judge("dredd-v1.0")


def test_nan_ratio_is_written_as_kayenta_writes_it() -> None:
    result = run(config(metric("m", ["g"])), pair("m", [0.0] * 30, [float(v) for v in range(1, 31)]))
    assert result["results"][0]["resultMetadata"]["ratio"] == "NaN"
