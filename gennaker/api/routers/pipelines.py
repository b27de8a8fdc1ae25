"""Pipeline configs (Front50 through Gate): save (upsert by application + name), list, get, delete,
history and restore, and the manual trigger ``POST /pipelines/{app}/{name}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from gennaker.api.routers.deps import Caller, Service
from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.store.configs import ConfigVersion

router = APIRouter(tags=["pipelines"])

PIPELINE_EXAMPLE = {
    "application": "shop",
    "name": "deploy",
    "parameterConfig": [{"name": "env", "default": "staging"}],
    "stages": [
        {"refId": "1", "type": "wait", "name": "Soak", "waitTime": 5},
        {"refId": "2", "type": "manualJudgment", "name": "Approve", "requisiteStageRefIds": ["1"]},
    ],
}
TRIGGER_EXAMPLE = {"type": "manual", "parameters": {"env": "prod"}, "artifacts": []}


@router.post("/pipelines", summary="Save a pipeline config (upsert by application and name)")
def save_pipeline(
    service: Service, caller: Caller, pipeline: dict[str, Any] = Body(..., examples=[PIPELINE_EXAMPLE])
) -> dict[str, Any]:
    return service.save_pipeline(pipeline, principal=caller.name)


@router.get("/applications/{application}/pipelineConfigs", summary="The application's pipeline configs")
def list_pipeline_configs(application: str, service: Service) -> list[dict[str, Any]]:
    return service.list_pipelines(application)


@router.get("/applications/{application}/pipelineConfigs/{name}", summary="One pipeline config by name")
def get_pipeline_config(application: str, name: str, service: Service) -> dict[str, Any]:
    found = service.find_pipeline(application, name)
    if found is None:
        raise NotFoundError(f"no pipeline {name!r} in application {application!r}")
    return found


@router.delete("/pipelines/{application}/{name}", summary="Delete a pipeline config (its history is kept)")
def delete_pipeline(application: str, name: str, service: Service, caller: Caller) -> dict[str, Any]:
    if not service.delete_pipeline(application, name, principal=caller.name):
        raise NotFoundError(f"no pipeline {name!r} in application {application!r}")
    return {"deleted": name, "application": application.lower()}


@router.post(
    "/pipelines/{application}/{name}",
    status_code=202,
    summary="Start a pipeline (manual trigger with parameters and artifacts)",
)
def trigger_pipeline(
    application: str,
    name: str,
    service: Service,
    caller: Caller,
    trigger: dict[str, Any] | None = Body(None, examples=[TRIGGER_EXAMPLE]),
) -> JSONResponse:
    body = dict(trigger or {})
    body.setdefault("type", "manual")
    body["user"] = caller.name
    execution_id = service.start_pipeline(application, name, trigger=body, principal=caller.name)
    return JSONResponse({"ref": f"/pipelines/{execution_id}"}, status_code=202)


def _version_json(v: ConfigVersion) -> dict[str, Any]:
    return {
        "id": v.config_id,
        "version": v.version,
        "action": v.action,
        "application": v.application,
        "name": v.name,
        "savedTs": v.saved_ts,
        "savedBy": v.saved_by,
        "pipeline": v.body,
    }


@router.get("/pipelines/{config_id}/history", summary="Every saved version of a config, newest first")
@router.get("/pipelineConfigs/{config_id}/history", summary="Gate's path for the config history")
def pipeline_history(
    config_id: str, service: Service, limit: int = Query(20, ge=1, le=1000)
) -> list[dict[str, Any]]:
    versions = service.pipeline_history(config_id)
    if not versions:
        raise NotFoundError(f"no pipeline config {config_id!r}")
    return [_version_json(v) for v in versions[:limit]]


@router.get("/pipelines/{config_id}/history/{version}", summary="One saved version of a config")
def pipeline_version(config_id: str, version: int, service: Service) -> dict[str, Any]:
    return _version_json(service.pipeline_version(config_id, version))


@router.post(
    "/pipelines/{config_id}/history/{version}/restore", summary="Save an earlier version again as the newest"
)
def restore_pipeline(config_id: str, version: int, service: Service, caller: Caller) -> dict[str, Any]:
    if version < 1:
        raise InvalidRequestError(f"version must be 1 or more, not {version}", field="version")
    return service.restore_pipeline(config_id, version, principal=caller.name)
