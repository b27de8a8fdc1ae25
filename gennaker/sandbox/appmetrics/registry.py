"""Application metrics of every running pod: the ``/metrics`` exposition and per-pod range queries.

Who calls it: the HTTP routes in :mod:`gennaker.sandbox.appmetrics.routes` and Python callers through
``cluster.metrics`` (the canary's ``sandbox`` metric source, tests).

Series (one per pod whose first app container is running; see :mod:`.model` for how values evolve):

- ``sandbox_http_requests_total`` (counter), ``sandbox_http_request_errors_total`` (counter),
- ``sandbox_http_request_duration_seconds`` (histogram: ``_bucket{le=...}``, ``_sum``, ``_count``),

each labelled ``namespace``, ``pod``, ``node`` and every pod label, its name sanitised for Prometheus
(characters outside ``[a-zA-Z0-9_]`` become ``_``; a leading digit gets ``_``; a name that would clash with
``namespace``/``pod``/``node``/``le`` or start with ``__`` is prefixed ``label_``): ``app="web"``,
``pod_template_hash="7d4b9c8f5"``, ``app_kubernetes_io_name="web"``.

:meth:`AppMetrics.query_range` evaluates, for the pods selected now, one value per step over a window:
``requests`` / ``errors`` (counter values), ``request_rate`` / ``error_count_rate`` (per second over the
step), ``error_rate`` (errors / requests over the step), ``latency_mean`` and ``latency_p50|p90|p95|p99``
(seconds, from the step's histogram increase as ``histogram_quantile`` computes them). Values before a
pod started, or of a step without requests, are ``None``. Nothing persists.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..selectors import LabelSelector
from ..simulation import Simulation
from ..workloads.common import PODS, meta, parse_time
from .model import BUCKETS, ERRORS, FIRST_BUCKET, LATENCY_SUM, REQUESTS, PodSeries, Shape, quantile

if TYPE_CHECKING:
    from ..store import ObjectStore

Obj = dict[str, Any]
RESERVED = frozenset({"namespace", "pod", "node", "le", "job", "instance"})
QUANTILES = {"latency_p50": 0.5, "latency_p90": 0.9, "latency_p95": 0.95, "latency_p99": 0.99}
RANGE_METRICS = (
    "requests",
    "errors",
    "request_rate",
    "error_count_rate",
    "error_rate",
    "latency_mean",
    *QUANTILES,
)
MAX_POINTS = 11_000


class MetricsQueryError(ValueError):
    """A range query that cannot be answered (the message names the bad parameter)."""


def label_name(key: str) -> str:
    name = re.sub(r"[^a-zA-Z0-9_]", "_", key)
    if not name or name[0].isdigit():
        name = "_" + name
    if name in RESERVED or name.startswith("__"):
        name = "label_" + name.lstrip("_")
    return name


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def running_since(pod: Mapping[str, Any]) -> float | None:
    """When the first app container's current run started (None unless running)."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        if names and cs.get("name") == names[0]:
            return parse_time(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
    return None


@dataclass(frozen=True)
class PodInfo:
    namespace: str
    name: str
    node: str
    labels: dict[str, str]
    series: PodSeries

    def label_pairs(self) -> list[tuple[str, str]]:
        pairs = [("namespace", self.namespace), ("pod", self.name), ("node", self.node)]
        seen = {k for k, _ in pairs}
        for key, value in sorted(self.labels.items()):
            name = label_name(key)
            if name not in seen:
                seen.add(name)
                pairs.append((name, value))
        return pairs


class AppMetrics:
    """The simulated application metrics of one sandbox."""

    def __init__(self, store: ObjectStore, simulation: Simulation) -> None:
        self.store = store
        self.sim = simulation
        self._lock = threading.Lock()
        self._series: dict[tuple[str, float, Shape], PodSeries] = {}

    def pods(self, namespace: str | None = None, selector: LabelSelector | None = None) -> list[PodInfo]:
        out = []
        live: set[tuple[str, float, Shape]] = set()
        for pod in self.store.list_objects(PODS, namespace):
            start = running_since(pod)
            if start is None:
                continue
            m = meta(pod)
            labels = dict(m.get("labels") or {})
            if selector is not None and not selector.matches(labels):
                continue
            shape = Shape.of_pod(pod, self.sim.settings)
            key = (str(m.get("uid")), start, shape)
            live.add(key)
            with self._lock:
                series = self._series.get(key)
                if series is None:
                    series = self._series[key] = PodSeries(shape, start)
            out.append(
                PodInfo(
                    str(m.get("namespace")),
                    str(m.get("name")),
                    str((pod.get("spec") or {}).get("nodeName")),
                    labels,
                    series,
                )
            )
        if namespace is None and selector is None:
            with self._lock:
                for key in [k for k in self._series if k not in live]:
                    del self._series[key]
        return out

    # -- exposition
    def exposition(self, now: float | None = None, namespace: str | None = None) -> str:
        """The Prometheus text format (0.0.4) of every running pod's series at ``now``."""
        now = time.time() if now is None else now
        rows: list[tuple[str, np.ndarray]] = []
        for info in self.pods(namespace):
            totals = info.series.at(now)
            if totals is None:
                continue
            labels = ",".join(f'{k}="{escape(v)}"' for k, v in info.label_pairs())
            rows.append((labels, totals))
        lines = [
            "# HELP sandbox_http_requests_total Requests served by the pod (simulated by the sandbox).",
            "# TYPE sandbox_http_requests_total counter",
        ]
        lines += [f"sandbox_http_requests_total{{{labels}}} {int(t[REQUESTS])}" for labels, t in rows]
        lines += [
            "# HELP sandbox_http_request_errors_total Requests that failed (simulated by the sandbox).",
            "# TYPE sandbox_http_request_errors_total counter",
        ]
        lines += [f"sandbox_http_request_errors_total{{{labels}}} {int(t[ERRORS])}" for labels, t in rows]
        lines += [
            "# HELP sandbox_http_request_duration_seconds Request latency (simulated by the sandbox).",
            "# TYPE sandbox_http_request_duration_seconds histogram",
        ]
        for labels, t in rows:
            cumulative = np.cumsum(t[FIRST_BUCKET:])
            for le, count in zip(BUCKETS, cumulative, strict=True):
                lines.append(
                    f'sandbox_http_request_duration_seconds_bucket{{{labels},le="{le:g}"}} {int(count)}'
                )
            lines.append(
                f'sandbox_http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {int(t[REQUESTS])}'
            )
            lines.append(f"sandbox_http_request_duration_seconds_sum{{{labels}}} {t[LATENCY_SUM]:.6f}")
            lines.append(f"sandbox_http_request_duration_seconds_count{{{labels}}} {int(t[REQUESTS])}")
        return "\n".join(lines) + "\n"

    # -- range queries
    def query_range(
        self,
        metric: str,
        *,
        start: float,
        end: float,
        step: float,
        namespace: str | None = None,
        selector: LabelSelector | None = None,
    ) -> list[dict[str, Any]]:
        """Per-pod series of ``metric`` from ``start`` to ``end`` every ``step`` seconds (see the module)."""
        if metric not in RANGE_METRICS:
            raise MetricsQueryError(f"metric must be one of {', '.join(RANGE_METRICS)} (got {metric!r})")
        if not (math.isfinite(start) and math.isfinite(end) and math.isfinite(step)) or step <= 0:
            raise MetricsQueryError("start, end and step must be numbers, with step > 0")
        if end < start:
            raise MetricsQueryError("end must not be before start")
        if (end - start) / step > MAX_POINTS:
            raise MetricsQueryError(f"too many points: at most {MAX_POINTS} per series (raise step)")
        times = [start + i * step for i in range(int((end - start) / step + 1e-9) + 1)]
        out = []
        for info in self.pods(namespace, selector):
            values = [[t, self._value(info.series, metric, t, step)] for t in times]
            out.append(
                {
                    "namespace": info.namespace,
                    "pod": info.name,
                    "node": info.node,
                    "labels": dict(info.labels),
                    "values": values,
                }
            )
        return out

    def _value(self, series: PodSeries, metric: str, t: float, step: float) -> float | None:
        now = series.at(t)
        if now is None:
            return None
        if metric == "requests":
            return float(now[REQUESTS])
        if metric == "errors":
            return float(now[ERRORS])
        before = series.at(t - step)
        delta = now - (before if before is not None else 0.0)
        window = step if before is not None else max(1.0, t - series.start)
        requests = float(delta[REQUESTS])
        if metric == "request_rate":
            return requests / window
        if metric == "error_count_rate":
            return float(delta[ERRORS]) / window
        if requests <= 0:
            return None
        if metric == "error_rate":
            return float(delta[ERRORS]) / requests
        if metric == "latency_mean":
            return float(delta[LATENCY_SUM]) / requests
        return quantile(QUANTILES[metric], delta[FIRST_BUCKET:], requests)
