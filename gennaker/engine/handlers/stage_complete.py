"""CompleteStage and AbortStage (Orca's ``CompleteStageHandler``/``AbortStageHandler``).

CompleteStage decides the stage's status from its synthetic stages and tasks (``determine_status``),
runs after-stages first when it succeeded and on-failure stages when it failed (both planned here, as
Orca does), applies ``failOnFailedExpressions``, copies expression errors into ``context.exception``,
then: a synthetic FAILED_CONTINUE propagates to the parent (unless
``allowSiblingStagesToContinueOnFailure``); SUCCEEDED/FAILED_CONTINUE/SKIPPED start what is downstream;
anything else cancels the stage (its cancel hook runs) and completes the parent or the execution.
"""

from __future__ import annotations

from typing import Any

from gennaker.engine.handlers.base import Handler, handles
from gennaker.engine.handlers.stage_start import halt_upwards
from gennaker.engine.messages import AbortStage, CancelStage, CompleteStage, StartStage
from gennaker.engine.planning import synthetic_stages
from gennaker.engine.registry import UnknownStageTypeError
from gennaker.engine.stagedef import PlanFn, PlanInput, StageDefinition
from gennaker.engine.stageops import (
    determine_status,
    exception_details,
    include_expression_summary,
    is_manually_skipped,
    start_next,
)
from gennaker.engine.tx import Tx
from gennaker.model import CONTINUABLE, ExecutionStatus
from gennaker.store import executions as repo
from gennaker.store.executions import StageRecord

S = ExecutionStatus


def _definition(tx: Tx, stage: StageRecord) -> StageDefinition | None:
    try:
        return tx.runtime.registry.get(stage.type)
    except UnknownStageTypeError:
        return None


def _plan_after(tx: Tx, stage: StageRecord, builder: PlanFn, existing_after: int) -> list[StageRecord]:
    plan = PlanInput(stage.id, stage.ref_id, stage.type, stage.name, stage.context, tx.execution.trigger)
    specs = list(builder(plan))
    if not specs:
        return []
    rows = synthetic_stages(
        stage,
        specs,
        owner="STAGE_AFTER",
        existing=existing_after,
        first_seq=repo.next_seq(tx.conn, tx.execution.id),
    )
    tx.insert_stages(rows)
    return rows


def _start_first(tx: Tx, rows: list[StageRecord]) -> None:
    for r in rows:
        if not r.requisite_stage_ref_ids and r.status == S.NOT_STARTED:
            tx.push(StartStage(tx.execution.id, r.id))


def _expressions_failed(context: dict[str, Any]) -> bool:
    summary = context.get("expressionEvaluationSummary")
    if not isinstance(summary, dict):
        return False
    return any(
        isinstance(e, dict) and e.get("level") == "ERROR"
        for v in summary.values()
        if isinstance(v, list)
        for e in v
    )


def finish_stage(tx: Tx, stage: StageRecord, status: ExecutionStatus) -> None:
    """Store the final status and move on (downstream, parent or execution)."""
    context = dict(stage.context)
    include_expression_summary(context)
    tx.update_stage(stage, status=status.value, end_time=tx.now, context=context)
    tx.emit_stage(stage)
    if (
        status == S.FAILED_CONTINUE
        and stage.parent_stage_id
        and context.get("allowSiblingStagesToContinueOnFailure") is not True
    ):
        tx.push(CompleteStage(tx.execution.id, stage.parent_stage_id))
    elif status in CONTINUABLE:
        start_next(tx, stage)
    else:
        tx.push(CancelStage(tx.execution.id, stage.id))
        halt_upwards(tx, stage)


@handles(CompleteStage)
class CompleteStageHandler(Handler[CompleteStage]):
    def handle(self, tx: Tx, message: CompleteStage, prepared: Any) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None or stage.status not in (S.RUNNING, S.NOT_STARTED, S.PAUSED):
            return
        children = tx.children(stage)
        status = determine_status(stage, children)
        if stage.context.get("failOnFailedExpressions") is True and _expressions_failed(stage.context):
            status = S.TERMINAL
        if is_manually_skipped(tx, stage) and not status.is_halt:
            status = S.SKIPPED
        definition = _definition(tx, stage)
        after = [c for c in children if c.synthetic_stage_owner == "STAGE_AFTER"]
        try:
            if status in (S.RUNNING, S.NOT_STARTED) or (status.is_complete and not status.is_halt):
                if (
                    not after
                    and definition is not None
                    and definition.after_stages is not None
                    and status != S.SKIPPED
                ):
                    after = _plan_after(tx, stage, definition.after_stages, 0)
                if any(c.status == S.NOT_STARTED for c in after):
                    _start_first(tx, after)
                    return
                if status == S.NOT_STARTED:
                    status = S.SKIPPED  # no tasks and no synthetic stages
                elif status == S.RUNNING:
                    return  # after-stages still running; the last one continues this stage
            elif status.is_failure and definition is not None and definition.on_failure_stages is not None:
                planned = self._plan_on_failure(tx, stage, definition.on_failure_stages, after)
                if planned:
                    _start_first(tx, planned)
                    return
        except Exception as e:
            context = dict(stage.context)
            context["exception"] = exception_details(
                f"Failed to plan synthetic stages: {e}",
                [str(e)],
                exception_type=type(e).__name__,
                operation=stage.type,
            )
            stage.context = context
            status = S.TERMINAL
        finish_stage(tx, stage, status)

    @staticmethod
    def _plan_on_failure(
        tx: Tx, stage: StageRecord, builder: PlanFn, after: list[StageRecord]
    ) -> list[StageRecord]:
        """Plan on-failure stages once (Orca drops after-stages that have not started, then plans them)."""
        plan = PlanInput(stage.id, stage.ref_id, stage.type, stage.name, stage.context, tx.execution.trigger)
        specs = list(builder(plan))
        names = {(s.type, s.name) for s in specs}
        if not specs or any((c.type, c.name) in names for c in after):
            return []
        not_started = [c for c in after if c.status == S.NOT_STARTED]
        tx.delete_stages(not_started)
        kept = len(after) - len(not_started)
        rows = synthetic_stages(
            stage,
            specs,
            owner="STAGE_AFTER",
            existing=kept,
            first_seq=repo.next_seq(tx.conn, tx.execution.id),
        )
        tx.insert_stages(rows)
        return rows


@handles(AbortStage)
class AbortStageHandler(Handler[AbortStage]):
    """A stage whose messages kept failing (dead message): TERMINAL, and the execution ends."""

    def handle(self, tx: Tx, message: AbortStage, prepared: Any) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None or S(stage.status).is_complete:
            return
        tx.update_stage(stage, status=S.TERMINAL.value, end_time=tx.now)
        tx.emit_stage(stage)
        halt_upwards(tx, stage)
