"""Managed fields: field sets, their FieldsV1 encoding, and ownership tracking for Update operations.

Who calls it: the write path after every create/update/patch (:func:`record_update`), server-side apply
(:mod:`gennaker.sandbox.apply`, which also uses :func:`field_values`, :func:`get_at` and
:func:`remove_at`), and tests.

A field set is a ``set`` of paths; a path is a tuple of FieldsV1 path elements: ``f:<name>`` for struct
fields and map keys, ``k:<json>`` for items of map-lists (compact JSON of the ``x-kubernetes-list-map-keys``,
keys sorted), ``v:<json>`` for items of sets. A list item in the set means the item itself is owned, which
FieldsV1 writes as ``".": {}``; atomic lists, atomic maps and empty structs are leaves.

:func:`encode` and :func:`decode` convert between a set and the nested ``fieldsV1`` JSON stored in
``metadata.managedFields``. Entries are ``{manager, operation, apiVersion, time, fieldsType: FieldsV1,
fieldsV1[, subresource]}``, one per (manager, operation, subresource). Server-managed metadata (name,
uid, resourceVersion, ...), ``apiVersion`` and ``kind`` are never part of a set. Nothing here persists by
itself: entries live inside the objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .schema import ObjectSchema, Schema
from .store import deep_copy

Path = tuple[str, ...]
FieldSet = set[Path]

SERVER_METADATA = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "managedFields",
        "selfLink",
        "generateName",
    }
)
_MEMBER = object()  # the "value" of an owned list item
KEY_DEFAULTS = {"protocol": "TCP"}  # list-map keys the API server defaults (ports)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def item_key(item: Any, keys: list[str], fill_defaults: bool = True) -> str | None:
    """``k:{...}`` for a map-list item, filling defaulted keys (``protocol: TCP``); None without keys."""
    if not isinstance(item, dict):
        return None
    values = {}
    for k in keys:
        if k in item:
            values[k] = item[k]
        elif fill_defaults and k in KEY_DEFAULTS:
            values[k] = KEY_DEFAULTS[k]
    if not values:
        return None
    return "k:" + _compact(values)


def _top_keys(obj: dict[str, Any], scope: str) -> Iterable[str]:
    for key in obj:
        if key in ("apiVersion", "kind"):
            continue
        if scope == "main" and key == "status":
            continue
        if scope == "status" and key != "status":
            continue
        yield key


def field_values(obj: dict[str, Any], schema: ObjectSchema, scope: str = "all") -> dict[Path, Any]:
    """Every leaf path of ``obj`` with its value (``scope``: ``all``, ``main`` without status, ``status``)."""
    out: dict[Path, Any] = {}
    for key in _top_keys(obj, scope):
        value = obj[key]
        if key == "metadata" and isinstance(value, dict):
            meta_schema = schema.top("metadata") or Schema.ANY
            for mk, mv in value.items():
                if mk in SERVER_METADATA or mv is None:
                    continue
                _walk(mv, meta_schema.field(mk) or Schema.ANY, ("f:metadata", "f:" + mk), out)
            continue
        if value is None:
            continue
        _walk(value, schema.top(key) or Schema.ANY, ("f:" + key,), out)
    return out


def _walk(value: Any, schema: Schema, path: Path, out: dict[Path, Any]) -> None:
    if isinstance(value, dict) and schema.kind != "scalar" and not schema.map_atomic:
        if not value:
            out[path] = {}
            return
        for k, v in value.items():
            if v is None:
                continue
            sub = schema.field(k) or Schema.ANY
            _walk(v, sub, (*path, "f:" + k), out)
        return
    if isinstance(value, list) and schema.kind == "list":
        list_type = schema.list_type
        if list_type == "map" and schema.list_map_keys:
            items_schema = schema.items()
            keys = schema.list_map_keys
            for item in value:
                k = item_key(item, keys)
                if k is None:
                    out[path] = value  # cannot key it: treat the list as atomic
                    return
            for item in value:
                ipath = (*path, str(item_key(item, keys)))
                out[ipath] = _MEMBER
                if isinstance(item, dict):
                    for fk, fv in item.items():
                        if fv is not None:
                            _walk(fv, items_schema.field(fk) or Schema.ANY, (*ipath, "f:" + fk), out)
            return
        if list_type == "set":
            for item in value:
                out[(*path, "v:" + _compact(item))] = _MEMBER
            return
    out[path] = value


def fields_of(obj: dict[str, Any], schema: ObjectSchema, scope: str = "all") -> FieldSet:
    return set(field_values(obj, schema, scope))


# -- FieldsV1 encoding
def encode(fields: Iterable[Path]) -> dict[str, Any]:
    """The nested FieldsV1 JSON of a field set."""
    root: dict[str, Any] = {}
    members = set(fields)
    for path in sorted(members):
        node = root
        for elem in path:
            node = node.setdefault(elem, {})
    # Mark owned nodes that also have children with ".".
    for path in members:
        node = root
        for elem in path:
            node = node[elem]
        if node and "." not in node:
            node["."] = {}
    return _sorted_tree(root)


def _sorted_tree(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "." in node:
        out["."] = {}
    for k in sorted(k for k in node if k != "."):
        out[k] = _sorted_tree(node[k])
    return out


def decode(fields_v1: Any) -> FieldSet:
    """The field set of a FieldsV1 JSON tree (malformed parts are ignored)."""
    out: FieldSet = set()

    def visit(node: Any, path: Path) -> None:
        if not isinstance(node, dict):
            return
        if path and (not node or "." in node):
            out.add(path)
        for k, v in node.items():
            if k != ".":
                visit(v, (*path, k))

    visit(fields_v1, ())
    return out


# -- navigating objects by path
def _match_item(items: list[Any], elem: str) -> int | None:
    kind, _, raw = elem.partition(":")
    try:
        wanted = json.loads(raw)
    except ValueError:
        return None
    for i, item in enumerate(items):
        if kind == "v" and item == wanted:
            return i
        if (
            kind == "k"
            and isinstance(item, dict)
            and all(item.get(k, KEY_DEFAULTS.get(k)) == v for k, v in wanted.items())
        ):
            return i
    if kind == "i" and isinstance(wanted, int) and 0 <= wanted < len(items):
        return wanted
    return None


def get_at(obj: Any, path: Path) -> tuple[bool, Any]:
    """(found, value) at ``path``."""
    cur = obj
    for elem in path:
        if elem.startswith("f:"):
            if not isinstance(cur, dict) or elem[2:] not in cur:
                return False, None
            cur = cur[elem[2:]]
        else:
            if not isinstance(cur, list):
                return False, None
            idx = _match_item(cur, elem)
            if idx is None:
                return False, None
            cur = cur[idx]
    return True, cur


def remove_at(obj: Any, path: Path) -> None:
    """Delete the field or list item at ``path`` in place (no-op when absent)."""
    if not path:
        return
    found, parent = get_at(obj, path[:-1])
    if not found:
        return
    last = path[-1]
    if last.startswith("f:") and isinstance(parent, dict):
        parent.pop(last[2:], None)
    elif isinstance(parent, list):
        idx = _match_item(parent, last)
        if idx is not None:
            parent.pop(idx)


# -- entries
def entries_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    mf = (obj.get("metadata") or {}).get("managedFields")
    return [e for e in mf if isinstance(e, dict)] if isinstance(mf, list) else []


def entry_id(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (str(entry.get("manager", "")), str(entry.get("operation", "")), str(entry.get("subresource", "")))


def make_entry(
    manager: str, operation: str, api_version: str, now: str, fields: FieldSet, *, subresource: str = ""
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": encode(fields),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def _sentinel_diff(old: dict[Path, Any], new: dict[Path, Any]) -> tuple[FieldSet, FieldSet]:
    """(changed-or-added paths, removed paths)."""
    changed = {
        p for p, v in new.items() if p not in old or old[p] != v or (v is _MEMBER) != (old[p] is _MEMBER)
    }
    removed = {p for p in old if p not in new}
    return changed, removed


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    schema: ObjectSchema,
    *,
    manager: str,
    api_version: str,
    now: str,
    scope: str,
    subresource: str = "",
) -> list[dict[str, Any]]:
    """The managedFields of ``new`` after an Update-type write by ``manager``.

    The manager gains every leaf the write added or changed; other managers lose those leaves; leaves the
    write removed leave every set. ``new``'s own managedFields are the starting point (the write path has
    already chosen between the old entries and an explicit client-sent replacement).
    """
    entries = entries_of(new)
    old_values = field_values(old, schema, scope) if old is not None else {}
    new_values = field_values(new, schema, scope)
    changed, removed = _sentinel_diff(old_values, new_values)
    if not changed and not removed:
        return entries
    my_id = (manager, "Update", subresource)
    result: list[dict[str, Any]] = []
    mine: FieldSet = set()
    for entry in entries:
        fields = decode(entry.get("fieldsV1"))
        if entry_id(entry) == my_id:
            mine = fields - removed
            continue
        kept = fields - changed - removed
        if kept != fields:
            if kept:
                result.append({**entry, "fieldsV1": encode(kept)})
            continue
        result.append(entry)
    mine |= changed
    if mine:
        result.append(make_entry(manager, "Update", api_version, now, mine, subresource=subresource))
    return result


def strip_owned(
    entries: list[dict[str, Any]], fields: FieldSet, except_id: tuple[str, str, str]
) -> list[dict[str, Any]]:
    """Entries with ``fields`` removed from every entry but ``except_id`` (empty entries dropped)."""
    out = []
    for entry in entries:
        if entry_id(entry) == except_id:
            out.append(entry)
            continue
        owned = decode(entry.get("fieldsV1"))
        kept = owned - fields
        if kept == owned:
            out.append(entry)
        elif kept:
            out.append({**entry, "fieldsV1": encode(kept)})
    return out


def copy_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [deep_copy(e) for e in entries]
