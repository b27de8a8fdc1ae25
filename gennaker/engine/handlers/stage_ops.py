"""CancelStage (runs a halted stage's cancel hook) and RestartStage (Orca's handlers of those names).

CancelStage: a RUNNING stage gets its RunTasks delivered now (they see the cancel/complete execution);
a halted stage (CANCELED/TERMINAL/STOPPED) gets its definition's ``cancel`` hook, run in ``prepare``
outside the transaction; whatever dict the hook returns is merged into the stage context.

RestartStage: resets the top-level stage of the given stage and everything downstream of it to
NOT_STARTED (synthetic stages removed, tasks cleared, context back to what was planned plus
``restartDetails{restartedBy, restartTime, previousException}``), sets the execution RUNNING and starts
the stage, or queues the execution when ``limitConcurrent`` says another one is running.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from gennaker.engine.handlers.base import Handler, handles, lock_config
from gennaker.engine.handlers.execution import reschedule_run_tasks, should_queue
from gennaker.engine.messages import CancelStage, RestartStage, StartStage
from gennaker.engine.registry import UnknownStageTypeError
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.taskinput import build_task_input
from gennaker.engine.tx import Tx
from gennaker.model import ExecutionStatus
from gennaker.store import executions as repo
from gennaker.store.executions import StageRecord

log = logging.getLogger(__name__)
S = ExecutionStatus


@dataclass
class CancelOutcome:
    result: dict[str, Any] | None
    error: str | None


@handles(CancelStage)
class CancelStageHandler(Handler[CancelStage]):
    def prepare(self, runtime: EngineRuntime, message: CancelStage) -> CancelOutcome | None:
        with runtime.db.read() as conn:
            execution = repo.get_execution(conn, message.execution_id)
            stage = repo.get_stage(conn, message.stage_id)
        if execution is None or stage is None or not S(stage.status).is_halt:
            return None
        try:
            definition = runtime.registry.get(stage.type)
        except UnknownStageTypeError:
            return None
        if definition.cancel is None:
            return None
        task_input = build_task_input(runtime, execution, stage, None)
        try:
            result = definition.cancel(task_input)
            return CancelOutcome(dict(result) if result else None, None)
        except Exception as e:
            log.exception("cancel hook of stage %s (%s) failed", stage.name, stage.id)
            return CancelOutcome(None, f"{type(e).__name__}: {e}")

    def handle(self, tx: Tx, message: CancelStage, prepared: CancelOutcome | None) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None:
            return
        if stage.status in (S.RUNNING, S.PAUSED):
            reschedule_run_tasks(tx)
        if prepared is not None:
            context = dict(stage.context)
            if prepared.result:
                context.update(prepared.result)
            if prepared.error:
                context["cancelError"] = prepared.error
            tx.update_stage(stage, context=context)


def _descendants(all_stages: list[StageRecord], root: StageRecord) -> list[StageRecord]:
    out: list[StageRecord] = []
    frontier = [root.id]
    while frontier:
        kids = [s for s in all_stages if s.parent_stage_id in frontier]
        out += kids
        frontier = [k.id for k in kids]
    return out


@handles(RestartStage)
class RestartStageHandler(Handler[RestartStage]):
    def handle(self, tx: Tx, message: RestartStage, prepared: Any) -> None:
        ex = tx.execution
        all_stages = tx.all_stages()
        by_id = {s.id: s for s in all_stages}
        stage = by_id.get(message.stage_id)
        if stage is None:
            return
        top = stage
        while top.parent_stage_id and top.parent_stage_id in by_id:
            top = by_id[top.parent_stage_id]
        if not S(top.status).is_complete:
            return
        restart_details = {
            "restartedBy": message.user or "anonymous",
            "restartTime": tx.now,
            "previousException": top.context.get("exception"),
        }
        self._reset(tx, all_stages, top, restart_details, set())
        values: dict[str, Any] = {
            "status": S.RUNNING.value,
            "end_time": None,
            "canceled": False,
            "canceled_by": None,
            "cancellation_reason": None,
        }
        tx.update_execution(**values)
        if ex.pipeline_config_id:
            lock_config(tx, ex.pipeline_config_id)
        if should_queue(tx):
            tx.update_execution(status=S.NOT_STARTED.value, waiting=True)
            tx.emit_execution()
            return
        tx.emit_execution()
        tx.push(StartStage(ex.id, top.id))

    def _reset(
        self,
        tx: Tx,
        all_stages: list[StageRecord],
        stage: StageRecord,
        details: dict[str, Any] | None,
        seen: set[str],
    ) -> None:
        if stage.id in seen:
            return
        seen.add(stage.id)
        if S(stage.status).is_complete or details is not None:
            tx.delete_stages(_descendants(all_stages, stage))
            context = copy.deepcopy(stage.initial_context)
            try:
                definition = tx.runtime.registry.get(stage.type)
                if definition.prepare_for_restart is not None:
                    context = definition.prepare_for_restart(context)
            except UnknownStageTypeError:
                pass
            if details is not None:
                context["restartDetails"] = details
            tx.update_stage(
                stage,
                status=S.NOT_STARTED.value,
                start_time=None,
                end_time=None,
                tasks=[],
                context=context,
                outputs={},
            )
            tx.emit_stage(stage)
        for down in all_stages:
            if down.parent_stage_id is None and down.ref_id in stage.downstream_ref_ids:
                self._reset(tx, all_stages, down, None, seen)
