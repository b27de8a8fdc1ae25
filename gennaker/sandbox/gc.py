"""Garbage collection by owner references, deletion finalizers, and namespace termination.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` adds both controllers to its manager.
They are core loops, not workload controllers: any object created with ``ownerReferences`` (by hand or by
a controller) is collected, as on a real cluster.

:class:`GarbageCollector` (one reconcile scans everything; any write triggers it, plus a ticker):
- an object whose owners (by uid) are all gone is deleted in the background; dangling references to
  owners that are gone are removed when other owners remain;
- an object being deleted with the ``foregroundDeletion`` finalizer first gets its dependents deleted
  (foreground too, so whole chains go bottom-up); the finalizer is removed when none remain;
- with the ``orphan`` finalizer, dependents lose their reference to it, then the finalizer is removed.

:class:`NamespaceFinalizer`: a namespace with a ``deletionTimestamp`` (phase Terminating) has every
namespaced object in it deleted; once it is empty and has no finalizers left, it is removed.
Nothing here persists.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from .controllers import Controller, ControllerContext, ObjectRef
from .errors import ApiError
from .store import Event, Key, deep_copy

Obj = dict[str, Any]
GC_REF = ObjectRef(("", "*"), "", "gc")
NS_KEY: Key = ("", "namespaces")


class GarbageCollector(Controller):
    name = "garbage-collector"
    watches = None
    resync_seconds = 2.0
    lag_seconds = 0.2  # a scan covers every object: let bursts of writes collapse into one
    manager = "kube-controller-manager"

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        meta = event.obj.get("metadata") or {}
        if event.type == "DELETED" or meta.get("deletionTimestamp") or meta.get("ownerReferences"):
            yield GC_REF

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        return [GC_REF]

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        everything = list(ctx.api.store.all_objects())
        by_uid: dict[str, tuple[Key, Obj]] = {}
        dependents: dict[str, list[tuple[Key, Obj]]] = {}
        for key, obj in everything:
            meta = obj.get("metadata") or {}
            if meta.get("uid"):
                by_uid[str(meta["uid"])] = (key, obj)
            for owner in meta.get("ownerReferences") or []:
                dependents.setdefault(str(owner.get("uid")), []).append((key, obj))
        client = ctx.client
        for key, obj in everything:
            meta = obj.get("metadata") or {}
            uid = str(meta.get("uid"))
            finalizers = meta.get("finalizers") or []
            if meta.get("deletionTimestamp") and "foregroundDeletion" in finalizers:
                deps = dependents.get(uid, [])
                if deps:
                    for dkey, dep in deps:
                        dm = dep["metadata"]
                        if not dm.get("deletionTimestamp"):
                            self._delete(client, dkey, dep, "Foreground")
                else:
                    self._drop_finalizer(client, key, obj, "foregroundDeletion")
                continue
            if meta.get("deletionTimestamp") and "orphan" in finalizers:
                for dkey, dep in dependents.get(uid, []):
                    self._remove_owner(client, dkey, dep, {uid})
                self._drop_finalizer(client, key, obj, "orphan")
                continue
            owners = meta.get("ownerReferences") or []
            if not owners or meta.get("deletionTimestamp"):
                continue
            missing = {str(o.get("uid")) for o in owners if str(o.get("uid")) not in by_uid}
            if not missing:
                continue
            if len(missing) == len({str(o.get("uid")) for o in owners}):
                self._delete(client, key, obj, "Background")
            else:
                self._remove_owner(client, key, obj, missing)

    def _delete(self, client: Any, key: Key, obj: Obj, policy: str) -> None:
        m = obj["metadata"]
        with contextlib.suppress(ApiError):
            client.delete(key, str(m.get("namespace") or ""), m["name"], policy)

    def _drop_finalizer(self, client: Any, key: Key, obj: Obj, finalizer: str) -> None:
        new = deep_copy(obj)
        new["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers") or [] if f != finalizer]
        with contextlib.suppress(ApiError):  # a conflict is retried on the next pass
            client.update(key, new)

    def _remove_owner(self, client: Any, key: Key, obj: Obj, uids: set[str]) -> None:
        new = deep_copy(obj)
        refs = [r for r in new["metadata"].get("ownerReferences") or [] if str(r.get("uid")) not in uids]
        if refs:
            new["metadata"]["ownerReferences"] = refs
        else:
            new["metadata"].pop("ownerReferences", None)
        with contextlib.suppress(ApiError):  # a conflict is retried on the next pass
            client.update(key, new)


class NamespaceFinalizer(Controller):
    name = "namespace"
    primary = NS_KEY
    watches = None  # deletions inside a terminating namespace move it forward
    resync_seconds = 2.0
    lag_seconds = 0.05

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        if event.key == NS_KEY:
            if (event.obj.get("metadata") or {}).get("deletionTimestamp"):
                yield ObjectRef.of(NS_KEY, event.obj)
        elif event.type == "DELETED" and event.namespace:
            ns = event.namespace
            yield ObjectRef(NS_KEY, "", ns)

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        return [
            ObjectRef.of(NS_KEY, o)
            for o in ctx.api.store.list_objects(NS_KEY)
            if (o.get("metadata") or {}).get("deletionTimestamp")
        ]

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        ns = ctx.api.store.get(NS_KEY, "", ref.name)
        if ns is None or not (ns.get("metadata") or {}).get("deletionTimestamp"):
            return
        remaining = 0
        for rt in {rt.key: rt for rt in ctx.api.registry.all() if rt.namespaced}.values():
            for obj in ctx.api.store.list_objects(rt.key, ref.name):
                remaining += 1
                if not (obj.get("metadata") or {}).get("deletionTimestamp"):
                    ctx.client.delete(rt.key, ref.name, obj["metadata"]["name"], "Background")
        if remaining == 0:
            ctx.api.finalize_namespace(ref.name)
