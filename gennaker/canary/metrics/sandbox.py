"""The ``sandbox`` metric source: request rate, error rate and latency of the sandbox cluster's simulated
pods, read straight from the sandbox's metrics endpoint, so a canary runs with nothing else installed.

Who uses it: the metric-source registry (registers itself and its account executor on import); the
``kayentaCanary`` stage and ``CanaryService`` start the collectors of sandbox accounts
(:func:`start_sandbox_collectors`) so that data exists before the first window ends.

The interface expected from the sandbox (``settings.baseUrl`` of a ``sandbox`` account is its URL, e.g.
``http://127.0.0.1:8001/metrics``): ``GET`` answers Prometheus text exposition with one series per pod,
labelled with ``pod``, ``namespace`` and the pod's own labels::

    sandbox_pod_requests_total{namespace="prod",pod="web-v002-7d9c",app="web"} 10234
    sandbox_pod_request_errors_total{...} 12
    sandbox_pod_request_duration_seconds_sum{...} 1532.1
    sandbox_pod_request_duration_seconds_count{...} 10234

(the embedded sandbox cluster serves the same counters as ``sandbox_http_requests_total``,
``sandbox_http_request_errors_total`` and ``sandbox_http_request_duration_seconds_{sum,count}``; both names
are read.)

Any other gauge can be read with ``metric: gauge``. The same endpoint can be scraped by a real Prometheus.

How series are made: the endpoint has no history, so a :class:`SandboxCollector` per account scrapes it
every ``scrapeIntervalSeconds`` (default 1) and keeps ``retentionSeconds`` (default 3600) of samples in
memory, as a tiny Prometheus would. A query for window ``[start, end]`` with step ``s`` gives
``(end-start)/s`` points; point k covers ``(start + k·s, start + (k+1)·s]``, using the last scrapes at or
before each end: ``requestRate`` = Δrequests per second between those scrapes, ``errorRate`` =
Δerrors/Δrequests, ``latency`` = Δduration_sum/Δduration_count (mean seconds), ``gauge`` = the mean of the
gauge over the pods at the end of the step. Counters are summed over the scope's pods (a pod counts when it
was seen at both ends; a counter that went down was reset and counts from zero). NaN where nothing was
scraped yet. Pods of a scope: the ``pod`` label is the scope or starts with ``<scope>-`` (a ReplicaSet's
pods), or — with the account setting ``scopeLabel`` — that label equals the scope; ``location``, when given,
must equal the ``namespace`` label; ``labels`` of the query must all match. One untagged series per scope.

Limits: the samples live in this process (a multi-process deployment should point a real Prometheus at the
sandbox instead); only what was scraped since the collector started can be judged.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from gennaker.canary.accounts import MetricsAccountConfig
from gennaker.canary.errors import MetricSourceResponseError, MetricSourceUnavailableError, QueryBuildError
from gennaker.canary.metrics.exposition import parse_exposition
from gennaker.canary.metrics.model import MetricSet
from gennaker.canary.metrics.prometheus import iso_from_millis
from gennaker.canary.metrics.registry import (
    HttpRequestSpec,
    HttpResponse,
    MetricQueryContext,
    register_metric_source,
)
from gennaker.canary.queries import SandboxQueryConfig

log = logging.getLogger(__name__)

REQUESTS = "sandbox_pod_requests_total"
ERRORS = "sandbox_pod_request_errors_total"
DURATION_SUM = "sandbox_pod_request_duration_seconds_sum"
DURATION_COUNT = "sandbox_pod_request_duration_seconds_count"
QUERY_PATH = "/query_range"
#: The names the embedded sandbox cluster's ``/metrics`` actually serves (``gennaker.sandbox.appmetrics``),
#: read as the interface's names above.
ALIASES = {
    REQUESTS: "sandbox_http_requests_total",
    ERRORS: "sandbox_http_request_errors_total",
    DURATION_SUM: "sandbox_http_request_duration_seconds_sum",
    DURATION_COUNT: "sandbox_http_request_duration_seconds_count",
}

Snapshot = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class SandboxCollector:
    """Scrapes one exposition endpoint on a daemon thread and keeps recent snapshots (time-ordered)."""

    def __init__(
        self, url: str, *, interval_s: float = 1.0, retention_s: float = 3600.0, timeout_s: float = 5.0
    ):
        self.url = url
        self.interval_s = interval_s
        self.retention_ms = int(retention_s * 1000)
        self.timeout_s = timeout_s
        self.last_error: str | None = None
        self._snapshots: deque[tuple[int, Snapshot]] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxCollector:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name=f"sandbox-metrics {self.url}", daemon=True
                )
                self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while not self._stop.is_set():
                began = time.monotonic()
                self.scrape_once(client)
                self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - began)))

    def scrape_once(self, client: httpx.Client) -> None:
        try:
            response = client.get(self.url)
            response.raise_for_status()
            samples = parse_exposition(response.text)
        except (httpx.HTTPError, ValueError) as error:
            self.last_error = f"{type(error).__name__}: {error}"
            log.debug("sandbox metrics %s: %s", self.url, self.last_error)
            return
        now = time.time_ns() // 1_000_000
        snapshot: Snapshot = {(s.name, s.labels): s.value for s in samples}
        with self._lock:
            self._snapshots.append((now, snapshot))
            while self._snapshots and self._snapshots[0][0] < now - self.retention_ms:
                self._snapshots.popleft()
        self.last_error = None

    def snapshots(self) -> list[tuple[int, Snapshot]]:
        with self._lock:
            return list(self._snapshots)


_COLLECTORS: dict[tuple[str, str], SandboxCollector] = {}
_COLLECTORS_LOCK = threading.Lock()


def collector_for(account: MetricsAccountConfig) -> SandboxCollector:
    """The running collector of a sandbox account (started on first use)."""
    key = (account.name, account.base_url)
    with _COLLECTORS_LOCK:
        collector = _COLLECTORS.get(key)
        if collector is None:
            collector = SandboxCollector(
                account.base_url,
                interval_s=float(account.setting("scrapeIntervalSeconds", 1.0)),
                retention_s=float(account.setting("retentionSeconds", 3600.0)),
                timeout_s=min(account.timeout_seconds, 10.0),
            )
            _COLLECTORS[key] = collector
    return collector.start()


def start_sandbox_collectors(accounts: Iterable[MetricsAccountConfig]) -> None:
    """Start scraping for every sandbox account (call before a canary's windows begin)."""
    for account in accounts:
        if account.type == "sandbox":
            collector_for(account)


def stop_sandbox_collectors() -> None:
    with _COLLECTORS_LOCK:
        collectors = list(_COLLECTORS.values())
        _COLLECTORS.clear()
    for collector in collectors:
        collector.stop()


# ---------------------------------------------------------------- series from snapshots


def _matches(labels: Mapping[str, str], params: Mapping[str, Any]) -> bool:
    scope = params.get("scope") or ""
    scope_label = params.get("scopeLabel") or ""
    if scope:
        if scope_label:
            if labels.get(scope_label) != scope:
                return False
        else:
            pod = labels.get("pod", "")
            if pod != scope and not pod.startswith(scope + "-"):
                return False
    location = params.get("location") or ""
    if location and "namespace" in labels and labels["namespace"] != location:
        return False
    wanted: Mapping[str, str] = params.get("labels") or {}
    return all(labels.get(k) == v for k, v in wanted.items())


def _at(snapshots: list[tuple[int, Snapshot]], moment: int) -> tuple[int, Snapshot] | None:
    """The last snapshot taken at or before ``moment``, with its time."""
    found = None
    for stamp, snapshot in snapshots:
        if stamp > moment:
            break
        found = (stamp, snapshot)
    return found


def _pods(
    snapshot: Snapshot, name: str, params: Mapping[str, Any]
) -> dict[tuple[tuple[str, str], ...], float]:
    names = (name, ALIASES.get(name, name))
    return {labels: v for (n, labels), v in snapshot.items() if n in names and _matches(dict(labels), params)}


def _increase(before: Snapshot, after: Snapshot, name: str, params: Mapping[str, Any]) -> float | None:
    old, new = _pods(before, name, params), _pods(after, name, params)
    common = set(old) & set(new)
    if not common:
        return None
    total = 0.0
    for pod in common:
        delta = new[pod] - old[pod]
        total += new[pod] if delta < 0 else delta
    return total


def compute_series(snapshots: list[tuple[int, Snapshot]], params: Mapping[str, Any]) -> list[float]:
    """The values of one query over its window (see the module docstring)."""
    start, end, step = int(params["start"]), int(params["end"]), int(params["step"])
    metric = params.get("metric", "errorRate")
    values: list[float] = []
    for k in range((end - start) // step):
        low, high = start + k * step, start + (k + 1) * step
        found_after = _at(snapshots, high)
        found_before = _at(snapshots, low)
        if found_after is None:
            values.append(math.nan)
            continue
        after_ms, after = found_after
        if metric == "gauge":
            pods = _pods(after, str(params.get("metricName") or ""), params)
            values.append(sum(pods.values()) / len(pods) if pods else math.nan)
            continue
        if found_before is None or found_before[0] == after_ms:
            values.append(math.nan)
            continue
        before_ms, before = found_before
        if metric == "requestRate":  # per second of the time between the two scrapes used
            total = _increase(before, after, REQUESTS, params)
            values.append(math.nan if total is None else total / ((after_ms - before_ms) / 1000))
        elif metric == "errorRate":
            errors = _increase(before, after, ERRORS, params)
            requests = _increase(before, after, REQUESTS, params)
            ok = errors is not None and requests
            values.append(errors / requests if ok else math.nan)  # type: ignore[operator]
        else:  # latency
            seconds = _increase(before, after, DURATION_SUM, params)
            count = _increase(before, after, DURATION_COUNT, params)
            values.append(seconds / count if seconds is not None and count else math.nan)
    return values


def execute_sandbox_request(account: MetricsAccountConfig, request: HttpRequestSpec) -> HttpResponse:
    """The account executor: answers the source's range request from the collector's snapshots."""
    collector = collector_for(account)
    snapshots = collector.snapshots()
    if not snapshots and collector.last_error is not None:
        raise MetricSourceUnavailableError(
            f"metrics account {account.name!r}: cannot scrape {account.base_url} ({collector.last_error})"
        )
    params: dict[str, Any] = dict(request.params)
    params["labels"] = json.loads(str(params.get("labels") or "{}"))
    params["scopeLabel"] = account.setting("scopeLabel", "")
    values = compute_series(snapshots, params)
    return HttpResponse(200, {"start": int(params["start"]), "step": int(params["step"]), "values": values})


class SandboxMetricSource:
    type_name = "sandbox"

    def _config(self, context: MetricQueryContext) -> SandboxQueryConfig:
        query = context.metric.query
        if not isinstance(query, SandboxQueryConfig):
            raise QueryBuildError(f"metric {context.metric.name!r}: query type {query.type!r} is not sandbox")
        if query.metric == "gauge" and not query.metric_name:
            raise QueryBuildError(f"metric {context.metric.name!r}: metric 'gauge' needs query.metricName")
        return query

    def build_query(self, context: MetricQueryContext) -> str:
        query = self._config(context)
        selector = {"scope": context.scope.scope or "", **query.labels}
        if context.scope.location:
            selector["namespace"] = context.scope.location
        inner = ",".join(f'{k}="{v}"' for k, v in selector.items())
        what = query.metric_name if query.metric == "gauge" else query.metric
        return f"{what}{{{inner}}}"

    def build_request(self, context: MetricQueryContext, query: str) -> HttpRequestSpec:
        config = self._config(context)
        scope = context.scope
        if scope.start is None or scope.end is None:
            raise QueryBuildError(f"metric {context.metric.name!r}: start and end times are required")
        return HttpRequestSpec(
            method="GET",
            path=QUERY_PATH,
            params={
                "metric": config.metric,
                "metricName": config.metric_name or "",
                "labels": json.dumps(config.labels),
                "scope": scope.scope or "",
                "location": scope.location or "",
                "start": str(scope.start_millis()),
                "end": str(scope.end_millis()),
                "step": str(scope.step_millis),
            },
        )

    def parse_response(
        self, context: MetricQueryContext, query: str, response: HttpResponse
    ) -> list[MetricSet]:
        body = response.body
        if not isinstance(body, dict) or not isinstance(body.get("values"), list):
            raise MetricSourceResponseError(
                f"sandbox answer for metric {context.metric.name!r} is not a series"
            )
        start, step = int(body["start"]), int(body["step"])
        values = [float(v) for v in body["values"]]
        end = start + len(values) * step
        return [
            MetricSet(
                name=context.metric.name,
                values=values,
                startTimeMillis=start,
                startTimeIso=iso_from_millis(start),
                endTimeMillis=end,
                endTimeIso=iso_from_millis(end),
                stepMillis=step,
                attributes={"query": query},
            )
        ]


SANDBOX = SandboxMetricSource()
register_metric_source(SANDBOX)


def _register_executor() -> None:
    from gennaker.canary.transport import register_account_executor

    register_account_executor("sandbox", execute_sandbox_request)


_register_executor()
