"""Operations on existing objects, each through kubectl: delete, scale, patch, rollout undo/restart/pause/
resume, enable/disable traffic, and the version cleanup after a deploy.

Who calls it: the manifest stages (one operation per stage type), the traffic strategies' synthetic stages,
and later the classic view's server group actions. Each function takes the ``KubernetesService`` and
resolved ``Target`` objects, checks the kind can do it (the kind handler's ``can_*``), acts, writes the
result through to the cache, and returns what changed. Messages follow Spinnaker's where users know them
(``does not support undo rollout``, ``There are N revision(s) in total, cannot rollback M``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gennaker.artifacts.binding import ImageBindingMode, bind_artifacts
from gennaker.kubernetes.errors import (
    KubernetesError,
    TargetNotFoundError,
    TrafficError,
    UnsupportedOperationError,
)
from gennaker.kubernetes.manifests import traffic as tr
from gennaker.kubernetes.manifests.versioning import versions_of
from gennaker.kubernetes.targets import Target
from gennaker.model.artifacts import Artifact

if TYPE_CHECKING:
    from gennaker.kubernetes.service import KubernetesService


def cascade_policy(options: Mapping[str, Any] | None) -> str:
    """deleteManifest's ``options``: ``cascading`` false -> orphan, true -> background, or a policy name;
    ``orphanDependents`` true wins."""
    options = options or {}
    if options.get("orphanDependents") is True:
        return "orphan"
    cascading = options.get("cascading", True)
    if isinstance(cascading, str):
        policy = cascading.lower()
        if policy not in ("background", "foreground", "orphan"):
            raise KubernetesError(
                f"options.cascading must be true, false, background, foreground or orphan, not {cascading!r}"
            )
        return policy
    return "background" if cascading in (True, None) else "orphan"


def delete(
    service: KubernetesService,
    account: str,
    targets: Sequence[Target],
    *,
    options: Mapping[str, Any] | None = None,
    label_selector: str | None = None,
    kinds: Sequence[str] = (),
    namespace: str | None = None,
) -> list[str]:
    """Delete static/dynamic targets, or with ``label_selector`` every object of ``kinds`` matching it.
    Always ``--ignore-not-found``; returns the deleted objects' ``kind/name``."""
    kubectl = service.kubectl(account)
    policy = cascade_policy(options)
    grace = (options or {}).get("gracePeriodSeconds")
    grace_period = int(grace) if isinstance(grace, int | float) and not isinstance(grace, bool) else None
    deleted: list[str] = []
    cache = service.cache.account(account)
    if label_selector is not None:
        for kind in kinds:
            handler = service.handler(account, kind)
            deleted += kubectl.delete(
                handler.kind,
                None,
                namespace,
                label_selector=label_selector,
                cascade=policy,
                grace_period=grace_period,
            )
        return deleted
    for target in targets:
        handler = service.handler(account, target.kind)
        deleted += kubectl.delete(
            handler.kind, target.name, target.namespace or None, cascade=policy, grace_period=grace_period
        )
        cache.forget(handler.kind, target.namespace, target.name)
    return deleted


def _require(service: KubernetesService, account: str, target: Target, capability: str, verb: str) -> None:
    handler = service.handler(account, target.kind)
    if not getattr(handler, capability):
        raise UnsupportedOperationError(f"{target.manifest_name} does not support {verb}")


def scale(service: KubernetesService, account: str, target: Target, replicas: int) -> None:
    """``kubectl scale`` (Deployment, ReplicaSet, StatefulSet)."""
    _require(service, account, target, "can_scale", "scaling")
    if replicas < 0:
        raise KubernetesError(f"replicas must be 0 or more, not {replicas}")
    service.kubectl(account).scale(target.kind, target.name, target.namespace or None, replicas)


def patch(
    service: KubernetesService,
    account: str,
    target: Target,
    body: Any,
    *,
    merge_strategy: str = "strategic",
    required: Sequence[Artifact] = (),
    optional: Sequence[Artifact] = (),
    image_mode: ImageBindingMode = ImageBindingMode.MATCH_NAME_AND_TAG,
) -> tuple[dict[str, Any], list[Artifact]]:
    """``kubectl patch``; for strategic and merge patches the artifacts are bound into the patch body first
    (as into a manifest of the target's kind). Returns the patched object and the bound artifacts."""
    handler = service.handler(account, target.kind)
    bound: list[Artifact] = []
    if merge_strategy != "json":
        if isinstance(body, list):
            if len(body) != 1 or not isinstance(body[0], Mapping):
                raise KubernetesError(
                    f"patchBody for a {merge_strategy} patch must be one object (or a list holding one), "
                    f"not a list of {len(body)}"
                )
            body = body[0]
        if not isinstance(body, Mapping):
            raise KubernetesError(f"patchBody for a {merge_strategy} patch must be an object")
        if required or optional:
            body, bound = _bind_patch(
                dict(body), handler.kind, handler.api_version, target, required, optional, account, image_mode
            )
    elif not isinstance(body, list):
        raise KubernetesError("patchBody for a json patch must be a list of operations")
    obj = service.kubectl(account).patch(
        handler.kind, target.name, target.namespace or None, body, patch_type=merge_strategy
    )
    if obj:
        service.cache.observe(account, obj)
    return obj, bound


