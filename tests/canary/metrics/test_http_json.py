"""The generic HTTP/JSON source through the real HTTP adapter against a local HTTP server."""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gennaker.canary.accounts import MetricsAccountSet
from gennaker.canary.config import parse_canary_config
from gennaker.canary.errors import MetricSourceResponseError, QueryBuildError
from gennaker.canary.metrics.registry import MetricQueryContext, query_metrics
from gennaker.canary.scope import CanaryScope
from gennaker.canary.transport import HttpMetricsTransport
from tests.canary.peers import LocalServer

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
SECRET = "bearer-token-abc"


class Api:
    """Answers ``/series`` with series per pod of the requested scope; ``/search`` takes a POSTed query."""

    def __init__(self) -> None:
        self.server = LocalServer(self.handle)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        url = urllib.parse.urlsplit(path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if headers.get("Authorization") != f"Bearer {SECRET}":
            return 401, "application/json", b'{"message": "unauthorized"}'
        if url.path == "/series":
            scope = params["pod"]
            answer = {
                "data": {
                    "series": [
                        {
                            "labels": {"pod": f"{scope}-0"},
                            "points": [[1714557600, 1.5], [1714557660, "NaN"], [1714557720, None]],
                        },
                        {"labels": {"pod": f"{scope}-1"}, "points": [[1714557600, 2.5], [1714557660, 3.0]]},
                    ]
                },
                "echo": params,
            }
            return 200, "application/json", json.dumps(answer).encode()
        if url.path == "/search" and method == "POST":
            request = json.loads(body)
            points = [{"t": 1714557600000 + i * 1000, "v": float(i)} for i in range(3)]
            return 200, "application/json", json.dumps({"result": {"values": points, "q": request}}).encode()
        if url.path == "/text":
            return 200, "text/plain", b"not json"
        return 404, "application/json", b'{"message": "no such path"}'


@pytest.fixture
def api() -> Iterator[Api]:
    server = Api()
    yield server
    server.server.close()


def fetch(api: Api, query: dict[str, Any], scope: str = "web v2/x") -> list[Any]:
    cfg = parse_canary_config(
        {
            "name": "h",
            "metrics": [
                {
                    "name": "errors",
                    "query": {"type": "http", **query},
                    "groups": ["g"],
                    "scopeName": "default",
                }
            ],
        }
    )
    accounts = MetricsAccountSet(
        [
            {
                "name": "api",
                "type": "http",
                "settings": {"baseUrl": api.server.url},
                "secrets": {"bearerToken": SECRET},
            }
        ]
    )
    canary_scope = CanaryScope(
        scope=scope,
        start=START,
        end=START + timedelta(minutes=3),
        step=60,
        extendedScopeParams={"env": "prod"},
    )
    return query_metrics(
        MetricQueryContext(cfg, cfg.metrics[0], canary_scope), HttpMetricsTransport(accounts), "api"
    )


def test_url_template_variables_are_url_encoded_and_series_extracted_by_path(api: Api) -> None:
    sets = fetch(
        api,
        {
            "urlTemplate": "/series?pod=${scope}&env=${env}&from=${startEpochSeconds}&to=${endEpochSeconds}"
            "&step=${step}&name=${metricName}",
            "seriesPath": "data.series",
            "valuesField": "points",
            "tagsField": "labels",
        },
    )
    echo = api.server.requests[-1][1]
    assert (
        "pod=web%20v2%2Fx" in echo and "env=prod" in echo and "from=1714557600" in echo and "step=60" in echo
    )
    assert [s.tags for s in sets] == [{"pod": "web v2/x-0"}, {"pod": "web v2/x-1"}]
    first = sets[0]
    assert first.values[0] == 1.5 and math.isnan(first.values[1]) and math.isnan(first.values[2])
    assert (first.start_time_millis, first.step_millis) == (1714557600000, 60000)


def test_post_body_template_and_object_points(api: Api) -> None:
    (series,) = fetch(
        api,
        {
            "urlTemplate": "/search",
            "method": "POST",
            "bodyTemplate": '{"query": "errors{pod=\\"${scope}\\"}", "from": ${startEpochMillis}}',
            "seriesPath": "$.result",
            "timestampField": "t",
            "valueField": "v",
            "timestampUnit": "ms",
        },
        scope='quote"me',
    )
    sent = json.loads(api.server.requests[-1][3])
    assert sent == {"query": 'errors{pod="quote"me"}', "from": 1714557600000}
    assert series.values == [0.0, 1.0, 2.0] and series.step_millis == 1000 and series.tags == {}


def test_undefined_variables_missing_paths_and_non_json_answers_are_clear_errors(api: Api) -> None:
    with pytest.raises(
        QueryBuildError, match=r"urlTemplate '/series\?pod=\$\{pod\}': undefined variable 'pod'"
    ):
        fetch(api, {"urlTemplate": "/series?pod=${pod}"})
    with pytest.raises(MetricSourceResponseError, match=r"the answer has nothing at \$\.data\.rows"):
        fetch(api, {"urlTemplate": "/series?pod=${scope}", "seriesPath": "data.rows"})
    with pytest.raises(MetricSourceResponseError, match="the body is not JSON"):
        fetch(api, {"urlTemplate": "/text"})
    with pytest.raises(MetricSourceResponseError, match="HTTP 404"):
        fetch(api, {"urlTemplate": "/nowhere"})
