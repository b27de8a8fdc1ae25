"""The ``bakeManifest`` stage: render a Helm chart or a Kustomize overlay into one ``embedded/base64``
artifact that a later ``deployManifest`` (``source: artifact``, ``manifestArtifactId``) deploys.

Who calls it: the engine, through the stage registry (entry point ``gennaker.stages: bakeManifest``).
Tasks (Orca's ``BakeManifestStage``):

1. ``createBakeManifest``: checks the stage JSON (``gennaker.bake.request``: exactly one expected artifact),
   finds each input artifact (``inputArtifacts[].id`` among the trigger's and upstream stages' resolved
   expected artifacts, or the inline ``artifact``; the entry's ``account`` replaces the artifact's
   ``artifactAccount``), evaluates ``overrides`` when ``evaluateOverrideExpressions`` (they are not
   evaluated at stage start otherwise), fetches the inputs into a private directory, renders with the
   registered renderer, and returns the artifact ``{type: embedded/base64, name: <matchArtifact.name>,
   reference: <base64 of the manifests>}`` in ``outputs.artifacts`` and ``context.artifacts`` (with
   ``cloudProvider: kubernetes``, as Orca does);
2. ``bindProducedArtifacts``: binds the stage's ``expectedArtifacts`` to what it produced
   (``outputs.resolvedExpectedArtifacts``), which is how ``manifestArtifactId`` finds it downstream.
An input that cannot be fetched because its server is down or failing (connection refused, timeout, 5xx) is
fetched again with the engine's backoff a few times before the stage fails (``gennaker.artifacts.retry``).
Errors fail the stage with the cause in ``context.exception``: the field that is wrong, the artifact, account
and server answer of a failed fetch, or Helm's / kustomize's own message. Both tasks can run again after
a crash (a bake writes only to a temporary directory).
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from gennaker.artifacts.retry import retry_transient_fetches
from gennaker.artifacts.service import ArtifactAccountService, default_service
from gennaker.artifacts.stage_artifacts import bind_produced, bound_artifact_for_id
from gennaker.bake.errors import BakeConfigError
from gennaker.bake.helm import Helm3Renderer
from gennaker.bake.kustomize import KustomizeRenderer
from gennaker.bake.renderers import RendererRegistry, Unsupported
from gennaker.bake.request import BakeRequest, output_artifact_name, parse_context
from gennaker.bake.workspace import fetch_input
from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.model.artifacts import Artifact, ArtifactResolutionError

RENDERERS = RendererRegistry()
RENDERERS.register(Helm3Renderer())
RENDERERS.register(KustomizeRenderer())
RENDERERS.register(Unsupported("HELM2", "Helm 2 reached its end of life; bake the chart with HELM3"))
RENDERERS.register(
    Unsupported("HELMFILE", "there is no helmfile in Gennaker; bake each chart with a HELM3 stage")
)

AccountsProvider = Callable[[], ArtifactAccountService]


def _engine_accounts(task: TaskInput) -> ArtifactAccountService:
    """The artifact accounts on the engine's own database (``default_service`` keyed by its URL)."""
    runtime = getattr(task.services, "runtime", None)
    return default_service(getattr(runtime, "db", None))


def _overrides(task: TaskInput, overrides: dict[str, Any], evaluate: bool) -> dict[str, Any]:
    if not evaluate or not overrides:
        return overrides
    evaluated = task.evaluate(overrides, None)
    if evaluated.failed:
        problems = [
            f"{key}: {entry.get('description')}"
            for key, entries in evaluated.summary.items()
            for entry in entries
            if entry.get("level") == "ERROR"
        ]
        raise BakeConfigError("overrides: expressions could not be evaluated: " + "; ".join(problems))
    return dict(evaluated.value)


