"""The ``sandbox`` source against a local exposition server standing in for the sandbox cluster's ``/metrics``
(the interface documented in gennaker/canary/metrics/sandbox.py): counters per pod that grow at known rates,
scraped by the source's collector; and a ``kayentaCanary`` stage judged from it."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gennaker.canary.accounts import MetricsAccountSet
from gennaker.canary.config import parse_canary_config
from gennaker.canary.errors import MetricSourceUnavailableError
from gennaker.canary.metrics.exposition import parse_exposition
from gennaker.canary.metrics.registry import MetricQueryContext, query_metrics
from gennaker.canary.metrics.sandbox import stop_sandbox_collectors
from gennaker.canary.scope import CanaryScope
from gennaker.canary.transport import HttpMetricsTransport
from tests.canary.conftest import make_canary_engine
from tests.canary.peers import LocalServer
from tests.conftest import free_port


class SimulatedPods:
    """``GET /metrics``: per pod, ``rate`` requests/s, a fraction ``errors`` failing, ``latency`` s each."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.pods: list[tuple[dict[str, str], float, float, float]] = []
        self.server = LocalServer(self.handle)
        self.url = self.server.url + "/metrics"

    def add(self, labels: dict[str, str], rate: float, errors: float, latency: float) -> None:
        self.pods.append((labels, rate, errors, latency))

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        elapsed = time.monotonic() - self.began
        lines = [
            "# HELP sandbox_pod_requests_total Requests served.",
            "# TYPE sandbox_pod_requests_total counter",
        ]
        for labels, rate, errors, latency in self.pods:
            text = ",".join(f'{k}="{v}"' for k, v in labels.items())
            requests = rate * elapsed
            lines += [
                f"sandbox_pod_requests_total{{{text}}} {requests!r}",
                f"sandbox_pod_request_errors_total{{{text}}} {requests * errors!r}",
                f"sandbox_pod_request_duration_seconds_sum{{{text}}} {requests * latency!r}",
                f"sandbox_pod_request_duration_seconds_count{{{text}}} {requests!r}",
                f"sandbox_pod_cpu_ratio{{{text}}} 0.25",
            ]
        return 200, "text/plain; version=0.0.4", ("\n".join(lines) + "\n").encode()


@pytest.fixture
def pods() -> Iterator[SimulatedPods]:
    server = SimulatedPods()
    yield server
    stop_sandbox_collectors()
    server.server.close()


def sandbox_account(url: str) -> dict[str, Any]:
    return {"name": "sandbox", "type": "sandbox", "settings": {"baseUrl": url, "scrapeIntervalSeconds": 0.2}}


def test_the_exposition_reader() -> None:
    samples = parse_exposition(
        '# HELP x y\n# TYPE x counter\nx{pod="a\\"b",ns="n\\\\s"} 1.5\n'
        'x_total 7 1714557600000\ny{a="1",} NaN\nz +Inf\n'
    )
    assert [(s.name, s.label_map) for s in samples[:2]] == [
        ("x", {"pod": 'a"b', "ns": "n\\s"}),
        ("x_total", {}),
    ]
    assert samples[1].value == 7 and math.isnan(samples[2].value) and samples[3].value == math.inf
    with pytest.raises(ValueError, match="line 1: malformed labels"):
        parse_exposition('x{pod="a} 1')


def query(metric: str, scope: str, **extra: Any) -> Any:
    cfg = parse_canary_config(
        {
            "name": "s",
            "metrics": [
                {
                    "name": metric,
                    "query": {"type": "sandbox", "metric": metric, **extra},
                    "groups": ["g"],
                    "scopeName": "default",
                }
            ],
        }
    )
    end = datetime.now(UTC)
    canary_scope = CanaryScope(
        scope=scope, location="prod", start=end - timedelta(seconds=2), end=end, step=0.5
    )
    return cfg, MetricQueryContext(cfg, cfg.metrics[0], canary_scope)


