"""deployCanaryServerGroups and cleanupCanaryClusters: the Kubernetes half of a canary deployment.

Who plans them: ``kayentaCanary`` (``gennaker.canary.stage``), when its context has a ``deployments`` block,
as its first before-stage (deploy) and as its after-stage and on-failure stage (cleanup); its cancel hook
runs the cleanup's cancel hook (below), so a canceled canary cleans up too. They are ordinary stage types
(Orca's names) in this package so the canary package needs no import of the Kubernetes provider. Both read
the context ``kayentaCanary`` writes::

    {"account": "sandbox", "namespace": "prod", "app": "web",
     "baseline": {"manifestName": "deployment web"},          # or cluster + criteria: the prod workload
     "canary": {"image": "web:2.0", "container": "web"},      # or {"manifest": {<new version's workload>}}
     "replicas": 1, "baselineName": "web-baseline", "canaryName": "web-canary",
     "trafficPercent": 10}                                    # optional: Istio weight of each group

deployCanaryServerGroups tasks: ``deployCanaryServerGroups`` (read production live, build both groups
(:mod:`gennaker.kubernetes.manifests.canary`), deploy them through ``KubernetesService.deploy``; when the
account serves ``VirtualService``, also a Service per group and weighted routes in every VirtualService that
routes to a production Service) -> ``waitForManifestToStabilize``. Outputs ``canaryServerGroups``.

cleanupCanaryClusters task ``cleanupCanaryClusters`` (and cancel hook): restore the VirtualServices this
canary changed, then delete the workloads and Services labelled with the two group names (``kubectl
delete --ignore-not-found``: running it twice is harmless). Outputs ``deletedManifests`` and
``restoredVirtualServices``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.kubernetes import operations
from gennaker.kubernetes.errors import KubernetesError
from gennaker.kubernetes.kinds import KindHandler
from gennaker.kubernetes.manifests import canary as cm
from gennaker.kubernetes.manifests.plan import DeployRequest
from gennaker.kubernetes.moniker import moniker_of
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.common import Locate, StageFieldError, account_of, guarded, locator
from gennaker.kubernetes.stages.stabilize import NAMES_KEY, wait_task
from gennaker.kubernetes.targets import Target, TargetSpec

DEPLOY_TYPE = "deployCanaryServerGroups"
CLEANUP_TYPE = "cleanupCanaryClusters"
STAGE_TYPE = DEPLOY_TYPE  # the docs test reads STAGE_TYPE; both types are documented in docs/canary.md
STAGE_TYPES = (DEPLOY_TYPE, CLEANUP_TYPE)


def _field(ctx: Mapping[str, Any], key: str) -> str:
    value = ctx.get(key)
    if not isinstance(value, str) or not value:
        raise StageFieldError(f"deployments.{key}: required (a non-empty string)")
    return value


def _replicas(ctx: Mapping[str, Any]) -> int:
    value = ctx.get("replicas", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StageFieldError(f"deployments.replicas: must be a whole number of at least 1, not {value!r}")
    return value


def _istio(service: KubernetesService, account: str) -> KindHandler | None:
    """The VirtualService kind when the account's API server serves it (Istio's CRDs), else None."""
    return service.client(account).find_kind("VirtualService")


def _production(
    service: KubernetesService, account: str, namespace: str, ctx: Mapping[str, Any]
) -> dict[str, Any]:
    baseline = ctx.get("baseline")
    if not isinstance(baseline, Mapping):
        raise StageFieldError('deployments.baseline: required, e.g. {"manifestName": "deployment web"}')
    if baseline.get("cluster") and not (baseline.get("app") or ctx.get("app")):
        raise StageFieldError("deployments.app: required to find the production cluster by criteria")
    try:
        spec = TargetSpec.from_context(
            {**baseline, "location": namespace}, str(ctx.get("app") or ""), namespace
        )
    except KubernetesError as e:
        raise StageFieldError(f"deployments.baseline: {e}") from None
    if spec.is_label:
        raise StageFieldError("deployments.baseline: name the production workload (manifestName or cluster)")
    (target,) = service.targets(account, spec)
    live = service.live_object(account, target.kind, target.namespace, target.name)
    if live is None:
        raise KubernetesError(f"deployments.baseline: {target.describe()} does not exist")
    return live


def _canary_source(
    ctx: Mapping[str, Any], production: dict[str, Any]
) -> tuple[Mapping[str, Any], str | None, str | None]:
    canary = ctx.get("canary")
    if not isinstance(canary, Mapping):
        raise StageFieldError('deployments.canary: required, {"manifest": {...}} or {"image": "..."}')
    manifest = canary.get("manifest")
    image = canary.get("image")
    if isinstance(manifest, Mapping):
        return manifest, None, None
    if isinstance(image, str) and image:
        container = canary.get("container")
        return production, image, str(container) if container else None
    raise StageFieldError('deployments.canary: give the new version as "manifest" (a workload) or "image"')


def _traffic_percent(ctx: Mapping[str, Any], prod_replicas: int, replicas: int) -> int:
    value = ctx.get("trafficPercent")
    if value is None:
        return cm.canary_weight(prod_replicas, replicas)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 49:
        raise StageFieldError(f"deployments.trafficPercent: a whole number from 1 to 49, not {value!r}")
    return value


def deploy_server_groups(service: KubernetesService, ctx: Mapping[str, Any], account: str) -> dict[str, Any]:
    """Deploy baseline and canary (and, with Istio, their Services and route weights); what was done."""
    namespace = _field(ctx, "namespace")
    baseline_name, canary_name = _field(ctx, "baselineName"), _field(ctx, "canaryName")
    replicas = _replicas(ctx)
    production = _production(service, account, namespace, ctx)
    source, image, container = _canary_source(ctx, production)
    try:
        manifests = [
            cm.server_group_manifest(
                production,
                name=baseline_name,
                namespace=namespace,
                replicas=replicas,
                where="deployments.baseline",
            ),
            cm.server_group_manifest(
                source,
                name=canary_name,
                namespace=namespace,
                replicas=replicas,
                image=image,
                container=container,
                where="deployments.canary",
            ),
        ]
    except cm.CanaryManifestError as e:
        raise StageFieldError(str(e)) from None
    pod_labels = cm.without_hash(
        ((production["spec"].get("template") or {}).get("metadata") or {}).get("labels")
    )
    services, _ = service.client(account).list(service.handler(account, "Service"), namespace)
    prod_services = [s for s in services if cm.selects(s, pod_labels)]
    vs_handler = _istio(service, account)
    routed: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    weight = 0
    if vs_handler is not None and prod_services:
        weight = _traffic_percent(ctx, int(production["spec"].get("replicas") or 0), replicas)
        names = [str(s["metadata"]["name"]) for s in prod_services]
        virtual_services, _ = service.client(account).list(vs_handler, namespace)
        for vs in virtual_services:
            saved = cm.original_routes(vs)
            http = saved["http"] if saved else (vs.get("spec") or {}).get("http") or []
            new = cm.weighted_http(
                http,
                services=names,
                namespace=namespace,
                baseline=baseline_name,
                canary=canary_name,
                weight=weight,
            )
            if new is not None:
                routed.append((vs, new))
        if routed:
            manifests += [
                cm.server_group_service(prod_services[0], n, namespace) for n in (baseline_name, canary_name)
            ]
    request = DeployRequest(
        account=account,
        manifests=[{**m, "__where__": f"canary server group {m['metadata']['name']}"} for m in manifests],
        application=str(ctx.get("app") or moniker_of(production).app or production["metadata"]["name"]),
        versioned=False,
    )
    result = service.deploy(request)
    weighted: list[str] = []
    for vs, new in routed:
        saved = cm.original_routes(vs) or {
            "canary": canary_name,
            "http": (vs.get("spec") or {}).get("http") or [],
        }
        patch = {"metadata": {"annotations": {cm.ORIGINAL_ROUTES: json.dumps(saved)}}, "spec": {"http": new}}
        target = Target(
            vs_handler.kind if vs_handler else "VirtualService", str(vs["metadata"]["name"]), namespace
        )
        operations.patch(service, account, target, patch, merge_strategy="merge")
        weighted.append(target.manifest_name)
    return {
        "baseline": baseline_name,
        "canary": canary_name,
        "namespace": namespace,
        "replicas": replicas,
        "services": [str(s["metadata"]["name"]) for s in prod_services],
        "virtualServices": weighted,
        "trafficPercent": weight if weighted else None,
        "manifestNamesByNamespace": result.outputs()["manifestNamesByNamespace"],
    }


def cleanup_server_groups(service: KubernetesService, ctx: Mapping[str, Any], account: str) -> dict[str, Any]:
    """Restore the routes this canary changed, then delete both groups and their Services."""
    namespace = _field(ctx, "namespace")
    baseline_name, canary_name = _field(ctx, "baselineName"), _field(ctx, "canaryName")
    restored: list[str] = []
    vs_handler = _istio(service, account)
    if vs_handler is not None:
        virtual_services, _ = service.client(account).list(vs_handler, namespace)
        for vs in virtual_services:
            saved = cm.original_routes(vs)
            if saved is None or saved.get("canary") != canary_name:
                continue
            patch = {
                "metadata": {"annotations": {cm.ORIGINAL_ROUTES: None}},
                "spec": {"http": saved.get("http") or []},
            }
            target = Target(vs_handler.kind, str(vs["metadata"]["name"]), namespace)
            operations.patch(service, account, target, patch, merge_strategy="merge")
            restored.append(target.manifest_name)
    deleted = operations.delete(
        service,
        account,
        [],
        label_selector=f"{cm.SCOPE_LABEL} in ({baseline_name},{canary_name})",
        kinds=("Deployment", "ReplicaSet", "Service"),
        namespace=namespace,
    )
    return {"deletedManifests": deleted, "restoredVirtualServices": restored}


def _deploy_task(locate: Locate) -> TaskDefinition:
    @guarded
    def run(task: TaskInput) -> TaskResult:
        done = deploy_server_groups(locate(), task.context, account_of(task))
        names = done.pop("manifestNamesByNamespace")
        return TaskResult.succeeded(
            {NAMES_KEY: names, "canaryServerGroups": done}, {"canaryServerGroups": done}
        )

    return TaskDefinition(
        name="deployCanaryServerGroups",
        run=run,
        implementing_class="gennaker.kubernetes.stages.canary_server_groups.DeployCanaryServerGroupsTask",
    )


def _cleanup(locate: Locate) -> Any:
    def cleanup(task: TaskInput) -> dict[str, Any]:
        return cleanup_server_groups(locate(), task.context, account_of(task))

    return cleanup


def _cleanup_task(locate: Locate) -> TaskDefinition:
    @guarded
    def run(task: TaskInput) -> TaskResult:
        done = cleanup_server_groups(locate(), task.context, account_of(task))
        return TaskResult.succeeded(done, done)

    return TaskDefinition(
        name="cleanupCanaryClusters",
        run=run,
        implementing_class="gennaker.kubernetes.stages.canary_server_groups.CleanupCanaryClustersTask",
    )


def definitions(locate: Locate) -> list[StageDefinition]:
    return [
        StageDefinition(
            type=DEPLOY_TYPE,
            tasks=(_deploy_task(locate), wait_task(locate)),
            description="Synthetic (kayentaCanary deployments): deploy baseline and canary server groups.",
        ),
        StageDefinition(
            type=CLEANUP_TYPE,
            tasks=(_cleanup_task(locate),),
            cancel=_cleanup(locate),
            description="Synthetic (kayentaCanary deployments): delete both server groups, restore routes.",
        ),
    ]


def register(registry: StageRegistry, service: KubernetesService | None = None) -> None:
    """Entry point: both stage types, bound to ``service`` or the process default."""
    for definition in definitions(locator(service)):
        registry.register(definition, replace=service is not None)
