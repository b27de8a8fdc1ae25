"""Canary analysis (Kayenta through Gate): canary configs with history, the ``RemoteJudge-v1.0`` endpoint,
canary runs, reports and metric plots. Everything goes through the server's ``CanaryService``.

Paths are Kayenta's (``/canaryConfig``, ``/judge``, ``/canary/{id}``) with Gate's ``/v2/...`` aliases that
Deck calls, plus Gennaker's history/restore, report and plot paths (see docs/canary.md, "The HTTP API").
Errors: unknown config, run, execution or stage 404; an invalid config 400 whose ``issues`` name the metric
and the field; a name clash 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Response

from gennaker.api.routers.deps import Caller, Canary
from gennaker.canary.judge.registry import judge_names
from gennaker.engine.errors import InvalidRequestError

router = APIRouter(tags=["canary"])

CONFIG_EXAMPLE = {
    "name": "web-errors",
    "applications": ["web"],
    "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
    "metrics": [
        {
            "name": "error rate",
            "query": {"type": "sandbox", "metric": "errorRate"},
            "groups": ["errors"],
            "analysisConfigurations": {"canary": {"direction": "increase", "critical": True}},
            "scopeName": "default",
        }
    ],
    "classifier": {"groupWeights": {"errors": 100}},
}


# ---------------------------------------------------------------- configs


@router.get("/canaryConfig", summary="Canary configs (Kayenta): [{id, name, updatedTimestamp, applications}]")
@router.get("/v2/canaryConfig", summary="Gate's path for the canary config list")
def list_canary_configs(
    canary: Canary,
    application: list[str] | None = Query(None, description="repeatable: configs of these applications"),
) -> list[dict[str, Any]]:
    return canary.list_configs(application)


@router.get("/canaryConfig/{config_id}", summary="One canary config (Kayenta's JSON)")
@router.get("/v2/canaryConfig/{config_id}", summary="Gate's path for one canary config")
def get_canary_config(config_id: str, canary: Canary) -> dict[str, Any]:
    return canary.get_config(config_id)


@router.post("/canaryConfig", summary="Create a canary config; answers {canaryConfigId}")
@router.post("/v2/canaryConfig", summary="Gate's path to create a canary config")
def create_canary_config(
    canary: Canary, caller: Caller, config: dict[str, Any] = Body(..., examples=[CONFIG_EXAMPLE])
) -> dict[str, str]:
    return canary.create_config(config, principal=caller.name)


@router.put("/canaryConfig/{config_id}", summary="Replace a canary config (every version is kept)")
@router.put("/v2/canaryConfig/{config_id}", summary="Gate's path to replace a canary config")
def update_canary_config(
    config_id: str, canary: Canary, caller: Caller, config: dict[str, Any] = Body(...)
) -> dict[str, str]:
    return canary.update_config(config_id, config, principal=caller.name)


@router.delete("/canaryConfig/{config_id}", status_code=204, summary="Delete a canary config (history kept)")
@router.delete("/v2/canaryConfig/{config_id}", status_code=204, summary="Gate's path to delete a config")
def delete_canary_config(config_id: str, canary: Canary, caller: Caller) -> Response:
    canary.delete_config(config_id, principal=caller.name)
    return Response(status_code=204)


@router.get(
    "/canaryConfig/{config_id}/history",
    summary="Every saved version (and deletion) of a canary config, newest first",
)
def canary_config_history(config_id: str, canary: Canary) -> list[dict[str, Any]]:
    return canary.config_history(config_id)


@router.post(
    "/canaryConfig/{config_id}/history/{version}/restore",
    summary="Save an earlier version of a canary config again as the newest (also after a delete)",
)
def restore_canary_config(config_id: str, version: int, canary: Canary, caller: Caller) -> dict[str, Any]:
    if version < 1:
        raise InvalidRequestError(f"version must be 1 or more, not {version}", field="version")
    return canary.restore_config(config_id, version, principal=caller.name)


# ---------------------------------------------------------------- judging


@router.post("/judge", summary="Kayenta's RemoteJudge-v1.0: judge metric set pairs")
def remote_judge(canary: Canary, request: dict[str, Any] = Body(...)) -> dict[str, Any]:
    return canary.judge_remote(request)


@router.get("/v2/canaries/judges", summary="The judges a canary config may name (Gate)")
def list_judges() -> list[dict[str, Any]]:
    return [{"name": name, "visible": True} for name in judge_names()]


# ---------------------------------------------------------------- runs, reports, plots


@router.get("/canary/reports/{execution_id}/{stage_id}", summary="The report of one kayentaCanary stage")
@router.get(
    "/pipelines/{execution_id}/stages/{stage_id}/canaryReport",
    summary="The report of one kayentaCanary stage (path beside the execution)",
)
def canary_report(execution_id: str, stage_id: str, canary: Canary) -> dict[str, Any]:
    return canary.get_canary_report(execution_id, stage_id)


@router.get(
    "/canary/{run_id}/plots/{pair_id}.svg",
    summary="SVG plot of the canary and baseline series of one metric of a run",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def canary_plot(run_id: str, pair_id: str, canary: Canary) -> Response:
    return Response(canary.metric_plot_svg(run_id, pair_id), media_type="image/svg+xml")


@router.get("/canary/{run_id}", summary="One canary judgement (Kayenta's canary execution status)")
@router.get("/v2/canaries/canary/{run_id}", summary="Gate's path for one canary judgement")
def canary_run(run_id: str, canary: Canary) -> dict[str, Any]:
    return canary.get_canary_run(run_id)
