"""A faithful local fake of Datadog's v1 metrics query API (no real Datadog can run here).

Built from Datadog's documented contract of ``GET /api/v1/query`` (``from``, ``to`` in epoch seconds and
``query``; the ``DD-API-KEY`` and ``DD-APPLICATION-KEY`` headers):

* wrong or missing keys → HTTP 403 ``{"errors": ["Forbidden"]}``;
* a query that does not parse (``[aggr:]metric{tag:value,...}[ by {tag,...}][.as_count()]``) → HTTP 400
  ``{"errors": ["Error parsing query: ..."]}``;
* otherwise HTTP 200 ``{"status": "ok", "res_type": "time_series", "resp_version": 1, "query", "from_date",
  "to_date" (ms), "message": "", "group_by": [...], "series": [...]}``, one series per group, each with
  ``metric``, ``display_name``, ``scope``, ``expression``, ``tag_set``, ``aggr``, ``start``/``end`` (ms),
  ``interval`` (s), ``length`` and a ``pointlist`` of ``[ms, value]`` (timestamps as floats, as Datadog
  writes them). Missing points are left out (Datadog's answers are sparse).

Data: :meth:`FakeDatadog.add` registers a point source per metric and tag set: ``values(ts_seconds) -> float
| None`` (None: no point at that time). The rollup interval is 1 s for windows up to 5 minutes, 10 s above.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.canary.peers import LocalServer

_QUERY = re.compile(
    r"^(?:(?P<aggr>avg|sum|min|max):)?(?P<metric>[A-Za-z0-9_.]+)\{(?P<scope>[^{}]*)\}"
    r"(?: by \{(?P<by>[^{}]*)\})?(?P<count>\.as_count\(\))?$"
)


@dataclass
class _Source:
    metric: str
    tags: frozenset[str]
    values: Callable[[int], float | None]


@dataclass
class FakeDatadog:
    api_key: str
    application_key: str
    sources: list[_Source] = field(default_factory=list)
    server: LocalServer | None = None

    def start(self) -> FakeDatadog:
        self.server = LocalServer(self._handle)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    def add(self, metric: str, tags: set[str], values: Callable[[int], float | None]) -> None:
        self.sources.append(_Source(metric, frozenset(tags), values))

    def _json(self, status: int, body: object) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(body).encode()

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        url = urllib.parse.urlsplit(path)
        if method != "GET" or url.path != "/api/v1/query":
            return self._json(404, {"errors": ["Not found"]})
        lowered = {k.lower(): v for k, v in headers.items()}
        if (
            lowered.get("dd-api-key") != self.api_key
            or lowered.get("dd-application-key") != self.application_key
        ):
            return self._json(403, {"errors": ["Forbidden"]})
        params = dict(urllib.parse.parse_qsl(url.query))
        try:
            start, end, query = int(params["from"]), int(params["to"]), params["query"]
        except (KeyError, ValueError):
            return self._json(400, {"errors": ["The parameters 'from', 'to' and 'query' are required"]})
        match = _QUERY.match(query)
        if match is None:
            return self._json(
                400,
                {
                    "errors": [
                        f"Error parsing query: \n unable to parse {query}: Rule 'scope_expr' didn't match"
                    ]
                },
            )
        aggr = match.group("aggr") or "avg"
        scope = {t.strip() for t in match.group("scope").split(",") if t.strip() and t.strip() != "*"}
        by = [t.strip() for t in (match.group("by") or "").split(",") if t.strip()]
        interval = 1 if end - start <= 300 else 10
        groups: dict[tuple[str, ...], list[_Source]] = {}
        for source in self.sources:
            if source.metric != match.group("metric") or not scope <= source.tags:
                continue
            key = tuple(sorted(t for t in source.tags if t.split(":", 1)[0] in by))
            groups.setdefault(key, []).append(source)
        series = []
        for key, members in sorted(groups.items()):
            points = []
            for ts in range(start - start % interval, end + 1, interval):
                values = [v for v in (m.values(ts) for m in members) if v is not None]
                if values:
                    combined = {
                        "avg": sum(values) / len(values),
                        "sum": sum(values),
                        "min": min(values),
                        "max": max(values),
                    }[aggr]
                    points.append([float(ts * 1000), combined])
            if not points:
                continue
            series.append(
                {
                    "metric": match.group("metric"),
                    "display_name": match.group("metric"),
                    "scope": ",".join(sorted(scope | set(key))) or "*",
                    "expression": query,
                    "tag_set": list(key),
                    "aggr": aggr,
                    "unit": None,
                    "start": int(points[0][0]),
                    "end": int(points[-1][0]) + interval * 1000 - 1,
                    "interval": interval,
                    "length": len(points),
                    "pointlist": points,
                    "query_index": 0,
                }
            )
        return self._json(
            200,
            {
                "status": "ok",
                "res_type": "time_series",
                "resp_version": 1,
                "query": query,
                "from_date": start * 1000,
                "to_date": end * 1000,
                "message": "",
                "group_by": by,
                "series": series,
            },
        )
