"""Deletion: preconditions, finalizers, propagation policies, graceful pod deletion, namespace finalization.

Who calls it: :class:`gennaker.sandbox.apiserver.ApiServer` (``delete``, ``delete_collection``,
``finalize_namespace`` delegate here) and, through it, the HTTP handlers, the garbage collector and the
namespace loop.

Rules (as kube-apiserver): preconditions (uid, resourceVersion) are 409 when they do not hold; an object
with finalizers (``Foreground`` adds ``foregroundDeletion``, ``Orphan`` adds ``orphan``) only gets a
``deletionTimestamp``, and goes when an update removes its last finalizer; otherwise it is removed at
once and a DELETED event carries its last state. Namespaces are always only marked (phase Terminating);
:func:`finalize_namespace` removes them once the namespace loop has emptied them. Nothing here persists
beyond the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import errors
from .errors import ApiError
from .objectmeta import now_rfc3339
from .registry import ResourceType
from .selectors import FieldSelector, LabelSelector
from .store import DELETED, MODIFIED, deep_copy
from .writes import WriteOptions, WriteResult, is_namespace, same_object

if TYPE_CHECKING:
    from .apiserver import ApiServer

Obj = dict[str, Any]


def delete(
    api: ApiServer, rt: ResourceType, namespace: str, name: str, *, options: Obj | None, opts: WriteOptions
) -> WriteResult:
    """DELETE one object (see the module docstring)."""
    options = options or {}
    with api.store.lock:
        old = api._existing(rt, namespace, name)
        pre = options.get("preconditions") or {}
        om = old["metadata"]
        if pre.get("uid") and pre["uid"] != om.get("uid"):
            raise errors.conflict(
                rt.plural,
                rt.group,
                name,
                f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: "
                f"{om.get('uid')}",
            )
        if pre.get("resourceVersion") and pre["resourceVersion"] != om.get("resourceVersion"):
            raise errors.conflict(
                rt.plural,
                rt.group,
                name,
                f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                f"ResourceVersion in object meta: {om.get('resourceVersion')}",
            )
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is True:
            policy = "Orphan"
        if policy not in (None, "Background", "Foreground", "Orphan"):
            raise errors.invalid_object(
                "DeleteOptions",
                "meta.k8s.io",
                "",
                [
                    errors.not_supported(
                        "propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"]
                    )
                ],
            )
        finalizers = list(om.get("finalizers") or [])
        if policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        if policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        if is_namespace(rt):
            new = deep_copy(old)
            new.setdefault("status", {})["phase"] = "Terminating"
            if not om.get("deletionTimestamp"):
                new["metadata"]["deletionTimestamp"] = now_rfc3339()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
            new["metadata"]["finalizers"] = finalizers
            if not finalizers:
                new["metadata"].pop("finalizers")
            if opts.dry_run or same_object(old, new):
                return WriteResult(api._for_version(rt, new), 200)
            stored = api.store.commit(MODIFIED, rt.key, new, old)
            api._committed(rt, MODIFIED, stored)
            return WriteResult(api._for_version(rt, stored), 200)
        if rt.key == ("", "pods") and api.graceful_pod_deletion:
            graceful = graceful_pod_delete(api, rt, old, options=options, finalizers=finalizers, opts=opts)
            if graceful is not None:
                return graceful
        if finalizers:
            new = deep_copy(old)
            new["metadata"]["finalizers"] = finalizers
            if not om.get("deletionTimestamp"):
                new["metadata"]["deletionTimestamp"] = now_rfc3339()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
                if rt.track_generation:
                    new["metadata"]["generation"] = int(om.get("generation") or 1) + 1
            if opts.dry_run or same_object(old, new):
                return WriteResult(api._for_version(rt, new), 200)
            stored = api.store.commit(MODIFIED, rt.key, new, old)
            api._committed(rt, MODIFIED, stored)
            return WriteResult(api._for_version(rt, stored), 200)
        if opts.dry_run:
            return WriteResult(api._for_version(rt, old), 200)
        stored = api.store.commit(DELETED, rt.key, deep_copy(old), old)
        api._committed(rt, DELETED, stored)
        return WriteResult(api._for_version(rt, stored), 200)


def graceful_pod_delete(
    api: ApiServer, rt: ResourceType, old: Obj, *, options: Obj, finalizers: list[str], opts: WriteOptions
) -> WriteResult | None:
    """Mark a scheduled pod for graceful deletion; None when it should go now (or wait on finalizers)."""
    om = old["metadata"]
    try:
        grace = int(options["gracePeriodSeconds"]) if options.get("gracePeriodSeconds") is not None else None
    except (TypeError, ValueError) as e:
        raise errors.bad_request(f"invalid gracePeriodSeconds: {options.get('gracePeriodSeconds')}") from e
    if grace is None:
        grace = int((old.get("spec") or {}).get("terminationGracePeriodSeconds") or 30)
    if grace <= 0 or not (old.get("spec") or {}).get("nodeName"):
        return None
    if (old.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return None  # a terminal pod has nothing left to stop: the API server deletes it at once
    if om.get("deletionTimestamp"):
        return WriteResult(api._for_version(rt, old), 200)
    new = deep_copy(old)
    when = datetime.now(UTC) + timedelta(seconds=grace)
    new["metadata"]["deletionTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    new["metadata"]["deletionGracePeriodSeconds"] = grace
    if finalizers:
        new["metadata"]["finalizers"] = finalizers
    if rt.track_generation:
        new["metadata"]["generation"] = int(om.get("generation") or 1) + 1
    if opts.dry_run:
        return WriteResult(api._for_version(rt, new), 200)
    stored = api.store.commit(MODIFIED, rt.key, new, old)
    api._committed(rt, MODIFIED, stored)
    return WriteResult(api._for_version(rt, stored), 200)


def delete_collection(
    api: ApiServer,
    rt: ResourceType,
    namespace: str | None,
    labels: LabelSelector | None,
    fields: FieldSelector | None,
    *,
    options: Obj | None,
    opts: WriteOptions,
) -> list[Obj]:
    with api.store.lock:
        listed = api.list_objects(rt, namespace, labels=labels, fields=fields).items
        out = []
        for obj in listed:
            m = obj["metadata"]
            try:
                out.append(
                    delete(api, rt, str(m.get("namespace") or ""), m["name"], options=options, opts=opts).obj
                )
            except ApiError:
                continue
        return out


def finalize_namespace(api: ApiServer, name: str) -> bool:
    """Remove a terminating namespace once it is empty and has no finalizers left (namespace loop)."""
    rt = api.registry.by_key(("", "namespaces"))
    assert rt is not None
    with api.store.lock:
        ns = api.store.get(rt.key, "", name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return False
        new = deep_copy(ns)
        new.setdefault("spec", {})["finalizers"] = []
        if new["metadata"].get("finalizers"):
            if new != ns:
                stored = api.store.commit(MODIFIED, rt.key, new, ns)
                api._committed(rt, MODIFIED, stored)
            return False
        stored = api.store.commit(DELETED, rt.key, new, ns)
        api._committed(rt, DELETED, stored)
        return True
