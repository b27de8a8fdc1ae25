"""Transport-neutral request and response values.

Who calls it: the transport builds a :class:`Request` per HTTP request and writes the :class:`Response`
the router returns; a response is either a whole body or a ``stream`` of chunks (watches).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

_GO_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def go_json(obj: Any) -> bytes:
    """JSON as kube-apiserver writes it: compact, in key order, HTML-escaped like Go's ``encoding/json``
    (``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u`` escapes). Those characters only occur inside
    strings, so the escaping never touches the JSON syntax. ``kubectl rollout undo`` compares
    ControllerRevision data byte for byte with what Go marshals, which is why this matters."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).translate(_GO_ESCAPES).encode("utf-8")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    @classmethod
    def build(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        path, _, qs = target.partition("?")
        return cls(method.upper(), path, parse_qs(qs, keep_blank_values=True), headers, body)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def flag(self, name: str) -> bool:
        return (self.param(name) or "").lower() in ("true", "1")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None

    @classmethod
    def json(
        cls,
        obj: Any,
        status: int = 200,
        content_type: str = "application/json",
        warnings: list[str] | None = None,
    ) -> Response:
        body = go_json(obj)
        resp = cls(status, body, content_type)
        for w in warnings or []:
            resp.headers.append(("Warning", "299 - " + json.dumps(w)))
        return resp

    @classmethod
    def text(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode("utf-8"), "text/plain")
