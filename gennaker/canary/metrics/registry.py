"""The metric-source registry: one entry per query ``type``, each a pure "build request / parse answer" pair.

Who uses it: the canary run (to fetch a metric for a scope) and the ``/metrics`` style API endpoints; built-in
sources register themselves by calling :func:`register_metric_source` (``prometheus``, ``datadog``, ``http``
and ``sandbox`` are imported on first use).

A source never does I/O. It turns a :class:`MetricQueryContext` into a query string
(:meth:`MetricSource.build_query`) and an :class:`HttpRequestSpec` (:meth:`MetricSource.build_request`), and
turns the decoded answer into ``MetricSet`` s (:meth:`MetricSource.parse_response`). The one adapter that
talks HTTP (a :class:`MetricsTransport`, built by the HTTP-adapter work, tested against real local peers)
executes the spec against the metrics account's base URL with its credentials; :func:`query_metrics` glues the
three steps.

Invariants: every source returns at least one ``MetricSet`` per query (an empty one when the backend had no
data, which the mixer NaN-pads); an unknown ``type`` raises
:class:`~gennaker.canary.errors.UnknownMetricSourceError` naming it and the known types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from gennaker.canary.config import CanaryConfig, CanaryMetricConfig
from gennaker.canary.errors import UnknownMetricSourceError
from gennaker.canary.metrics.model import MetricSet
from gennaker.canary.scope import CanaryScope


@dataclass(frozen=True)
class MetricQueryContext:
    """Everything a source needs to build one metric's query for one scope."""

    canary_config: CanaryConfig
    metric: CanaryMetricConfig
    scope: CanaryScope
    #: Per-account settings a source may honour (e.g. Prometheus ``scopeLabel``); never credentials.
    account_settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpRequestSpec:
    """An HTTP request relative to the metrics account's base URL (the transport adds host and
    credentials)."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    json_body: Any = None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any  # decoded JSON (or the raw text when the body was not JSON)


class MetricSource(Protocol):
    @property
    def type_name(self) -> str:
        """The query ``type`` this source handles (``"prometheus"``...)."""
        ...

    def build_query(self, context: MetricQueryContext) -> str: ...

    def build_request(self, context: MetricQueryContext, query: str) -> HttpRequestSpec: ...

    def parse_response(
        self, context: MetricQueryContext, query: str, response: HttpResponse
    ) -> list[MetricSet]: ...


class MetricsTransport(Protocol):
    """Executes a request against a metrics account (implemented by the HTTP adapter)."""

    def execute(self, account_name: str, request: HttpRequestSpec) -> HttpResponse: ...


_SOURCES: dict[str, MetricSource] = {}


def register_metric_source(source: MetricSource) -> MetricSource:
    """Register ``source`` for its ``type_name``; registering another source for the same type is an error."""
    existing = _SOURCES.get(source.type_name)
    if existing is not None and existing is not source:
        raise ValueError(f"metric source type {source.type_name!r} is already registered")
    _SOURCES[source.type_name] = source
    return source


def _load_builtins() -> None:
    import gennaker.canary.metrics.datadog
    import gennaker.canary.metrics.http_json
    import gennaker.canary.metrics.prometheus
    import gennaker.canary.metrics.sandbox  # noqa: F401  (each registers itself)


def metric_source_names() -> list[str]:
    _load_builtins()
    return sorted(_SOURCES)


def metric_source_for(type_name: str) -> MetricSource:
    _load_builtins()
    source = _SOURCES.get(type_name)
    if source is None:
        known = ", ".join(sorted(_SOURCES)) or "none"
        raise UnknownMetricSourceError(
            f"no metric source can fetch query type {type_name!r} (sources available: {known})"
        )
    return source


def query_metrics(
    context: MetricQueryContext, transport: MetricsTransport, account_name: str
) -> list[MetricSet]:
    """Build, send and parse one metric query for one scope."""
    source = metric_source_for(context.metric.query.type)
    query = source.build_query(context)
    response = transport.execute(account_name, source.build_request(context, query))
    return source.parse_response(context, query, response)
