"""``kayentaCanary``'s ``deployments`` block: deploy a baseline and a canary beside production, analyse them,
clean up whatever happens.

Who uses it: :mod:`.definition` (the stage's before/after/on-failure planners and its cancel hook). Orca's
``KayentaCanaryStage`` has the same option (``deployments``, with ``DeployCanaryServerGroupsStage`` before the
intervals and ``CleanupCanaryClustersStage`` after them, also on failure) for cloud server groups; this is
its Kubernetes shape::

    "deployments": {
      "account": "sandbox", "namespace": "prod",        # where production runs
      "baseline": {"manifestName": "deployment web"},   # the current prod workload (or cluster+criteria)
      "canary": {"image": "registry/web:2.0"},          # or {"manifest": {...the new version's workload...}}
      "replicas": 1,                                    # of each of baseline and canary
      "app": "web",                                     # moniker app (default: production's)
      "scopeName": "default",                           # which canaryConfig scope to fill (default: first)
      "trafficPercent": 10                              # Istio only (default: by replica ratio)
    }

Server groups are named ``<production name without -vNNN>-baseline`` and ``-canary``; the scope named
``scopeName`` gets them as ``controlScope`` / ``experimentScope`` (unless given) and the namespace as both
locations (unless given), so a metric query filters on the values the groups' pods carry (their names'
prefix, and the ``canary.gennaker.io/scope`` pod label). The Kubernetes work is done by the stage types
``deployCanaryServerGroups`` and ``cleanupCanaryClusters`` (``gennaker.kubernetes``), reached only by type
name: the canary package imports no provider.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.artifacts.produced import split_versioned_name
from gennaker.canary.stage.context import StageConfigError
from gennaker.engine.stagedef import StageContext, SyntheticStage, TaskInput
from gennaker.model import ExecutionStatus

DEPLOY_TYPE = "deployCanaryServerGroups"
CLEANUP_TYPE = "cleanupCanaryClusters"
DEPLOY_NAME = "Deploy Canary Server Groups"
CLEANUP_NAME = "Cleanup Canary Clusters"


@dataclass(frozen=True)
class CanaryDeployments:
    """The parsed block; ``context`` is what both Kubernetes stages receive."""

    scope_name: str | None
    namespace: str
    baseline_name: str
    canary_name: str
    context: dict[str, Any]


def _text(raw: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise StageConfigError(f"deployments.{key}: required")
        return None
    if not isinstance(value, str):
        raise StageConfigError(f"deployments.{key}: expected a string, got {value!r}")
    return value


def _base_name(baseline: Mapping[str, Any]) -> str:
    """``deployment web`` / ``replicaSet web-v003`` -> ``web``."""
    target = baseline.get("manifestName") or baseline.get("cluster")
    if not isinstance(target, str) or not target.strip():
        raise StageConfigError(
            'deployments.baseline: name the production workload: {"manifestName": "deployment web"} or '
            '{"cluster": "deployment web", "criteria": "newest"}'
        )
    name = target.strip().split()[-1]
    return split_versioned_name(name)[0]


def parse_deployments(stage_context: Mapping[str, Any]) -> CanaryDeployments | None:
    """The ``deployments`` block (None when absent). Errors name the field: ``deployments.canary: ...``."""
    raw = stage_context.get("deployments")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise StageConfigError("deployments: expected an object with account, namespace, baseline and canary")
    account = _text(raw, "account")
    namespace = _text(raw, "namespace")
    assert account is not None and namespace is not None
    baseline = raw.get("baseline")
    if not isinstance(baseline, Mapping):
        raise StageConfigError(
            'deployments.baseline: expected an object like {"manifestName": "deployment web"}'
        )
    canary = raw.get("canary")
    if not isinstance(canary, Mapping) or not (
        canary.get("image") or isinstance(canary.get("manifest"), Mapping)
    ):
        raise StageConfigError('deployments.canary: expected {"image": "..."} or {"manifest": {...}}')
    replicas = raw.get("replicas", 1)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        raise StageConfigError(f"deployments.replicas: a whole number of at least 1, got {replicas!r}")
    base = _base_name(baseline)
    baseline_name, canary_name = f"{base}-baseline", f"{base}-canary"
    context: dict[str, Any] = {
        "account": account,
        "cloudProvider": "kubernetes",
        "namespace": namespace,
        "baseline": dict(baseline),
        "canary": dict(canary),
        "replicas": replicas,
        "baselineName": baseline_name,
        "canaryName": canary_name,
    }
    app = _text(raw, "app", required=False)  # default: the production workload's moniker app
    if app:
        context["app"] = app
    if raw.get("trafficPercent") is not None:
        context["trafficPercent"] = raw["trafficPercent"]
    return CanaryDeployments(
        _text(raw, "scopeName", required=False), namespace, baseline_name, canary_name, context
    )


def with_scopes(canary_config: Mapping[str, Any], deployments: CanaryDeployments) -> dict[str, Any]:
    """``canaryConfig`` with the chosen scope pointing at the two server groups (given values win)."""
    config = dict(canary_config)
    scopes = [dict(s) if isinstance(s, Mapping) else s for s in config.get("scopes") or [{}]]
    index = 0
    if deployments.scope_name is not None:
        names = [s.get("scopeName", "default") if isinstance(s, Mapping) else None for s in scopes]
        if deployments.scope_name not in names:
            raise StageConfigError(
                f"deployments.scopeName: no scope named {deployments.scope_name!r} in canaryConfig.scopes"
            )
        index = names.index(deployments.scope_name)
    scope = scopes[index]
    if isinstance(scope, dict):
        for key, value in (
            ("controlScope", deployments.baseline_name),
            ("experimentScope", deployments.canary_name),
            ("controlLocation", deployments.namespace),
            ("experimentLocation", deployments.namespace),
        ):
            if not scope.get(key):
                scope[key] = value
    config["scopes"] = scopes
    return config


def deploy_stage(deployments: CanaryDeployments) -> SyntheticStage:
    return SyntheticStage(DEPLOY_TYPE, DEPLOY_NAME, deployments.context)


def cleanup_stage(deployments: CanaryDeployments) -> SyntheticStage:
    return SyntheticStage(CLEANUP_TYPE, CLEANUP_NAME, deployments.context)


def cleanup_on_cancel(task: TaskInput) -> dict[str, Any] | None:
    """From the cancel hook: when the canary was canceled or stopped (no after-stage will run), run the
    cleanup stage type's own cancel hook, found in the engine's stage registry by type name. TERMINAL is
    left to the on-failure stage. Returns what the cleanup did, or None."""
    if task.context.own.get("deployments") is None:
        return None
    stage = next((s for s in task.execution_json().get("stages") or [] if s.get("id") == task.stage_id), None)
    if stage is None or stage.get("status") not in (
        ExecutionStatus.CANCELED.value,
        ExecutionStatus.STOPPED.value,
    ):
        return None
    deployments = parse_deployments(task.context.own)
    assert deployments is not None
    registry = getattr(getattr(task.services, "runtime", None), "registry", None)
    if registry is None:
        return {"canaryCleanupError": "no stage registry to find cleanupCanaryClusters in"}
    definition = registry.get(CLEANUP_TYPE)
    if definition.cancel is None:
        return None
    cleanup_input = dataclasses.replace(
        task,
        stage_type=CLEANUP_TYPE,
        stage_name=CLEANUP_NAME,
        context=StageContext(deployments.context, list),
    )
    done = definition.cancel(cleanup_input)
    return {"canaryCleanup": dict(done or {})}
