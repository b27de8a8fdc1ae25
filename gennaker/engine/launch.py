"""Turning a pipeline config and a trigger into a new execution (Orca's ``ExecutionLauncher``).

Who uses it: ``PipelineService.start_*``. Manual-trigger parameters are checked against
``parameterConfig``: each configured name gets the supplied value, else its ``default``; a ``required``
parameter without a value, or a value outside ``options`` when ``hasOptions``, is a 400 naming the
parameter. Supplied names that are not configured are kept (as Orca does).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gennaker.engine.errors import InvalidRequestError
from gennaker.engine.planning import new_id, stages_from_config
from gennaker.model import Artifact, ArtifactResolutionError, ExecutionStatus, PipelineConfig
from gennaker.model.artifacts import resolve_trigger_artifacts
from gennaker.store.executions import ExecutionRecord, StageRecord


def resolve_parameters(config: PipelineConfig, supplied: Mapping[str, Any] | None) -> dict[str, Any]:
    """``trigger.parameters`` for a launch, or ``InvalidRequestError``."""
    params: dict[str, Any] = dict(supplied or {})
    for p in config.parameter_config:
        value = params.get(p.name)
        if value is None or value == "":
            value = p.default
        if p.required and (value is None or value == ""):
            raise InvalidRequestError(f"parameter {p.name!r} is required", field=f"parameters.{p.name}")
        if p.has_options and p.options and value not in (None, ""):
            allowed = [o.value for o in p.options]
            if value not in allowed and str(value) not in [str(a) for a in allowed]:
                raise InvalidRequestError(
                    f"parameter {p.name!r}: {value!r} is not one of its options {allowed!r}",
                    field=f"parameters.{p.name}",
                )
        params[p.name] = value
    return params


def build_trigger(
    config: PipelineConfig,
    trigger: Mapping[str, Any] | None,
    principal: str,
    prior_artifacts: Callable[[], Sequence[Artifact]] | None = None,
) -> dict[str, Any]:
    """The runtime trigger: the caller's trigger (default manual) with ``user``, checked ``parameters``,
    and ``expectedArtifacts`` resolved against its ``artifacts`` (then the prior execution's, then
    defaults) into ``resolvedExpectedArtifacts``."""
    out: dict[str, Any] = copy.deepcopy(dict(trigger or {}))
    out.setdefault("type", "manual")
    out.setdefault("user", principal)
    parameters = out.get("parameters")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise InvalidRequestError("trigger.parameters must be an object", field="parameters")
    out["parameters"] = resolve_parameters(config, parameters)
    artifacts = out.get("artifacts")
    if artifacts is not None and not isinstance(artifacts, list):
        raise InvalidRequestError("trigger.artifacts must be a list", field="artifacts")
    out.setdefault("artifacts", [])
    out.setdefault("dryRun", False)
    expected = config.to_json().get("expectedArtifacts") or []
    try:
        out = resolve_trigger_artifacts(expected, out, prior=prior_artifacts)
    except ArtifactResolutionError as e:
        raise InvalidRequestError(str(e), field=f"expectedArtifacts.{e.expected_artifact_id}") from None
    except ValueError as e:
        raise InvalidRequestError(f"invalid artifact: {e}", field="artifacts") from None
    out.setdefault("resolvedExpectedArtifacts", [])
    return out


def new_pipeline_execution(
    config: PipelineConfig,
    trigger: dict[str, Any],
    principal: str,
    *,
    now: int,
    start_time_expiry: int | None = None,
) -> tuple[ExecutionRecord, list[StageRecord]]:
    """A NOT_STARTED PIPELINE execution of ``config`` with its top-level stages."""
    execution_id = new_id()
    raw = config.to_json()
    record = ExecutionRecord(
        id=execution_id,
        type="PIPELINE",
        application=config.application.lower(),
        pipeline_config_id=config.id,
        name=config.name,
        status=ExecutionStatus.NOT_STARTED.value,
        build_time=now,
        start_time_expiry=start_time_expiry,
        limit_concurrent=config.limit_concurrent,
        max_concurrent_executions=config.max_concurrent_executions,
        keep_waiting_pipelines=config.keep_waiting_pipelines,
        trigger=trigger,
        body={
            "authentication": {"user": principal, "allowedAccounts": []},
            "origin": "api",
            "description": config.description,
            "notifications": raw.get("notifications") or [],
            "initialConfig": {},
            "systemNotifications": [],
            "spelEvaluator": "v4",
        },
    )
    return record, stages_from_config(execution_id, raw.get("stages") or [])


def new_orchestration(
    application: str,
    name: str | None,
    stages: list[dict[str, Any]],
    principal: str,
    *,
    now: int,
    trigger: dict[str, Any] | None = None,
) -> tuple[ExecutionRecord, list[StageRecord]]:
    """A NOT_STARTED ORCHESTRATION (ad-hoc task, Gate's ``POST /tasks``); stages without refIds run in
    order."""
    execution_id = new_id()
    chained: list[dict[str, Any]] = []
    for i, given in enumerate(stages):
        s = dict(given)
        if s.get("refId") is None:
            s["refId"] = str(i + 1)
            if i > 0 and "requisiteStageRefIds" not in s:
                s["requisiteStageRefIds"] = [chained[-1]["refId"]]
        chained.append(s)
    record = ExecutionRecord(
        id=execution_id,
        type="ORCHESTRATION",
        application=application.lower(),
        pipeline_config_id=None,
        name=name,
        status=ExecutionStatus.NOT_STARTED.value,
        build_time=now,
        trigger=trigger or {"type": "manual", "user": principal, "parameters": {}},
        body={
            "authentication": {"user": principal, "allowedAccounts": []},
            "origin": "api",
            "description": name,
        },
    )
    return record, stages_from_config(execution_id, chained)
