"""StartTask, RunTask and CompleteTask (Orca's task handlers).

RunTask is the only message that does real work. Its ``prepare`` phase reads the execution and stage
(short read transaction), checks cancel/pause/manual skip and timeouts (elapsed time minus the time the
execution spent paused; ``stageTimeoutMs`` on the stage or a parent replaces an overridable task's
timeout), then runs the task outside any transaction. Its ``handle`` phase re-checks that the task is
still RUNNING and applies the outcome in the write transaction: context/outputs merged, and
RunTask re-pushed after the task's backoff (never later than its timeout) or CompleteTask pushed.
An exception in a task fails the stage (status from ``failure_status``) with Orca's
``context.exception``; a retryable task's ``RetryableError`` is retried after its backoff instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from gennaker.engine.clock import now_ms
from gennaker.engine.handlers.base import Handler, handles
from gennaker.engine.messages import CompleteStage, CompleteTask, RunTask, StartTask
from gennaker.engine.registry import UnknownStageTypeError
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.stagedef import PlanInput, TaskDefinition, TaskResult
from gennaker.engine.stageops import exception_details, failure_status, is_manually_skipped
from gennaker.engine.taskinput import build_task_input
from gennaker.engine.tx import Tx
from gennaker.model import ExecutionStatus
from gennaker.store import executions as repo
from gennaker.store.executions import ExecutionRecord, StageRecord

log = logging.getLogger(__name__)
S = ExecutionStatus
SLOW_TASK_MS = 30_000


def find_task(stage: StageRecord, task_id: str) -> tuple[int, dict[str, Any]] | None:
    for i, t in enumerate(stage.tasks):
        if str(t["id"]) == str(task_id):
            return i, t
    return None


@handles(StartTask)
class StartTaskHandler(Handler[StartTask]):
    def handle(self, tx: Tx, message: StartTask, prepared: Any) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None or stage.status != S.RUNNING:
            return
        found = find_task(stage, message.task_id)
        if found is None or found[1]["status"] != S.NOT_STARTED:
            return
        i, task = found
        tasks = list(stage.tasks)
        tasks[i] = dict(task, status=S.RUNNING.value, startTime=tx.now, endTime=None)
        tx.update_stage(stage, tasks=tasks)
        tx.emit_task(stage, tasks[i])
        tx.push(RunTask(tx.execution.id, stage.id, task_id=task["id"], task_type=task["name"]))


@dataclass
class RunOutcome:
    """What the prepare phase decided. ``action``: gone | pause | complete | retry | result."""

    action: str
    status: ExecutionStatus = S.RUNNING
    original_status: ExecutionStatus | None = None
    result: TaskResult | None = None
    context: dict[str, Any] = field(default_factory=dict)
    delay_ms: int = 0


def _parent_chain(conn: Any, stage: StageRecord) -> list[StageRecord]:
    chain = [stage]
    while chain[-1].parent_stage_id:
        parent = repo.get_stage(conn, chain[-1].parent_stage_id)
        if parent is None:
            break
        chain.append(parent)
    return chain


def _task_definition(
    runtime: EngineRuntime, execution: ExecutionRecord, stage: StageRecord, task: dict[str, Any]
) -> TaskDefinition | None:
    try:
        definition = runtime.registry.get(stage.type)
    except UnknownStageTypeError:
        return None
    plan = PlanInput(stage.id, stage.ref_id, stage.type, stage.name, stage.context, execution.trigger)
    tasks = list(definition.task_list(plan))
    for t in tasks:
        if t.name == task["name"]:
            return t
    index = int(task["id"]) - 1 if str(task["id"]).isdigit() else -1
    return tasks[index] if 0 <= index < len(tasks) else None


def _format(ms: int) -> str:
    seconds = ms / 1000
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


@handles(RunTask)
class RunTaskHandler(Handler[RunTask]):
    def prepare(self, runtime: EngineRuntime, message: RunTask) -> RunOutcome:
        with runtime.db.read() as conn:
            execution = repo.get_execution(conn, message.execution_id)
            stage = repo.get_stage(conn, message.stage_id)
            if execution is None or stage is None:
                return RunOutcome("gone")
            chain = _parent_chain(conn, stage)
        found = find_task(stage, message.task_id)
        if found is None or found[1]["status"] != S.RUNNING:
            return RunOutcome("gone")
        task = found[1]
        if execution.canceled or S(execution.status).is_complete:
            return RunOutcome("complete", S.CANCELED)
        if execution.status == S.PAUSED:
            return RunOutcome("pause")
        if any(s.context.get("manualSkip") is True for s in chain):
            return RunOutcome("complete", S.SKIPPED)
        definition = _task_definition(runtime, execution, stage, task)
        if definition is None:
            ctx = {
                "exception": exception_details(
                    "Unexpected Task Failure",
                    [f"stage type {stage.type!r} has no task {task['name']!r}"],
                    exception_type="InvalidTaskType",
                    operation=task["name"],
                )
            }
            return RunOutcome("complete", failure_status(stage.context), context=ctx)
        now = now_ms()
        timeout_stage = next(
            (s for s in chain if isinstance(s.context.get("stageTimeoutMs"), int | float)), None
        )
        deadline_left: int | None = None
        if timeout_stage is not None and timeout_stage.start_time is not None:
            limit = int(timeout_stage.context["stageTimeoutMs"])
            elapsed = (
                now - timeout_stage.start_time - execution.paused_ms_since(timeout_stage.start_time, now)
            )
            if elapsed > limit:
                return self._timed_out(
                    runtime,
                    execution,
                    stage,
                    task,
                    definition,
                    f"Stage {stage.name} timed out after {_format(elapsed)}",
                )
            deadline_left = limit - elapsed
        task_timeout = definition.timeout_ms
        if definition.timeout_overridable and timeout_stage is not None:
            task_timeout = None  # the stage-wide timeout above replaces it
        start = task.get("startTime") or now
        if task_timeout is not None:
            elapsed = now - start - execution.paused_ms_since(start, now)
            if elapsed > task_timeout:
                return self._timed_out(
                    runtime,
                    execution,
                    stage,
                    task,
                    definition,
                    f"{task['name']} of stage {stage.name} timed out after {_format(elapsed)}",
                )
            left = task_timeout - elapsed
            deadline_left = left if deadline_left is None else min(deadline_left, left)
        task_input = build_task_input(runtime, execution, stage, task)
        began = now_ms()
        try:
            result = definition.run(task_input)
            if not isinstance(result, TaskResult):
                raise TypeError(f"task {task['name']!r} returned {type(result).__name__}, not a TaskResult")
        except definition.retry_on as e:
            if definition.retryable:
                log.info("task %s of %s will be retried: %s", task["name"], stage.id, e)
                return RunOutcome("retry", delay_ms=self._bounded(definition.backoff_ms, deadline_left))
            return self._failed(stage, task, e)
        except Exception as e:
            return self._failed(stage, task, e)
        took = now_ms() - began
        if took > SLOW_TASK_MS:
            log.warning("task %s of stage %s took %d ms", task["name"], stage.id, took)
        if result.status == S.RUNNING:
            backoff = result.backoff_ms if result.backoff_ms is not None else definition.backoff_ms
            return RunOutcome("result", result=result, delay_ms=self._bounded(backoff, deadline_left))
        return RunOutcome("result", result=result)

    @staticmethod
    def _bounded(backoff: int, deadline_left: int | None) -> int:
        backoff = max(0, int(backoff))
        return backoff if deadline_left is None else min(backoff, max(0, deadline_left) + 1)

    @staticmethod
    def _failed(stage: StageRecord, task: dict[str, Any], e: BaseException) -> RunOutcome:
        log.warning("task %s of stage %s (%s) failed: %s", task["name"], stage.name, stage.id, e, exc_info=e)
        ctx = {
            "exception": exception_details(
                "Unexpected Task Failure",
                [str(e) or type(e).__name__],
                exception_type=type(e).__name__,
                operation=task["name"],
            )
        }
        return RunOutcome("complete", failure_status(stage.context), S.TERMINAL, context=ctx)

    @staticmethod
    def _timed_out(  # noqa: PLR0917
        runtime: EngineRuntime,
        execution: ExecutionRecord,
        stage: StageRecord,
        task: dict[str, Any],
        definition: TaskDefinition,
        reason: str,
    ) -> RunOutcome:
        ctx: dict[str, Any] = {}
        if definition.on_timeout is not None:
            try:
                ctx.update(definition.on_timeout(build_task_input(runtime, execution, stage, task)) or {})
            except Exception:
                log.exception("onTimeout of %s failed", task["name"])
        if definition.mark_successful_on_timeout:
            return RunOutcome("complete", S.SUCCEEDED, context=ctx)
        ctx["exception"] = exception_details(
            reason, [reason], exception_type="TimeoutException", operation=task["name"]
        )
        return RunOutcome("complete", failure_status(stage.context), S.TERMINAL, context=ctx)

    def handle(self, tx: Tx, message: RunTask, prepared: RunOutcome) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None:
            return
        found = find_task(stage, message.task_id)
        if found is None or found[1]["status"] != S.RUNNING:
            return
        i, task = found
        ex = tx.execution
        outcome = prepared
        if outcome.action == "gone":
            return
        if outcome.action == "pause":
            if ex.status != S.PAUSED:
                tx.push(message)  # resumed meanwhile: run again now
                return
            tasks = list(stage.tasks)
            tasks[i] = dict(task, status=S.PAUSED.value)
            tx.update_stage(stage, tasks=tasks, status=S.PAUSED.value)
            tx.emit_task(stage, tasks[i])
            tx.emit_stage(stage)
            return
        if outcome.context:
            tx.update_stage(stage, context={**stage.context, **outcome.context})
        if outcome.action == "complete":
            tx.push(
                CompleteTask(
                    ex.id,
                    stage.id,
                    task_id=task["id"],
                    status=outcome.status.value,
                    original_status=outcome.original_status.value if outcome.original_status else None,
                )
            )
            return
        if outcome.action == "retry":
            tx.push(message, outcome.delay_ms)
            return
        result = outcome.result
        assert result is not None
        values: dict[str, Any] = {}
        if result.context:
            values["context"] = {**stage.context, **result.context}
        if result.outputs:
            values["outputs"] = {**stage.outputs, **result.outputs}
        if values:
            tx.update_stage(stage, **values)
        status = S(result.status)
        if status == S.RUNNING:
            tx.push(message, outcome.delay_ms)
        elif status in (S.SUCCEEDED, S.REDIRECT, S.SKIPPED, S.FAILED_CONTINUE, S.STOPPED):
            tx.push(CompleteTask(ex.id, stage.id, task_id=task["id"], status=status.value))
        else:
            final = failure_status(stage.context, default=S.CANCELED if status == S.CANCELED else S.TERMINAL)
            tx.push(
                CompleteTask(
                    ex.id, stage.id, task_id=task["id"], status=final.value, original_status=status.value
                )
            )


@handles(CompleteTask)
class CompleteTaskHandler(Handler[CompleteTask]):
    def handle(self, tx: Tx, message: CompleteTask, prepared: Any) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None:
            return
        found = find_task(stage, message.task_id)
        if found is None or found[1]["status"] not in (S.RUNNING, S.PAUSED):
            return
        i = found[0]
        status = S(message.status)
        tasks = [dict(t) for t in stage.tasks]
        if status == S.REDIRECT:
            start = next((j for j in range(i, -1, -1) if tasks[j].get("loopStart")), None)
            if start is not None:
                for j in range(start, i + 1):
                    tasks[j].update(status=S.NOT_STARTED.value, startTime=None, endTime=None)
                tx.update_stage(stage, tasks=tasks)
                tx.push(StartTask(tx.execution.id, stage.id, task_id=tasks[start]["id"]))
                return
            status = S.SUCCEEDED
        tasks[i].update(status=status.value, endTime=tx.now)
        tx.update_stage(stage, tasks=tasks)
        tx.emit_task(stage, tasks[i])
        following = tasks[i + 1] if i + 1 < len(tasks) else None
        if (
            status in (S.SUCCEEDED, S.FAILED_CONTINUE)
            and following is not None
            and not is_manually_skipped(tx, stage)
        ):
            tx.push(StartTask(tx.execution.id, stage.id, task_id=following["id"]))
        else:
            tx.push(CompleteStage(tx.execution.id, stage.id))
