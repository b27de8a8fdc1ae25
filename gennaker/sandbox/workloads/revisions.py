"""ControllerRevisions: the template history of StatefulSets and DaemonSets (``pkg/controller/history``).

Who calls it: the StatefulSet and DaemonSet controllers on every sync. ``kubectl rollout history|undo`` for
those kinds reads these objects: it lists ControllerRevisions by the workload's selector, keeps the ones the
workload controls, and patches the workload with a revision's ``data`` (a strategic merge patch
``{"spec":{"template":{...,"$patch":"replace"}}}``), comparing bytes to decide "already matches".

:func:`sync_revisions` makes sure a revision exists for the current template (``<owner>-<hash>``, labels =
template labels + the owner kind's hash label, the owner's annotations, a controller ownerReference,
``revision`` = max + 1); a revision whose data equals the template is reused (its ``revision`` bumped to
the top if it is not already there, which is what an undo looks like), and a name clash with different
data bumps the owner's ``status.collisionCount``. :func:`truncate_history` deletes the oldest revisions
that no pod uses beyond ``revisionHistoryLimit``. Nothing persists beyond the objects written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..controllers import SystemClient, owner_reference
from ..errors import ApiError
from ..store import Key, deep_copy
from ..web.types import go_json
from .common import REVISIONS, meta, name_of, owned
from .hashing import hash_bytes, revision_data

Obj = dict[str, Any]


class CollisionError(Exception):
    """A revision name is taken by different data: bump the owner's collisionCount and retry
    (:func:`sync_revisions_or_bump_collisions` does both)."""


@dataclass
class Revisions:
    current: Obj
    update: Obj
    history: list[Obj]  # every owned revision, sorted by revision (after the sync)
    collision_count: int


def revision_number(cr: Mapping[str, Any]) -> int:
    value = cr.get("revision")
    return value if isinstance(value, int) else 0


def template_of(cr: Mapping[str, Any]) -> Obj:
    """The pod template a revision records (its data without the ``$patch`` directive)."""
    template = deep_copy(((cr.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


def owned_revisions(client: SystemClient, owner: Mapping[str, Any]) -> list[Obj]:
    return sorted(owned(client, REVISIONS, owner), key=lambda r: (revision_number(r), name_of(r)))


def sync_revisions_or_bump_collisions(
    client: SystemClient, resource: Key, owner: Obj, hash_label: str
) -> Revisions | None:
    """:func:`sync_revisions`, or, on a name collision, ``status.collisionCount`` + 1 written to ``owner``
    (a copy the caller owns) and None: the next sync hashes with the new count, as Kubernetes does."""
    try:
        return sync_revisions(client, owner, hash_label)
    except CollisionError:
        status = owner.setdefault("status", {})
        status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
        client.update_status(resource, owner)
        return None


def sync_revisions(client: SystemClient, owner: Mapping[str, Any], hash_label: str) -> Revisions:
    """Find or create the revision of ``owner``'s current template (see the module docstring)."""
    history = owned_revisions(client, owner)
    collisions = int((owner.get("status") or {}).get("collisionCount") or 0)
    data = revision_data((owner.get("spec") or {}).get("template") or {})
    raw = go_json(data)
    top = max((revision_number(r) for r in history), default=0)
    equal = [r for r in history if go_json(r.get("data")) == raw]
    if equal:
        update = equal[-1]
        if update is not history[-1]:
            bumped = deep_copy(update)
            bumped["revision"] = top + 1
            update = client.update(REVISIONS, bumped)
            history = [update if name_of(r) == name_of(update) else r for r in history]
    else:
        digest = hash_bytes(raw, collisions or None)
        template_labels = (((owner.get("spec") or {}).get("template") or {}).get("metadata") or {}).get(
            "labels"
        )
        cr: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": f"{name_of(owner)}-{digest}",
                "namespace": meta(owner).get("namespace"),
                "labels": {**(template_labels or {}), hash_label: digest},
                "ownerReferences": [owner_reference(dict(owner))],
            },
            "data": data,
            "revision": top + 1,
        }
        annotations = meta(owner).get("annotations")
        if annotations:
            cr["metadata"]["annotations"] = dict(annotations)
        try:
            update = client.create(REVISIONS, cr)
        except ApiError as e:
            if e.code != 409:
                raise
            raise CollisionError(cr["metadata"]["name"]) from e
        history.append(update)
    history.sort(key=lambda r: (revision_number(r), name_of(r)))
    current_name = (owner.get("status") or {}).get("currentRevision")
    current = next((r for r in history if name_of(r) == current_name), update)
    return Revisions(current, update, history, collisions)


def truncate_history(
    client: SystemClient, owner: Mapping[str, Any], revisions: Revisions, live_names: set[str]
) -> None:
    """Delete the oldest revisions not in use beyond the owner's ``revisionHistoryLimit``."""
    limit = (owner.get("spec") or {}).get("revisionHistoryLimit")
    limit = limit if isinstance(limit, int) else 10
    keep = {name_of(revisions.current), name_of(revisions.update), *live_names}
    spare = [r for r in revisions.history if name_of(r) not in keep]
    for cr in spare[: max(0, len(spare) - limit)]:
        client.delete(REVISIONS, str(meta(cr).get("namespace") or ""), name_of(cr))
