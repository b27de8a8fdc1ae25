"""The one HTTP adapter every HTTP-based artifact account fetches through, with limits.

Who calls it: ``http/file``, ``github/file``, ``gitlab/file``, ``bitbucket/file`` and ``helm/chart``
accounts. Tests point the accounts at real HTTP servers on loopback; nothing here is mocked.

Invariants:
- every request has a wall-clock deadline (``FetchLimits.timeout_seconds``, over connect, headers and the
  whole body, not just per read) and a size limit (``FetchLimits.max_bytes``, checked against
  ``Content-Length`` first and then while streaming, so an oversized body is never held in memory);
- redirects are followed (at most ``MAX_REDIRECTS``); httpx drops the ``Authorization`` header when a
  redirect leaves the origin, so credentials never travel to another host;
- a non-2xx answer raises ``ArtifactFetchError`` with the status code and a trimmed body; transport
  failures (refused, DNS, TLS) raise it with the reason; nothing is retried here (stages retry).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from gennaker.artifacts.errors import (
    ArtifactFetchError,
    ArtifactTimeoutError,
    ArtifactTooLargeError,
    safe_url,
)
from gennaker.model.artifacts import Artifact

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
USER_AGENT = "gennaker-artifacts"


@dataclass(frozen=True)
class FetchLimits:
    """How long one fetch may take in total, and how many bytes it may return."""

    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class HttpAnswer:
    """A successful (2xx) answer: the final URL after redirects, status, headers and the whole body."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes


def http_get(
    url: str,
    *,
    artifact: Artifact,
    account: str,
    limits: FetchLimits,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | tuple[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    what: str = "download",
) -> HttpAnswer:
    """GET ``url`` within ``limits`` and return the body; raise ``ArtifactFetchError`` on any failure.

    ``what`` words the error ("download", "read the chart index", ...). ``auth`` and ``headers`` carry the
    account's credentials; they are never part of an error message.
    """
    deadline = time.monotonic() + limits.timeout_seconds
    timeout = httpx.Timeout(limits.timeout_seconds)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    shown = safe_url(url)
    try:
        with (
            httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout) as client,
            client.stream("GET", url, headers=request_headers, auth=auth, params=params) as response,
        ):
            if response.status_code >= 400 or response.status_code < 200:
                body = _read_limited(response, 4096, deadline)
                raise ArtifactFetchError(
                    artifact,
                    account,
                    f"could not {what} {shown}",
                    status=response.status_code,
                    body=body,
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise ArtifactTooLargeError(
                    artifact,
                    account,
                    f"{shown} is {int(declared)} bytes, more than the account's limit of "
                    f"{limits.max_bytes} bytes (maxBytes)",
                )
            body = _read_limited(response, limits.max_bytes + 1, deadline)
            if len(body) > limits.max_bytes:
                raise ArtifactTooLargeError(
                    artifact,
                    account,
                    f"{shown} is larger than the account's limit of {limits.max_bytes} bytes (maxBytes)",
                )
            return HttpAnswer(str(response.url), response.status_code, response.headers, body)
    except _DeadlineExceeded:
        raise ArtifactTimeoutError(
            artifact, account, f"{what} of {shown} took longer than {limits.timeout_seconds:g} s"
        ) from None
    except httpx.TimeoutException:
        raise ArtifactTimeoutError(
            artifact, account, f"{what} of {shown} took longer than {limits.timeout_seconds:g} s"
        ) from None
    except httpx.TooManyRedirects:
        raise ArtifactFetchError(
            artifact, account, f"{shown} redirected more than {MAX_REDIRECTS} times"
        ) from None
    except httpx.HTTPError as exc:
        raise ArtifactFetchError(
            artifact, account, f"could not {what} {shown}: {type(exc).__name__}: {exc}", transient=True
        ) from None


class _DeadlineExceeded(Exception):
    pass


def _read_limited(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """Read at most ``limit`` bytes of the body, checking the overall deadline between chunks."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if time.monotonic() > deadline:
            raise _DeadlineExceeded
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]
