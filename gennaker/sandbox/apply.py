"""Server-side apply (``application/apply-patch+yaml``): merge a manager's configuration into the live
object, track what it owns, and refuse changes to fields other managers own unless forced.

Who calls it: the write path for apply patches (``kubectl apply --server-side``, ``kubectl diff
--server-side``, the Python DynamicClient's ``server_side_apply``). It returns the merged object with its
new ``metadata.managedFields``; the write path then defaults, validates and stores it like any update.

Algorithm (manager M applies configuration C to live object L):
1. F = the leaf fields of C (list-map keys with API defaults such as ``protocol: TCP`` filled in).
2. A conflict is a field in F that another manager owns and whose live value differs from C's; with
   ``force`` M takes it over, otherwise the whole apply fails with 409 and nothing changes.
3. C is merged into L: maps merge, map-lists merge by key, sets union, atomic values replace.
4. Fields M owned before, that F lacks and that no other manager owns are removed from the object.
5. F becomes M's Apply entry; managers that lost fields to ``force`` have them removed.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ApiError
from .managedfields import (
    FieldSet,
    Path,
    _compact,
    decode,
    entries_of,
    entry_id,
    field_values,
    get_at,
    item_key,
    make_entry,
    remove_at,
    strip_owned,
)
from .schema import ObjectSchema, Schema
from .store import deep_copy


def path_string(path: Path) -> str:
    """A field path as the API server prints it in conflicts: ``.spec.containers[name="web"].image``."""
    out = []
    for elem in path:
        kind, _, raw = elem.partition(":")
        if kind == "f":
            out.append("." + raw)
        elif kind == "k":
            try:
                keys = json.loads(raw)
                out.append("[" + ",".join(f"{k}={_compact(v)}" for k, v in keys.items()) + "]")
            except ValueError:
                out.append("[" + raw + "]")
        elif kind == "v":
            out.append("[=" + raw + "]")
        else:
            out.append("[" + raw + "]")
    return "".join(out)


def manager_label(entry: dict[str, Any]) -> str:
    label = json.dumps(str(entry.get("manager", "")))
    if entry.get("subresource"):
        label += f' with subresource "{entry["subresource"]}"'
    if entry.get("operation") == "Update":
        label += f" using {entry.get('apiVersion', '')}"
    return label


def conflict_error(
    conflicts: list[tuple[dict[str, Any], Path]], rt_group: str, resource: str, name: str, kind: str
) -> ApiError:
    """409 Conflict worded as the API server words apply conflicts."""
    by_manager: dict[str, list[Path]] = {}
    for entry, path in conflicts:
        by_manager.setdefault(manager_label(entry), []).append(path)
    n = len(conflicts)
    if n == 1:
        ((label, paths),) = by_manager.items()
        body = f"conflict with {label}: {path_string(paths[0])}"
    else:
        parts = ["conflicts with"]
        for i, (label, paths) in enumerate(by_manager.items()):
            prefix = "\n" if len(by_manager) > 1 and i >= 0 else ""
            parts.append(f"{prefix} {label}:" if prefix else f" {label}:")
            parts.extend(f"\n- {path_string(p)}" for p in sorted(paths))
        body = "".join(parts)
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f"conflict with {manager_label(e)}",
            "field": path_string(p),
        }
        for e, p in conflicts
    ]
    details: dict[str, Any] = {"name": name, "kind": resource, "causes": causes}
    if rt_group:
        details = {"name": name, "group": rt_group, "kind": resource, "causes": causes}
    return ApiError(409, "Conflict", f"Apply failed with {n} conflict{'s' if n > 1 else ''}: {body}", details)


# -- merging
def merge_apply(live: Any, config: Any, schema: Schema) -> Any:
    """``config`` merged into ``live`` by the schema's list and map semantics (inputs untouched)."""
    if isinstance(config, dict) and schema.kind != "scalar" and not schema.map_atomic:
        result = deep_copy(live) if isinstance(live, dict) else {}
        for k, v in config.items():
            if v is None:
                continue
            sub = schema.field(k) or Schema.ANY
            result[k] = merge_apply(result.get(k), v, sub)
        return result
    if isinstance(config, list) and schema.kind == "list" and isinstance(live, list):
        if schema.list_type == "map" and schema.list_map_keys:
            keys = schema.list_map_keys
            result = deep_copy(live)
            items_schema = schema.items()
            for item in config:
                k = item_key(item, keys)
                idx = next((i for i, cur in enumerate(result) if item_key(cur, keys) == k), None)
                if idx is None:
                    result.append(merge_apply(None, item, items_schema))
                else:
                    result[idx] = merge_apply(result[idx], item, items_schema)
            return result
        if schema.list_type == "set":
            result = deep_copy(live)
            for item in config:
                if item not in result:
                    result.append(deep_copy(item))
            return result
    return deep_copy(config)


