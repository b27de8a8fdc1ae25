"""The webhook stage's polling tasks: ``waitBeforeMonitorWebhook`` and ``monitorWebhook`` (Orca's
``MonitorWebhookTask``).

monitorWebhook GETs ``statusEndpoint`` (with ``customHeaders``) and reads ``statusJsonPath`` from the
body: a number is a percentage (100 = SUCCEEDED, else RUNNING, recorded as ``percentComplete``); any
other value is upper-cased and looked up in ``successStatuses``/``canceledStatuses``/``terminalStatuses``
(comma-separated), unknown = RUNNING. Without ``statusJsonPath`` the first 2xx answer is SUCCEEDED.
``progressJsonPath`` adds ``progressMessage``. The answer is recorded under ``context.webhook.monitor``
(``statusCode``, ``statusCodeValue``, ``body``, ``headers``, ``error``). Retries follow
``gennaker.stages.webhook_rules``; DNS failures and socket timeouts are retried.

Re-polled every second, every 15 s once it has run a minute (Orca's dynamic backoff); times out after
an hour unless ``stageTimeoutMs`` says otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from gennaker.engine.stagedef import TaskDefinition, TaskInput, TaskResult
from gennaker.model import ExecutionStatus
from gennaker.stages import http as http_adapter
from gennaker.stages import jsonpath
from gennaker.stages.http import HttpTransportError
from gennaker.stages.webhook_rules import (
    ATTEMPTS_KEY,
    WebhookConfigError,
    count_attempt,
    response_json,
    should_retry,
    status_map,
)

S = ExecutionStatus
WAIT_START_KEY = "waitBeforeMonitorStartTime"


def monitor_backoff_ms(task: TaskInput) -> int:
    """1 s, then 15 s once the task has run for more than a minute."""
    base = int(os.environ.get("GENNAKER_WEBHOOK_MONITOR_BACKOFF_MS", "1000"))
    started = task.task_start_time or task.now
    return max(base, 15_000) if task.now - started > 60_000 else base


def _with_monitor(ctx: Mapping[str, Any], monitor: dict[str, Any]) -> dict[str, Any]:
    webhook = dict(ctx.get("webhook") or {})
    webhook["monitor"] = monitor
    return webhook


def run_monitor_webhook(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    endpoint = ctx.get("statusEndpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise WebhookConfigError("statusEndpoint is missing: there is no status URL to poll")
    headers = ctx.get("customHeaders") or {}
    backoff = monitor_backoff_ms(task)
    try:
        response = http_adapter.DEFAULT_CLIENT.send("GET", endpoint, headers=headers)
    except HttpTransportError as e:
        if e.kind in ("dns", "timeout"):
            retry = {"error": f"{e} while polling {endpoint}, will retry."}
            return TaskResult.running({"webhook": _with_monitor(ctx, retry)}, backoff_ms=backoff)
        failed = {"error": f"an exception occurred in webhook monitor to {endpoint}: {e}"}
        return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, failed)})
    monitor: dict[str, Any] = response_json(response)
    code = response.status_code
    if not (200 <= code < 300):
        if should_retry(ctx, code):
            counts, exhausted = count_attempt(ctx, "monitor", code)
            if not exhausted:
                monitor["error"] = f"Failed to get webhook status from {endpoint} ({code}), will retry"
                return TaskResult.running(
                    {"webhook": _with_monitor(ctx, monitor), ATTEMPTS_KEY: counts}, backoff_ms=backoff
                )
            monitor["error"] = f"gave up polling {endpoint} after {counts[f'monitor:{code}']} attempts"
            return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, monitor), ATTEMPTS_KEY: counts})
        monitor["error"] = f"an exception occurred in webhook monitor to {endpoint}: status code {code}"
        return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, monitor)})
    status_path = ctx.get("statusJsonPath")
    if not status_path:
        return TaskResult(S.SUCCEEDED, {"webhook": _with_monitor(ctx, monitor)})
    try:
        value = jsonpath.read(response.body, str(status_path))
    except (jsonpath.PathNotFound, jsonpath.InvalidPath) as e:
        monitor["error"] = f"Unable to parse status: JSON property '{status_path}' not found ({e})"
        return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, monitor)})
    if not isinstance(value, str | int | float | bool):
        monitor["error"] = f"The json path '{status_path}' did not resolve to a single value"
        monitor["resolvedValue"] = value
        return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, monitor)})
    progress_path = ctx.get("progressJsonPath")
    if progress_path:
        try:
            progress = jsonpath.read(response.body, str(progress_path))
        except (jsonpath.PathNotFound, jsonpath.InvalidPath):
            monitor["error"] = (
                f"Unable to parse progress: JSON property '{progress_path}' not found in response body"
            )
            return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, monitor)})
        if not isinstance(progress, str):
            monitor["error"] = f"The json path '{progress_path}' did not resolve to a String value"
            monitor["resolvedValue"] = progress
            return TaskResult(S.TERMINAL, {"webhook": _with_monitor(ctx, monitor)})
        if progress:
            monitor["progressMessage"] = progress
    context = {"webhook": _with_monitor(ctx, monitor)}
    if isinstance(value, int | float) and not isinstance(value, bool):
        monitor["percentComplete"] = value
        if value == 100:
            return TaskResult(S.SUCCEEDED, context)
        return TaskResult.running(context, backoff_ms=backoff)
    word = str(value).lower() if isinstance(value, bool) else str(value)
    mapped = status_map(ctx).get(word.upper())
    if mapped is not None:
        return TaskResult(S(mapped), context)
    return TaskResult.running(context, backoff_ms=backoff)


def run_wait_before_monitor(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    seconds = float(ctx.get("waitBeforeMonitor") or 0)
    started = ctx.get(WAIT_START_KEY)
    if not isinstance(started, int):
        return TaskResult.running({WAIT_START_KEY: task.now}, backoff_ms=int(seconds * 1000))
    remaining = started + int(seconds * 1000) - task.now
    if remaining <= 0:
        return TaskResult.succeeded()
    return TaskResult.running(backoff_ms=remaining)


MONITOR_TASK = TaskDefinition(
    name="monitorWebhook",
    run=run_monitor_webhook,
    implementing_class="gennaker.stages.webhook_monitor.MonitorWebhookTask",
    backoff_ms=1_000,
    timeout_ms=3_600_000,
)

WAIT_BEFORE_MONITOR_TASK = TaskDefinition(
    name="waitBeforeMonitorWebhook",
    run=run_wait_before_monitor,
    implementing_class="gennaker.stages.webhook_monitor.WaitBeforeMonitorTask",
)
