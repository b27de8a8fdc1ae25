"""StartStage, SkipStage and ContinueParentStage (Orca's handlers of the same names).

StartStage: runs when every upstream stage let it (the last upstream to finish pushes it, so joins
start at once: no 15 s re-check); skips on ``stageEnabled`` false (or a non-boolean result, with a
warning) and on ``manualSkip``; evaluates the context's expressions (Spinnaker v4: when the stage
starts), plans tasks and before-stages, and starts the first of them. A planning error (unknown type,
a builder raising, failed expressions with ``failOnFailedExpressions``) is stored in
``context.exception`` with ``beforeStagePlanningFailed`` and the stage is completed (failed).
"""

from __future__ import annotations

import logging
from typing import Any

from gennaker.engine.evaluation import StageScope
from gennaker.engine.expressions import ExpressionFailed, contains_expression
from gennaker.engine.handlers.base import Handler, handles
from gennaker.engine.messages import (
    CompleteExecution,
    CompleteStage,
    ContinueParentStage,
    SkipStage,
    StartStage,
    StartTask,
)
from gennaker.engine.planning import synthetic_stages, task_dicts
from gennaker.engine.registry import UnknownStageTypeError
from gennaker.engine.stagedef import PlanInput
from gennaker.engine.stageops import exception_details, is_manually_skipped, start_next
from gennaker.engine.tx import Tx
from gennaker.model import CONTINUABLE, ExecutionStatus
from gennaker.store import executions as repo
from gennaker.store.executions import StageRecord

log = logging.getLogger(__name__)
S = ExecutionStatus

# Keys the engine never evaluates at stage start.
ALWAYS_UNEVALUATED = frozenset({"stageEnabled", "expressionEvaluationSummary", "restartDetails", "exception"})


def halt_upwards(tx: Tx, stage: StageRecord) -> None:
    """A halted stage ends its parent (synthetic) or the execution (top level)."""
    if stage.parent_stage_id is None:
        tx.push(CompleteExecution(tx.execution.id))
    else:
        tx.push(CompleteStage(tx.execution.id, stage.parent_stage_id))


def skip_stage(tx: Tx, stage: StageRecord) -> None:
    """Mark a stage (and whatever of it is unfinished) SKIPPED and start what follows."""
    tasks = [dict(t, status=S.SKIPPED.value) if not S(t["status"]).is_complete else t for t in stage.tasks]
    for child in tx.children(stage):
        if not S(child.status).is_complete:
            tx.update_stage(child, status=S.SKIPPED.value, end_time=tx.now)
            tx.emit_stage(child)
    tx.update_stage(stage, status=S.SKIPPED.value, end_time=tx.now, tasks=tasks)
    tx.emit_stage(stage)
    start_next(tx, stage)


def _stage_enabled(tx: Tx, stage: StageRecord, scope: StageScope | None) -> tuple[bool, StageScope | None]:
    enabled = stage.context.get("stageEnabled")
    if not isinstance(enabled, dict) or enabled.get("type", "expression") != "expression":
        return True, scope
    expression = enabled.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        return True, scope
    scope = scope or StageScope(tx.conn, tx.execution, stage)
    text = expression.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    try:
        value = scope.evaluate_expression(tx.runtime.evaluator, text, stage.context)
    except ExpressionFailed as e:
        value = None
        reason = str(e)
    else:
        reason = f"result {value!r} is neither true nor false"
    word = str(value).lower() if value is not None else ""
    if word in ("true", "false"):
        return word == "true", scope
    log.warning(
        "Unable to determine stage optionality of %s (%s) in %s: Conditional Expression '%s' could not be "
        "evaluated (%s); skipping the stage",
        stage.name,
        stage.id,
        tx.execution.id,
        expression,
        reason,
    )
    summary = dict(stage.context.get("expressionEvaluationSummary") or {})
    summary[expression] = [
        {
            "description": f"Conditional Expression '{expression}' could not be evaluated: {reason}",
            "exceptionType": "InvalidExpression",
            "level": "WARN",
            "timestamp": tx.now,
        }
    ]
    tx.update_stage(stage, context={**stage.context, "expressionEvaluationSummary": summary})
    return False, scope


def _plan_failed(tx: Tx, stage: StageRecord, error: str, errors: list[str], exception_type: str) -> None:
    context = dict(stage.context)
    context["exception"] = exception_details(
        error, errors, exception_type=exception_type, operation=stage.type
    )
    context["beforeStagePlanningFailed"] = True
    tx.update_stage(stage, status=S.RUNNING.value, start_time=tx.now, context=context)
    tx.emit_stage(stage)
    tx.push(CompleteStage(tx.execution.id, stage.id))