class _Root(Schema):
    """Lets :func:`merge_apply` walk a whole object (metadata is ObjectMeta)."""

    def __init__(self, schema: ObjectSchema) -> None:
        super().__init__({"type": "object", "properties": {"_": {}}})
        self._object_schema = schema

    def field(self, name: str) -> Schema | None:
        return self._object_schema.top(name)


def _prune_emptied_parents(obj: dict[str, Any], path: Path, kept: FieldSet) -> None:
    """Drop maps a removal left empty, unless someone owns them or something under them.

    Without this, a manager that stops applying ``strategy.rollingUpdate.maxSurge`` and ``maxUnavailable``
    would leave ``rollingUpdate: {}`` behind, which the API server then rejects for ``type: Recreate``.
    """
    for depth in range(len(path) - 1, 0, -1):
        parent = path[:depth]
        if not parent[-1].startswith("f:") or parent in kept:
            return
        if any(k[:depth] == parent for k in kept if len(k) > depth):
            return
        found, value = get_at(obj, parent)
        if not found or value != {}:
            return
        remove_at(obj, parent)


def server_side_apply(
    live: dict[str, Any] | None,
    config: dict[str, Any],
    schema: ObjectSchema,
    *,
    manager: str,
    api_version: str,
    force: bool,
    now: str,
    scope: str,
    subresource: str,
    resource: str,
    group: str,
    kind: str,
) -> dict[str, Any]:
    """The object after M's apply of ``config`` (see the module docstring); ApiError 409 on conflicts."""
    config = deep_copy(config)
    cmeta: dict[str, Any] = config["metadata"] if isinstance(config.get("metadata"), dict) else {}
    for k in ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"):
        cmeta.pop(k, None)
    config_values = field_values(config, schema, scope)
    applied: FieldSet = set(config_values)
    live_values = field_values(live, schema, scope) if live is not None else {}
    entries = entries_of(live) if live is not None else []
    my_id = (manager, "Apply", subresource)
    previous: FieldSet = set()
    conflicts: list[tuple[dict[str, Any], Path]] = []
    others: FieldSet = set()
    for entry in entries:
        owned = decode(entry.get("fieldsV1"))
        if entry_id(entry) == my_id:
            previous = owned
            continue
        for path in sorted(owned & applied):
            if path in live_values and live_values[path] != config_values[path]:
                conflicts.append((entry, path))
        others |= owned
    if conflicts and not force:
        name = str((config.get("metadata") or {}).get("name", ""))
        raise conflict_error(conflicts, group, resource, name, kind)
    taken = {p for _, p in conflicts}
    entries = strip_owned(entries, taken, my_id)
    others = set()
    for entry in entries:
        if entry_id(entry) != my_id:
            others |= decode(entry.get("fieldsV1"))

    merged = merge_apply(live if live is not None else {}, config, _Root(schema))
    # Remove what M alone owned before and no longer applies. Parents first: removing a list item takes
    # its fields with it (and an item stripped of its key fields could no longer be found).
    kept = others | applied
    for path in sorted(previous - kept, key=len):
        if any(k[: len(path)] == path for k in kept if len(k) > len(path)):
            continue
        remove_at(merged, path)
        _prune_emptied_parents(merged, path, kept)

    # The manager's entry keeps its place in the list (a re-apply that changes nothing must compare equal).
    mine = (
        make_entry(manager, "Apply", api_version, now, applied, subresource=subresource) if applied else None
    )
    new_entries = []
    for e in entries:
        if entry_id(e) != my_id:
            new_entries.append(e)
        elif mine is not None:
            new_entries.append(mine)
            mine = None
    if mine is not None:
        new_entries.append(mine)
    merged.setdefault("metadata", {})["managedFields"] = new_entries
    return merged
