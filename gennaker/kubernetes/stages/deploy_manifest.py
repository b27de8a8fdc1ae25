"""deployManifest: deploy manifests (text or artifact) the way Spinnaker does, then wait until stable.

Stage JSON (Spinnaker's, see docs/kubernetes.md): ``account``, ``cloudProvider``, ``source`` (``text``
with ``manifests`` / legacy ``manifest``; ``artifact`` with ``manifestArtifactId`` or an inline
``manifestArtifact`` and optional ``manifestArtifactAccount``), ``moniker {app, cluster, stack, detail}``,
``namespaceOverride``, ``requiredArtifactIds`` / ``requiredArtifacts``, ``skipExpressionEvaluation``,
``trafficManagement {enabled, options {enableTraffic, services, strategy}}``, ``labelSelectors`` +
``allowNothingSelected``, ``skipSpecTemplateLabels``, ``enableArtifactBinding``, ``expectedArtifacts``;
Gennaker's ``failFastGraceSeconds`` / ``failFast``.

Tasks: resolveDeploySourceManifest (fetch, parse, evaluate; the result replaces ``manifests`` in the
context, as Orca does) -> deployManifest (plan and apply: ``KubernetesService.deploy``) ->
waitForManifestToStabilize -> cleanupArtifacts (``max-version-history``) -> bindProducedArtifacts.
Outputs (and the context's ``outputs.*`` keys, as Orca writes them): ``manifests``,
``manifestNamesByNamespace``, ``boundArtifacts``, ``createdArtifacts`` and ``artifacts``.

After-stages (``trafficManagement`` strategies, Orca's DeployManifestStage): for every other ReplicaSet of
each deployed ReplicaSet's application and cluster, ``highlander`` adds disableManifest then deleteManifest;
``redblack``/``bluegreen`` add disableManifest, except that an old ReplicaSet that is neither stable nor
failed and has no ready or available replica is deleted instead (orca PR #4414: disabling what never
served would wait forever).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.artifacts.produced import ANNOTATION_NAME, ANNOTATION_VERSION
from gennaker.artifacts.retry import retry_transient_fetches
from gennaker.artifacts.stage_artifacts import execution_artifacts, required_artifacts
from gennaker.engine.stagedef import (
    PlanInput,
    StageDefinition,
    SyntheticStage,
    TaskDefinition,
    TaskInput,
    TaskResult,
)
from gennaker.kubernetes import operations
from gennaker.kubernetes.kinds import KINDS
from gennaker.kubernetes.manifests.parse import origin, strip_origin
from gennaker.kubernetes.manifests.plan import DeployRequest, TrafficOptions
from gennaker.kubernetes.manifests.strategy import MAX_VERSION_HISTORY
from gennaker.kubernetes.moniker import moniker_of
from gennaker.kubernetes.stages.artifacts import bind_produced_task
from gennaker.kubernetes.stages.common import Locate, account_of, guarded, registrar
from gennaker.kubernetes.stages.source import MANIFEST_KEYS, resolve_manifests
from gennaker.kubernetes.stages.stabilize import wait_task
from gennaker.kubernetes.targets import Target

STAGE_TYPE = "deployManifest"
OUTPUT_KEYS = ("manifests", "manifestNamesByNamespace", "boundArtifacts", "createdArtifacts")


def resolve_task(locate: Locate, *, allow_generate_name: bool = False) -> TaskDefinition:
    @guarded
    @retry_transient_fetches
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        service.account(account_of(task))
        manifests, summary = resolve_manifests(service, task, allow_generate_name=allow_generate_name)
        context: dict[str, Any] = {
            "manifests": [strip_origin(m) for m in manifests],
            "manifestOrigins": [origin(m) for m in manifests],
            "source": "text",
        }
        if summary:
            context["expressionEvaluationSummary"] = summary
        return TaskResult.succeeded(context)

    return TaskDefinition(
        name="resolveDeploySourceManifest",
        run=run,
        implementing_class="gennaker.kubernetes.stages.deploy_manifest.ResolveDeploySourceManifestTask",
    )


def resolved_manifests(task: TaskInput) -> list[dict[str, Any]]:
    manifests = task.context.own.get("manifests") or []
    origins = task.context.own.get("manifestOrigins") or []
    out = []
    for i, manifest in enumerate(manifests):
        where = origins[i] if i < len(origins) else f"manifests[{i}]"
        out.append({**manifest, "__where__": where})
    return out


def deploy_request(task: TaskInput, account: str, *, force_recreate: bool = False) -> DeployRequest:
    ctx = task.context
    moniker = ctx.get("moniker") if isinstance(ctx.get("moniker"), Mapping) else None
    application = str((moniker or {}).get("app") or task.application)
    versioned = ctx.get("versioned")
    return DeployRequest(
        account=account,
        manifests=resolved_manifests(task),
        application=application,
        moniker=moniker,
        namespace_override=str(ctx.get("namespaceOverride") or "") or None,
        required_artifacts=required_artifacts(task),
        optional_artifacts=execution_artifacts(task),
        traffic=TrafficOptions.from_context(ctx.get("trafficManagement")),
        enable_artifact_binding=ctx.get("enableArtifactBinding") is not False,
        skip_spec_template_labels=ctx.get("skipSpecTemplateLabels") is True,
        versioned=versioned if isinstance(versioned, bool) else None,
        force_recreate=force_recreate,
        label_selectors=ctx.get("labelSelectors") or None,
        allow_nothing_selected=ctx.get("allowNothingSelected") is True,
    )


def deploy_task(locate: Locate) -> TaskDefinition:
    @guarded
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        account = account_of(task)
        request = deploy_request(task, account)
        result = service.deploy(request)
        traffic = request.traffic
        if traffic.enabled and traffic.services and traffic.enable_traffic:
            # A reused version may have been disabled earlier: its pods need their traffic labels back.
            for planned in result.manifests:
                if planned.reused and planned.handler.has_pods:
                    target = Target(
                        planned.handler.kind, str(planned.manifest["metadata"]["name"]), planned.namespace
                    )
                    operations.set_traffic(service, account, target, enable=True)
        outputs = result.outputs()
        context: dict[str, Any] = {f"outputs.{k}": outputs[k] for k in OUTPUT_KEYS}
        context["deploy.applied"] = [p.describe for p in result.manifests]
        if result.warnings:
            context["warnings"] = result.warnings
        return TaskResult.succeeded(context, outputs)

    return TaskDefinition(
        name="deployManifest",
        run=run,
        implementing_class="gennaker.kubernetes.stages.deploy_manifest.DeployManifestTask",
    )


def cleanup_task(locate: Locate) -> TaskDefinition:
    """``max-version-history``: after the stage is stable, keep only the newest N versions."""

    @guarded
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        account = account_of(task)
        deleted: list[str] = []
        for manifest in task.context.get("outputs.manifests") or []:
            metadata = manifest.get("metadata") or {}
            annotations = metadata.get("annotations") or {}
            keep = annotations.get(MAX_VERSION_HISTORY)
            if keep is None or not annotations.get(ANNOTATION_VERSION):
                continue
            deleted += operations.cleanup_versions(
                service,
                account,
                str(manifest.get("kind")),
                str(metadata.get("namespace") or ""),
                str(annotations.get(ANNOTATION_NAME)),
                int(keep),
            )
        return TaskResult.succeeded({"deletedManifests": deleted} if deleted else {})

    return TaskDefinition(
        name="cleanupArtifacts",
        run=run,
        implementing_class="gennaker.kubernetes.stages.deploy_manifest.CleanupArtifactsTask",
    )


def _is_unused(obj: Mapping[str, Any]) -> bool:
    """Orca PR #4414: neither stable nor failed, and no replica ready or available."""
    handler = KINDS.find("ReplicaSet")
    assert handler is not None
    status = handler.status(obj)
    counts = obj.get("status") or {}
    return (
        not status.stable.state
        and not status.failed.state
        and not counts.get("readyReplicas")
        and not counts.get("availableReplicas")
    )


