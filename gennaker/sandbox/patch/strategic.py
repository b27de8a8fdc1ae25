"""Strategic merge patch, driven by the schemas' ``x-kubernetes-patch-strategy`` and ``-patch-merge-key``.

Who calls it: the write path for ``application/strategic-merge-patch+json`` on built-in kinds (kubectl's
client-side apply, ``rollout restart|pause|resume``, ``set image``, ``label``, ``annotate``, the Python
client's default patch). Custom resources have no strategic merge (the write path answers 415).

Semantics (as k8s.io/apimachinery's strategicpatch):
- maps merge recursively; ``null`` deletes a key;
- lists with strategy ``merge`` and a merge key merge item by item (``containers`` by ``name``, ``ports``
  by ``containerPort``...); primitive lists with strategy ``merge`` (``finalizers``) are unions; all other
  lists are replaced;
- directives: ``$patch: replace`` (a map, or as a list item the whole list), ``$patch: delete`` (a map, or
  the list item with that key), ``$retainKeys`` (keep only these keys), ``$setElementOrder/<list>`` (final
  order) and ``$deleteFromPrimitiveList/<list>``. No directive is ever left in the result.

Pure: inputs are never mutated.
"""

from __future__ import annotations

from typing import Any

from ..schema import ObjectSchema, Schema
from ..store import deep_copy
from . import PatchError

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ORDER = "$setElementOrder/"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


def strategic_merge_patch(original: dict[str, Any], patch: Any, schema: ObjectSchema) -> dict[str, Any]:
    """``original`` with the strategic merge ``patch`` applied, following ``schema``."""
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be a JSON object", 400)
    root = _RootSchema(schema)
    result = _merge_map(original, patch, root)
    if result is None:
        raise PatchError("a strategic merge patch may not delete the whole object", 422)
    return result


class _RootSchema:
    """Adapts :class:`ObjectSchema` (whose ``metadata`` is always ObjectMeta) to the Schema interface."""

    def __init__(self, schema: ObjectSchema) -> None:
        self._schema = schema

    def field(self, name: str) -> Schema | None:
        return self._schema.top(name)


def strip_directives(value: Any) -> Any:
    """``value`` without SMP directives (used where a patch value is taken as is)."""
    if isinstance(value, dict):
        if value.get(PATCH) == "delete" and len(value) == 1:
            return None
        return {
            k: strip_directives(v)
            for k, v in value.items()
            if not (k in (PATCH, RETAIN_KEYS) or k.startswith((SET_ORDER, DELETE_PRIMITIVE)))
        }
    if isinstance(value, list):
        out = []
        for v in value:
            item = v
            if isinstance(v, dict) and v.get(PATCH) in ("delete", "replace"):
                if v.get(PATCH) == "delete":
                    continue
                item = {k: x for k, x in v.items() if k != PATCH}
            out.append(strip_directives(item))
        return out
    return value


def _child(schema: Any, key: str) -> Schema:
    if schema is None:
        return Schema.ANY
    sub = schema.field(key)
    return sub if sub is not None else Schema.ANY


def _merge_map(original: Any, patch: dict[str, Any], schema: Any) -> dict[str, Any] | None:
    directive = patch.get(PATCH)
    if directive == "delete":
        return None
    if directive == "replace":
        return strip_directives({k: v for k, v in patch.items() if k != PATCH})
    if directive is not None:
        raise PatchError(f"Unknown patch type: {directive}", 422)
    result: dict[str, Any] = deep_copy(original) if isinstance(original, dict) else {}
    orders: dict[str, list[Any]] = {}
    deletions: dict[str, list[Any]] = {}
    retain = patch.get(RETAIN_KEYS)
    for key, value in patch.items():
        if key == RETAIN_KEYS:
            continue
        if key.startswith(SET_ORDER):
            if not isinstance(value, list):
                raise PatchError(f"{key} must be a list", 400)
            orders[key[len(SET_ORDER) :]] = value
            continue
        if key.startswith(DELETE_PRIMITIVE):
            if not isinstance(value, list):
                raise PatchError(f"{key} must be a list", 400)
            deletions[key[len(DELETE_PRIMITIVE) :]] = value
            continue
        if value is None:
            result.pop(key, None)
            continue
        sub = _child(schema, key)
        current = result.get(key)
        if isinstance(value, dict):
            if isinstance(current, dict) and value.get(PATCH) != "replace":
                merged = _merge_map(current, value, sub)
            else:
                merged = _merge_map({}, value, sub) if value.get(PATCH) != "delete" else None
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            if "merge" in sub.patch_strategies:
                result[key] = _merge_list(current if isinstance(current, list) else [], value, sub)
            else:
                result[key] = strip_directives(value)
        else:
            result[key] = value
    for key, values in deletions.items():
        if isinstance(result.get(key), list):
            result[key] = [x for x in result[key] if x not in values]
    for key, order in orders.items():
        if isinstance(result.get(key), list):
            result[key] = _reorder(result[key], order, _child(schema, key).patch_merge_key)
    if isinstance(retain, list):
        keep = set(retain) | set(patch.keys())
        for key in list(result):
            if key not in keep:
                del result[key]
    return result


def _merge_list(original: list[Any], patch: list[Any], schema: Schema) -> list[Any]:
    merge_key = schema.patch_merge_key
    if any(isinstance(p, dict) and p.get(PATCH) == "replace" for p in patch):
        return strip_directives([p for p in patch if not (isinstance(p, dict) and p.get(PATCH) == "replace")])
    if merge_key is None:
        # A set of primitives (finalizers): union keeping the original order, then new items.
        result = deep_copy(original)
        for item in patch:
            if isinstance(item, dict):
                raise PatchError("merging an object in a list without a merge key is not supported", 422)
            if item not in result:
                result.append(item)
        return result
    result = deep_copy(original)
    items_schema = schema.items()
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"a list with merge key {merge_key!r} must hold objects", 422)
        if merge_key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {merge_key}", 422)
        key_value = item[merge_key]
        found = next(
            (i for i, cur in enumerate(result) if isinstance(cur, dict) and cur.get(merge_key) == key_value),
            None,
        )
        if item.get(PATCH) == "delete":
            result = [c for c in result if not (isinstance(c, dict) and c.get(merge_key) == key_value)]
            continue
        if found is None:
            merged = _merge_map({}, item, items_schema)
            if merged is not None:
                result.append(merged)
        else:
            merged = _merge_map(result[found], item, items_schema)
            if merged is None:
                result.pop(found)
            else:
                result[found] = merged
    return result


def _reorder(items: list[Any], order: list[Any], merge_key: str | None) -> list[Any]:
    """Items named in ``order`` first, in that order; the others after, in their current order."""

    def ident(x: Any) -> Any:
        if merge_key and isinstance(x, dict):
            return ("k", repr(x.get(merge_key)))
        return ("v", repr(x))

    wanted = [ident(o) for o in order]
    by_id: dict[Any, list[Any]] = {}
    for item in items:
        by_id.setdefault(ident(item), []).append(item)
    ordered: list[Any] = []
    used: set[Any] = set()
    for w in wanted:
        if w in by_id and w not in used:
            ordered.extend(by_id[w])
            used.add(w)
    ordered.extend(item for item in items if ident(item) not in used)
    return ordered