def _bind_patch(  # noqa: PLR0917
    body: dict[str, Any],
    kind: str,
    api_version: str,
    target: Target,
    required: Sequence[Artifact],
    optional: Sequence[Artifact],
    account: str,
    image_mode: ImageBindingMode,
) -> tuple[dict[str, Any], list[Artifact]]:
    """Bind artifacts into a patch body as into a manifest of the target's kind; the body keeps its keys."""
    shell = {"kind": kind, "apiVersion": api_version, **copy.deepcopy(body)}
    metadata = dict(shell.get("metadata") or {})
    metadata.setdefault("namespace", target.namespace)
    shell["metadata"] = metadata
    result = bind_artifacts(
        [shell],
        required,
        optional,
        account=account,
        default_namespace=target.namespace,
        image_mode=image_mode,
    )
    bound_body = result.manifests[0]
    out = {k: v for k, v in bound_body.items() if k in body}
    return out, list(result.bound)


def undo_rollout(
    service: KubernetesService,
    account: str,
    target: Target,
    *,
    revisions_back: int = 1,
    revision: int | None = None,
) -> int:
    """``kubectl rollout undo --to-revision``: ``revision`` as given, else ``revisions_back`` from the
    current one (in ``kubectl rollout history`` order). Returns the revision rolled back to."""
    _require(service, account, target, "can_undo", "undo rollout")
    kubectl = service.kubectl(account)
    if revision is None:
        revisions = kubectl.rollout_history(target.kind, target.name, target.namespace or None)
        index = len(revisions) - revisions_back - 1
        if revisions_back < 1 or index < 0:
            raise KubernetesError(
                f"There are {len(revisions)} revision(s) in total, cannot rollback {revisions_back}"
            )
        revision = revisions[index]
    kubectl.rollout("undo", target.kind, target.name, target.namespace or None, to_revision=revision)
    return revision


def rollout(service: KubernetesService, account: str, target: Target, action: str) -> None:
    """``kubectl rollout restart|pause|resume``."""
    capability, verb = {
        "restart": ("can_restart", "rolling restart"),
        "pause": ("can_pause", "pausing its rollout"),
        "resume": ("can_pause", "resuming its rollout"),
    }[action]
    _require(service, account, target, capability, verb)
    service.kubectl(account).rollout(action, target.kind, target.name, target.namespace or None)


def set_traffic(
    service: KubernetesService,
    account: str,
    target: Target,
    *,
    enable: bool,
    load_balancers: Sequence[str] | None = None,
) -> list[str]:
    """Enable or disable ``target`` behind its Services (the stage's ``loadBalancers`` or the target's
    traffic annotation): JSON patches add or remove the Services' selector labels on the pod template and,
    for ReplicaSets, on each live pod. Returns the patched objects."""
    handler = service.handler(account, target.kind)
    obj = service.live_object(account, handler.kind, target.namespace, target.name)
    if obj is None:
        raise TargetNotFoundError(f"{target.describe()} does not exist")
    names = list(load_balancers) if load_balancers else tr.load_balancers(obj)
    if not names:
        raise TrafficError(
            f"{target.manifest_name} names no load balancers: set loadBalancers on the stage, or deploy it "
            "with trafficManagement services"
        )
    services = [
        service.live_object(account, "Service", target.namespace, n)
        for n in tr.service_names(names, target.manifest_name)
    ]
    selector: dict[str, str] = {}
    for name, svc in zip(names, services, strict=True):
        if svc is None:
            raise TrafficError(
                f"{name} (a load balancer of {target.manifest_name}) does not exist in {target.namespace}"
            )
        selector.update(tr.selector_of(svc))
    kubectl = service.kubectl(account)
    patched: list[str] = []
    if handler.kind == "Pod":
        labels, base = (obj.get("metadata") or {}).get("labels") or {}, "/metadata/labels"
    else:
        labels = (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
        base = "/spec/template/metadata/labels"
    ops = tr.traffic_patch(labels, selector, base, enable=enable)
    if ops:
        result = kubectl.patch(handler.kind, target.name, target.namespace or None, ops, patch_type="json")
        service.cache.observe(account, result)
        patched.append(target.manifest_name)
    if handler.has_pods:
        uid = str((obj.get("metadata") or {}).get("uid") or "")
        for pod in service.cache.account(account).index.owned_by(uid, "Pod"):
            pod_labels = (pod.get("metadata") or {}).get("labels") or {}
            pod_ops = tr.traffic_patch(pod_labels, selector, "/metadata/labels", enable=enable)
            if not pod_ops:
                continue
            pod_name = str(pod["metadata"]["name"])
            try:
                result = kubectl.patch("Pod", pod_name, target.namespace or None, pod_ops, patch_type="json")
            except KubernetesError as exc:
                if getattr(exc, "category", "") == "notFound":
                    continue  # the pod went away meanwhile
                raise
            service.cache.observe(account, result)
            patched.append(f"pod {pod_name}")
    return patched


def cleanup_versions(  # noqa: PLR0917
    service: KubernetesService, account: str, kind: str, namespace: str, base_name: str, keep: int
) -> list[str]:
    """``max-version-history``: delete every version of ``base_name`` but the newest ``keep`` (live list,
    oldest first by creation time). Returns the deleted manifest names."""
    handler = service.handler(account, kind)
    items, _ = service.client(account).list(handler, namespace or None)
    versions = versions_of(base_name, items)
    doomed = versions[: max(0, len(versions) - keep)]
    deleted: list[str] = []
    kubectl = service.kubectl(account)
    for _, obj in doomed:
        name = str(obj["metadata"]["name"])
        kubectl.delete(handler.kind, name, namespace or None)
        service.cache.forget(account, handler.kind, namespace, name)
        deleted.append(f"{handler.name} {name}")
    return deleted
