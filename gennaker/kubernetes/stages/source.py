"""Where a stage's manifests come from: its own text, or a manifest artifact fetched through an artifact
account; then expressions, unless ``skipExpressionEvaluation``.

Who calls it: deployManifest and runJobManifest (``resolve_manifests``), patchManifest (``patch_body``).
The manifest fields (``manifests``, ``manifest``, ``patchBody``) are never evaluated by the engine when the
stage starts (the stage types list them in ``unevaluated_keys``); they are evaluated here, so
``skipExpressionEvaluation: true`` really deploys ``${...}`` text untouched (a ConfigMap holding a
template, say). A failed expression stays as text and is recorded in ``expressionEvaluationSummary``;
with ``failOnFailedExpressions`` it fails the stage. A fetch that fails because the server is down or
failing is retried with the engine's backoff by the calling task (``gennaker.artifacts.retry``); a
definitive answer (404, 401...) fails the stage at once, naming the artifact, the account and the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.artifacts.stage_artifacts import manifest_artifact
from gennaker.engine.stagedef import TaskInput
from gennaker.kubernetes.errors import ManifestError
from gennaker.kubernetes.manifests.parse import manifests_from
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.common import StageFieldError

MANIFEST_KEYS = frozenset({"manifests", "manifest", "patchBody"})


def evaluate(task: TaskInput, value: Any, where: str) -> tuple[Any, dict[str, Any]]:
    """``value`` with expressions evaluated (unless skipped); and the summary to record."""
    if task.context.get("skipExpressionEvaluation") is True:
        return value, {}
    result = task.evaluate(value, None)
    if result.failed and task.context.get("failOnFailedExpressions") is True:
        errors = [
            str(e.get("description"))
            for entries in result.summary.values()
            for e in entries
            if e.get("level") == "ERROR"
        ]
        raise ManifestError(f"Failure evaluating manifest expressions in {where}: " + "; ".join(errors))
    return result.value, dict(result.summary)


def fetch_text(service: KubernetesService, task: TaskInput) -> tuple[str, str]:
    """The manifest artifact's content, and a description of it for messages."""
    artifact, account = manifest_artifact(task)
    content = service.artifact_accounts.fetch(artifact, account)
    where = f"manifest artifact {artifact.name or artifact.reference or artifact.type}"
    try:
        return content.decode("utf-8"), where
    except UnicodeDecodeError:
        raise ManifestError(f"{where} is not UTF-8 text") from None


def resolve_manifests(
    service: KubernetesService, task: TaskInput, *, allow_generate_name: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The stage's manifests, flattened, validated, evaluated; and the expression summary."""
    ctx = task.context
    source = str(ctx.get("source") or "text").lower()
    if source == "artifact":
        text, where = fetch_text(service, task)
        raw: Any = manifests_from(text, where, allow_generate_name=allow_generate_name)
        raw = [{k: v for k, v in m.items() if k != "__where__"} for m in raw]
    elif source == "text":
        own = ctx.own
        if own.get("manifests") is not None:
            raw, where = own["manifests"], "manifests"
        elif own.get("manifest") is not None:
            raw, where = own["manifest"], "manifest"
        else:
            raise StageFieldError("No text manifest was specified (set 'manifests').")
    else:
        raise StageFieldError(f"source must be 'text' or 'artifact', not {source!r}")
    evaluated, summary = evaluate(task, raw, where)
    return manifests_from(evaluated, where, allow_generate_name=allow_generate_name), summary


def patch_body(task: TaskInput) -> tuple[Any, dict[str, Any]]:
    """patchManifest's ``patchBody`` (text source), evaluated unless skipped."""
    body = task.context.own.get("patchBody")
    if body is None:
        raise StageFieldError("patchManifest needs 'patchBody'")
    if not isinstance(body, list | Mapping):
        raise StageFieldError("patchBody must be a list (json patch operations, or one partial manifest)")
    return evaluate(task, body, "patchBody")
