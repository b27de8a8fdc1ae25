"""Expression inputs for a stage: the execution as Orca JSON and the roots (see ``expressions``).

Who uses it: StartStage (context evaluation, ``stageEnabled``) and RunTask (``TaskInput.evaluate``).
Loads every stage of the execution, so it is only called when a stage really has expressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from gennaker.engine.expressions import Evaluated, StageEvaluator, build_roots
from gennaker.engine.stageops import ancestors
from gennaker.store import executions as repo
from gennaker.store.executions import ExecutionRecord, StageRecord


class StageScope:
    """Everything an expression of one stage can see, loaded once."""

    def __init__(self, conn: Connection, execution: ExecutionRecord, stage: StageRecord) -> None:
        stages = repo.get_stages(conn, execution.id)
        # the caller's copy of the stage may be newer than the row (same transaction): prefer it
        stages = [stage if s.id == stage.id else s for s in stages]
        self.execution_json = repo.to_model(execution, stages).to_orca_json()
        self.stage = stage
        self.trigger = execution.trigger
        self.ancestors_outputs = [a.outputs for a in ancestors(stages, stage)]

    def roots(self, context: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        return build_roots(
            context=context,
            execution=self.execution_json,
            trigger=self.trigger,
            ancestors_outputs=self.ancestors_outputs,
            extra=extra,
        )

    def evaluate(
        self,
        evaluator: StageEvaluator,
        value: Any,
        context: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
    ) -> Evaluated:
        return evaluator.evaluate_object(
            value, self.roots(context, extra), self.execution_json, self.stage.id
        )

    def evaluate_expression(
        self,
        evaluator: StageEvaluator,
        expression: str,
        context: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
    ) -> Any:
        return evaluator.evaluate_expression(
            expression, self.roots(context, extra), self.execution_json, self.stage.id
        )
