"""Write options, results and the object comparisons every write path shares.

Who calls it: :mod:`gennaker.sandbox.apiserver` and :mod:`gennaker.sandbox.deletion` (and, through the
re-exports in ``apiserver``, the HTTP handlers and controllers). Nothing here persists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .registry import ResourceType

Obj = dict[str, Any]


@dataclass
class WriteOptions:
    """Per-request write options (query parameters of the real API)."""

    manager: str = ""
    dry_run: bool = False
    field_validation: str = "Warn"  # Ignore | Warn | Strict
    force: bool = False


@dataclass
class WriteResult:
    obj: Obj
    code: int = 200
    warnings: list[str] = field(default_factory=list)


@dataclass
class ListResult:
    items: list[Obj]
    resource_version: str
    continue_token: str = ""
    remaining: int | None = None


def is_namespace(rt: ResourceType) -> bool:
    return rt.key == ("", "namespaces")


def without_volatile(obj: Obj) -> Obj:
    m = dict(obj.get("metadata") or {})
    m.pop("resourceVersion", None)
    mf = m.get("managedFields")
    if isinstance(mf, list):
        m["managedFields"] = [{k: v for k, v in e.items() if k != "time"} for e in mf if isinstance(e, dict)]
    return {**obj, "metadata": m}


def same_object(old: Obj, new: Obj) -> bool:
    return bool(without_volatile(old) == without_volatile(new))


META_ORDER = (
    "name",
    "generateName",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)


def order_metadata(obj: Obj) -> None:
    """Put keys in the order the API server writes them (apiVersion, kind, metadata, spec, status...)."""
    m = obj.get("metadata")
    if isinstance(m, dict):
        ordered = {k: m[k] for k in META_ORDER if k in m}
        ordered.update({k: v for k, v in m.items() if k not in ordered})
        obj["metadata"] = ordered
    head: Obj = {k: obj[k] for k in ("apiVersion", "kind", "metadata") if k in obj}
    rest = {k: v for k, v in obj.items() if k not in head}
    obj.clear()
    obj.update(head)
    obj.update(rest)