def _input_artifacts(task: TaskInput, refs: list[Any]) -> list[tuple[Artifact, str | None]]:
    found: list[tuple[Artifact, str | None]] = []
    for ref in refs:
        artifact = _input_artifact(task, ref.id, ref.artifact)
        if artifact is None:
            raise BakeConfigError(
                f"Input artifact (id: {ref.id}, account: {ref.account}) could not be found in execution "
                f"(id: {task.execution_id}) ({ref.where})"
            )
        if ref.account:
            artifact = artifact.model_copy(update={"artifact_account": ref.account})
        found.append((artifact, ref.account or artifact.artifact_account))
    return found


def _input_artifact(task: TaskInput, artifact_id: str | None, inline: Any) -> Artifact | None:
    """An input artifact by expected-artifact id, else the inline one (an artifact without a type counts
    as none, as in Orca)."""
    if artifact_id:
        return bound_artifact_for_id(task, artifact_id)
    if isinstance(inline, Mapping) and inline.get("type"):
        return Artifact.model_validate(dict(inline))
    return None


def make_create_task(
    accounts: AccountsProvider | None, renderers: RendererRegistry
) -> Callable[[TaskInput], TaskResult]:
    """The ``createBakeManifest`` task, bound to an accounts provider (None: the artifact accounts on the
    engine's own database) and a renderer registry."""

    @retry_transient_fetches
    def create_bake_manifest(task: TaskInput) -> TaskResult:
        context = parse_context(task.context.own)
        renderer = renderers.get(context.template_renderer)
        name = output_artifact_name(context)
        inputs = _input_artifacts(task, context.inputs)
        if context.template_renderer.startswith("KUSTOMIZE"):
            inputs = inputs[:1]
        overrides = _overrides(task, context.overrides, context.evaluate_override_expressions)
        service = accounts() if accounts is not None else _engine_accounts(task)
        with tempfile.TemporaryDirectory(prefix="gennaker-bake-") as tmp:
            workspace = Path(tmp)
            fetched = [
                fetch_input(service, artifact, account, workspace / f"input-{i}")
                for i, (artifact, account) in enumerate(inputs)
            ]
            request = BakeRequest(context, fetched, workspace, overrides)
            manifest = renderer.render(request)
        produced = Artifact(
            type="embedded/base64",
            name=name,
            reference=base64.b64encode(manifest.encode("utf-8")).decode("ascii"),
        ).to_json()
        result = {"artifacts": [produced], "cloudProvider": "kubernetes"}
        return TaskResult.succeeded(context=result, outputs=result)

    return create_bake_manifest


def bind_produced_task(task: TaskInput) -> TaskResult:
    """Bind the stage's ``expectedArtifacts`` to the artifact it produced."""
    raw = task.outputs.get("artifacts") or task.context.own.get("artifacts") or []
    produced = [Artifact.model_validate(dict(a)) for a in raw]
    try:
        bound = bind_produced(task, produced)
    except ArtifactResolutionError as exc:
        raise BakeConfigError(f"expectedArtifacts: {exc}") from None
    outputs = {"resolvedExpectedArtifacts": [], "artifacts": list(raw), **bound}
    return TaskResult.succeeded(context=outputs, outputs=outputs)


def bake_manifest_stage(
    accounts: AccountsProvider | None = None, renderers: RendererRegistry = RENDERERS
) -> StageDefinition:
    """The stage definition. Without ``accounts`` it uses the service installed with
    ``install_default_service``, else the one on the engine's database; tests pass their own."""
    return StageDefinition(
        type="bakeManifest",
        tasks=(
            TaskDefinition(
                name="createBakeManifest",
                run=make_create_task(accounts, renderers),
                implementing_class="gennaker.bake.CreateBakeManifestTask",
                timeout_ms=300_000,
            ),
            TaskDefinition(
                name="bindProducedArtifacts",
                run=bind_produced_task,
                implementing_class="gennaker.bake.BindProducedArtifactsTask",
            ),
        ),
        unevaluated_keys=frozenset({"overrides"}),
        description="Render a Helm chart (HELM3) or a Kustomize overlay into one embedded/base64 artifact.",
    )


def register(registry: StageRegistry) -> None:
    """Entry point ``gennaker.stages: bakeManifest``."""
    registry.register(bake_manifest_stage())
