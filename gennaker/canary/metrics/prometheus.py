"""The ``prometheus`` metric source: query building, the ``query_range`` request, and reading the answer.

Who uses it: the metric-source registry (it registers itself on import) and, through it, the canary run. The
HTTP adapter executes the request this module describes against a real Prometheus.

Request: ``GET /api/v1/query_range`` with ``query``, ``start`` and ``end`` (RFC 3339) and ``step`` (seconds)
from the scope.

Answer (Prometheus' JSON API): ``{"status": "success", "data": {"resultType": "matrix", "result": [{"metric":
{labels}, "values": [[<unix seconds>, "<value>"], ...]}]}}``. As Kayenta reads it:

* one ``MetricSet`` per series, named after the canary metric, tagged with the series' labels minus
  ``__name__``, with the query in ``attributes.query``;
* values parse ``"NaN"``, ``"+Inf"`` and ``"-Inf"``; the start is the first timestamp, the step the distance
  between the first two (0 with one point), the end ``start + count·step``;
* no series at all gives one empty, untagged set spanning the scope (later NaN-padded by the mixer);
* ``"status": "error"`` (a PromQL error...) raises
  :class:`~gennaker.canary.errors.MetricSourceResponseError` with Prometheus' ``errorType`` and message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gennaker.canary.errors import MetricSourceResponseError, QueryBuildError
from gennaker.canary.metrics.model import MetricSet, parse_json_double
from gennaker.canary.metrics.prometheus_query import DEFAULT_SCOPE_LABEL, build_prometheus_query
from gennaker.canary.metrics.registry import (
    HttpRequestSpec,
    HttpResponse,
    MetricQueryContext,
    register_metric_source,
)
from gennaker.canary.queries import PrometheusQueryConfig

QUERY_RANGE_PATH = "/api/v1/query_range"


def iso_from_millis(millis: int) -> str:
    """An instant as Java's ``Instant.toString`` writes it (``Z``, milliseconds only when non-zero)."""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if millis % 1000:
        text += f".{millis % 1000:03d}"
    return text + "Z"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _seconds_to_millis(value: Any) -> int:
    return round(float(value) * 1000)


class PrometheusMetricSource:
    """Kayenta-compatible Prometheus source."""

    type_name = "prometheus"

    def _query_config(self, context: MetricQueryContext) -> PrometheusQueryConfig:
        query = context.metric.query
        if not isinstance(query, PrometheusQueryConfig):
            raise QueryBuildError(
                f"metric {context.metric.name!r}: query type {query.type!r} is not prometheus"
            )
        return query

    def build_query(self, context: MetricQueryContext) -> str:
        return build_prometheus_query(
            context.canary_config,
            context.metric.name,
            self._query_config(context),
            context.scope,
            scope_label=context.account_settings.get("scopeLabel", DEFAULT_SCOPE_LABEL),
        )

    def build_request(self, context: MetricQueryContext, query: str) -> HttpRequestSpec:
        scope = context.scope
        if scope.start is None:
            raise QueryBuildError(f"metric {context.metric.name!r}: Start time is required.")
        if scope.end is None:
            raise QueryBuildError(f"metric {context.metric.name!r}: End time is required.")
        return HttpRequestSpec(
            method="GET",
            path=QUERY_RANGE_PATH,
            params={
                "query": query,
                "start": _rfc3339(scope.start),
                "end": _rfc3339(scope.end),
                "step": scope.step_text(),
            },
        )

    def parse_response(
        self, context: MetricQueryContext, query: str, response: HttpResponse
    ) -> list[MetricSet]:
        return parse_query_range(context, query, response)


def _empty_set(context: MetricQueryContext, query: str) -> MetricSet:
    scope = context.scope
    start = scope.start_millis() or 0
    end = scope.end_millis() or 0
    return MetricSet(
        name=context.metric.name,
        tags={},
        values=[],
        startTimeMillis=start,
        startTimeIso=iso_from_millis(start),
        endTimeMillis=end,
        endTimeIso=iso_from_millis(end),
        stepMillis=scope.step_millis,
        attributes={"query": query},
    )


def _series_set(context: MetricQueryContext, query: str, series: Any, index: int) -> MetricSet:
    where = f"Prometheus answer for metric {context.metric.name!r}, series {index}"
    if not isinstance(series, dict):
        raise MetricSourceResponseError(f"{where}: expected an object, got {type(series).__name__}")
    labels = series.get("metric") or {}
    raw_values = series.get("values")
    if not isinstance(labels, dict) or not isinstance(raw_values, list):
        raise MetricSourceResponseError(f"{where}: expected 'metric' labels and a 'values' list")
    tags = {str(k): str(v) for k, v in labels.items() if k != "__name__"}
    if not raw_values:
        empty = _empty_set(context, query)
        return empty.model_copy(update={"tags": tags})
    values: list[float] = []
    for position, point in enumerate(raw_values):
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise MetricSourceResponseError(f"{where}: point {position} is not a [timestamp, value] pair")
        try:
            values.append(parse_json_double(point[1]))
        except ValueError as error:
            raise MetricSourceResponseError(f"{where}: point {position}: {error}") from error
    try:
        start = _seconds_to_millis(raw_values[0][0])
        step_millis = _seconds_to_millis(raw_values[1][0]) - start if len(raw_values) > 1 else 0
    except (TypeError, ValueError) as error:
        raise MetricSourceResponseError(f"{where}: timestamps must be numbers ({error})") from error
    end = start + len(values) * step_millis
    return MetricSet(
        name=context.metric.name,
        tags=tags,
        values=values,
        startTimeMillis=start,
        startTimeIso=iso_from_millis(start),
        endTimeMillis=end,
        endTimeIso=iso_from_millis(end),
        stepMillis=step_millis,
        attributes={"query": query},
    )


def parse_query_range(context: MetricQueryContext, query: str, response: HttpResponse) -> list[MetricSet]:
    """MetricSets from a ``query_range`` answer; raises ``MetricSourceResponseError`` for error answers."""
    body = response.body
    metric = context.metric.name
    if isinstance(body, dict) and body.get("status") == "error":
        raise MetricSourceResponseError(
            f"Prometheus rejected the query for metric {metric!r} ({body.get('errorType', 'error')}): "
            f"{body.get('error', 'no message')} -- query: {query}"
        )
    if response.status >= 400:
        raise MetricSourceResponseError(f"Prometheus answered HTTP {response.status} for metric {metric!r}")
    if (
        not isinstance(body, dict)
        or body.get("status") != "success"
        or not isinstance(body.get("data"), dict)
    ):
        raise MetricSourceResponseError(
            f"Prometheus answer for metric {metric!r} is not a query_range result"
        )
    data = body["data"]
    if data.get("resultType") not in (None, "matrix"):
        raise MetricSourceResponseError(
            f"Prometheus answer for metric {metric!r}: expected a matrix, got {data.get('resultType')!r}"
        )
    result = data.get("result") or []
    if not isinstance(result, list):
        raise MetricSourceResponseError(f"Prometheus answer for metric {metric!r}: 'result' is not a list")
    if not result:
        return [_empty_set(context, query)]
    return [_series_set(context, query, series, index) for index, series in enumerate(result)]


PROMETHEUS = PrometheusMetricSource()
register_metric_source(PROMETHEUS)
