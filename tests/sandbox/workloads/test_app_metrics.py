"""Simulated application metrics: deterministic series shaped by annotations, the Prometheus exposition, the
JSON range API, and a real Prometheus (Debian ``prometheus``) scraping the sandbox and answering queries."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.appmetrics.model import BUCKETS, ERRORS, REQUESTS, PodSeries, Shape, quantile
from gennaker.sandbox.appmetrics.registry import label_name
from gennaker.sandbox.simulation import SimulationSettings

from ..conftest import Kubectl, make_kubectl

pytestmark = pytest.mark.timeout(120)

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def deployment(name: str, replicas: int, annotations: str) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata:
      labels: {{app: {name}, app.kubernetes.io/version: "1.0", track: {name}}}
      annotations: {{{annotations}}}
    spec: {{containers: [{{name: app, image: nginx}}]}}
"""


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:
        body = r.read().decode()
        return body if "json" not in r.headers.get("Content-Type", "") else json.loads(body)


def test_series_are_deterministic_and_follow_their_shape() -> None:
    shape = Shape(rps=50, error_rate=0.2, latency_mean=0.2, sigma=0.3, seed=7)
    a, b = PodSeries(shape, 1_000_000), PodSeries(shape, 1_000_000)
    late = a.at(1_000_000 + 3_000)
    assert late is not None
    for t in (1_000_000 + 59, 1_000_000 + 61, 1_000_000 + 3_000):  # any order, same answers
        assert np.array_equal(b.at(t), a.at(t))
    assert a.at(999_999) is None
    requests, errors = late[REQUESTS], late[ERRORS]
    assert abs(requests / 3_000 - 50) < 2.5 and abs(errors / requests - 0.2) < 0.02
    p50 = quantile(0.5, late[3:], requests)
    assert p50 is not None and 0.15 < p50 < 0.25
    other = PodSeries(Shape(50, 0.2, 0.2, 0.3, seed=8), 1_000_000).at(1_000_000 + 3_000)
    assert not np.array_equal(other, late)
    assert len(BUCKETS) == 11


def test_label_names_are_sanitised() -> None:
    assert label_name("app.kubernetes.io/name") == "app_kubernetes_io_name"
    assert label_name("pod-template-hash") == "pod_template_hash"
    assert label_name("namespace") == "label_namespace" and label_name("9x") == "_9x"


def test_exposition_and_range_api(cluster: SandboxCluster, kubectl: Kubectl, ns: str) -> None:
    shape = '"sandbox.gennaker.io/metrics-rps": "40", "sandbox.gennaker.io/metrics-error-rate": "0.5"'
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("m", 2, shape))
    kubectl("rollout", "status", "deploy/m", "-n", ns, "--timeout=60s")
    time.sleep(2.2)
    text = get(f"{cluster.url}/metrics?namespace={ns}")
    assert "# TYPE sandbox_http_requests_total counter" in text
    assert "# TYPE sandbox_http_request_duration_seconds histogram" in text
    rows = [line for line in text.splitlines() if line.startswith("sandbox_http_requests_total{")]
    assert len(rows) == 2
    assert (
        f'namespace="{ns}"' in rows[0]
        and 'app="m"' in rows[0]
        and 'app_kubernetes_io_version="1.0"' in rows[0]
    )
    assert int(rows[0].rsplit(" ", 1)[1]) > 20
    assert 'le="+Inf"' in text and "sandbox_http_request_duration_seconds_count{" in text
    now = time.time()
    query = urllib.parse.urlencode(
        {
            "metric": "error_rate",
            "start": now - 1,
            "end": now,
            "step": 1,
            "namespace": ns,
            "labelSelector": "app=m",
        }
    )
    body = get(f"{cluster.url}/_sandbox/metrics/query_range?{query}")
    assert body["metric"] == "error_rate" and len(body["series"]) == 2
    values = [v for s in body["series"] for _, v in s["values"] if v is not None]
    assert values and all(0.0 <= v <= 1.0 for v in values)
    assert body["series"][0]["labels"]["app"] == "m"
    same = cluster.metrics.query_range("requests", start=now, end=now, step=1, namespace=ns)
    assert sorted(s["values"][0][1] for s in same) == sorted(
        s["values"][0][1]
        for s in cluster.metrics.query_range("requests", start=now, end=now, step=1, namespace=ns)
    )
    bad = urllib.request.Request(f"{cluster.url}/_sandbox/metrics/query_range?metric=cpu")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(bad, timeout=10)
    assert err.value.code == 400 and "metric must be one of requests" in json.loads(err.value.read())["error"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_real_prometheus_scrapes_the_sandbox(tmp_path: Path) -> None:
    assert Path(PROMETHEUS).exists(), (
        "the Debian prometheus package (scripts/system-packages.txt) is required"
    )
    with SandboxCluster(port=0, simulation=SimulationSettings(start_delay=0, ready_delay=0)) as sandbox:
        k = make_kubectl(sandbox, tmp_path / "home")
        k("create", "namespace", "canary")
        k(
            "apply",
            "-n",
            "canary",
            "-f",
            "-",
            input=deployment("base", 1, '"sandbox.gennaker.io/metrics-error-rate": "0"'),
        )
        k(
            "apply",
            "-n",
            "canary",
            "-f",
            "-",
            input=deployment("bad", 1, '"sandbox.gennaker.io/metrics-error-rate": "0.5"'),
        )
        k("rollout", "status", "deploy/base", "-n", "canary", "--timeout=60s")
        k("rollout", "status", "deploy/bad", "-n", "canary", "--timeout=60s")
        port = _free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            f"- job_name: sandbox\n  static_configs: [{{targets: ['127.0.0.1:{sandbox.port}']}}]\n"
        )
        proc = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            api = f"http://127.0.0.1:{port}/api/v1/query?query="

            def query(promql: str) -> list[dict[str, Any]]:
                try:
                    return list(get(api + urllib.parse.quote(promql))["data"]["result"])
                except (OSError, KeyError, ValueError):
                    return []

            deadline = time.monotonic() + 60
            rates: list[dict[str, Any]] = []
            while time.monotonic() < deadline:
                rates = query(
                    'sum by (app) (rate(sandbox_http_request_errors_total{namespace="canary"}[5s]))'
                )
                if len(rates) == 2 and all(float(r["value"][1]) >= 0 for r in rates):
                    by_app = {r["metric"]["app"]: float(r["value"][1]) for r in rates}
                    if by_app.get("bad", 0) > 1:
                        break
                time.sleep(0.5)
            by_app = {r["metric"]["app"]: float(r["value"][1]) for r in rates}
            assert by_app.get("base") == 0.0 and by_app.get("bad", 0) > 1, rates
            series = query('sandbox_http_requests_total{namespace="canary",app="bad"}')
            assert series and series[0]["metric"]["pod"].startswith("bad-") and series[0]["metric"]["node"]
            p99 = query(
                "histogram_quantile(0.99, sum by (le) "
                '(rate(sandbox_http_request_duration_seconds_bucket{app="base"}[5s])))'
            )
            assert p99 and 0.0 < float(p99[0]["value"][1]) < 10.0
        finally:
            proc.terminate()
            proc.wait(timeout=15)
