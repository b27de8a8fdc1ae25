"""Garbage collection by owner references, deletion finalizers, and namespace termination.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` adds both controllers to its manager.
They are core loops, not workload controllers: any object created with ``ownerReferences`` (by hand or by
a controller) is collected, as on a real cluster.

:class:`GarbageCollector` (incremental: an event queues only the objects it concerns — the object
itself when it has owners or deletion finalizers, the dependents of a deleted object (through the store's
owner index), the owners of a deleted dependent; a full scan every 30 s is the safety net):
- an object whose owners are all gone (looked up by kind and name, compared by uid, as the real garbage
  collector verifies them) is deleted in the background; dangling references to owners that are gone are
  removed when other owners remain;
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
    resync_seconds = 30.0  # the safety net: a full scan this often
    lag_seconds = 0.1
    manager = "kube-controller-manager"

    def __init__(self) -> None:
        self._api: Any = None
        self._kinds: dict[tuple[str, str], Any] = {}
        self._kinds_generation = -1

    # -- what to look at
    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        meta = event.obj.get("metadata") or {}
        if event.type == "DELETED":
            # its dependents may have lost their last owner; a foreground-deleting owner may be done
            if self._api is not None:
                for key, dep in self._dependents(str(meta.get("uid"))):
                    yield ObjectRef.of(key, dep)
            for owner in meta.get("ownerReferences") or []:
                ref = self._owner_ref(owner, event.namespace)
                if ref is not None:
                    yield ref
            return
        if meta.get("ownerReferences") or (meta.get("deletionTimestamp") and meta.get("finalizers")):
            yield ObjectRef.of(event.key, event.obj)

    def setup(self, ctx: ControllerContext) -> None:
        self._api = ctx.api

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        return [GC_REF]

    def _dependents(self, uid: str) -> list[tuple[Key, Obj]]:
        store = self._api.store
        keys = store.keys()
        return [(key, dep) for key in keys for dep in store.list_owned(key, uid)]

    def _owner_rt(self, owner: Obj) -> Any:
        registry = self._api.registry
        if registry.generation != self._kinds_generation:
            self._kinds = {}
            self._kinds_generation = registry.generation
        group = str(owner.get("apiVersion") or "").rpartition("/")[0]
        k = (group, str(owner.get("kind") or ""))
        if k not in self._kinds:
            self._kinds[k] = registry.by_kind(*k)
        return self._kinds[k]

    def _owner_ref(self, owner: Obj, namespace: str) -> ObjectRef | None:
        if self._api is None:
            return None
        rt = self._owner_rt(owner)
        if rt is None:
            return None
        return ObjectRef(rt.key, namespace if rt.namespaced else "", str(owner.get("name")))

    def _owner_exists(self, owner: Obj, namespace: str) -> bool:
        """Does the owner (by kind, name and uid) still exist? Unknown kinds are looked up by uid."""
        rt = self._owner_rt(owner)
        uid = str(owner.get("uid"))
        if rt is None:
            return any(
                str((o.get("metadata") or {}).get("uid")) == uid for _, o in self._api.store.all_objects()
            )
        found = self._api.store.get(rt.key, namespace if rt.namespaced else "", str(owner.get("name")))
        return found is not None and str((found.get("metadata") or {}).get("uid")) == uid

    # -- acting
    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        self._api = ctx.api
        if ref == GC_REF:
            self._full_scan(ctx)
            return
        obj = ctx.api.store.get(ref.key, ref.namespace, ref.name)
        if obj is not None:
            self._collect(ctx, ref.key, obj)

    def _full_scan(self, ctx: ControllerContext) -> None:
        for key, obj in list(ctx.api.store.all_objects()):
            meta = obj.get("metadata") or {}
            if meta.get("ownerReferences") or (meta.get("deletionTimestamp") and meta.get("finalizers")):
                self._collect(ctx, key, obj)

    def _collect(self, ctx: ControllerContext, key: Key, obj: Obj) -> None:
        client = ctx.client
        meta = obj.get("metadata") or {}
        uid = str(meta.get("uid"))
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp") and "foregroundDeletion" in finalizers:
            deps = self._dependents(uid)
            if deps:
                for dkey, dep in deps:
                    if not (dep.get("metadata") or {}).get("deletionTimestamp"):
                        self._delete(client, dkey, dep, "Foreground")
            else:
                self._drop_finalizer(client, key, obj, "foregroundDeletion")
            return
        if meta.get("deletionTimestamp") and "orphan" in finalizers:
            for dkey, dep in self._dependents(uid):
                self._remove_owner(client, dkey, dep, {uid})
            self._drop_finalizer(client, key, obj, "orphan")
            return
        owners = meta.get("ownerReferences") or []
        if not owners or meta.get("deletionTimestamp"):
            return
        namespace = str(meta.get("namespace") or "")
        missing = {str(o.get("uid")) for o in owners if not self._owner_exists(o, namespace)}
        if not missing:
            return
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
