"""The Prometheus source against a real Prometheus (Debian's ``prometheus``) on a loopback port.

Prometheus (the session's, started by tests/canary/conftest.py) scrapes itself every 250 ms; the tests send
the requests the source describes with a plain stdlib HTTP client and read the answers with the source's
parser: real series and labels, NaN and infinities as Prometheus writes them, an empty result, and a PromQL
error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gennaker.canary.config import parse_canary_config
from gennaker.canary.errors import MetricSourceResponseError
from gennaker.canary.metrics.prometheus import PROMETHEUS
from gennaker.canary.metrics.registry import HttpRequestSpec, HttpResponse, MetricQueryContext, query_metrics
from gennaker.canary.scope import CanaryScope
from tests.canary.peers import PrometheusProcess

pytestmark = pytest.mark.slow


class UrllibTransport:
    """Sends a request spec to one base URL (what the HTTP adapter will do with accounts and credentials)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def execute(self, account_name: str, request: HttpRequestSpec) -> HttpResponse:
        url = self.base_url + request.path + "?" + urllib.parse.urlencode(dict(request.params))
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return HttpResponse(answer.status, json.loads(answer.read()))
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, json.loads(error.read()))


@pytest.fixture
def prometheus(prometheus: PrometheusProcess) -> str:
    """The session's real Prometheus (tests/canary/conftest.py), by URL."""
    return prometheus.url


def context_for(template: str) -> MetricQueryContext:
    config = parse_canary_config(
        {
            "name": "real",
            "metrics": [
                {
                    "name": "m",
                    "query": {"type": "prometheus", "customInlineTemplate": template},
                    "groups": ["g"],
                    "scopeName": "default",
                }
            ],
        }
    )
    end = datetime.now(UTC).replace(microsecond=0)
    scope = CanaryScope(scope="self", start=end - timedelta(seconds=30), end=end, step=1)
    return MetricQueryContext(canary_config=config, metric=config.metrics[0], scope=scope)


def fetch(prometheus: str, template: str) -> list[Any]:
    return query_metrics(context_for(template), UrllibTransport(prometheus), "local-prometheus")


def test_series_become_metric_sets_tagged_with_their_labels(prometheus: str) -> None:
    (series,) = fetch(prometheus, 'PromQL:up{job="${scope}"}')
    assert series.name == "m"
    assert series.tags == {"instance": series.tags["instance"], "job": "self"}
    assert "__name__" not in series.tags
    assert series.values and all(v == 1.0 for v in series.values)
    assert series.step_millis == 1000
    assert series.attributes == {"query": 'up{job="self"}'}


def test_nan_and_infinities_written_by_prometheus_are_read(prometheus: str) -> None:
    (nans,) = fetch(prometheus, 'PromQL:(up{job="self"} - up{job="self"}) / 0')
    (infs,) = fetch(prometheus, 'PromQL:up{job="self"} / 0')
    (minus,) = fetch(prometheus, 'PromQL:-up{job="self"} / 0')
    assert nans.values and all(v != v for v in nans.values)
    assert infs.values and all(v == float("inf") for v in infs.values)
    assert minus.values and all(v == float("-inf") for v in minus.values)


def test_several_series_give_several_sets(prometheus: str) -> None:
    sets = fetch(prometheus, "PromQL:sum by (code) (prometheus_http_requests_total)")
    assert len(sets) >= 1
    assert all(set(s.tags) == {"code"} for s in sets)


def test_no_series_gives_one_empty_set_spanning_the_scope(prometheus: str) -> None:
    (empty,) = fetch(prometheus, 'PromQL:up{job="no-such-job"}')
    assert (empty.tags, empty.values) == ({}, [])
    assert empty.expected_data_points() == 30


def test_a_promql_error_is_reported_with_prometheus_message(prometheus: str) -> None:
    with pytest.raises(
        MetricSourceResponseError, match=r"Prometheus rejected the query for metric 'm' \(bad_data\)"
    ):
        fetch(prometheus, "PromQL:sum(up")
    assert PROMETHEUS.type_name == "prometheus"
