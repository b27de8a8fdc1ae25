"""The ``http`` metric source: any HTTP endpoint that answers JSON, described by a URL template and paths.

Who uses it: the metric-source registry (registers itself on import), hence the canary run; the HTTP adapter
sends the request to the account's ``baseUrl`` with its credentials.

Query fields (:class:`~gennaker.canary.queries.HttpJsonQueryConfig`)::

    {"type": "http", "metricName": "errors",
     "urlTemplate": "/api/series?name=${metricName}&pod=${scope}&from=${startEpochSeconds}&step=${step}",
     "method": "GET", "bodyTemplate": null,
     "seriesPath": "data.series", "valuesField": "points", "tagsField": "labels",
     "timestampField": "timestamp", "valueField": "value", "timestampUnit": "s"}

Variables (``${name}``, same rules as custom filter templates, an undefined one is an error): ``scope``,
``location``, ``project``, ``resourceType`` and every ``extendedScopeParams`` entry; ``metricName``;
``startIso``/``endIso``; ``startEpochSeconds``/``endEpochSeconds``; ``startEpochMillis``/``endEpochMillis``;
``step`` (seconds). In ``urlTemplate`` values are URL-encoded; in ``bodyTemplate`` (POSTed as JSON) they are
JSON-string-escaped. The expanded URL (or ``METHOD url body``) is the metric set's ``query`` attribute.

Extraction from the JSON answer — paths are dotted names with ``[n]`` indexes (``data.result[0].values``);
``$`` or an empty path means the document itself:

* ``seriesPath`` → a list of series (an object is one series);
* in each series, ``valuesField`` → the points: numbers (``null``, ``"NaN"``, ``"+Inf"`` accepted),
  ``[timestamp, value]`` pairs, or objects holding ``timestampField`` and ``valueField``;
* ``tagsField`` → an object of labels (absent: no tags), so series pair by labels as with Prometheus.

Times: when points carry timestamps (``timestampUnit`` s or ms), the set starts at the first and its step is
the distance between the first two; otherwise the scope's start and step are used. No series at all gives one
empty set spanning the scope (NaN-padded later: NODATA). A body that is not JSON, a missing path or a bad
point raises :class:`~gennaker.canary.errors.MetricSourceResponseError` naming the path.
"""

from __future__ import annotations

import json
import re
import urllib.parse
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
from gennaker.canary.metrics.templates import TemplateError, expand_template, template_bindings
from gennaker.canary.queries import HttpJsonQueryConfig

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def extract(document: Any, path: str, where: str) -> Any:
    """The value at ``path`` (``a.b[0].c``; ``$`` or empty = the document)."""
    text = path.strip()
    if text.startswith("$"):
        text = text[1:].lstrip(".")
    current = document
    walked = "$"
    for match in _SEGMENT.finditer(text):
        name, index = match.group(1), match.group(2)
        if name is not None:
            walked += f".{name}"
            if not isinstance(current, dict) or name not in current:
                raise MetricSourceResponseError(f"{where}: the answer has nothing at {walked}")
            current = current[name]
        else:
            walked += f"[{index}]"
            if not isinstance(current, list) or int(index) >= len(current):
                raise MetricSourceResponseError(f"{where}: the answer has nothing at {walked}")
            current = current[int(index)]
    return current


def _query_config(context: MetricQueryContext) -> HttpJsonQueryConfig:
    query = context.metric.query
    if not isinstance(query, HttpJsonQueryConfig):
        raise QueryBuildError(f"metric {context.metric.name!r}: query type {query.type!r} is not http")
    return query


