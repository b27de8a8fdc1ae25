"""Server-side Table output (``meta.k8s.io/v1 Table``), what ``kubectl get`` prints as columns.

Who calls it: the list/get handlers when the request's Accept asks for ``as=Table``; the per-kind column
definitions in ``gennaker.sandbox.kinds`` use the cell helpers here. Kinds without columns get Name and
Age. Nothing here persists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .registry import Column, ResourceType

Obj = dict[str, Any]


def human_duration(seconds: float) -> str:
    """Go's ``duration.HumanDuration``: ``45s``, ``3m20s``, ``12m``, ``5h3m``, ``3d4h``, ``2y10d``."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def age(obj: Obj) -> str:
    created = parse_time(obj.get("metadata", {}).get("creationTimestamp"))
    if created is None:
        return "<unknown>"
    return human_duration((datetime.now(UTC) - created).total_seconds())


def since(text: str | None) -> str:
    t = parse_time(text)
    return "<none>" if t is None else human_duration((datetime.now(UTC) - t).total_seconds())


def dig(obj: Any, *path: str, default: Any = None) -> Any:
    cur = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
        if cur is None:
            return default
    return cur


def field(*path: str, default: Any = 0) -> Callable[[Obj], Any]:
    return lambda o: dig(o, *path, default=default)


def joined_containers(path: tuple[str, ...], attr: str) -> Callable[[Obj], str]:
    def cell(o: Obj) -> str:
        containers = dig(o, *path, default=[]) or []
        return ",".join(str(c.get(attr, "")) for c in containers if isinstance(c, dict))

    return cell


NAME = Column(
    "Name",
    "string",
    lambda o: o["metadata"]["name"],
    format="name",
    description="Name must be unique within a namespace.",
)
AGE = Column(
    "Age",
    "string",
    age,
    description="CreationTimestamp is a timestamp representing the server time when this object was created.",
)


def columns_of(rt: ResourceType) -> list[Column]:
    if rt.columns:
        return [NAME, *rt.columns]
    return [NAME, AGE]


def table(
    rt: ResourceType, objects: list[Obj], list_meta: dict[str, Any], include_object: str
) -> dict[str, Any]:
    """A Table of ``objects``; ``include_object`` is None/Metadata/Object (``includeObject`` parameter)."""
    cols = columns_of(rt)
    rows = []
    for o in objects:
        cells = []
        for c in cols:
            try:
                cells.append(c.cell(o))
            except Exception:  # a malformed object must not break a list
                cells.append("<unknown>")
        row: dict[str, Any] = {"cells": cells}
        if include_object == "Object":
            row["object"] = o
        elif include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": o.get("metadata", {}),
            }
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": [
            {
                "name": c.name,
                "type": c.type,
                "format": c.format,
                "description": c.description or c.name,
                "priority": c.priority,
            }
            for c in cols
        ],
        "rows": rows,
    }
