"""HTTP routes of the simulated application metrics.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` (``add_route``). Clients: a real Prometheus
scraping the sandbox, the canary's ``sandbox`` metric source, curl.

- ``GET /metrics`` -> Prometheus text format 0.0.4 (``text/plain; version=0.0.4``) with every running
  pod's series (see :mod:`.registry`); ``?namespace=ns`` limits it to one namespace.
- ``GET /_sandbox/metrics/query_range?metric=M&start=S&end=E&step=T[&namespace=N][&labelSelector=L]``
  -> ``{"metric": M, "start": S, "end": E, "step": T, "series": [{"namespace", "pod", "node", "labels",
  "values": [[t, v or null], ...]}]}``; ``start``/``end`` are epoch seconds (default: the last 5 minutes),
  ``step`` seconds (default 10). Errors are 400 ``{"error": "..."}`` naming the bad parameter.
Nothing persists.
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import ApiError
from ..selectors import parse_label_selector
from ..web.types import Request, Response
from .registry import AppMetrics, MetricsQueryError

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_handler(metrics: AppMetrics) -> Any:
    def handle(req: Request) -> Response:
        if req.method not in ("GET", "HEAD"):
            return Response.json({"error": f"{req.method} is not supported on {req.path}"}, 405)
        text = metrics.exposition(namespace=req.param("namespace") or None)
        return Response(200, text.encode("utf-8"), CONTENT_TYPE)

    return handle


def _number(req: Request, name: str, default: float) -> float:
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as e:
        raise MetricsQueryError(f"{name} must be a number of seconds (got {raw!r})") from e


def query_range_handler(metrics: AppMetrics) -> Any:
    def handle(req: Request) -> Response:
        if req.method != "GET":
            return Response.json({"error": f"{req.method} is not supported on {req.path}"}, 405)
        try:
            now = time.time()
            end = _number(req, "end", now)
            start = _number(req, "start", end - 300)
            step = _number(req, "step", 10)
            metric = req.param("metric") or ""
            try:
                selector = parse_label_selector(req.param("labelSelector"))
            except ApiError as e:
                raise MetricsQueryError(f"labelSelector: {e.message}") from e
            series = metrics.query_range(
                metric,
                start=start,
                end=end,
                step=step,
                namespace=req.param("namespace") or None,
                selector=selector if selector.requirements else None,
            )
        except MetricsQueryError as e:
            return Response.json({"error": str(e)}, 400)
        return Response.json({"metric": metric, "start": start, "end": end, "step": step, "series": series})

    return handle