def test_rates_and_latency_come_from_repeated_scrapes(pods: SimulatedPods) -> None:
    for i in range(2):
        pods.add({"pod": f"web-v002-{i}abcd", "namespace": "prod", "app": "web"}, 50.0, 0.1, 0.2)
    pods.add({"pod": "web-v002-x", "namespace": "other"}, 1000.0, 1.0, 9.0)  # another namespace: ignored
    pods.add({"pod": "web-v0020-z", "namespace": "prod"}, 1000.0, 1.0, 9.0)  # another server group: ignored
    accounts = MetricsAccountSet([sandbox_account(pods.url)])
    transport = HttpMetricsTransport(accounts)
    _, context = query("errorRate", "web-v002")
    query_metrics(context, transport, "sandbox")  # starts the collector
    time.sleep(3)
    results = {}
    for metric in ("requestRate", "errorRate", "latency"):
        _, context = query(metric, "web-v002")
        (series,) = query_metrics(context, transport, "sandbox")
        assert series.step_millis == 500 and len(series.values) == 4
        finite = [v for v in series.values if math.isfinite(v)]
        assert len(finite) >= 3, series.values
        results[metric] = finite
    assert all(abs(v - 100.0) < 15 for v in results["requestRate"])
    assert all(abs(v - 0.1) < 1e-9 for v in results["errorRate"])
    assert all(abs(v - 0.2) < 1e-9 for v in results["latency"])
    _, context = query("gauge", "web-v002", metricName="sandbox_pod_cpu_ratio", labels={"app": "web"})
    (gauge,) = query_metrics(context, transport, "sandbox")
    assert 0.25 in gauge.values


def test_an_unreachable_sandbox_endpoint_is_a_clear_error() -> None:
    accounts = MetricsAccountSet([sandbox_account(f"http://127.0.0.1:{free_port()}/metrics")])
    transport = HttpMetricsTransport(accounts)
    _, context = query("errorRate", "web")
    deadline = time.monotonic() + 10
    while True:
        try:
            query_metrics(context, transport, "sandbox")
        except MetricSourceUnavailableError as error:
            assert "metrics account 'sandbox': cannot scrape http://127.0.0.1:" in str(error)
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    stop_sandbox_collectors()


@pytest.mark.slow
def test_a_canary_judged_from_sandbox_metrics_fails_on_a_higher_error_rate(
    tmp_path: Path, pods: SimulatedPods
) -> None:
    prefix = "s" + uuid.uuid4().hex[:6]
    pods.add({"pod": f"{prefix}-v001-aaaaa", "namespace": "prod"}, 40.0, 0.01, 0.1)
    pods.add({"pod": f"{prefix}-v002-bbbbb", "namespace": "prod"}, 40.0, 0.12, 0.1)
    for engine in make_canary_engine(tmp_path, [sandbox_account(pods.url)]):
        config = {
            "name": "sandbox-canary",
            "applications": ["app"],
            "metrics": [
                {
                    "name": "error rate",
                    "query": {"type": "sandbox", "metric": "errorRate"},
                    "groups": ["errors"],
                    "analysisConfigurations": {"canary": {"direction": "increase", "nanStrategy": "remove"}},
                    "scopeName": "default",
                },
                {
                    "name": "latency",
                    "query": {"type": "sandbox", "metric": "latency"},
                    "groups": ["latency"],
                    "scopeName": "default",
                },
            ],
            "classifier": {"groupWeights": {"errors": 50, "latency": 50}},
        }
        config_id = engine.canary.create_config(config, principal="tester")["canaryConfigId"]
        stage = {
            "refId": "1",
            "type": "kayentaCanary",
            "canaryConfig": {
                "canaryConfigId": config_id,
                "metricsAccountName": "sandbox",
                "scopes": [
                    {
                        "controlScope": f"{prefix}-v001",
                        "controlLocation": "prod",
                        "experimentScope": f"{prefix}-v002",
                        "experimentLocation": "prod",
                        "step": 0.25,
                    }
                ],
                "lifetimeDuration": "PT3S",
                "scoreThresholds": {"pass": 95, "marginal": 75},
            },
        }
        execution = engine.wait(engine.run_pipeline([stage]))
        assert execution["status"] == "TERMINAL"
        (canary,) = [s for s in execution["stages"] if s["type"] == "kayentaCanary"]
        report = engine.canary.get_canary_report(execution["id"], canary["id"])
        labels = {m["name"]: m["classification"] for m in report["intervals"][0]["metrics"]}
        assert labels == {"error rate": "High", "latency": "Pass"}
