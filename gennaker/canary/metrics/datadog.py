"""The ``datadog`` metric source: Kayenta's Datadog query building and Datadog's v1 ``/api/v1/query`` answer.

Who uses it: the metric-source registry (registers itself on import), hence the canary run. The HTTP adapter
sends the request with the account's ``DD-API-KEY`` and ``DD-APPLICATION-KEY`` headers (never in the URL).

Query (Kayenta's ``DatadogMetricsService.buildQuery``): the custom filter (inline template, else named
template) expanded with the scope variables is the whole query; without one, ``<metricName>{<scope>}`` — e.g.
metricName ``avg:system.cpu.user`` and scope ``host:web-1`` give ``avg:system.cpu.user{host:web-1}``.

Request: ``GET /api/v1/query?from=<start s>&to=<end s>&query=<query>``.

Answer (Datadog's documented shape)::

    {"status": "ok", "res_type": "time_series", "query": "...", "from_date": ms, "to_date": ms,
     "series": [{"metric", "display_name", "scope", "expression", "tag_set": ["host:web-1"],
                 "start": ms, "end": ms, "interval": seconds, "length": n, "aggr",
                 "pointlist": [[ms, value-or-null], ...]}]}

As Kayenta reads it: one ``MetricSet`` per series, spanning ``start``..``end`` with step ``interval``;
``pointlist`` is sparse, so every missing timestamp becomes NaN (and ``null`` values too). Gennaker also tags
each set with its ``tag_set`` (``key:value`` → ``{key: value}``) so grouped queries pair by tags (Kayenta
leaves Datadog sets untagged; a plain query has an empty ``tag_set``, so nothing changes for it). No series
gives one empty set spanning the scope (step 1 s, as Kayenta). Errors (``{"errors": [...]}`` with HTTP
4xx, or ``"status": "error"``) raise :class:`~gennaker.canary.errors.MetricSourceResponseError` with
Datadog's message.
"""

from __future__ import annotations

import math
from typing import Any

from gennaker.canary.errors import MetricSourceResponseError, QueryBuildError
from gennaker.canary.metrics.model import MetricSet, parse_json_double
from gennaker.canary.metrics.prometheus import iso_from_millis
from gennaker.canary.metrics.registry import (
    HttpRequestSpec,
    HttpResponse,
    MetricQueryContext,
    register_metric_source,
)
from gennaker.canary.metrics.templates import expand_custom_filter
from gennaker.canary.queries import DatadogQueryConfig

QUERY_PATH = "/api/v1/query"


def _tags(tag_set: Any) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in tag_set or []:
        key, _, value = str(tag).partition(":")
        tags[key] = value
    return tags


def adjusted_points(start: int, end: int, interval_ms: int, pointlist: list[Any], where: str) -> list[float]:
    """Kayenta's ``getAdjustedPointList``: one value per ``interval`` from ``start`` to ``end`` inclusive, NaN
    where the sparse ``pointlist`` has no point."""
    if interval_ms <= 0:
        raise MetricSourceResponseError(f"{where}: 'interval' must be a positive number of seconds")
    values: list[float] = []
    index = 0
    moment = start
    while moment <= end:
        point = pointlist[index] if index < len(pointlist) else None
        if point is not None and (not isinstance(point, list | tuple) or len(point) != 2):
            raise MetricSourceResponseError(f"{where}: point {index} is not a [timestamp, value] pair")
        if point is not None and round(float(point[0])) == moment:
            try:
                values.append(parse_json_double(point[1]))
            except ValueError as error:
                raise MetricSourceResponseError(f"{where}: point {index}: {error}") from None
            index += 1
        else:
            values.append(math.nan)
        moment += interval_ms
    return values


class DatadogMetricSource:
    """Kayenta-compatible Datadog source."""

    type_name = "datadog"

    def build_query(self, context: MetricQueryContext) -> str:
        query = context.metric.query
        if not isinstance(query, DatadogQueryConfig):
            raise QueryBuildError(f"metric {context.metric.name!r}: query type {query.type!r} is not datadog")
        custom = expand_custom_filter(context.canary_config, context.metric.name, query, context.scope)
        if custom:
            return custom
        if not query.metric_name:
            raise QueryBuildError(
                f"metric {context.metric.name!r}: query.metricName is required without a custom template"
            )
        return f"{query.metric_name}{{{context.scope.scope or '*'}}}"

    def build_request(self, context: MetricQueryContext, query: str) -> HttpRequestSpec:
        scope = context.scope
        if scope.start is None:
            raise QueryBuildError(f"metric {context.metric.name!r}: Start time is required.")
        if scope.end is None:
            raise QueryBuildError(f"metric {context.metric.name!r}: End time is required.")
        return HttpRequestSpec(
            method="GET",
            path=QUERY_PATH,
            params={
                "from": str(int(scope.start.timestamp())),
                "to": str(int(scope.end.timestamp())),
                "query": query,
            },
        )

    def parse_response(
        self, context: MetricQueryContext, query: str, response: HttpResponse
    ) -> list[MetricSet]:
        metric = context.metric.name
        body = response.body
        if isinstance(body, dict) and (response.status >= 400 or body.get("status") == "error"):
            errors = body.get("errors") or [body.get("error") or "no message"]
            text = "; ".join(str(e).strip() for e in errors)
            raise MetricSourceResponseError(
                f"Datadog rejected the query for metric {metric!r} (HTTP {response.status}): {text} "
                f"-- query: {query}"
            )
        if response.status >= 400:
            raise MetricSourceResponseError(f"Datadog answered HTTP {response.status} for metric {metric!r}")
        if not isinstance(body, dict) or not isinstance(body.get("series", []), list):
            raise MetricSourceResponseError(f"Datadog answer for metric {metric!r} is not a query result")
        sets = []
        for i, series in enumerate(body.get("series") or []):
            where = f"Datadog answer for metric {metric!r}, series {i}"
            try:
                start, end = int(series["start"]), int(series["end"])
                interval = int(series["interval"])
                pointlist = list(series.get("pointlist") or [])
            except (KeyError, TypeError, ValueError):
                raise MetricSourceResponseError(
                    f"{where}: expected start, end, interval and pointlist"
                ) from None
            sets.append(
                MetricSet(
                    name=metric,
                    tags=_tags(series.get("tag_set")),
                    values=adjusted_points(start, end, interval * 1000, pointlist, where),
                    startTimeMillis=start,
                    startTimeIso=iso_from_millis(start),
                    endTimeMillis=end,
                    endTimeIso=iso_from_millis(end),
                    stepMillis=interval * 1000,
                    attributes={"query": query},
                )
            )
        if sets:
            return sets
        scope = context.scope
        start, end = scope.start_millis() or 0, scope.end_millis() or 0
        return [
            MetricSet(
                name=metric,
                values=[],
                startTimeMillis=start,
                startTimeIso=iso_from_millis(start),
                endTimeMillis=end,
                endTimeIso=iso_from_millis(end),
                stepMillis=1000,
                attributes={"query": query},
            )
        ]


DATADOG = DatadogMetricSource()
register_metric_source(DATADOG)
