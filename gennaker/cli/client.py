"""The CLI's one HTTP client of the Gennaker API (as ``spin`` talks only to Gate).

Who uses it: every CLI command that is not ``server``/``worker``. ``GennakerClient`` sends JSON, raises
``ApiError`` (status + the server's message) for any non-2xx answer or unreachable server, and reads
server-sent events (``events``). Settings: ``--api``/``GENNAKER_API`` (default http://127.0.0.1:8084),
``--user``/``GENNAKER_USER`` (sent as ``X-Spinnaker-User``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx

DEFAULT_API = "http://127.0.0.1:8084"


class ApiError(Exception):
    """The API answered with an error (``status``) or could not be reached (``status`` 0)."""

    def __init__(self, status: int, message: str, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body


class GennakerClient:
    """A thin JSON client; one instance per command."""

    def __init__(
        self, base_url: str | None = None, *, user: str | None = None, timeout_s: float = 30
    ) -> None:
        self.base_url = (base_url or os.environ.get("GENNAKER_API") or DEFAULT_API).rstrip("/")
        headers = {"Accept": "application/json"}
        user = user or os.environ.get("GENNAKER_USER")
        if user:
            headers["X-Spinnaker-User"] = user
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send a request (a JSON ``body``, or raw ``content`` bytes as webhooks need); the decoded JSON
        answer (None when empty)."""
        try:
            response = self._http.request(
                method,
                path,
                json=body if content is None else None,
                content=content,
                headers=headers,
                params={k: v for k, v in (params or {}).items() if v is not None},
            )
        except httpx.HTTPError as e:
            raise ApiError(0, f"cannot reach the Gennaker API at {self.base_url}: {e}") from None
        data: Any = None
        if response.content:
            try:
                data = response.json()
            except ValueError:
                data = response.text
        if response.status_code >= 400:
            message = data.get("message") if isinstance(data, dict) else None
            raise ApiError(response.status_code, str(message or data or response.reason_phrase), data)
        return data

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, **params: Any) -> Any:
        return self.request("POST", path, body=body, params=params)

    def put(self, path: str, body: Any = None, **params: Any) -> Any:
        return self.request("PUT", path, body=body, params=params)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, body=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def events(self, execution_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(event, data) pairs of an execution's event stream until it ends."""
        try:
            with self._http.stream(
                "GET", f"/pipelines/{execution_id}/events", timeout=httpx.Timeout(30, read=None)
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ApiError(response.status_code, response.json().get("message", response.text))
                kind, data = "message", ""
                for line in response.iter_lines():
                    if not line:
                        if data:
                            yield kind, json.loads(data)
                        kind, data = "message", ""
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
        except httpx.HTTPError as e:
            raise ApiError(0, f"the event stream from {self.base_url} broke: {e}") from None
