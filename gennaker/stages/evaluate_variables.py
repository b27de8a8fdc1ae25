"""The ``evaluateVariables`` stage: ``variables: [{key, value, description}]`` evaluated in order, a
later value may use an earlier key; each result becomes an output, so stages downstream use it as
``${key}`` (context fall-through to ancestors' outputs), as in Orca's EvaluateVariablesStage (v4).

The engine does not evaluate ``variables`` when the stage starts (``unevaluated_keys``); the task does,
one at a time. A variable whose expression fails makes the stage TERMINAL, naming the key and the
error (Deck saves this stage with ``failOnFailedExpressions: true``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.engine.stageops import exception_details


def run_evaluate_variables(task: TaskInput) -> TaskResult:
    variables = task.context.own.get("variables") or []
    if not isinstance(variables, list):
        raise ValueError("variables must be a list of {key, value} objects")
    evaluated: dict[str, Any] = {}
    shown: list[dict[str, Any]] = []
    errors: list[str] = []
    summary: dict[str, Any] = {}
    for i, var in enumerate(variables):
        if not isinstance(var, Mapping) or not isinstance(var.get("key"), str) or not var["key"]:
            raise ValueError(f"variables[{i}] must be an object with a non-empty 'key'")
        result = task.evaluate(var.get("value"), evaluated)
        if result.failed:
            summary.update(result.summary)
            for entries in result.summary.values():
                errors += [
                    f"{var['key']}: {e.get('description')}" for e in entries if e.get("level") == "ERROR"
                ]
        evaluated[var["key"]] = result.value
        shown.append({**dict(var), "value": result.value})
    if errors:
        return TaskResult.terminal(
            {
                "expressionEvaluationSummary": summary,
                "exception": exception_details(
                    "Failed to evaluate variables",
                    errors,
                    exception_type="ExpressionEvaluationException",
                    operation="evaluateVariables",
                ),
            }
        )
    return TaskResult.succeeded({"variables": shown}, outputs=evaluated)


EVALUATE_VARIABLES = StageDefinition(
    type="evaluateVariables",
    tasks=(
        TaskDefinition(
            name="evaluateVariables",
            run=run_evaluate_variables,
            implementing_class="gennaker.stages.evaluate_variables.EvaluateVariablesTask",
        ),
    ),
    unevaluated_keys=frozenset({"variables"}),
    description="Evaluate variables in order; each becomes an output usable downstream as ${key}.",
)


def register(registry: StageRegistry) -> None:
    registry.register(EVALUATE_VARIABLES)
