"""patchManifest: ``kubectl patch`` an existing object, then wait for it to be stable.

Fields (Spinnaker's): the target (static or dynamic), ``source`` (``text``: ``patchBody``; ``artifact``:
``manifestArtifactId``/``manifestArtifact``, whose YAML is the body), ``options: {mergeStrategy:
strategic|merge|json, record}`` (default strategic), ``requiredArtifactIds``/``requiredArtifacts``,
``skipExpressionEvaluation``. ``patchBody`` is a list: JSON-patch operations for ``json``, otherwise one
partial manifest (a bare object is accepted too). For strategic and merge patches the stage's artifacts are
bound into the body first (required ones must bind); never for json patches. ``record`` is accepted and
ignored (kubectl's ``--record`` is deprecated). Tasks: resolveTargetManifest, patchManifest,
waitForManifestToStabilize. Outputs: ``manifestNamesByNamespace``, ``boundArtifacts``, ``createdArtifacts``,
``manifests`` (the patched object).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.artifacts.produced import artifact_for_object
from gennaker.artifacts.stage_artifacts import execution_artifacts, required_artifacts
from gennaker.engine.stagedef import StageDefinition, TaskInput
from gennaker.kubernetes import operations
from gennaker.kubernetes.manifests.parse import parse_documents
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.common import Locate, StageFieldError, registrar
from gennaker.kubernetes.stages.source import MANIFEST_KEYS, evaluate, fetch_text, patch_body
from gennaker.kubernetes.stages.stabilize import wait_task
from gennaker.kubernetes.stages.targeted import operation_task, resolve_task
from gennaker.kubernetes.targets import Target

STAGE_TYPE = "patchManifest"


def run_patch(
    service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    options = task.context.get("options") or {}
    strategy = str((options.get("mergeStrategy") if isinstance(options, Mapping) else None) or "strategic")
    if strategy not in ("strategic", "merge", "json"):
        raise StageFieldError(f"options.mergeStrategy must be strategic, merge or json, not {strategy!r}")
    summary: dict[str, Any] = {}
    if str(task.context.get("source") or "text") == "artifact":
        text, where = fetch_text(service, task)
        docs = parse_documents(text, where)
        body: Any = docs if strategy == "json" and len(docs) != 1 else (docs[0] if docs else None)
        body, summary = evaluate(task, body, where)
    else:
        body, summary = patch_body(task)
    required = required_artifacts(task) if strategy != "json" else []
    optional = execution_artifacts(task) if strategy != "json" else []
    patched: list[dict[str, Any]] = []
    bound: list[dict[str, Any]] = []
    for target in targets:
        obj, artifacts = operations.patch(
            service, account, target, body, merge_strategy=strategy, required=required, optional=optional
        )
        patched.append(obj)
        bound += [a.to_json() for a in artifacts]
    created = [artifact_for_object(o, account).to_json() for o in patched if o]
    outputs = {"boundArtifacts": bound, "createdArtifacts": created, "manifests": patched}
    context: dict[str, Any] = {f"outputs.{k}": v for k, v in outputs.items() if k != "manifests"}
    if summary:
        context["expressionEvaluationSummary"] = summary
    return context, outputs


def definition(locate: Locate) -> StageDefinition:
    return StageDefinition(
        type=STAGE_TYPE,
        tasks=(
            resolve_task(locate, allow_label=False),
            operation_task(locate, "patchManifest", run_patch),
            wait_task(locate),
        ),
        unevaluated_keys=MANIFEST_KEYS,
        description="Patch a Kubernetes object (strategic, merge or JSON patch) and wait until it is stable.",
    )


register = registrar(definition)
