"""Execution-level handlers: start (with limitConcurrent queueing), complete, cancel, pause, resume,
reschedule, start waiting executions. Orca's ``StartExecutionHandler``, ``CompleteExecutionHandler``,
``CancelExecutionHandler``, ``ResumeExecutionHandler``, ``RescheduleExecutionHandler`` and
``StartWaitingExecutionsHandler``, with event-driven completion instead of Orca's 30 s re-checks: a
branch that is not the last to finish simply leaves completion to the last one.
"""

from __future__ import annotations

from typing import Any

from gennaker.engine.handlers.base import Handler, handles, lock_config
from gennaker.engine.messages import (
    CancelExecution,
    CancelStage,
    CompleteExecution,
    PauseExecution,
    RescheduleExecution,
    ResumeExecution,
    RunTask,
    StartExecution,
    StartStage,
    StartWaitingExecutions,
)
from gennaker.engine.tx import Tx
from gennaker.model import CONTINUABLE, ExecutionStatus
from gennaker.store import executions as repo
from gennaker.store import queue as queue_repo
from gennaker.store.executions import StageRecord

S = ExecutionStatus

PURGED_REASON = (
    "This execution was queued but then canceled because a newer queued execution superceded it. "
    "This pipeline is configured to automatically cancel waiting executions."
)


def should_queue(tx: Tx) -> bool:
    """Orca's ``shouldQueue``: limitConcurrent allows one running execution per config;
    otherwise ``maxConcurrentExecutions`` > 0 caps them."""
    ex = tx.execution
    if ex.type != "PIPELINE" or not ex.pipeline_config_id:
        return False
    if ex.limit_concurrent:
        return repo.count_running(tx.conn, ex.pipeline_config_id, exclude_id=ex.id) > 0
    if ex.max_concurrent_executions > 0:
        running = repo.count_running(tx.conn, ex.pipeline_config_id, exclude_id=ex.id)
        return running >= ex.max_concurrent_executions
    return False


def ready_top_level(stages: list[StageRecord]) -> list[StageRecord]:
    """Top-level NOT_STARTED stages whose upstream stages all let them run (initial stages on a fresh
    execution; on a restarted one, the restarted stages)."""
    by_ref = {s.ref_id: s for s in stages if s.parent_stage_id is None}
    out = []
    for s in stages:
        if s.parent_stage_id is None and s.status == S.NOT_STARTED:
            ups = [by_ref.get(r) for r in s.requisite_stage_ref_ids]
            if all(u is not None and u.status in CONTINUABLE for u in ups):
                out.append(s)
    return out


def wake_parent(tx: Tx) -> None:
    """A child started by a ``pipeline`` stage has completed: deliver the parent's RunTasks now, so its
    monitor sees the outcome at once instead of at its next poll (Orca polls every 15 s)."""
    trigger = tx.execution.trigger or {}
    parent_id = trigger.get("parentPipelineId")
    if trigger.get("type") == "pipeline" and isinstance(parent_id, str) and parent_id:
        tx.push(RescheduleExecution(parent_id))


def finish_waiting(tx: Tx) -> None:
    """After an execution stops running, let the next waiting one of its config start (and wake the
    parent execution of a child pipeline)."""
    wake_parent(tx)
    ex = tx.execution
    if ex.type == "PIPELINE" and ex.pipeline_config_id:
        tx.push(
            StartWaitingExecutions(
                ex.id, pipeline_config_id=ex.pipeline_config_id, purge_queue=not ex.keep_waiting_pipelines
            )
        )


@handles(StartExecution)
class StartExecutionHandler(Handler[StartExecution]):
    def handle(self, tx: Tx, message: StartExecution, prepared: Any) -> None:
        ex = tx.execution
        if ex.status != S.NOT_STARTED or ex.canceled:
            return
        if ex.start_time_expiry is not None and tx.now > ex.start_time_expiry:
            tx.update_execution(
                status=S.CANCELED.value,
                canceled=True,
                canceled_by="gennaker",
                cancellation_reason="Could not begin execution before start time expiry",
                end_time=tx.now,
                waiting=False,
            )
            tx.emit_execution()
            finish_waiting(tx)
            return
        if ex.pipeline_config_id:
            lock_config(tx, ex.pipeline_config_id)
        if should_queue(tx):
            if not ex.waiting:
                tx.update_execution(waiting=True)
                tx.emit_execution()
            return
        stages = repo.get_stages(tx.conn, ex.id, graph_only=True)
        tx.update_execution(
            status=S.RUNNING.value, start_time=ex.start_time or tx.now, waiting=False, end_time=None
        )
        tx.emit_execution()
        initial = ready_top_level(stages)
        if not initial:
            if not [s for s in stages if s.parent_stage_id is None]:
                tx.update_execution(status=S.TERMINAL.value, end_time=tx.now)
                tx.emit_execution()
                finish_waiting(tx)
            else:
                tx.push(CompleteExecution(ex.id))
            return
        for stage in initial:
            tx.push(StartStage(ex.id, stage.id))