def traffic_stages(locate: Locate) -> Any:
    def plan(stage: PlanInput) -> list[SyntheticStage]:
        ctx = stage.context
        traffic = TrafficOptions.from_context(ctx.get("trafficManagement"))
        rollout = traffic.rollout
        if rollout is None:
            return []
        service = locate()
        account = str(ctx.get("account") or ctx.get("credentials"))
        disables: list[SyntheticStage] = []
        deletes: list[SyntheticStage] = []
        for manifest in ctx.get("outputs.manifests") or []:
            if manifest.get("kind") != "ReplicaSet":
                continue
            metadata = manifest.get("metadata") or {}
            namespace, name = str(metadata.get("namespace") or ""), str(metadata.get("name"))
            moniker = moniker_of(manifest)
            index = service.cache.account(account).index
            old = [
                o
                for o in index.select(
                    kind="ReplicaSet", namespace=namespace, app=moniker.app, cluster=moniker.cluster
                )
                if o["metadata"]["name"] != name and not o["metadata"].get("deletionTimestamp")
            ]
            old.sort(key=lambda o: str(o["metadata"].get("creationTimestamp") or ""))
            for obj in old:
                target = f"replicaSet {obj['metadata']['name']}"
                context = {
                    "account": account,
                    "app": moniker.app,
                    "cloudProvider": "kubernetes",
                    "manifestName": target,
                    "location": namespace,
                }
                if rollout == "highlander":
                    disables.append(SyntheticStage("disableManifest", f"Disable {target}", context))
                    deletes.append(SyntheticStage("deleteManifest", f"Delete {target}", context))
                elif _is_unused(obj):
                    deletes.append(SyntheticStage("deleteManifest", f"Delete {target}", context))
                else:
                    disables.append(SyntheticStage("disableManifest", f"Disable {target}", context))
        return [*disables, *deletes]

    return plan


def definition(locate: Locate) -> StageDefinition:
    return StageDefinition(
        type=STAGE_TYPE,
        tasks=(
            resolve_task(locate),
            deploy_task(locate),
            wait_task(locate),
            cleanup_task(locate),
            bind_produced_task("outputs.createdArtifacts"),
        ),
        after_stages=traffic_stages(locate),
        unevaluated_keys=MANIFEST_KEYS,
        description="Deploy Kubernetes manifests (text or artifact) and wait until they are stable.",
    )


register = registrar(definition)
