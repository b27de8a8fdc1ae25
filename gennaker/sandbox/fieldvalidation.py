"""Field validation (``fieldValidation=Ignore|Warn|Strict``): unknown fields and wrong JSON types.

Who calls it: the write path, on every create/update/patch body before anything else looks at it.

As the API server decodes into Go structs, unknown fields are dropped from what is stored whatever the
mode; ``Warn`` (the server default) reports each as a ``Warning`` header, ``Strict`` rejects the request
with 400 BadRequest (``strict decoding error: unknown field "spec.foo"``; apply patches say ``.spec.foo:
field not declared in schema``). A value of the wrong JSON type is always a 400 (as Go's JSON decoder
fails). Custom resources are pruned the same way unless their schema preserves unknown fields.
Nothing here persists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schema import ObjectSchema, Schema


@dataclass
class Findings:
    unknown: list[str] = field(default_factory=list)  # "spec.foo", "spec.containers[0].bar"
    type_errors: list[str] = field(default_factory=list)


_GO_TYPES = {"integer": "int32", "number": "float64", "boolean": "bool", "string": "string"}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def prune(obj: dict[str, Any], schema: ObjectSchema) -> Findings:
    """Remove unknown fields from ``obj`` in place; report them and any type mismatches."""
    found = Findings()
    for key in list(obj):
        if key in ("apiVersion", "kind"):
            continue
        sub = schema.top(key)
        if sub is None:
            if not schema.root.preserves_unknown:
                found.unknown.append(key)
                del obj[key]
            continue
        _check(obj[key], sub, key, found, parent=obj, key=key)
    return found


def _check(value: Any, schema: Schema, path: str, found: Findings, *, parent: Any, key: Any) -> None:
    if value is None:
        return
    kind = schema.kind
    if kind == "struct":
        if not isinstance(value, dict):
            found.type_errors.append(_type_error(value, path, "struct"))
            return
        if schema.preserves_unknown:
            return
        for k in list(value):
            sub = schema.field(k)
            if sub is None:
                found.unknown.append(f"{path}.{k}")
                del value[k]
                continue
            _check(value[k], sub, f"{path}.{k}", found, parent=value, key=k)
    elif kind == "map":
        if not isinstance(value, dict):
            found.type_errors.append(_type_error(value, path, "map"))
            return
        for k in list(value):
            sub = schema.field(k) or Schema.ANY
            _check(value[k], sub, f"{path}.{k}", found, parent=value, key=k)
    elif kind == "list":
        if not isinstance(value, list):
            found.type_errors.append(_type_error(value, path, "slice"))
            return
        items = schema.items()
        for i, item in enumerate(value):
            _check(item, items, f"{path}[{i}]", found, parent=value, key=i)
    elif kind == "scalar":
        want = schema.json_type
        got = _json_kind(value)
        if want == "integer":
            if got != "number" or (isinstance(value, float) and not value.is_integer()):
                found.type_errors.append(_type_error(value, path, schema.format or "int64"))
            elif isinstance(value, float):
                parent[key] = int(value)
        elif want == "number" and got != "number":
            found.type_errors.append(_type_error(value, path, "float64"))
        elif want == "boolean" and got != "bool":
            found.type_errors.append(_type_error(value, path, "bool"))
        elif want == "string" and got != "string":
            found.type_errors.append(_type_error(value, path, "string"))


def _type_error(value: Any, path: str, go_type: str) -> str:
    return f"json: cannot unmarshal {_json_kind(value)} into Go struct field .{path} of type {go_type}"
