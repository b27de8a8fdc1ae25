"""Canary config models: Kayenta JSON in, the same JSON out, and errors that name the metric and the field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from gennaker.canary.config import (
    MetricAnalysisSettings,
    parse_canary_config,
    validate_for_storage,
)
from gennaker.canary.errors import CanaryConfigError
from gennaker.canary.queries import (
    AtlasQueryConfig,
    DatadogQueryConfig,
    HttpJsonQueryConfig,
    PrometheusQueryConfig,
    StackdriverQueryConfig,
)

KAYENTA_CONFIG: dict[str, Any] = {
    "name": "my-canary-config",
    "id": "3f1a5a1c-0d3f-4d5e-8d0e-0f1b2c3d4e5f",
    "description": "error rate and latency",
    "configVersion": "1",
    "applications": ["myapp"],
    "createdTimestamp": 1700000000000,
    "updatedTimestamp": 1700000000000,
    "createdTimestampIso": "2023-11-14T22:13:20Z",
    "updatedTimestampIso": "2023-11-14T22:13:20Z",
    "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
    "metrics": [
        {
            "name": "5xx rate",
            "query": {
                "type": "prometheus",
                "serviceType": "prometheus",
                "customInlineTemplate": 'PromQL:avg(rate(http_responses{code="5xx",pod=~"${scope}"}[2m]))',
            },
            "groups": ["errors"],
            "analysisConfigurations": {
                "canary": {"direction": "increase", "nanStrategy": "replace", "critical": True}
            },
            "scopeName": "default",
        },
        {
            "name": "latency",
            "query": {
                "type": "prometheus",
                "serviceType": "prometheus",
                "metricName": "http_latency_seconds",
                "labelBindings": ['job="web"'],
                "groupByFields": ["pod"],
                "customFilterTemplate": "by-pod",
            },
            "groups": ["latency"],
            "analysisConfigurations": {
                "canary": {
                    "direction": "increase",
                    "effectSize": {"measure": "cles", "allowedIncrease": 0.6},
                    "outliers": {"strategy": "remove", "outlierFactor": 2},
                    "futureKnob": "kept",
                }
            },
            "scopeName": "default",
        },
        {
            "name": "atlas cpu",
            "query": {"type": "atlas", "serviceType": "atlas", "q": "name,cpu,:eq"},
            "groups": ["system"],
            "scopeName": "default",
        },
        {
            "name": "dd requests",
            "query": {"type": "datadog", "serviceType": "datadog", "metricName": "requests.count"},
            "groups": ["system"],
            "scopeName": "default",
        },
    ],
    "templates": {"by-pod": 'pod=~"${scope}.*"'},
    "classifier": {
        "groupWeights": {"errors": 50, "latency": 30, "system": 20},
        "scoreThresholds": {"pass": 95, "marginal": 75},
    },
    "someNewTopLevelKey": {"nested": [1, 2]},
}


def config_with(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw.update(changes)
    return raw


def metric_with(index: int, **changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][index].update(changes)
    return raw


def test_a_kayenta_config_round_trips_unchanged() -> None:
    config = parse_canary_config(KAYENTA_CONFIG)
    assert config.to_json() == KAYENTA_CONFIG
    assert json.loads(json.dumps(config.to_json())) == KAYENTA_CONFIG


def test_config_parses_from_json_text() -> None:
    assert parse_canary_config(json.dumps(KAYENTA_CONFIG)).name == "my-canary-config"


def test_queries_are_typed_by_their_type() -> None:
    config = parse_canary_config(KAYENTA_CONFIG)
    assert isinstance(config.metrics[0].query, PrometheusQueryConfig)
    latency = config.metrics[1].query
    assert isinstance(latency, PrometheusQueryConfig)
    assert latency.metric_name == "http_latency_seconds"
    assert latency.label_bindings == ['job="web"']
    assert latency.group_by_fields == ["pod"]
    assert isinstance(config.metrics[2].query, AtlasQueryConfig)
    assert isinstance(config.metrics[3].query, DatadogQueryConfig)


@pytest.mark.parametrize(
    ("query", "model"),
    [
        (
            {
                "type": "stackdriver",
                "metricType": "compute.googleapis.com/instance/cpu",
                "perSeriesAligner": "ALIGN_MEAN",
            },
            StackdriverQueryConfig,
        ),
        (
            {"type": "http", "urlTemplate": "/metrics?scope=${scope}", "seriesPath": "data.series"},
            HttpJsonQueryConfig,
        ),
    ],
)
def test_other_query_types_parse_and_round_trip(query: dict[str, Any], model: type) -> None:
    raw = metric_with(2, query=query)
    config = parse_canary_config(raw)
    assert isinstance(config.metrics[2].query, model)
    assert config.to_json() == raw


def test_analysis_defaults_are_kayentas() -> None:
    config = parse_canary_config(KAYENTA_CONFIG)
    assert config.metrics[2].analysis() == MetricAnalysisSettings()
    assert MetricAnalysisSettings() == MetricAnalysisSettings(
        direction="either",
        nan_strategy="remove",
        critical=False,
        must_have_data=False,
        muted=False,
        effect_measure="meanRatio",
        allowed_increase=1.0,
        allowed_decrease=1.0,
        critical_increase=1.0,
        critical_decrease=1.0,
        outlier_strategy="keep",
        outlier_factor=3.0,
    )


def test_analysis_settings_are_resolved() -> None:
    config = parse_canary_config(KAYENTA_CONFIG)
    errors = config.metrics[0].analysis()
    assert (errors.direction, errors.nan_strategy, errors.critical) == ("increase", "replace", True)
    latency = config.metrics[1].analysis()
    assert latency.effect_measure == "cles"
    assert latency.allowed_increase == 0.6
    assert latency.allowed_decrease == 0.5  # the cles default
    assert latency.critical_increase == 0.5
    assert latency.outlier_removal_factor == 2.0


def test_unknown_direction_and_nan_strategy_fall_back_like_kayenta() -> None:
    raw = metric_with(2, analysisConfigurations={"canary": {"direction": "sideways", "nanStrategy": "none"}})
    settings = parse_canary_config(raw).metrics[2].analysis()
    assert (settings.direction, settings.nan_strategy) == ("either", "remove")


def test_group_weights_and_judge_name() -> None:
    config = parse_canary_config(KAYENTA_CONFIG)
    assert config.group_weights == {"errors": 50.0, "latency": 30.0, "system": 20.0}
    assert config.judge_name == "NetflixACAJudge-v1.0"
    assert parse_canary_config(config_with(judge={"name": ""})).judge_name == "NetflixACAJudge-v1.0"


def issues_of(raw: Any) -> list[str]:
    with pytest.raises(CanaryConfigError) as caught:
        parse_canary_config(raw)
    return [str(issue) for issue in caught.value.issues]


def test_deprecated_custom_filter_is_rejected_naming_the_metric() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][3]["query"]["customFilter"] = "host=a"
    assert issues_of(raw) == [
        "metrics[3].query.customFilter (metric 'dd requests'): "
        "customFilter is deprecated and rejected; use customInlineTemplate instead"
    ]


@pytest.mark.parametrize("scope_name", [None, ""])
def test_null_scope_name_is_rejected(scope_name: str | None) -> None:
    (issue,) = issues_of(metric_with(1, scopeName=scope_name))
    assert issue.startswith("metrics[1].scopeName (metric 'latency'): scopeName is required")


def test_missing_scope_name_is_rejected() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    del raw["metrics"][0]["scopeName"]
    (issue,) = issues_of(raw)
    assert issue.startswith("metrics[0].scopeName (metric '5xx rate')")


def test_unknown_judge_is_rejected() -> None:
    (issue,) = issues_of(config_with(judge={"name": "MyJudge-v9"}))
    assert issue.startswith("judge.name: Unable to resolve canary judge 'MyJudge-v9'")
    assert "NetflixACAJudge-v1.0" in issue


def test_kayentas_remote_judge_name_is_accepted() -> None:
    assert (
        parse_canary_config(config_with(judge={"name": "RemoteJudge-v1.0"})).judge_name == "RemoteJudge-v1.0"
    )


def test_custom_filter_template_naming_a_missing_template() -> None:
    (issue,) = issues_of(config_with(templates={"other": "a=b"}))
    assert issue == (
        "metrics[1].query.customFilterTemplate (metric 'latency'): "
        "custom filter template 'by-pod' was not found (templates: other)"
    )


def test_custom_filter_template_with_no_templates_at_all() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    del raw["templates"]
    (issue,) = issues_of(raw)
    assert "'by-pod' is referenced but the config defines no templates" in issue


def test_an_inline_template_makes_the_filter_template_irrelevant() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][1]["query"]["customInlineTemplate"] = 'pod="x"'
    raw["templates"] = {}
    parse_canary_config(raw)


def test_unknown_metric_source_type() -> None:
    (issue,) = issues_of(metric_with(2, query={"type": "carrier-pigeon", "q": "x"}))
    assert issue.startswith(
        "metrics[2].query (metric 'atlas cpu'): unknown metric source type 'carrier-pigeon'"
    )
    assert "prometheus" in issue


def test_query_without_type() -> None:
    (issue,) = issues_of(metric_with(2, query={"metricName": "x"}))
    assert issue == "metrics[2].query (metric 'atlas cpu'): query.type is required (e.g. 'prometheus')"


def test_mismatched_service_type() -> None:
    (issue,) = issues_of(metric_with(3, query={"type": "datadog", "serviceType": "prometheus"}))
    assert "metrics[3].query.serviceType (metric 'dd requests')" in issue


def test_wrongly_typed_field_names_the_metric_and_field() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][1]["query"]["labelBindings"] = "job=web"
    (issue,) = issues_of(raw)
    assert issue.startswith("metrics[1].query.labelBindings (metric 'latency'): ")


def test_non_numeric_effect_size() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][1]["analysisConfigurations"]["canary"]["effectSize"]["allowedIncrease"] = "lots"
    (issue,) = issues_of(raw)
    assert issue.startswith(
        "metrics[1].analysisConfigurations.canary.effectSize.allowedIncrease (metric 'latency'): "
    )


def test_non_positive_outlier_factor_when_removing_outliers() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][1]["analysisConfigurations"]["canary"]["outliers"]["outlierFactor"] = 0
    (issue,) = issues_of(raw)
    assert issue == (
        "metrics[1].analysisConfigurations.canary.outliers.outlierFactor (metric 'latency'): "
        "outlierFactor must be greater than zero, got 0.0"
    )


def test_duplicate_metric_names() -> None:
    raw = metric_with(3, name="latency")
    (issue,) = issues_of(raw)
    assert issue == "metrics[3].name (metric 'latency'): duplicate metric name (also metrics[1])"


def test_negative_group_weight() -> None:
    raw = config_with(classifier={"groupWeights": {"errors": -5}})
    (issue,) = issues_of(raw)
    assert issue == "classifier.groupWeights.errors: a group weight must be >= 0, got -5.0"


def test_every_problem_is_reported_at_once() -> None:
    raw = copy.deepcopy(KAYENTA_CONFIG)
    raw["metrics"][0]["scopeName"] = None
    raw["metrics"][3]["query"]["customFilter"] = "x"
    raw["judge"]["name"] = "nope"
    assert len(issues_of(raw)) == 3


def test_not_json() -> None:
    assert issues_of("{nope")[0].startswith("(config): not valid JSON")


def test_storage_rules() -> None:
    validate_for_storage(parse_canary_config(KAYENTA_CONFIG))
    with pytest.raises(CanaryConfigError, match="Names must contain only letters"):
        validate_for_storage(parse_canary_config(config_with(name="bad name!")))
    with pytest.raises(CanaryConfigError, match="at least one application"):
        validate_for_storage(parse_canary_config(config_with(applications=[])))
    with pytest.raises(CanaryConfigError, match="must specify a name"):
        validate_for_storage(parse_canary_config(config_with(name=None)))
