"""The ``checkPreconditions`` stage (Orca's ``CheckPreconditionsStage``).

``preconditions: [{type, context, failPipeline}]``: each precondition runs as its own parallel synthetic
BEFORE stage (type ``checkPreconditions``, named "Check precondition (<type>)", context
``{preconditionType, context, failPipeline}``); the parent has no task and ends with the worst of them.

- ``expression``: ``context.expression`` (with or without ``${}``) must evaluate to true; false (or an
  expression that fails) → TERMINAL with ``context.failureMessage`` or a message naming the expression.
- ``stageStatus``: the stage named ``context.stageName`` must have status ``context.stageStatus``
  (a name or a comma-separated list).
- ``clusterSize``: needs the Kubernetes provider's cluster view; not supported yet (the stage fails and
  says so).

A failed precondition fails its synthetic stage with the precondition's ``failPipeline`` (default true →
TERMINAL; false → STOPPED: the branch stops, the pipeline is not failed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gennaker.engine.expressions import ExpressionFailed
from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import (
    PlanInput,
    StageDefinition,
    SyntheticStage,
    TaskDefinition,
    TaskInput,
    TaskResult,
)
from gennaker.model import ExecutionStatus

S = ExecutionStatus


class PreconditionError(ValueError):
    """A precondition is malformed (named in the message)."""


def _precondition_context(task: TaskInput) -> Mapping[str, Any]:
    ctx = task.context.own.get("context") or {}
    if not isinstance(ctx, Mapping):
        raise PreconditionError("the precondition's context must be an object")
    return ctx


def _failed(message: str, ctx: Mapping[str, Any], **extra: Any) -> TaskResult:
    reason = str(ctx.get("failureMessage") or message)
    return TaskResult(S.TERMINAL, {"context": {**dict(ctx), **extra, "failureMessage": reason}})


def check_expression(task: TaskInput) -> TaskResult:
    ctx = _precondition_context(task)
    raw = ctx.get("expression")
    if isinstance(raw, bool):
        value: Any = raw
    else:
        if not isinstance(raw, str) or not raw.strip():
            raise PreconditionError("an expression precondition needs context.expression")
        text = raw.strip()
        if text.startswith("${") and text.endswith("}"):
            text = text[2:-1]
        try:
            value = task.evaluate_expression(text, None)
        except ExpressionFailed as e:
            return _failed(f"Expression '{raw}' could not be evaluated: {e}", ctx, expressionResult=None)
    ok = value is True or (isinstance(value, str) and value.strip().lower() == "true")
    if ok:
        return TaskResult.succeeded({"context": {**dict(ctx), "expressionResult": "true"}})
    return _failed(f"Expression '{raw}' evaluated to {value!r}, not true", ctx, expressionResult=str(value))


def check_stage_status(task: TaskInput) -> TaskResult:
    ctx = _precondition_context(task)
    name = ctx.get("stageName")
    wanted = ctx.get("stageStatus")
    if not isinstance(name, str) or not name:
        raise PreconditionError("a stageStatus precondition needs context.stageName")
    if not wanted:
        raise PreconditionError("a stageStatus precondition needs context.stageStatus")
    items = wanted if isinstance(wanted, list) else str(wanted).split(",")
    allowed = [str(w).strip().upper() for w in items]
    stages = task.execution_json().get("stages") or []
    stage = next((s for s in stages if s.get("name") == name), None)
    if stage is None:
        raise PreconditionError(f"Failed to find stage {name!r} in the execution")
    actual = str(stage.get("status"))
    if actual in allowed:
        return TaskResult.succeeded()
    return _failed(
        f"The status of stage {name} was asserted to be {', '.join(allowed)}, but it was actually {actual}",
        ctx,
    )


def check_cluster_size(task: TaskInput) -> TaskResult:
    raise PreconditionError(
        "clusterSize preconditions need the Kubernetes provider's cluster view, which is not supported yet"
    )


CHECKS: dict[str, Callable[[TaskInput], TaskResult]] = {
    "expression": check_expression,
    "stageStatus": check_stage_status,
    "clusterSize": check_cluster_size,
}


def plan_tasks(plan: PlanInput) -> tuple[TaskDefinition, ...]:
    kind = plan.context.get("preconditionType")
    if kind is None:
        return ()
    check = CHECKS.get(str(kind))
    if check is None:
        raise PreconditionError(f"unknown precondition type {kind!r} (known: {', '.join(CHECKS)})")
    return (
        TaskDefinition(
            name="checkPrecondition",
            run=check,
            implementing_class=f"gennaker.stages.check_preconditions.{kind}",
        ),
    )


def plan_before(plan: PlanInput) -> list[SyntheticStage]:
    if plan.context.get("preconditionType") is not None:
        return []
    preconditions = plan.context.get("preconditions") or []
    if not isinstance(preconditions, list):
        raise PreconditionError("preconditions must be a list of {type, context, failPipeline}")
    out = []
    for i, p in enumerate(preconditions):
        if not isinstance(p, Mapping) or not isinstance(p.get("type"), str):
            raise PreconditionError(f"preconditions[{i}].type is required")
        if p["type"] not in CHECKS:
            raise PreconditionError(f"preconditions[{i}].type: unknown precondition type {p['type']!r}")
        fail = p.get("failPipeline")
        out.append(
            SyntheticStage(
                type="checkPreconditions",
                name=f"Check precondition ({p['type']})",
                context={
                    "preconditionType": p["type"],
                    "context": dict(p.get("context") or {}),
                    "failPipeline": True if fail is None else bool(fail),
                },
                parallel=True,
            )
        )
    return out


CHECK_PRECONDITIONS = StageDefinition(
    type="checkPreconditions",
    tasks=plan_tasks,
    before_stages=plan_before,
    unevaluated_keys=frozenset({"preconditions", "context"}),
    description="Check expression and stage-status preconditions, each as a parallel synthetic stage.",
)


def register(registry: StageRegistry) -> None:
    registry.register(CHECK_PRECONDITIONS)
