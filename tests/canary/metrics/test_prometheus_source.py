"""The prometheus metric source: the query_range request it describes and how it reads Prometheus' answers."""

from __future__ import annotations

import math
from typing import Any

import pytest

from gennaker.canary.config import parse_canary_config
from gennaker.canary.errors import MetricSourceResponseError, QueryBuildError, UnknownMetricSourceError
from gennaker.canary.metrics.mixer import mix_all
from gennaker.canary.metrics.prometheus import PROMETHEUS, iso_from_millis
from gennaker.canary.metrics.registry import (
    HttpRequestSpec,
    HttpResponse,
    MetricQueryContext,
    metric_source_for,
    metric_source_names,
    query_metrics,
    register_metric_source,
)
from gennaker.canary.scope import CanaryScope

CONFIG = parse_canary_config(
    {
        "name": "c",
        "metrics": [
            {
                "name": "error rate",
                "query": {
                    "type": "prometheus",
                    "customInlineTemplate": 'PromQL:sum(rate(http_requests_total{code=~"5..",pod=~"${scope}-.*"}[1m])) by (pod)',  # noqa: E501
                },
                "groups": ["errors"],
                "scopeName": "default",
            },
            {"name": "atlas", "query": {"type": "atlas", "q": "x"}, "groups": ["g"], "scopeName": "default"},
        ],
    }
)
SCOPE = CanaryScope.model_validate(
    {
        "scope": "web-canary",
        "location": "local",
        "start": "2024-05-01T10:00:00Z",
        "end": "2024-05-01T10:05:00Z",
        "step": 60,
    }
)


def context(metric: int = 0, scope: CanaryScope = SCOPE) -> MetricQueryContext:
    return MetricQueryContext(canary_config=CONFIG, metric=CONFIG.metrics[metric], scope=scope)


def matrix(*series: dict[str, Any]) -> HttpResponse:
    return HttpResponse(200, {"status": "success", "data": {"resultType": "matrix", "result": list(series)}})


def test_the_registry_knows_prometheus() -> None:
    assert "prometheus" in metric_source_names()
    assert metric_source_for("prometheus") is PROMETHEUS


def test_an_unknown_source_type_is_named() -> None:
    with pytest.raises(UnknownMetricSourceError, match="no metric source can fetch query type 'atlas'"):
        metric_source_for("atlas")


def test_registering_a_second_source_for_a_type_is_refused() -> None:
    class Other:
        type_name = "prometheus"

    with pytest.raises(ValueError, match="already registered"):
        register_metric_source(Other())  # type: ignore[arg-type]


def test_query_range_request() -> None:
    query = PROMETHEUS.build_query(context())
    assert query == 'sum(rate(http_requests_total{code=~"5..",pod=~"web-canary-.*"}[1m])) by (pod)'
    request = PROMETHEUS.build_request(context(), query)
    assert request == HttpRequestSpec(
        method="GET",
        path="/api/v1/query_range",
        params={"query": query, "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T10:05:00Z", "step": "60"},
    )


def test_start_and_end_are_required() -> None:
    with pytest.raises(QueryBuildError, match="Start time is required"):
        PROMETHEUS.build_request(context(scope=CanaryScope(scope="s")), "up")


def test_one_metric_set_per_series_with_labels_as_tags() -> None:
    response = matrix(
        {"metric": {"__name__": "x", "pod": "web-canary-1"}, "values": [[1714557600, "0.5"], [1714557660, "NaN"], [1714557720, "+Inf"]]},  # noqa: E501
        {"metric": {"pod": "web-canary-2"}, "values": [[1714557600.5, "-Inf"]]},
    )  # fmt: skip
    sets = PROMETHEUS.parse_response(context(), "q", response)
    assert [s.tags for s in sets] == [{"pod": "web-canary-1"}, {"pod": "web-canary-2"}]
    first, second = sets
    assert first.name == "error rate"
    assert first.values[0] == 0.5 and math.isnan(first.values[1]) and first.values[2] == math.inf
    assert (first.start_time_millis, first.step_millis, first.end_time_millis) == (
        1714557600000,
        60000,
        1714557780000,
    )
    assert first.start_time_iso == "2024-05-01T10:00:00Z"
    assert first.attributes == {"query": "q"}
    assert second.values == [-math.inf]
    assert (second.start_time_millis, second.step_millis) == (1714557600500, 0)
    assert second.start_time_iso == "2024-05-01T10:00:00.500Z"


def test_an_empty_result_is_one_empty_set_spanning_the_scope() -> None:
    (empty,) = PROMETHEUS.parse_response(context(), "q", matrix())
    assert (empty.name, empty.tags, empty.values) == ("error rate", {}, [])
    assert empty.expected_data_points() == 5
    pairs = mix_all(["error rate"], [empty], [empty])
    assert len(pairs[0].values["control"]) == 5


def test_a_promql_error_is_reported_with_prometheus_message() -> None:
    response = HttpResponse(
        400, {"status": "error", "errorType": "bad_data", "error": 'parse error: unexpected "}"'}
    )
    with pytest.raises(
        MetricSourceResponseError, match=r"Prometheus rejected the query for metric 'error rate' \(bad_data\)"
    ):
        PROMETHEUS.parse_response(context(), "q{", response)


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(502, "<html>bad gateway</html>"),
        HttpResponse(200, {"status": "success", "data": {"resultType": "vector", "result": []}}),
        HttpResponse(200, {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "x"]]}]}}),  # noqa: E501
        HttpResponse(200, {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1]]}]}}),  # noqa: E501
    ],
)  # fmt: skip
def test_malformed_answers_are_clear_errors(response: HttpResponse) -> None:
    with pytest.raises(MetricSourceResponseError, match="metric 'error rate'"):
        PROMETHEUS.parse_response(context(), "q", response)


def test_query_metrics_glues_build_send_parse() -> None:
    sent: list[tuple[str, HttpRequestSpec]] = []

    class RecordingTransport:
        def execute(self, account_name: str, request: HttpRequestSpec) -> HttpResponse:
            sent.append((account_name, request))
            return matrix({"metric": {"pod": "a"}, "values": [[0, "1"], [60, "2"]]})

    sets = query_metrics(context(), RecordingTransport(), "prom-account")
    assert sent[0][0] == "prom-account"
    assert sent[0][1].params["query"].startswith("sum(rate(")
    assert sets[0].values == [1.0, 2.0]


def test_iso_from_millis_matches_java_instant() -> None:
    assert iso_from_millis(0) == "1970-01-01T00:00:00Z"
    assert iso_from_millis(1_500) == "1970-01-01T00:00:01.500Z"
