"""Builds the ``TaskInput`` a task (or cancel hook) receives, with lazy loaders.

Who uses it: RunTask and CancelStage handlers, in their ``prepare`` phase (outside the write
transaction). Fall-through context values, the execution JSON and expression scopes are loaded with
their own short read transactions, and only if the task asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.engine.clock import now_ms
from gennaker.engine.evaluation import StageScope
from gennaker.engine.expressions import Evaluated
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.stagedef import StageContext, TaskInput
from gennaker.engine.stageops import ancestors
from gennaker.store import executions as repo
from gennaker.store.executions import ExecutionRecord, StageRecord


def build_task_input(
    runtime: EngineRuntime, execution: ExecutionRecord, stage: StageRecord, task: Mapping[str, Any] | None
) -> TaskInput:
    """A ``TaskInput`` for ``task`` of ``stage`` (``task`` None for cancel hooks)."""
    scope: list[StageScope] = []

    def get_scope() -> StageScope:
        if not scope:
            with runtime.db.read() as conn:
                scope.append(StageScope(conn, execution, stage))
        return scope[0]

    def ancestors_outputs() -> Sequence[Mapping[str, Any]]:
        with runtime.db.read() as conn:
            stages = repo.get_stages(conn, execution.id)
        stages = [stage if s.id == stage.id else s for s in stages]
        return [a.outputs for a in ancestors(stages, stage)]

    def execution_json() -> dict[str, Any]:
        return get_scope().execution_json

    def evaluate(value: Any, extra: Mapping[str, Any] | None = None) -> Evaluated:
        return get_scope().evaluate(runtime.evaluator, value, stage.context, extra)

    def evaluate_expression(expression: str, extra: Mapping[str, Any] | None = None) -> Any:
        return get_scope().evaluate_expression(runtime.evaluator, expression, stage.context, extra)

    principal = str((execution.body.get("authentication") or {}).get("user") or "anonymous")
    return TaskInput(
        execution_id=execution.id,
        execution_type=execution.type,
        application=execution.application,
        pipeline_config_id=execution.pipeline_config_id,
        trigger=execution.trigger,
        stage_id=stage.id,
        ref_id=stage.ref_id,
        stage_type=stage.type,
        stage_name=stage.name,
        context=StageContext(stage.context, ancestors_outputs),
        outputs=stage.outputs,
        stage_start_time=stage.start_time,
        task_id=str(task["id"]) if task else "",
        task_start_time=task.get("startTime") if task else None,
        now=now_ms(),
        execution_json=execution_json,
        evaluate=evaluate,
        evaluate_expression=evaluate_expression,
        services=runtime.services,
        principal=principal,
    )
