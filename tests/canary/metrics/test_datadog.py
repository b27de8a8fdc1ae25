"""The Datadog source through the real HTTP adapter against a faithful local fake of Datadog's v1 query API
(tests/canary/fake_datadog.py: no real Datadog can run here)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gennaker.canary.accounts import MetricsAccountSet
from gennaker.canary.config import parse_canary_config
from gennaker.canary.errors import MetricSourceResponseError
from gennaker.canary.metrics.datadog import DATADOG
from gennaker.canary.metrics.registry import MetricQueryContext, query_metrics
from gennaker.canary.run import ScopePair, fetch_metric_set_pairs, judge_pairs
from gennaker.canary.scope import CanaryScope
from gennaker.canary.transport import HttpMetricsTransport
from tests.canary.fake_datadog import FakeDatadog

API_KEY, APP_KEY = "dd-api-0123456789", "dd-app-9876543210"
START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def datadog() -> Iterator[FakeDatadog]:
    fake = FakeDatadog(API_KEY, APP_KEY).start()
    yield fake
    fake.close()


def accounts(url: str, api_key: str = API_KEY) -> MetricsAccountSet:
    return MetricsAccountSet(
        [
            {
                "name": "dd",
                "type": "datadog",
                "settings": {"baseUrl": url},
                "secrets": {"apiKey": api_key, "applicationKey": APP_KEY},
            }
        ]
    )


def config(query: dict[str, Any], **extra: Any) -> Any:
    return parse_canary_config(
        {
            "name": "dd",
            "metrics": [
                {
                    "name": "cpu",
                    "query": {"type": "datadog", **query},
                    "groups": ["g"],
                    "scopeName": "default",
                }
            ],
            **extra,
        }
    )


def scope(name: str, seconds: int = 60) -> CanaryScope:
    return CanaryScope(scope=name, start=START, end=START + timedelta(seconds=seconds), step=1)


def fetch(datadog: FakeDatadog, query: dict[str, Any], scope_name: str, **extra: Any) -> list[Any]:
    cfg = config(query, **extra)
    context = MetricQueryContext(cfg, cfg.metrics[0], scope(scope_name))
    return query_metrics(context, HttpMetricsTransport(accounts(datadog.url)), "dd")


def test_query_is_metric_name_and_scope_or_the_expanded_template() -> None:
    cfg = config({"metricName": "avg:system.cpu.user"})
    assert DATADOG.build_query(MetricQueryContext(cfg, cfg.metrics[0], scope("host:web-1"))) == (
        "avg:system.cpu.user{host:web-1}"
    )
    templated = config({"customInlineTemplate": "sum:errors{service:web,version:${scope}}.as_count()"})
    assert DATADOG.build_query(MetricQueryContext(templated, templated.metrics[0], scope("v2"))) == (
        "sum:errors{service:web,version:v2}.as_count()"
    )


def test_series_are_read_and_sparse_points_become_nan(datadog: FakeDatadog) -> None:
    start_s = int(START.timestamp())
    datadog.add(
        "system.cpu.user", {"host:web-1"}, lambda ts: None if ts == start_s + 3 else float(ts - start_s)
    )
    (series,) = fetch(datadog, {"metricName": "avg:system.cpu.user"}, "host:web-1")
    assert series.tags == {}
    assert series.step_millis == 1000 and series.start_time_millis == start_s * 1000
    assert series.values[:3] == [0.0, 1.0, 2.0] and math.isnan(series.values[3]) and series.values[4] == 4.0
    assert len(series.values) == 61
    assert series.attributes == {"query": "avg:system.cpu.user{host:web-1}"}
    (_, path, headers, _) = datadog.server.requests[-1]  # type: ignore[union-attr]
    assert f"from={start_s}" in path and f"to={start_s + 60}" in path
    assert API_KEY not in path and headers["DD-API-KEY"] == API_KEY


def test_grouped_queries_give_one_tagged_set_per_group(datadog: FakeDatadog) -> None:
    for pod, value in (("a", 1.0), ("b", 2.0)):
        datadog.add("req.errors", {"service:web", f"pod:{pod}"}, lambda ts, v=value: v)
    sets = fetch(datadog, {"customInlineTemplate": "avg:req.errors{service:${scope}} by {pod}"}, "web")
    assert [(s.tags, s.values[0]) for s in sets] == [({"pod": "a"}, 1.0), ({"pod": "b"}, 2.0)]


def test_no_series_gives_one_empty_set_spanning_the_scope(datadog: FakeDatadog) -> None:
    (empty,) = fetch(datadog, {"metricName": "avg:nothing.here"}, "host:x")
    assert empty.values == [] and empty.step_millis == 1000 and empty.expected_data_points() == 60


def test_a_query_datadog_cannot_parse_is_reported_with_its_message(datadog: FakeDatadog) -> None:
    with pytest.raises(
        MetricSourceResponseError,
        match=r"Datadog rejected the query for metric 'cpu' \(HTTP 400\): Error parsing query",
    ):
        fetch(datadog, {"customInlineTemplate": "avg:cpu{host:a"}, "x")


def test_wrong_keys_are_forbidden_and_the_key_never_appears_in_errors_or_logs(
    datadog: FakeDatadog, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = config({"metricName": "avg:cpu"})
    context = MetricQueryContext(cfg, cfg.metrics[0], scope("host:a"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MetricSourceResponseError, match=r"\(HTTP 403\): Forbidden") as caught:
        query_metrics(context, HttpMetricsTransport(accounts(datadog.url, api_key="wrong-key-secret")), "dd")
    assert "wrong-key-secret" not in str(caught.value)
    assert "wrong-key-secret" not in caplog.text


def test_a_canary_judged_from_datadog_flags_the_higher_series(datadog: FakeDatadog) -> None:
    noise = [0.0, 0.3, -0.2, 0.1, -0.3, 0.2]
    datadog.add("latency", {"version:v1"}, lambda ts: 10 + noise[ts % 6])
    datadog.add("latency", {"version:v2"}, lambda ts: 14 + noise[ts % 6])
    cfg = parse_canary_config(
        {
            "name": "dd",
            "metrics": [
                {
                    "name": "latency",
                    "query": {"type": "datadog", "metricName": "avg:latency"},
                    "groups": ["g"],
                    "scopeName": "default",
                    "analysisConfigurations": {"canary": {"direction": "increase"}},
                }
            ],
        }
    )
    pairs = fetch_metric_set_pairs(
        cfg,
        {"default": ScopePair(scope("version:v1"), scope("version:v2"))},
        accounts=accounts(datadog.url),
        transport=HttpMetricsTransport(accounts(datadog.url)),
    )
    from gennaker.canary.config import ScoreThresholds

    result = judge_pairs(cfg, ScoreThresholds.model_validate({"pass": 95, "marginal": 75}), pairs)
    assert result["results"][0]["classification"] == "High"