@handles(StartStage)
class StartStageHandler(Handler[StartStage]):
    def handle(self, tx: Tx, message: StartStage, prepared: Any) -> None:
        ex = tx.execution
        stage = tx.stage(message.stage_id)
        if stage is None or stage.status != S.NOT_STARTED:
            return
        if ex.status not in (S.RUNNING, S.PAUSED):
            return
        if ex.canceled:
            tx.update_stage(stage, status=S.CANCELED.value, end_time=tx.now)
            tx.emit_stage(stage)
            halt_upwards(tx, stage)
            return
        upstream = [
            u
            for u in repo.get_graph_by_ref(tx.conn, ex.id, stage.requisite_stage_ref_ids)
            if u.parent_stage_id == stage.parent_stage_id
        ]
        if any(S(u.status).is_halt for u in upstream):
            halt_upwards(tx, stage)
            return
        if len(upstream) < len(stage.requisite_stage_ref_ids) or not all(
            u.status in CONTINUABLE for u in upstream
        ):
            return  # the last upstream stage to finish pushes StartStage again
        if is_manually_skipped(tx, stage) or (
            stage.start_time_expiry is not None and tx.now > stage.start_time_expiry
        ):
            skip_stage(tx, stage)
            return
        enabled, scope = _stage_enabled(tx, stage, None)
        if not enabled:
            skip_stage(tx, stage)
            return
        try:
            definition = tx.runtime.registry.get(stage.type)
        except UnknownStageTypeError:
            _plan_failed(
                tx,
                stage,
                f"Unknown stage type {stage.type!r}",
                [f"no stage type {stage.type!r} is registered"],
                "UnknownStageType",
            )
            return
        context = dict(stage.context)
        skip = definition.unevaluated_keys | ALWAYS_UNEVALUATED
        if contains_expression(context, skip):
            scope = scope or StageScope(tx.conn, ex, stage)
            evaluable = {k: v for k, v in context.items() if k not in skip}
            try:
                result = scope.evaluate(tx.runtime.evaluator, evaluable, context)
            except Exception as e:  # the evaluator failing as a whole (e.g. not installed)
                _plan_failed(
                    tx, stage, "Expression evaluation failed", [f"{type(e).__name__}: {e}"], type(e).__name__
                )
                return
            context = {k: (result.value[k] if k in evaluable else v) for k, v in context.items()}
            if result.summary:
                context["expressionEvaluationSummary"] = result.summary
            else:
                context.pop("expressionEvaluationSummary", None)
            stage.context = context
            if result.failed and context.get("failOnFailedExpressions") is True:
                errors = [
                    e["description"]
                    for entries in result.summary.values()
                    for e in entries
                    if e.get("level") == "ERROR"
                ]
                _plan_failed(
                    tx, stage, "Failed to evaluate expressions", errors, "ExpressionEvaluationException"
                )
                return
        plan = PlanInput(stage.id, stage.ref_id, stage.type, stage.name, context, ex.trigger)
        try:
            tasks = task_dicts(definition.task_list(plan))
            before_specs = list(definition.before_stages(plan)) if definition.before_stages else []
        except Exception as e:
            log.exception("planning stage %s (%s) of %s failed", stage.name, stage.id, ex.id)
            stage.context = context
            _plan_failed(tx, stage, f"Failed to plan stage: {e}", [str(e)], type(e).__name__)
            return
        before = []
        if before_specs:
            before = synthetic_stages(
                stage, before_specs, owner="STAGE_BEFORE", existing=0, first_seq=repo.next_seq(tx.conn, ex.id)
            )
            tx.insert_stages(before)
        tx.update_stage(
            stage, status=S.RUNNING.value, start_time=tx.now, end_time=None, tasks=tasks, context=context
        )
        tx.emit_stage(stage)
        if before:
            for b in before:
                if not b.requisite_stage_ref_ids:
                    tx.push(StartStage(ex.id, b.id))
        elif tasks:
            tx.push(StartTask(ex.id, stage.id, task_id=tasks[0]["id"]))
        else:
            tx.push(CompleteStage(ex.id, stage.id))


@handles(SkipStage)
class SkipStageHandler(Handler[SkipStage]):
    """Skip a stage that has not finished (a user's skip, or stageEnabled); what follows starts."""

    def handle(self, tx: Tx, message: SkipStage, prepared: Any) -> None:
        stage = tx.stage(message.stage_id)
        if stage is None or stage.status not in (S.NOT_STARTED, S.RUNNING, S.PAUSED):
            return
        if S(tx.execution.status).is_complete:
            return
        if stage.status == S.NOT_STARTED:
            return  # StartStage sees manualSkip when its upstream stages are done
        skip_stage(tx, stage)


@handles(ContinueParentStage)
class ContinueParentStageHandler(Handler[ContinueParentStage]):
    """After the last synthetic stage of a phase: run the parent's tasks (before) or complete it (after).
    A phase whose stages are not all done yet is left to its last stage."""

    def handle(self, tx: Tx, message: ContinueParentStage, prepared: Any) -> None:
        parent = tx.stage(message.stage_id)
        if parent is None or parent.status not in (S.RUNNING, S.PAUSED):
            return
        phase = [c for c in tx.children(parent) if c.synthetic_stage_owner == message.phase]
        if message.phase == "STAGE_BEFORE":
            if all(c.status in CONTINUABLE for c in phase):
                pending = [t for t in parent.tasks if t["status"] == S.NOT_STARTED]
                if parent.tasks and pending and len(pending) == len(parent.tasks):
                    tx.push(StartTask(tx.execution.id, parent.id, task_id=parent.tasks[0]["id"]))
                else:
                    tx.push(CompleteStage(tx.execution.id, parent.id))
        elif all(S(c.status).is_complete for c in phase):
            tx.push(CompleteStage(tx.execution.id, parent.id))
