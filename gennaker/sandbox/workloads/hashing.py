"""Template hashes and ControllerRevision data, marshalled the way Go marshals them.

Who calls it: the Deployment controller (``pod-template-hash``), the StatefulSet and DaemonSet controllers
(ControllerRevision names, ``controller.kubernetes.io/hash`` and ``controller-revision-hash`` labels, and
the revision ``data``).

- Kubernetes hashes a template with FNV-32a (over a spew dump, plus the ``collisionCount``) and writes
  the decimal value through ``rand.SafeEncodeString`` into the alphabet ``bcdfghjklmnpqrstvwxz2456789``.
  We hash a canonical JSON form of the semantically normalised template instead (so two templates that
  are semantically equal hash alike), then encode the same way: a stable 6-10 character name suffix.
- ``rollout undo`` for StatefulSets and DaemonSets compares, byte for byte, the revision's ``data`` with
  the patch kubectl builds from the live object: ``{"spec":{"template":{...,"$patch":"replace"}}}``
  marshalled from Go structs (sorted map keys, no spaces, zero values of ``omitempty`` fields left out,
  HTML characters escaped). :func:`revision_data` builds that document from a stored template; the API
  server writes JSON compactly, in key order and HTML-escaped (``web.types.go_json``), so the bytes on
  the wire match.

Nothing here persists.
"""

from __future__ import annotations

import json
from typing import Any

from ..semantic import normalize

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
HASH_LABEL = "pod-template-hash"

# Map-typed fields of a PodTemplateSpec: Go drops them when empty (``omitempty`` on a map). Every other
# ``{}`` is a struct (``resources``, ``securityContext``, ``emptyDir``) and is written even when empty.
_MAP_FIELDS = frozenset(
    {"labels", "annotations", "nodeSelector", "limits", "requests", "overhead", "volumeAttributes"}
)


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``: each character mapped into the consonant-and-digit alphabet."""
    return "".join(ALPHABET[ord(c) % len(ALPHABET)] for c in text)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(template: Any, collision_count: int | None = None) -> str:
    """``controller.ComputeHash``: the hash of a pod template (ignoring ``pod-template-hash``)."""
    body = normalize(_without_hash_label(template)) or {}
    data = canonical_json(body).encode("utf-8")
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode(str(fnv32a(data)))


def hash_bytes(data: bytes, collision_count: int | None = None) -> str:
    """The hash of raw bytes (a ControllerRevision's data), as ``HashControllerRevision``."""
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode(str(fnv32a(data)))


def _without_hash_label(template: Any) -> Any:
    if not isinstance(template, dict):
        return template
    labels = (template.get("metadata") or {}).get("labels")
    if not isinstance(labels, dict) or HASH_LABEL not in labels:
        return template
    out = dict(template)
    out["metadata"] = {**template["metadata"], "labels": {k: v for k, v in labels.items() if k != HASH_LABEL}}
    return out


def go_marshal(value: Any, key: str = "") -> Any:
    """A JSON value as Go would re-marshal it from API structs: nulls, empty lists and empty maps of
    map-typed fields dropped, keys sorted (empty structs kept). Returns ``None`` for "omit"."""
    if value is None:
        return None
    if isinstance(value, dict):
        out = {}
        for k in sorted(value):
            v = go_marshal(value[k], k)
            if v is not None:
                out[k] = v
        if not out and key in _MAP_FIELDS:
            return None
        return out
    if isinstance(value, list):
        if not value:
            return None
        items = [go_marshal(v) for v in value]
        return [{} if v is None else v for v in items]
    return value


def template_for_revision(template: Any) -> dict[str, Any]:
    """The pod template as kubectl 1.37 re-marshals it from the typed object (``metadata`` always
    present; an unset ``creationTimestamp`` is omitted, which was checked against kubectl 1.37)."""
    body = go_marshal(template) or {}
    found = body.get("metadata")
    body["metadata"] = found if isinstance(found, dict) else {}
    return {k: body[k] for k in sorted(body)}


def revision_data(template: Any) -> dict[str, Any]:
    """``{"spec":{"template":{...,"$patch":"replace"}}}`` with Go's key order (``$`` sorts first)."""
    body = template_for_revision(template)
    body["$patch"] = "replace"
    return {"spec": {"template": {k: body[k] for k in sorted(body)}}}


def revision_bytes(data: Any) -> bytes:
    """The bytes Go writes for a revision's data (compact, keys in the given order)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
