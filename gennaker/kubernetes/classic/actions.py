"""Gate's server-group jobs as the manifest stages that implement them (no second implementation).

Who calls it: the API's ``POST /tasks`` (``gennaker.api.routers.tasks``) before it starts the
ORCHESTRATION; the stages that run are the manifest stages, so a resize from the classic view behaves
exactly like a ``scaleManifest`` stage of a pipeline (same kubectl call, same wait for stability).

Job fields (Deck's classic shape; the manifest spellings are accepted too): ``credentials``/``account``,
``region``/``namespace``/``location``, ``serverGroupName`` (``web-v001`` or ``replicaSet web-v001``) or
``manifestName``; plus per job:

==========================  ===============================================================
job                         becomes
==========================  ===============================================================
``resizeServerGroup``       ``scaleManifest`` with ``replicas`` = ``capacity.desired`` (or ``targetSize``)
``enableServerGroup``       ``enableManifest``
``disableServerGroup``      ``disableManifest``
``destroyServerGroup``      ``deleteManifest`` (cascading)
``rollbackServerGroup``     a Deployment's ReplicaSet: ``undoRolloutManifest`` of the Deployment to the
                            restored ReplicaSet's revision; a versioned ReplicaSet: ``enableManifest`` of
                            ``rollbackContext.restoreServerGroupName`` (default: the previous version of
                            the cluster) then ``disableManifest`` of ``rollbackServerGroupName``
``rollingRestartManifest``  itself (a server group name is resolved like the others)
==========================  ===============================================================

Every named server group must exist in the cache: an unknown account, namespace or name fails the
request (``JobError`` naming the job field) before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gennaker.kubernetes.errors import KubernetesError
from gennaker.kubernetes.kinds import KINDS
from gennaker.kubernetes.manifests.names import name_of, parse_manifest_name
from gennaker.kubernetes.moniker import DEPLOYMENT_REVISION, moniker_of

if TYPE_CHECKING:
    from gennaker.kubernetes.service import KubernetesService


class JobError(KubernetesError, ValueError):
    """A classic job that cannot run; ``field`` is the job field at fault (``job[0].serverGroupName``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


Job = Mapping[str, Any]
Translator = Callable[["KubernetesService", Job, str], list[dict[str, Any]]]


def _account(job: Job, where: str) -> str:
    value = job.get("credentials") or job.get("account")
    if not isinstance(value, str) or not value:
        raise JobError(f"{where}.credentials", "the Kubernetes account is required (credentials or account)")
    return value


def _namespace(job: Job, where: str) -> str:
    value = job.get("region") or job.get("namespace") or job.get("location")
    if not isinstance(value, str) or not value:
        raise JobError(f"{where}.region", "the namespace is required (region, namespace or location)")
    return value


def find_server_group(
    service: KubernetesService, account: str, namespace: str, name: str, where: str
) -> Mapping[str, Any]:
    """The cached server group (or server group manager) ``name`` (``web-v001`` or ``replicaSet
    web-v001``); ``JobError`` naming it when it does not exist."""
    try:
        service.account(account)
    except KubernetesError as exc:
        raise JobError(f"{where}.credentials", str(exc)) from None
    index = service.cache.index(account)
    if " " in name.strip() or "/" in name:
        kind, bare = parse_manifest_name(name)
        kinds = [kind]
    else:
        bare = name.strip()
        kinds = [
            h.kind for h in KINDS.handlers() if h.spinnaker_kind in ("serverGroups", "serverGroupManagers")
        ]
    for kind in kinds:
        found = index.get(kind, namespace, bare)
        if found is not None and not (found.get("metadata") or {}).get("deletionTimestamp"):
            return found
    raise JobError(
        f"{where}.serverGroupName", f"{name} does not exist in namespace {namespace} of account {account}"
    )


def _target(service: KubernetesService, job: Job, where: str, key: str = "serverGroupName") -> dict[str, Any]:
    account, namespace = _account(job, where), _namespace(job, where)
    name = job.get(key) or job.get("manifestName") or job.get("serverGroupName")
    if not isinstance(name, str) or not name:
        raise JobError(f"{where}.{key}", "the server group is required (serverGroupName or manifestName)")
    obj = find_server_group(service, account, namespace, name, where)
    return {
        "account": account,
        "cloudProvider": "kubernetes",
        "location": namespace,
        "manifestName": name_of(obj),
        "app": moniker_of(obj).app,
    }


def _stage(job: Job, stage_type: str, context: Mapping[str, Any]) -> dict[str, Any]:
    name = f"{job.get('type')}: {context.get('manifestName')}" if context.get("manifestName") else stage_type
    return {"type": stage_type, "name": name, "classicJob": job.get("type"), **context}


def resize(service: KubernetesService, job: Job, where: str) -> list[dict[str, Any]]:
    target = _target(service, job, where)
    capacity: Mapping[str, Any] = job["capacity"] if isinstance(job.get("capacity"), Mapping) else {}
    replicas = capacity.get("desired", job.get("targetSize"))
    if (
        isinstance(replicas, bool)
        or not isinstance(replicas, int | str)
        or not str(replicas).strip().isdigit()
    ):
        raise JobError(
            f"{where}.capacity.desired", f"the new size must be a whole number >= 0, not {replicas!r}"
        )
    return [_stage(job, "scaleManifest", {**target, "replicas": int(replicas)})]


def _simple(stage_type: str, **extra: Any) -> Translator:
    def translate(service: KubernetesService, job: Job, where: str) -> list[dict[str, Any]]:
        return [_stage(job, stage_type, {**_target(service, job, where), **extra})]

    return translate


def _revision(obj: Mapping[str, Any]) -> int | None:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(DEPLOYMENT_REVISION)
    return int(str(value)) if str(value or "").isdigit() else None


def _owner_deployment(
    service: KubernetesService, account: str, obj: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("controller") and owner.get("kind") == "Deployment":
            return service.cache.index(account).by_uid(str(owner.get("uid")))
    return None


def _previous(
    service: KubernetesService, account: str, current: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The version of ``current``'s cluster just before it (by sequence, else creation time)."""
    moniker = moniker_of(current)
    meta = current.get("metadata") or {}
    siblings = service.cache.index(account).select(
        kind=str(current.get("kind")),
        namespace=str(meta.get("namespace") or ""),
        app=moniker.app,
        cluster=moniker.cluster,
    )

    def order(o: Mapping[str, Any]) -> tuple[int, str]:
        seq = moniker_of(o).sequence
        return (seq if seq is not None else -1, str((o.get("metadata") or {}).get("creationTimestamp") or ""))

    older = [
        o
        for o in siblings
        if order(o) < order(current) and not (o.get("metadata") or {}).get("deletionTimestamp")
    ]
    return max(older, key=order) if older else None


def rollback(service: KubernetesService, job: Job, where: str) -> list[dict[str, Any]]:
    context: Mapping[str, Any] = (
        job["rollbackContext"] if isinstance(job.get("rollbackContext"), Mapping) else {}
    )
    merged = {**job, **{k: v for k, v in context.items() if v}}
    current_where = f"{where}.rollbackContext"
    name = merged.get("rollbackServerGroupName") or merged.get("serverGroupName")
    if not isinstance(name, str) or not name:
        raise JobError(
            f"{current_where}.rollbackServerGroupName", "the server group to roll back is required"
        )
    account, namespace = _account(job, where), _namespace(job, where)
    current = find_server_group(service, account, namespace, name, where)
    restore_name = merged.get("restoreServerGroupName")
    if isinstance(restore_name, str) and restore_name:
        restore = find_server_group(service, account, namespace, restore_name, where)
    else:
        found = _previous(service, account, current)
        if found is None:
            raise JobError(
                f"{current_where}.restoreServerGroupName",
                f"{name_of(current)} has no previous version in its cluster to roll back to",
            )
        restore = found
    base = {
        "account": account,
        "cloudProvider": "kubernetes",
        "location": namespace,
        "app": moniker_of(current).app,
    }
    deployment = _owner_deployment(service, account, current)
    if deployment is not None:
        revision = _revision(restore)
        undo: dict[str, Any] = {**base, "manifestName": name_of(deployment)}
        undo.update({"revision": revision} if revision is not None else {"numRevisionsBack": 1})
        return [_stage(job, "undoRolloutManifest", undo)]
    return [
        _stage(job, "enableManifest", {**base, "manifestName": name_of(restore)}),
        _stage(job, "disableManifest", {**base, "manifestName": name_of(current)}),
    ]


def rolling_restart(service: KubernetesService, job: Job, where: str) -> list[dict[str, Any]]:
    if job.get("manifestName") and not job.get("serverGroupName"):
        return [dict(job)]
    target = _target(service, job, where)
    rest = {k: v for k, v in job.items() if k not in ("serverGroupName", "region", "credentials")}
    return [{**rest, **target}]


JOBS: dict[str, Translator] = {
    "resizeServerGroup": resize,
    "enableServerGroup": _simple("enableManifest"),
    "disableServerGroup": _simple("disableManifest"),
    "destroyServerGroup": _simple("deleteManifest", options={"cascading": True}),
    "rollbackServerGroup": rollback,
    "rollingRestartManifest": rolling_restart,
}


def is_classic(job: Job) -> bool:
    return job.get("type") in JOBS


def translate(service: KubernetesService, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stages to run for ``jobs``: classic ones translated (see the module docstring), others kept."""
    out: list[dict[str, Any]] = []
    for i, job in enumerate(jobs):
        translator = JOBS.get(str(job.get("type")))
        out += translator(service, job, f"job[{i}]") if translator else [job]
    return out
