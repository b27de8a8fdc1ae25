"""Execution-aware helpers: ``#stage``, ``#stageByRefId``, ``#stageExists``, ``#currentStage``,
``#judgment``/``#judgement``, ``#triggerResolvedArtifact``, ``#triggerResolvedArtifactByType``,
``#resolvedArtifacts`` and ``#manifestLabelValue``.

They read ``EvaluationContext.execution`` (Orca's execution JSON as plain dicts) exactly as Orca's
``StageExpressionFunctionProvider``, ``ArtifactExpressionFunctionProvider`` and
``ManifestLabelValueExpressionFunctionProvider`` read the execution object: same matching rules (first
stage whose name or id equals the argument, manual judgment stages with a ``judgmentInput``...), and a
helper that cannot find its target fails with Orca's message, so the expression fails.

Registered into :data:`gennaker.expressions.helpers.HELPERS` on import. Nothing persisted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.expressions.errors import ExpressionError, HelperError
from gennaker.expressions.helpers import helper
from gennaker.expressions.state import Env


def _execution(env: Env, name: str) -> Mapping[str, Any]:
    if env.execution is None:
        raise HelperError(f"#{name}(...) needs the pipeline execution, which is not available here")
    return env.execution


def _execution_id(execution: Mapping[str, Any]) -> str:
    return str(execution.get("id"))


def _stages(execution: Mapping[str, Any]) -> list[Any]:
    stages = execution.get("stages")
    if not isinstance(stages, list):
        return []
    return [s for s in stages if type(s) is dict or isinstance(s, Mapping)]


@helper("stage", ("string",), "The stage whose name (or id) is the argument, e.g. #stage('Deploy').context.")
def stage(env: Env, name_or_id: str | None) -> Any:
    execution = _execution(env, "stage")
    for candidate in _stages(execution):
        if name_or_id is not None and name_or_id in (candidate.get("name"), candidate.get("id")):
            return candidate
    raise HelperError(
        f"Unable to locate [{name_or_id}] using #stage({name_or_id}) in execution {_execution_id(execution)}"
    )


@helper(
    "stageByRefId",
    ("string",),
    "The stage with this refId (fragile: refIds change when a pipeline is edited).",
)
def stage_by_ref_id(env: Env, ref_id: str | None) -> Any:
    execution = _execution(env, "stageByRefId")
    if ref_id is None:
        raise HelperError(
            f"Stage refId must not be null in #stageByRefId in execution {_execution_id(execution)}"
        )
    for candidate in _stages(execution):
        if candidate.get("refId") == ref_id:
            return candidate
    raise HelperError(
        f"Unable to locate [{ref_id}] using #stageByRefId({ref_id}) in execution {_execution_id(execution)}"
    )


@helper("stageExists", ("string",), "Whether a stage with this name (or id) exists in the execution.")
def stage_exists(env: Env, name_or_id: str | None) -> bool:
    execution = _execution(env, "stageExists")
    return any(
        name_or_id is not None and name_or_id in (s.get("name"), s.get("id")) for s in _stages(execution)
    )


@helper("currentStage", (), "The stage being evaluated.")
def current_stage(env: Env) -> Any:
    execution = _execution(env, "currentStage")
    if env.current_stage_id is None:
        raise HelperError("An execution context is required for this function (no current stage)")
    wanted = env.current_stage_id.lower()
    for candidate in _stages(execution):
        if str(candidate.get("id", "")).lower() == wanted:
            return candidate
    raise HelperError(f"No stage found with id '{env.current_stage_id}'")


def _judgment(env: Env, name: str | None, helper_name: str) -> Any:
    execution = _execution(env, helper_name)
    for candidate in _stages(execution):
        context = candidate.get("context")
        if (
            name is not None
            and candidate.get("name") == name
            and candidate.get("type") == "manualJudgment"
            and isinstance(context, Mapping)
            and context.get("judgmentInput") is not None
        ):
            return context["judgmentInput"]
    raise HelperError(
        f"Unable to locate manual Judgment stage [{name}] using #{helper_name}({name}) in execution "
        f"{_execution_id(execution)}. Stage doesn't exist or doesn't contain judgmentInput in its context "
    )


@helper("judgment", ("string",), "The option chosen in the named manual judgment stage (its judgmentInput).")
def judgment(env: Env, name: str | None) -> Any:
    return _judgment(env, name, "judgment")


@helper("judgement", ("string",), "Alias of #judgment.")
def judgement(env: Env, name: str | None) -> Any:
    return _judgment(env, name, "judgement")


# ---------------------------------------------------------------- artifacts


def _trigger(env: Env, name: str) -> Mapping[str, Any]:
    execution = env.execution
    trigger = execution.get("trigger") if execution is not None else None
    if not isinstance(trigger, Mapping):
        trigger = env.root.get("trigger") if isinstance(env.root, Mapping) else None
    if not isinstance(trigger, Mapping):
        raise HelperError(f"#{name}(...) needs the execution's trigger, which is not available here")
    return trigger


def _bound_artifacts(trigger: Mapping[str, Any]) -> list[Any]:
    expected = trigger.get("resolvedExpectedArtifacts")
    if not isinstance(expected, list):
        return []
    bound = []
    for item in expected:
        if isinstance(item, Mapping) and isinstance(item.get("boundArtifact"), Mapping):
            bound.append(item["boundArtifact"])
    return bound


def _resolved_artifact(env: Env, helper_name: str, field: str, wanted: str | None) -> Any:
    trigger = _trigger(env, helper_name)
    for artifact in _bound_artifacts(trigger):
        if wanted is not None and artifact.get(field) == wanted:
            return artifact
    execution_id = env.execution.get("id") if env.execution is not None else None
    raise HelperError(f"Unable to locate resolved artifact {wanted} in trigger execution {execution_id}.")


@helper(
    "triggerResolvedArtifact",
    ("string",),
    "The bound artifact of the trigger's resolved expected artifacts with this name.",
)
def trigger_resolved_artifact(env: Env, name: str | None) -> Any:
    return _resolved_artifact(env, "triggerResolvedArtifact", "name", name)


@helper(
    "triggerResolvedArtifactByType",
    ("string",),
    "The bound artifact of the trigger's resolved expected artifacts with this type.",
)
def trigger_resolved_artifact_by_type(env: Env, artifact_type: str | None) -> Any:
    return _resolved_artifact(env, "triggerResolvedArtifactByType", "type", artifact_type)


@helper(
    "resolvedArtifacts",
    (),
    "Every bound artifact of the trigger's resolved expected artifacts (a Gennaker addition).",
)
def resolved_artifacts(env: Env) -> list[Any]:
    return _bound_artifacts(_trigger(env, "resolvedArtifacts"))


@helper(
    "manifestLabelValue",
    ("string", "string", "string"),
    "A label of the Deployment/ReplicaSet pod template deployed by a succeeded deployManifest stage.",
)
def manifest_label_value(env: Env, stage_name: str | None, kind: str | None, label_key: str | None) -> Any:
    execution = _execution(env, "manifestLabelValue")
    if kind not in ("Deployment", "ReplicaSet"):
        raise ExpressionError(
            "Only Deployments and ReplicaSets are valid kinds for this function",
            code="IllegalArgumentException",
        )
    if label_key is None:
        raise ExpressionError("A labelKey is required for this function", code="IllegalArgumentException")
    found = None
    for candidate in _stages(execution):
        if (
            candidate.get("name") == stage_name
            and candidate.get("type") == "deployManifest"
            and candidate.get("status") == "SUCCEEDED"
        ):
            found = candidate
            break
    if found is None:
        raise HelperError("A valid Deploy Manifest stage name is required for this function")
    manifests = None
    for source in ("context", "outputs"):
        holder = found.get(source)
        if isinstance(holder, Mapping) and holder.get("manifests"):
            manifests = holder["manifests"]
            break
    if not isinstance(manifests, list) or not manifests:
        raise HelperError("No manifest could be found in the context of the specified stage")
    manifest = next((m for m in manifests if isinstance(m, Mapping) and m.get("kind") == kind), None)
    if manifest is None:
        raise HelperError(f"No manifest of kind {kind} could be found on the context of the specified stage")
    labels: Any = manifest
    for key in ("spec", "template", "metadata", "labels"):
        labels = labels.get(key) if isinstance(labels, Mapping) else None
    if not isinstance(labels, Mapping) or label_key not in labels:
        raise HelperError(
            "No label of specified key found on matching manifest spec.template.metadata.labels"
        )
    return labels[label_key]