def final_status(tx: Tx) -> ExecutionStatus | None:
    """Orca's ``determineFinalStatus``, or None while a branch can still make progress."""
    top = repo.get_top_level_statuses(tx.conn, tx.execution.id)
    statuses = [S(s.status) for s in top]
    running = any(s in (S.RUNNING, S.PAUSED) for s in statuses)
    if tx.execution.canceled and not running:
        return S.CANCELED
    if statuses and all(s in (S.SUCCEEDED, S.SKIPPED, S.FAILED_CONTINUE) for s in statuses):
        return S.SUCCEEDED
    if S.TERMINAL in statuses:
        return S.TERMINAL
    if S.CANCELED in statuses:
        return S.CANCELED
    if S.STOPPED in statuses:
        by_ref = {s.ref_id: s for s in top}
        incomplete = running or any(
            s.status == S.NOT_STARTED
            and all(
                by_ref.get(r) is not None and by_ref[r].status in CONTINUABLE
                for r in s.requisite_stage_ref_ids
            )
            for s in top
        )
        if incomplete:
            return None
        fail = any(
            s.status == S.STOPPED and s.context.get("completeOtherBranchesThenFail") is True for s in top
        )
        return S.TERMINAL if fail else S.SUCCEEDED
    return None


@handles(CompleteExecution)
class CompleteExecutionHandler(Handler[CompleteExecution]):
    def handle(self, tx: Tx, message: CompleteExecution, prepared: Any) -> None:
        ex = tx.execution
        if S(ex.status).is_complete or ex.status == S.NOT_STARTED:
            return
        status = final_status(tx)
        if status is None:
            return  # another branch is still going; the last one to finish completes the execution
        tx.update_execution(status=status.value, end_time=tx.now)
        tx.emit_execution()
        if status != S.SUCCEEDED:
            for s in repo.get_top_level_statuses(tx.conn, ex.id):
                if s.status in (S.RUNNING, S.PAUSED):
                    tx.push(CancelStage(ex.id, s.id))
        finish_waiting(tx)


@handles(StartWaitingExecutions)
class StartWaitingExecutionsHandler(Handler[StartWaitingExecutions]):
    def handle(self, tx: Tx, message: StartWaitingExecutions, prepared: Any) -> None:
        lock_config(tx, message.pipeline_config_id)
        waiting = repo.waiting_execution_ids(tx.conn, message.pipeline_config_id)
        if not waiting:
            return
        if message.purge_queue:
            newest, purged = waiting[-1], waiting[:-1]
            for execution_id in purged:
                repo.update_execution(
                    tx.conn,
                    execution_id,
                    status=S.CANCELED.value,
                    canceled=True,
                    canceled_by="gennaker",
                    cancellation_reason=PURGED_REASON,
                    end_time=tx.now,
                    waiting=False,
                )
                tx.events.append(_execution_event(tx, execution_id, S.CANCELED))
            tx.push(StartExecution(newest))
        else:
            tx.push(StartExecution(waiting[0]))


def _execution_event(tx: Tx, execution_id: str, status: ExecutionStatus) -> Any:
    from gennaker.engine.events import EngineEvent

    return EngineEvent("execution", execution_id, status.value, tx.now, application=tx.execution.application)


def reschedule_run_tasks(tx: Tx) -> None:
    """Deliver the execution's RunTask messages now (cancel and pause take effect at once)."""
    queue_repo.reschedule(tx.conn, execution_id=tx.execution.id, kinds=[RunTask.KIND], deliver_at=tx.now)


@handles(CancelExecution)
class CancelExecutionHandler(Handler[CancelExecution]):
    """The facade has flagged the execution canceled; resume paused work so RunTask sees the flag, run
    the RunTasks now, and complete the execution if nothing is running."""

    def handle(self, tx: Tx, message: CancelExecution, prepared: Any) -> None:
        ex = tx.execution
        if S(ex.status).is_complete:
            return
        resume_stages(tx)
        reschedule_run_tasks(tx)
        stages = repo.get_stages(tx.conn, ex.id, graph_only=True)
        if not any(s.status in (S.RUNNING, S.PAUSED) for s in stages):
            tx.push(CompleteExecution(ex.id))


@handles(RescheduleExecution)
class RescheduleExecutionHandler(Handler[RescheduleExecution]):
    def handle(self, tx: Tx, message: RescheduleExecution, prepared: Any) -> None:
        reschedule_run_tasks(tx)


@handles(PauseExecution)
class PauseExecutionHandler(Handler[PauseExecution]):
    """The facade has set the execution PAUSED; running tasks notice at their next RunTask, which is
    delivered now."""

    def handle(self, tx: Tx, message: PauseExecution, prepared: Any) -> None:
        if tx.execution.status == S.PAUSED:
            reschedule_run_tasks(tx)


def resume_stages(tx: Tx) -> None:
    """PAUSED stages and tasks back to RUNNING, their RunTasks delivered now."""
    for s in tx.all_stages():
        if s.status != S.PAUSED:
            continue
        tasks = [dict(t) for t in s.tasks]
        for t in tasks:
            if t["status"] == S.PAUSED:
                t["status"] = S.RUNNING.value
                tx.push(RunTask(tx.execution.id, s.id, task_id=t["id"], task_type=t["name"]))
        tx.update_stage(s, status=S.RUNNING.value, tasks=tasks)
        tx.emit_stage(s)


@handles(ResumeExecution)
class ResumeExecutionHandler(Handler[ResumeExecution]):
    def handle(self, tx: Tx, message: ResumeExecution, prepared: Any) -> None:
        if tx.execution.status == S.RUNNING:
            resume_stages(tx)