def _bindings(context: MetricQueryContext, encode: Any) -> dict[str, str]:
    scope = context.scope
    query = _query_config(context)
    if scope.start is None or scope.end is None:
        raise QueryBuildError(f"metric {context.metric.name!r}: start and end times are required")
    start_ms, end_ms = scope.start_millis() or 0, scope.end_millis() or 0
    extra = {
        "metricName": query.metric_name or context.metric.name,
        "startIso": iso_from_millis(start_ms),
        "endIso": iso_from_millis(end_ms),
        "startEpochSeconds": str(start_ms // 1000),
        "endEpochSeconds": str(end_ms // 1000),
        "startEpochMillis": str(start_ms),
        "endEpochMillis": str(end_ms),
        "step": scope.step_text(),
    }
    raw = template_bindings(scope, query, extra)
    return {k: encode(v) for k, v in raw.items()}


def _expand(context: MetricQueryContext, template: str, encode: Any, field: str) -> str:
    bindings = _bindings(context, encode)
    try:
        return expand_template(template, bindings)
    except TemplateError as error:
        defined = ", ".join(sorted(bindings))
        raise QueryBuildError(
            f"metric {context.metric.name!r}: {field} {template!r}: {error} (defined: {defined})"
        ) from None


def _url_encode(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _json_escape(value: str) -> str:
    return json.dumps(value)[1:-1]


class HttpJsonMetricSource:
    type_name = "http"

    def build_query(self, context: MetricQueryContext) -> str:
        query = _query_config(context)
        if not query.url_template:
            raise QueryBuildError(f"metric {context.metric.name!r}: query.urlTemplate is required")
        url = _expand(context, query.url_template, _url_encode, "urlTemplate")
        if query.method == "POST" and query.body_template:
            body = _expand(context, query.body_template, _json_escape, "bodyTemplate")
            return f"POST {url} {body}"
        return url if query.method == "GET" else f"POST {url}"

    def build_request(self, context: MetricQueryContext, query: str) -> HttpRequestSpec:
        config = _query_config(context)
        url = _expand(context, config.url_template or "", _url_encode, "urlTemplate")
        body: Any = None
        if config.method == "POST" and config.body_template:
            text = _expand(context, config.body_template, _json_escape, "bodyTemplate")
            try:
                body = json.loads(text)
            except ValueError as error:
                raise QueryBuildError(
                    f"metric {context.metric.name!r}: bodyTemplate is not JSON once expanded ({error})"
                ) from None
        return HttpRequestSpec(method=config.method, path=url, json_body=body)

    def parse_response(
        self, context: MetricQueryContext, query: str, response: HttpResponse
    ) -> list[MetricSet]:
        config = _query_config(context)
        metric = context.metric.name
        where = f"HTTP answer for metric {metric!r}"
        if response.status >= 400:
            detail = (
                json.dumps(response.body)[:300] if not isinstance(response.body, str) else response.body[:300]
            )
            raise MetricSourceResponseError(f"{where}: HTTP {response.status}: {detail}")
        if isinstance(response.body, str):
            raise MetricSourceResponseError(f"{where}: the body is not JSON: {response.body[:200]!r}")
        found = extract(response.body, config.series_path, where)
        series_list = found if isinstance(found, list) else [found]
        sets = [
            self._series(context, config, query, s, f"{where}, series {i}") for i, s in enumerate(series_list)
        ]
        if sets:
            return sets
        scope = context.scope
        start, end = scope.start_millis() or 0, scope.end_millis() or 0
        return [
            MetricSet(
                name=metric,
                startTimeMillis=start,
                startTimeIso=iso_from_millis(start),
                endTimeMillis=end,
                endTimeIso=iso_from_millis(end),
                stepMillis=scope.step_millis,
                attributes={"query": query},
            )
        ]

    def _series(
        self, context: MetricQueryContext, config: HttpJsonQueryConfig, query: str, series: Any, where: str
    ) -> MetricSet:
        points = extract(series, config.values_field, where)
        if not isinstance(points, list):
            raise MetricSourceResponseError(f"{where}: {config.values_field} is not a list of points")
        tags: dict[str, str] = {}
        if isinstance(series, dict) and config.tags_field:
            try:
                raw_tags = extract(series, config.tags_field, where)
            except MetricSourceResponseError:
                raw_tags = {}
            if not isinstance(raw_tags, dict):
                raise MetricSourceResponseError(f"{where}: {config.tags_field} is not an object of labels")
            tags = {str(k): str(v) for k, v in raw_tags.items()}
        values: list[float] = []
        stamps: list[float] = []
        for i, point in enumerate(points):
            try:
                if isinstance(point, list | tuple):
                    if len(point) != 2:
                        raise ValueError("expected a [timestamp, value] pair")
                    stamps.append(float(point[0]))
                    values.append(parse_json_double(point[1]))
                elif isinstance(point, dict):
                    if config.timestamp_field in point:
                        stamps.append(float(point[config.timestamp_field]))
                    values.append(parse_json_double(point.get(config.value_field)))
                else:
                    values.append(parse_json_double(point))
            except (TypeError, ValueError) as error:
                raise MetricSourceResponseError(f"{where}: point {i}: {error}") from None
        scale = 1000 if config.timestamp_unit == "s" else 1
        scope = context.scope
        if stamps and len(stamps) == len(values):
            start = round(stamps[0] * scale)
            step = round((stamps[1] - stamps[0]) * scale) if len(stamps) > 1 else scope.step_millis
        else:
            start, step = scope.start_millis() or 0, scope.step_millis
        end = start + len(values) * step
        return MetricSet(
            name=context.metric.name,
            tags=tags,
            values=values,
            startTimeMillis=start,
            startTimeIso=iso_from_millis(start),
            endTimeMillis=end,
            endTimeIso=iso_from_millis(end),
            stepMillis=step,
            attributes={"query": query},
        )


HTTP_JSON = HttpJsonMetricSource()
register_metric_source(HTTP_JSON)
