"""The one HTTP adapter of the stages (webhook requests, status polls, cancel calls).

Who uses it: ``gennaker.stages.webhook`` and ``gennaker.stages.webhook_monitor``. Tests point stages at
real HTTP servers on 127.0.0.1; nothing here is mocked. ``HttpClient.send`` never raises for an HTTP
status: it returns an ``HttpResponse`` whatever the code, and raises ``HttpTransportError`` (with
``kind`` = ``"dns"``, ``"timeout"``, ``"connect"`` or ``"other"``) when no response arrived, because the
webhook rules retry DNS failures and socket timeouts and fail on the rest.

Settings: ``GENNAKER_HTTP_TIMEOUT_S`` (default 30) bounds connect and read. Bodies are decoded as JSON when
they look like JSON (Orca's best-effort parse), else kept as text. Secrets in headers are never logged.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

MAX_BODY_BYTES = 10 * 1024 * 1024


class HttpTransportError(Exception):
    """No HTTP response: ``kind`` is dns | timeout | connect | other."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class HttpResponse:
    """A response: status code, headers (single-valued, as Orca's ``toSingleValueMap``) and body."""

    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def ok(self) -> bool:
        """2xx or 3xx (Orca counts redirections as success)."""
        return 200 <= self.status_code < 400

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


def parse_body(text: str) -> Any:
    """JSON when the text starts like an object or a list and parses, else the text itself."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except ValueError:
            return text
    return text if text else None


def _classify(e: Exception) -> HttpTransportError:
    cause: BaseException | None = e
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return HttpTransportError("dns", f"cannot resolve host: {cause}")
        cause = cause.__cause__ or cause.__context__
    if isinstance(e, httpx.TimeoutException):
        return HttpTransportError("timeout", f"timed out: {e}")
    text = str(e)
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return HttpTransportError("dns", f"cannot resolve host: {text}")
    if isinstance(e, httpx.ConnectError):
        return HttpTransportError("connect", f"cannot connect: {text}")
    return HttpTransportError("other", f"{type(e).__name__}: {text}")


class HttpClient:
    """Sends one request at a time; thread-safe (one client per call, connection reuse not needed)."""

    def __init__(self, timeout_s: float | None = None) -> None:
        self.timeout_s = timeout_s or float(os.environ.get("GENNAKER_HTTP_TIMEOUT_S", "30"))

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, Any] | None = None,
        payload: Any = None,
    ) -> HttpResponse:
        """Send ``payload`` as JSON (a string is sent as it is) and return the response."""
        hdrs = {str(k): _header_value(v) for k, v in (headers or {}).items()}
        content: bytes | None = None
        if payload is not None:
            if isinstance(payload, str | bytes):
                content = payload.encode() if isinstance(payload, str) else payload
            else:
                content = json.dumps(payload).encode()
                if not any(k.lower() == "content-type" for k in hdrs):
                    hdrs["Content-Type"] = "application/json"
        try:
            with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
                response = client.request(method.upper(), url, headers=hdrs, content=content)
        except httpx.InvalidURL as e:
            raise HttpTransportError("other", f"invalid URL {url!r}: {e}") from e
        except (httpx.HTTPError, OSError) as e:
            raise _classify(e) from e
        text = response.content[:MAX_BODY_BYTES].decode(response.encoding or "utf-8", errors="replace")
        return HttpResponse(response.status_code, dict(response.headers.items()), parse_body(text))


def _header_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


DEFAULT_CLIENT = HttpClient()
