"""Adoption and release (``ControllerRefManager``): who controls an object follows the selectors.

Who calls it: the ReplicaSet controller (its pods) and the Deployment controller (its ReplicaSets).

- **release**: an object an owner controls but whose labels its selector no longer matches loses that
  ownerReference (it becomes an orphan: relabelling a pod out of a ReplicaSet makes the ReplicaSet replace
  it and leaves the pod running, as on a cluster);
- **adopt**: an orphan (no controller ownerReference, not being deleted) in the owner's namespace whose
  labels its selector matches gets a controller ownerReference to it, unless the owner is being deleted.
  Re-creating a Deployment deleted with ``--cascade=orphan`` therefore takes its ReplicaSets and pods back
  instead of starting new ones. Candidates come from events (:class:`OrphanCandidates`): an orphan's own
  events name the owners that select it, and a new owner (or a changed selector) looks once through its
  namespace, so no controller scans namespaces on every sync.

Writes are plain updates with the object's resourceVersion: a conflict is retried by the controller.
Nothing persists.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ..controllers import ObjectRef, SystemClient, controller_of, owner_reference
from ..store import Key, deep_copy
from .common import controlled, is_terminating, meta, selector_matches, uid_of

Obj = dict[str, Any]


class OrphanCandidates:
    """Orphans seen in events, per owner that might adopt them (thread-safe: events vs reconciles)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_owner: dict[ObjectRef, set[str]] = {}

    def note(self, owner: ObjectRef, name: str) -> None:
        with self._lock:
            self._by_owner.setdefault(owner, set()).add(name)

    def take(self, owner: ObjectRef) -> set[str]:
        with self._lock:
            return self._by_owner.pop(owner, set())


def is_orphan(obj: Mapping[str, Any]) -> bool:
    return controller_of(dict(obj)) is None and not is_terminating(obj)


def release(
    client: SystemClient, key: Key, owner: Mapping[str, Any], unselected: list[Obj] | None = None
) -> list[Obj]:
    """Drop ``owner``'s controller reference from what it controls but no longer selects (``unselected``
    when the caller already has them); returns the released objects."""
    uid = uid_of(owner)
    released = []
    for obj in controlled(client, key, owner)[1] if unselected is None else unselected:
        new = deep_copy(obj)
        refs = [r for r in new["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        if refs:
            new["metadata"]["ownerReferences"] = refs
        else:
            new["metadata"].pop("ownerReferences", None)
        released.append(client.update(key, new))
    return released


def adopt(client: SystemClient, key: Key, owner: Mapping[str, Any], names: Iterable[str]) -> list[Obj]:
    """Give ``owner`` the orphans among ``names`` that its selector matches; returns the adopted."""
    if is_terminating(owner):
        return []
    namespace = str(meta(owner).get("namespace") or "")
    selector = (owner.get("spec") or {}).get("selector")
    adopted = []
    for name in sorted(names):
        obj = client.api.store.get(key, namespace, name)
        if obj is None or not is_orphan(obj) or not selector_matches(selector, meta(obj).get("labels")):
            continue
        new = deep_copy(obj)
        new["metadata"]["ownerReferences"] = [
            *(new["metadata"].get("ownerReferences") or []),
            owner_reference(dict(owner)),
        ]
        adopted.append(client.update(key, new))
    return adopted


def note_owner_event(store: Any, child_key: Key, event: Any, candidates: OrphanCandidates) -> None:
    """A new owner, or one whose selector changed, may adopt orphans that are already there."""
    obj = event.obj
    if event.type == "DELETED" or is_terminating(obj):
        return
    selector = (obj.get("spec") or {}).get("selector")
    if event.old is not None and (event.old.get("spec") or {}).get("selector") == selector:
        return
    owner = ObjectRef.of(event.key, obj)
    for child in store.list_objects(child_key, event.namespace):
        if is_orphan(child) and selector_matches(selector, meta(child).get("labels")):
            candidates.note(owner, str(meta(child).get("name")))


def adopters(store: Any, owner_key: Key, event_obj: Mapping[str, Any], namespace: str) -> list[ObjectRef]:
    """Owners of ``owner_key`` in ``namespace`` whose selector matches an orphan's labels."""
    if not is_orphan(event_obj):
        return []
    labels = meta(event_obj).get("labels")
    return [
        ObjectRef.of(owner_key, o)
        for o in store.list_objects(owner_key, namespace)
        if not is_terminating(o) and selector_matches((o.get("spec") or {}).get("selector"), labels)
    ]
