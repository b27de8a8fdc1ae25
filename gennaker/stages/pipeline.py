"""The ``pipeline`` stage (Orca's ``PipelineStage``): start another pipeline and, by default, wait for it.

Context: ``application``, ``pipeline`` (the child config's id; a name in ``application`` is accepted too),
``pipelineParameters`` (the child's trigger parameters), ``waitForCompletion`` (default true).

Tasks: ``startPipeline`` launches the child through the engine facade with the trigger
``{type: "pipeline", user, parentExecution, parentPipelineId, parentPipelineName,
parentPipelineApplication, parentPipelineStageId, parentStatus, parameters, correlationId}`` and records
``executionId``/``executionName``; it is idempotent (after a crash it finds the child it already started,
by ``correlationId``). ``monitorPipeline`` follows the child: SUCCEEDED → SUCCEEDED with the child's stage
outputs as outputs; CANCELED → CANCELED; TERMINAL → TERMINAL with the failed child stages' errors in
``context.exception``. The engine wakes the monitor as soon as the child completes (the 15 s backoff is
only a safety net). The cancel hook cancels the child when the stage ends halted (parent cancelled).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import (
    EngineServices,
    PlanInput,
    StageDefinition,
    TaskDefinition,
    TaskInput,
    TaskResult,
)
from gennaker.engine.stageops import exception_details
from gennaker.model import ExecutionStatus

S = ExecutionStatus


class PipelineStageError(ValueError):
    """The stage's fields are wrong, or the child could not be started (named in the message)."""


def _services(task: TaskInput) -> EngineServices:
    if task.services is None:
        raise PipelineStageError("the engine facade is not available to start a child pipeline")
    return task.services


def _wait(context: Mapping[str, Any]) -> bool:
    value = context.get("waitForCompletion")
    return value is None or value is True or (isinstance(value, str) and value.lower() == "true")


def correlation_id(task: TaskInput, config_id: str) -> str:
    """Unique per (parent execution, stage, child config, stage run): a restart starts a new child."""
    return f"{task.execution_id}_{task.stage_id}_{config_id}_{task.stage_start_time}"


def _resolve_config(services: EngineServices, context: Mapping[str, Any]) -> dict[str, Any]:
    ref = context.get("pipeline")
    if not isinstance(ref, str) or not ref:
        raise PipelineStageError("pipeline is required (the id of the pipeline to start)")
    config = services.get_pipeline(ref)
    if config is None:
        app = context.get("application")
        if isinstance(app, str) and app:
            config = services.find_pipeline(app, ref)
    if config is None:
        raise PipelineStageError(f"no pipeline config {ref!r} (application {context.get('application')!r})")
    return config


def run_start_pipeline(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    if ctx.get("executionId"):
        return TaskResult.succeeded()
    services = _services(task)
    config = _resolve_config(services, ctx)
    params = ctx.get("pipelineParameters") or {}
    if not isinstance(params, Mapping):
        raise PipelineStageError("pipelineParameters must be an object")
    correlation = correlation_id(task, str(config["id"]))
    existing = services.find_execution_by_correlation_id(correlation)
    if existing is None:
        parent = task.execution_json()
        trigger = {
            "type": "pipeline",
            "user": task.principal,
            "parentExecution": parent,
            "parentPipelineId": task.execution_id,
            "parentPipelineName": parent.get("name"),
            "parentPipelineApplication": task.application,
            "parentPipelineStageId": task.stage_id,
            "parentStatus": parent.get("status"),
            "parameters": dict(params),
            "correlationId": correlation,
        }
        existing = services.start_pipeline_by_id(str(config["id"]), trigger=trigger, principal=task.principal)
    return TaskResult.succeeded(
        {
            "executionId": existing,
            "executionName": config.get("name"),
            "pipelineApplication": config.get("application"),
        }
    )


def _child_errors(child: Mapping[str, Any]) -> list[str]:
    errors = []
    for stage in child.get("stages") or []:
        if stage.get("status") not in ("TERMINAL", "STOPPED", "CANCELED"):
            continue
        details = ((stage.get("context") or {}).get("exception") or {}).get("details") or {}
        messages = details.get("errors") or ([details["error"]] if details.get("error") else [])
        for m in messages or [stage.get("status")]:
            errors.append(f"Exception in child pipeline stage ({stage.get('name')}): {m}")
    return errors


def run_monitor_pipeline(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    child_id = ctx.get("executionId")
    if not child_id:
        raise PipelineStageError("no child execution was started (executionId is missing)")
    child = _services(task).get_execution(str(child_id))
    if child is None:
        raise PipelineStageError(f"the child execution {child_id} no longer exists")
    status = S(child["status"])
    context: dict[str, Any] = {"status": status.value}
    if status == S.SUCCEEDED:
        outputs: dict[str, Any] = {}
        for stage in child.get("stages") or []:
            outputs.update(stage.get("outputs") or {})
        return TaskResult.succeeded(context, outputs)
    if status == S.CANCELED:
        return TaskResult(S.CANCELED, context)
    if status.is_complete:
        errors = _child_errors(child) or [f"child pipeline ended {status.value}"]
        context["exception"] = exception_details(
            f"child pipeline {child.get('name')!r} ({child_id}) ended {status.value}",
            errors,
            exception_type="ChildPipelineFailed",
            operation="monitorPipeline",
        )
        return TaskResult.terminal(context)
    return TaskResult.running(context)


def cancel_child(task: TaskInput) -> Mapping[str, Any] | None:
    child_id = task.context.own.get("executionId")
    if not child_id or task.services is None:
        return None
    child = task.services.get_execution(str(child_id))
    if child is None or S(child["status"]).is_complete:
        return None
    task.services.cancel_execution(
        str(child_id), principal=task.principal, reason=f"parent pipeline {task.execution_id} stage canceled"
    )
    return {"childCanceled": True}


START_TASK = TaskDefinition(
    name="startPipeline",
    run=run_start_pipeline,
    implementing_class="gennaker.stages.pipeline.StartPipelineTask",
)
MONITOR_TASK = TaskDefinition(
    name="monitorPipeline",
    run=run_monitor_pipeline,
    implementing_class="gennaker.stages.pipeline.MonitorPipelineTask",
    backoff_ms=15_000,
    timeout_ms=12 * 3_600_000,
)


def plan_tasks(plan: PlanInput) -> tuple[TaskDefinition, ...]:
    return (START_TASK, MONITOR_TASK) if _wait(plan.context) else (START_TASK,)


PIPELINE = StageDefinition(
    type="pipeline",
    tasks=plan_tasks,
    cancel=cancel_child,
    description="Start another pipeline with parameters and (by default) wait for its outcome.",
)


def register(registry: StageRegistry) -> None:
    registry.register(PIPELINE)
