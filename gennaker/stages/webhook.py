"""The ``webhook`` stage (Orca's ``WebhookStage``): call a URL, then optionally poll a status URL.

Tasks, planned from the context: ``createWebhook`` (unless ``monitorOnly``), then, with
``waitForCompletion``, ``waitBeforeMonitorWebhook`` (when ``waitBeforeMonitor`` > 0 seconds) and
``monitorWebhook`` (``gennaker.stages.webhook_monitor``). ``monitorOnly`` without ``waitForCompletion``
is a planning error.

createWebhook sends ``method`` (default POST) to ``url`` with ``payload`` (JSON) and ``customHeaders``.
The response lands in ``context.webhook`` as ``{statusCode, statusCodeValue, body, headers}`` (plus
``error`` and ``statusEndpoint``). Retry rules are in ``gennaker.stages.webhook_rules``. With
``waitForCompletion`` the status URL comes from ``statusUrlResolution``: ``getMethod`` (the same URL),
``locationHeader`` (the response's Location, resolved against the URL) or ``webhookResponse``
(``statusUrlJsonPath`` read from the body); an explicit ``statusEndpoint`` is used when no resolution is
given. The stage's cancel hook calls ``cancelEndpoint`` (``cancelMethod``, ``cancelPayload``) when the
stage ends halted after its request was made.

Backoff between request retries: ``GENNAKER_WEBHOOK_RETRY_BACKOFF_MS`` (Orca's 10 s); the request task
times out after 5 minutes, the monitor after 1 hour (``stageTimeoutMs`` overrides both). HTTP goes
through ``gennaker.stages.http`` (tests use real local servers).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import PlanInput, StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.model import ExecutionStatus
from gennaker.stages import http as http_adapter
from gennaker.stages import jsonpath
from gennaker.stages.http import HttpResponse, HttpTransportError
from gennaker.stages.webhook_monitor import MONITOR_TASK, WAIT_BEFORE_MONITOR_TASK
from gennaker.stages.webhook_rules import (
    ATTEMPTS_KEY,
    DEFAULT_FAIL_FAST_STATUS_CODES,
    WebhookConfigError,
    count_attempt,
    int_list,
    response_json,
    should_retry,
)

S = ExecutionStatus
RESOLUTIONS = ("getMethod", "locationHeader", "webhookResponse")


def retry_backoff_ms() -> int:
    """Backoff between request retries (Orca's CreateWebhookTask: 10 s)."""
    return int(os.environ.get("GENNAKER_WEBHOOK_RETRY_BACKOFF_MS", "10000"))


def flag(context: Mapping[str, Any], key: str) -> bool:
    value = context.get(key)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _url(context: Mapping[str, Any], key: str = "url") -> str:
    url = context.get(key)
    if not isinstance(url, str) or not url.strip():
        raise WebhookConfigError(f"{key} is required (the URL to call)")
    if not url.startswith(("http://", "https://")):
        raise WebhookConfigError(f"{key} must be an http:// or https:// URL, not {url!r}")
    return url


def _headers(context: Mapping[str, Any]) -> Mapping[str, Any]:
    headers = context.get("customHeaders") or {}
    if not isinstance(headers, Mapping):
        raise WebhookConfigError("customHeaders must be an object of header names to values")
    return headers


def status_url(context: Mapping[str, Any], response: HttpResponse) -> str | None:
    """The URL to poll, per ``statusUrlResolution`` (or the explicit ``statusEndpoint``)."""
    url = str(context.get("url"))
    resolution = context.get("statusUrlResolution")
    if resolution is None:
        endpoint = context.get("statusEndpoint")
        return str(endpoint) if endpoint else None
    if resolution == "getMethod":
        return url
    if resolution == "locationHeader":
        location = response.header("Location")
        return urljoin(url, location) if location else None
    if resolution == "webhookResponse":
        path = context.get("statusUrlJsonPath")
        if not isinstance(path, str) or not path:
            raise WebhookConfigError("statusUrlJsonPath is required with statusUrlResolution webhookResponse")
        value = jsonpath.read(response.body, path)
        return urljoin(url, str(value)) if value else None
    raise WebhookConfigError(
        f"statusUrlResolution must be one of {', '.join(RESOLUTIONS)}, not {resolution!r}"
    )


def _result(status: ExecutionStatus, webhook: dict[str, Any], **extra: Any) -> TaskResult:
    return TaskResult(status, {"webhook": webhook, **extra})


def run_create_webhook(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    url = _url(ctx)
    method = str(ctx.get("method") or "POST").upper()
    try:
        response = http_adapter.DEFAULT_CLIENT.send(
            method, url, headers=_headers(ctx), payload=ctx.get("payload")
        )
    except HttpTransportError as e:
        if e.kind == "dns":
            message = f"Remote host resolution failure in webhook to {url}, will retry."
            return TaskResult.running({"webhook": {"error": message}}, backoff_ms=retry_backoff_ms())
        if e.kind == "timeout" and method == "GET":
            message = f"Socket timeout in webhook on GET request to {url}, will retry."
            return TaskResult.running({"webhook": {"error": message}}, backoff_ms=retry_backoff_ms())
        return _result(S.TERMINAL, {"error": f"An exception occurred performing a request to {url}. {e}"})
    webhook = response_json(response)
    code = response.status_code
    if not response.ok:
        fail_fast = int_list(ctx, "failFastStatusCodes", DEFAULT_FAIL_FAST_STATUS_CODES)
        if code in fail_fast:
            webhook["error"] = (
                f"Received status code {code}, which is configured to fail fast, terminating stage to {url}"
            )
            return _result(S.TERMINAL, webhook)
        if should_retry(ctx, code):
            counts, exhausted = count_attempt(ctx, "create", code)
            if exhausted:
                webhook["error"] = (
                    f"Error submitting webhook to {url} with status code {code}: "
                    f"gave up after {counts[f'create:{code}']} attempts"
                )
                return _result(S.TERMINAL, webhook, **{ATTEMPTS_KEY: counts})
            webhook["error"] = f"Error submitting webhook to {url} with status code {code}, will retry."
            return TaskResult.running(
                {"webhook": webhook, ATTEMPTS_KEY: counts}, backoff_ms=retry_backoff_ms()
            )
        webhook["error"] = f"Error submitting webhook to {url} with status code {code}."
        return _result(S.TERMINAL, webhook)
    if flag(ctx, "waitForCompletion"):
        try:
            endpoint = status_url(ctx, response)
        except (jsonpath.PathNotFound, jsonpath.InvalidPath, WebhookConfigError) as e:
            webhook["error"] = f"Exception while resolving status check URL: {e}"
            return _result(S.TERMINAL, webhook)
        if not endpoint:
            webhook["error"] = "The status URL couldn't be resolved, but 'Wait for completion' is configured"
            return _result(S.TERMINAL, webhook)
        webhook["statusEndpoint"] = endpoint
        return _result(S.SUCCEEDED, webhook, statusEndpoint=endpoint)
    return _result(S.SUCCEEDED, webhook)


CREATE_TASK = TaskDefinition(
    name="createWebhook",
    run=run_create_webhook,
    implementing_class="gennaker.stages.webhook.CreateWebhookTask",
    backoff_ms=10_000,
    timeout_ms=300_000,
)


def plan_tasks(plan: PlanInput) -> Sequence[TaskDefinition]:
    ctx = plan.context
    monitor_only = flag(ctx, "monitorOnly")
    wait = flag(ctx, "waitForCompletion")
    if monitor_only and not wait:
        raise WebhookConfigError(
            "Can't specify monitorOnly = true and waitForCompletion = false at the same time"
        )
    tasks: list[TaskDefinition] = []
    if not monitor_only:
        _url(ctx)
        tasks.append(CREATE_TASK)
    if wait:
        if monitor_only:
            _url(ctx, "statusEndpoint")
        before = ctx.get("waitBeforeMonitor") or 0
        try:
            if float(before) > 0:
                tasks.append(WAIT_BEFORE_MONITOR_TASK)
        except (TypeError, ValueError):
            message = f"waitBeforeMonitor must be a number of seconds, not {before!r}"
            raise WebhookConfigError(message) from None
        tasks.append(MONITOR_TASK)
    return tasks


def cancel_webhook(task: TaskInput) -> Mapping[str, Any] | None:
    """Best-effort call of ``cancelEndpoint`` when the request was made (Orca's ``onCancel``)."""
    ctx = task.context.own
    endpoint = ctx.get("cancelEndpoint")
    made = isinstance(ctx.get("webhook"), Mapping) and ctx["webhook"].get("statusCodeValue") is not None
    if not endpoint or not (made or flag(ctx, "monitorOnly")):
        return None
    method = str(ctx.get("cancelMethod") or "POST").upper()
    try:
        response = http_adapter.DEFAULT_CLIENT.send(
            method, str(endpoint), headers=_headers(ctx), payload=ctx.get("cancelPayload")
        )
    except HttpTransportError as e:
        return {"webhookCancel": {"error": f"Failed to cancel webhook {endpoint}: {e}"}}
    return {"webhookCancel": response_json(response)}


WEBHOOK = StageDefinition(
    type="webhook",
    tasks=plan_tasks,
    cancel=cancel_webhook,
    description="Call a URL; optionally poll a status URL until it reports success, cancellation or failure.",
)


def register(registry: StageRegistry) -> None:
    registry.register(WEBHOOK)
