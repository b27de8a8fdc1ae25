"""The in-memory index of one account's cached objects.

Who calls it: ``cache.watch`` writes (``upsert``, ``delete``, ``replace_scope`` after a relist) from the
cache's event-loop thread; every reader (stages, stability checks, the classic view, the API) reads from
any thread. One lock; reads return the stored dicts, which are never mutated after insertion (writers
insert new dicts): treat them as read-only.

Keys: ``(kind, namespace, name)`` (kind as in the object, ``ReplicaSet``; namespace "" for cluster-scoped
kinds). Secondary indexes: by kind, by namespace, by uid, by controller owner uid (a ReplicaSet's pods, a
Deployment's ReplicaSets), by application and by (application, cluster) from the moniker annotations.

What is stored (``trim``): the object without ``metadata.managedFields``; a Secret without ``data``,
``stringData`` and its last-applied annotation (which holds the data): Secret values are never cached.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from gennaker.kubernetes.moniker import moniker_of

Key = tuple[str, str, str]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def trim(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The form an object is cached in (see the module docstring)."""
    out = dict(obj)
    metadata = dict(out.get("metadata") or {})
    metadata.pop("managedFields", None)
    if out.get("kind") == "Secret":
        out.pop("data", None)
        out.pop("stringData", None)
        annotations = metadata.get("annotations")
        if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
            metadata["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
    out["metadata"] = metadata
    return out


def key_of(obj: Mapping[str, Any]) -> Key:
    metadata = obj.get("metadata") or {}
    return (str(obj.get("kind") or ""), str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))


def controller_uid(obj: Mapping[str, Any]) -> str | None:
    """The uid of the object's controlling owner, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, Mapping) and ref.get("controller"):
            return str(ref.get("uid"))
    return None


def resource_version(obj: Mapping[str, Any]) -> int | None:
    value = (obj.get("metadata") or {}).get("resourceVersion")
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class ObjectIndex:
    """One account's objects with secondary indexes (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._objects: dict[Key, dict[str, Any]] = {}
        self._by_kind: dict[str, set[Key]] = defaultdict(set)
        self._by_namespace: dict[str, set[Key]] = defaultdict(set)
        self._by_uid: dict[str, Key] = {}
        self._by_owner: dict[str, set[Key]] = defaultdict(set)
        self._by_app: dict[str, set[Key]] = defaultdict(set)
        self._by_cluster: dict[tuple[str, str], set[Key]] = defaultdict(set)

    # ------------------------------------------------------------ writes

    def _unlink(self, key: Key, obj: Mapping[str, Any]) -> None:
        self._by_kind[key[0]].discard(key)
        self._by_namespace[key[1]].discard(key)
        uid = (obj.get("metadata") or {}).get("uid")
        if uid and self._by_uid.get(str(uid)) == key:
            del self._by_uid[str(uid)]
        owner = controller_uid(obj)
        if owner:
            self._by_owner[owner].discard(key)
        moniker = moniker_of(obj)
        if moniker.app:
            self._by_app[moniker.app].discard(key)
            self._by_cluster[(moniker.app, moniker.cluster or "")].discard(key)

    def _link(self, key: Key, obj: Mapping[str, Any]) -> None:
        self._by_kind[key[0]].add(key)
        self._by_namespace[key[1]].add(key)
        uid = (obj.get("metadata") or {}).get("uid")
        if uid:
            self._by_uid[str(uid)] = key
        owner = controller_uid(obj)
        if owner:
            self._by_owner[owner].add(key)
        moniker = moniker_of(obj)
        if moniker.app:
            self._by_app[moniker.app].add(key)
            self._by_cluster[(moniker.app, moniker.cluster or "")].add(key)

    def upsert(
        self, obj: Mapping[str, Any], *, only_newer: bool = False
    ) -> tuple[str, dict[str, Any]] | None:
        """Store ``obj`` (trimmed); returns ``("ADDED"|"MODIFIED", stored)``, or None when nothing
        changed (same resourceVersion, or with ``only_newer`` an older one)."""
        stored = trim(obj)
        key = key_of(stored)
        with self._lock:
            old = self._objects.get(key)
            if old is not None:
                old_rv, new_rv = resource_version(old), resource_version(stored)
                if (
                    old_rv is not None
                    and new_rv is not None
                    and (new_rv == old_rv or (only_newer and new_rv < old_rv))
                ):
                    return None
                self._unlink(key, old)
            self._objects[key] = stored
            self._link(key, stored)
        return ("MODIFIED" if old is not None else "ADDED"), stored

    def delete(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """Forget an object; returns what was stored."""
        key = (kind, namespace, name)
        with self._lock:
            old = self._objects.pop(key, None)
            if old is not None:
                self._unlink(key, old)
        return old

    def replace_scope(
        self, kind: str, namespace: str | None, items: Iterable[Mapping[str, Any]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """After a (re)list of ``kind`` (in ``namespace``, or everywhere): make the index equal the list.
        Returns the events that brings (ADDED/MODIFIED/DELETED, object)."""
        events: list[tuple[str, dict[str, Any]]] = []
        seen: set[Key] = set()
        for item in items:
            changed = self.upsert(item)
            seen.add(key_of(item))
            if changed is not None:
                events.append(changed)
        with self._lock:
            stale = [
                k
                for k in self._by_kind.get(kind, set())
                if (namespace is None or k[1] == namespace) and k not in seen
            ]
        for k in stale:
            old = self.delete(*k)
            if old is not None:
                events.append(("DELETED", old))
        return events

    def drop_kind(self, kind: str) -> None:
        with self._lock:
            for key in list(self._by_kind.get(kind, set())):
                self.delete(*key)

    # ------------------------------------------------------------ reads

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self._objects.get((kind, namespace, name))

    def by_uid(self, uid: str) -> dict[str, Any] | None:
        with self._lock:
            key = self._by_uid.get(uid)
            return self._objects.get(key) if key else None

    def owned_by(self, uid: str, kind: str | None = None) -> list[dict[str, Any]]:
        """Objects whose controlling owner has ``uid`` (of ``kind`` when given)."""
        with self._lock:
            keys = [k for k in self._by_owner.get(uid, set()) if kind is None or k[0] == kind]
            return [self._objects[k] for k in sorted(keys)]

    def select(
        self,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        app: str | None = None,
        cluster: str | None = None,
    ) -> list[dict[str, Any]]:
        """Objects matching every filter given, ordered by key."""
        with self._lock:
            sets: list[set[Key]] = []
            if app is not None and cluster is not None:
                sets.append(self._by_cluster.get((app, cluster), set()))
            elif app is not None:
                sets.append(self._by_app.get(app, set()))
            if kind is not None:
                sets.append(self._by_kind.get(kind, set()))
            if namespace is not None:
                sets.append(self._by_namespace.get(namespace, set()))
            if sets:
                sets.sort(key=len)
                keys = set(sets[0]).intersection(*sets[1:])
            else:
                keys = set(self._objects)
            return [self._objects[k] for k in sorted(keys)]

    def applications(self) -> list[str]:
        with self._lock:
            return sorted(a for a, keys in self._by_app.items() if keys)

    def clusters(self, app: str) -> list[str]:
        with self._lock:
            return sorted(c for (a, c), keys in self._by_cluster.items() if a == app and keys)

    def __len__(self) -> int:
        with self._lock:
            return len(self._objects)
