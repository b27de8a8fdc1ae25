"""Orca's webhook response rules, shared by the create and monitor tasks of the webhook stage.

Who uses it: ``gennaker.stages.webhook`` (request and status-URL resolution) and
``gennaker.stages.webhook_monitor`` (polling). Pure functions over the stage context and an
``HttpResponse``/``HttpTransportError``; nothing here does I/O.

Retry rules (Orca's ``WebhookResponseProcessor``/``MonitorWebhookTask``): a status code in
``failFastStatusCodes`` (default [504] for the request) fails at once; 5xx, 429 and the codes in
``retryStatusCodes`` are retried after the task's backoff, until the task times out or, when
``retries: {"<code>": {"maxAttempts": N}}`` names the code, until N attempts were made; other 4xx fail.
DNS failures are retried; socket timeouts are retried for GET requests (always while polling).
"""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

from gennaker.stages.http import HttpResponse

DEFAULT_RETRY_STATUS_CODES = frozenset({429})
DEFAULT_FAIL_FAST_STATUS_CODES = (504,)
ATTEMPTS_KEY = "webhookAttempts"


class WebhookConfigError(ValueError):
    """The stage's webhook fields are wrong (named in the message)."""


def status_name(code: int) -> str:
    """Spring's ``HttpStatus`` name (``OK``, ``SERVICE_UNAVAILABLE``...), or the number as text."""
    try:
        return http.HTTPStatus(code).name
    except ValueError:
        return str(code)


def int_list(context: Mapping[str, Any], key: str, default: tuple[int, ...] = ()) -> list[int]:
    """A list of status codes from the context (numbers, numeric strings or a comma-separated string)."""
    value = context.get(key)
    if value is None:
        return list(default)
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise WebhookConfigError(f"{key} must be a list of HTTP status codes, not {value!r}")
    out = []
    for item in items:
        try:
            out.append(int(str(item).strip()))
        except ValueError:
            raise WebhookConfigError(f"{key}: {item!r} is not an HTTP status code") from None
    return out


def response_json(response: HttpResponse) -> dict[str, Any]:
    """Orca's ``webhook`` (or ``webhook.monitor``) output for a response."""
    out: dict[str, Any] = {
        "statusCode": status_name(response.status_code),
        "statusCodeValue": response.status_code,
    }
    if response.body is not None:
        out["body"] = response.body
    if response.headers:
        out["headers"] = dict(response.headers)
    return out


def max_attempts(context: Mapping[str, Any], code: int) -> int | None:
    """``retries: {"503": {"maxAttempts": 3}}`` → 3 for 503 (None when the code is not listed)."""
    retries = context.get("retries")
    if not isinstance(retries, Mapping):
        return None
    entry = retries.get(str(code), retries.get(code))
    if isinstance(entry, Mapping) and entry.get("maxAttempts") is not None:
        try:
            return int(entry["maxAttempts"])
        except (TypeError, ValueError):
            raise WebhookConfigError(f"retries.{code}.maxAttempts must be a number") from None
    return None


def should_retry(context: Mapping[str, Any], code: int) -> bool:
    """5xx, 429 and ``retryStatusCodes`` are retried (``failFastStatusCodes`` are checked first)."""
    return (
        code >= 500
        or code in DEFAULT_RETRY_STATUS_CODES
        or code in int_list(context, "retryStatusCodes")
        or max_attempts(context, code) is not None
    )


def count_attempt(context: Mapping[str, Any], phase: str, code: int) -> tuple[dict[str, int], bool]:
    """Record one more attempt that got ``code`` in ``phase``; returns the new counts and whether the
    ``retries`` limit for the code is reached."""
    counts = dict(context.get(ATTEMPTS_KEY) or {})
    key = f"{phase}:{code}"
    counts[key] = int(counts.get(key, 0)) + 1
    limit = max_attempts(context, code)
    return counts, limit is not None and counts[key] >= limit


def status_map(context: Mapping[str, Any]) -> dict[str, str]:
    """Upper-cased status value → SUCCEEDED/CANCELED/TERMINAL from the comma-separated lists."""
    out: dict[str, str] = {}
    for key, status in (
        ("successStatuses", "SUCCEEDED"),
        ("canceledStatuses", "CANCELED"),
        ("terminalStatuses", "TERMINAL"),
    ):
        value = context.get(key)
        if not value:
            continue
        items = value if isinstance(value, list) else str(value).split(",")
        for item in items:
            if str(item).strip():
                out[str(item).strip().upper()] = status
    return out
