"""Executions (Orca through Gate): read, list, cancel, pause, resume, stage patches (judgment, skip,
skipRemainingWait), stage restart, and ``evaluateExpression``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query

from gennaker.api.routers.deps import Caller, Service
from gennaker.api.stagepatch import check_stage_patch, find_stage
from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.engine.service import PipelineService
from gennaker.model import ExecutionStatus

router = APIRouter(tags=["executions"])
STATUS_NAMES = {s.value for s in ExecutionStatus}


def _execution(service: PipelineService, execution_id: str) -> dict[str, Any]:
    found = service.get_execution(execution_id)
    if found is None:
        raise NotFoundError(f"no execution {execution_id!r}")
    return found


def _statuses(value: str | None) -> list[str] | None:
    if not value:
        return None
    out = [s.strip().upper() for s in value.split(",") if s.strip()]
    unknown = [s for s in out if s not in STATUS_NAMES]
    if unknown:
        raise InvalidRequestError(
            f"unknown status {unknown[0]!r} in statuses (known: {', '.join(sorted(STATUS_NAMES))})",
            field="statuses",
        )
    return out


@router.get("/pipelines/{execution_id}", summary="An execution (Orca's JSON)")
def get_execution(execution_id: str, service: Service) -> dict[str, Any]:
    return _execution(service, execution_id)


@router.get("/applications/{application}/pipelines", summary="The application's executions, newest first")
def list_application_executions(
    application: str,
    service: Service,
    limit: int = Query(25, ge=1, le=1000),
    statuses: str | None = Query(None, description="comma-separated, e.g. RUNNING,TERMINAL"),
    expand: bool = Query(True, description="include stages"),
) -> list[dict[str, Any]]:
    return service.list_executions(
        application=application, statuses=_statuses(statuses), limit=limit, include_stages=expand
    )


@router.get("/executions", summary="Executions of pipeline configs (Gate's /executions)")
def list_executions(
    service: Service,
    pipelineConfigIds: str = Query(..., description="comma-separated config ids"),
    limit: int = Query(25, ge=1, le=1000),
    statuses: str | None = Query(None),
) -> list[dict[str, Any]]:
    ids = [i.strip() for i in pipelineConfigIds.split(",") if i.strip()]
    return service.list_executions(pipeline_config_ids=ids, statuses=_statuses(statuses), limit=limit)


@router.put("/pipelines/{execution_id}/cancel", summary="Cancel an execution")
def cancel(execution_id: str, service: Service, caller: Caller, reason: str | None = None) -> dict[str, Any]:
    _execution(service, execution_id)
    service.cancel_execution(execution_id, principal=caller.name, reason=reason)
    return {"id": execution_id, "canceled": True}


@router.put("/pipelines/{execution_id}/pause", summary="Pause a running execution")
def pause(execution_id: str, service: Service, caller: Caller) -> dict[str, Any]:
    service.pause_execution(execution_id, principal=caller.name)
    return {"id": execution_id, "status": "PAUSED"}


@router.put("/pipelines/{execution_id}/resume", summary="Resume a paused execution")
def resume(execution_id: str, service: Service, caller: Caller) -> dict[str, Any]:
    service.resume_execution(execution_id, principal=caller.name)
    return {"id": execution_id, "status": "RUNNING"}


@router.patch(
    "/pipelines/{execution_id}/stages/{stage_id}",
    summary="A user operation on a stage: judgment, manualSkip, skipRemainingWait",
)
def patch_stage(
    execution_id: str,
    stage_id: str,
    service: Service,
    caller: Caller,
    patch: dict[str, Any] = Body(..., examples=[{"judgmentStatus": "continue", "judgmentInput": "green"}]),
) -> dict[str, Any]:
    stage = find_stage(_execution(service, execution_id), stage_id)
    service.patch_stage_context(
        execution_id, stage_id, check_stage_patch(stage, patch), principal=caller.name
    )
    return _execution(service, execution_id)


@router.put("/pipelines/{execution_id}/stages/{stage_id}/restart", summary="Restart a finished stage")
def restart_stage(execution_id: str, stage_id: str, service: Service, caller: Caller) -> dict[str, Any]:
    service.restart_stage(execution_id, stage_id, principal=caller.name)
    return _execution(service, execution_id)


@router.get("/pipelines/{execution_id}/evaluateExpression", summary="Evaluate ${...} against an execution")
def evaluate_expression(
    execution_id: str, service: Service, expression: str = Query(..., examples=["${trigger.parameters.env}"])
) -> dict[str, Any]:
    return service.evaluate_expression(execution_id, expression)
