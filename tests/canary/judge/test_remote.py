"""RemoteJudge-v1.0: the request Kayenta posts to ``<baseUrl>/judge`` and the CanaryJudgeResult we answer."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from gennaker.canary.errors import CanaryConfigError, JudgeInputError
from gennaker.canary.judge.netflix_aca import NetflixACAJudge
from gennaker.canary.judge.remote import handle_remote_judge_request, parse_remote_judge_request

rng = np.random.default_rng(3)
CONTROL = [float(v) for v in rng.normal(10, 1, 60)]
EXPERIMENT = [float(v) for v in rng.normal(14, 1, 60)]


def kayenta_request() -> dict[str, Any]:
    """A body as Kayenta's RemoteJudge sends it (Jackson writes NaN as a string)."""
    return {
        "canaryConfig": {
            "name": "remote",
            "applications": ["app"],
            "judge": {"name": "RemoteJudge-v1.0", "judgeConfigurations": {}},
            "metrics": [
                {
                    "name": "errors",
                    "query": {
                        "type": "prometheus",
                        "serviceType": "prometheus",
                        "metricName": "errors_total",
                    },
                    "groups": ["errors"],
                    "analysisConfigurations": {"canary": {"direction": "increase"}},
                    "scopeName": "default",
                }
            ],
            "classifier": {"groupWeights": {"errors": 100}},
        },
        "scoreThresholds": {"pass": 95.0, "marginal": 75.0},
        "metricSetPairList": [
            {
                "name": "errors",
                "id": "0b0f5c2e-1111-2222-3333-444455556666",
                "tags": {"pod": "web-1"},
                "values": {"control": [*CONTROL, "NaN"], "experiment": [*EXPERIMENT, "NaN", "NaN"]},
                "scopes": {
                    "control": {
                        "startTimeIso": "2024-01-01T00:00:00Z",
                        "startTimeMillis": 1704067200000,
                        "stepMillis": 60000,
                    },
                    "experiment": {
                        "startTimeIso": "2024-01-01T00:00:00Z",
                        "startTimeMillis": 1704067200000,
                        "stepMillis": 60000,
                    },
                },
                "attributes": {"control": {"query": "errors_total"}, "experiment": {"query": "errors_total"}},
            }
        ],
    }


def test_a_kayenta_request_is_judged() -> None:
    body = json.dumps(kayenta_request())
    result = handle_remote_judge_request(body, judge=NetflixACAJudge(rng=np.random.default_rng(0)))
    assert result["judgeName"] == "NetflixACAJudge-v1.0"
    (errors,) = result["results"]
    assert errors["id"] == "0b0f5c2e-1111-2222-3333-444455556666"
    assert errors["tags"] == {"pod": "web-1"}
    assert errors["classification"] == "High"
    assert errors["experimentMetadata"]["stats"]["count"] == 60.0  # NaNs removed
    assert result["score"]["score"] == 0.0
    assert result["score"]["classification"] == "Fail"
    json.dumps(result, allow_nan=False)


def test_the_default_judge_is_used_when_none_is_given() -> None:
    result = handle_remote_judge_request(kayenta_request())
    assert result["results"][0]["classification"] == "High"


@pytest.mark.parametrize("missing", ["canaryConfig", "scoreThresholds", "metricSetPairList"])
def test_missing_fields_are_named(missing: str) -> None:
    body = kayenta_request()
    del body[missing]
    with pytest.raises(JudgeInputError, match=missing):
        parse_remote_judge_request(body)


def test_thresholds_need_pass_and_marginal() -> None:
    body = kayenta_request()
    body["scoreThresholds"] = {"pass": 90}
    with pytest.raises(JudgeInputError, match="marginal"):
        parse_remote_judge_request(body)


def test_an_invalid_config_is_reported_with_its_path() -> None:
    body = kayenta_request()
    body["canaryConfig"]["metrics"][0]["scopeName"] = None
    with pytest.raises(CanaryConfigError, match=r"metrics\[0\]\.scopeName \(metric 'errors'\)"):
        parse_remote_judge_request(body)


def test_a_bad_value_is_reported_with_its_pair_and_position() -> None:
    body = kayenta_request()
    body["metricSetPairList"][0]["values"]["control"][3] = "lots"
    with pytest.raises(JudgeInputError, match=r"metricSetPairList\[0\]\.values\.control\.3"):
        parse_remote_judge_request(body)


def test_not_json() -> None:
    with pytest.raises(JudgeInputError, match="not valid JSON"):
        parse_remote_judge_request(b"{")


def test_request_round_trips() -> None:
    request = parse_remote_judge_request(kayenta_request())
    again = parse_remote_judge_request(request.to_json())
    assert again.metric_set_pairs[0].values["control"][:60] == CONTROL
    assert request.to_json()["metricSetPairList"][0]["values"]["control"][-1] == "NaN"
