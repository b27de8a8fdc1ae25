"""The resource registry: every kind the sandbox serves, described as data.

Who calls it: discovery and OpenAPI (what to list), the router (URL -> :class:`ResourceType`), the write
path (defaulting, validation, status/scale rules), the CRD loop (adds and removes custom resources at run
time) and controllers (to look a kind up by group and kind).

A :class:`ResourceType` is the whole per-kind behaviour: names, scope, subresources, whether it tracks
``metadata.generation``, its defaulter and validators, extra field selectors and table columns. Built-in
kinds register themselves from ``gennaker.sandbox.kinds``; a CRD registers one entry per served version
through the same :meth:`Registry.add`.

Invariants: (group, plural) is unique per version; the registry is safe to read from any thread while the
CRD loop adds or removes entries (reads take a snapshot under a lock). Nothing here persists: CRD entries
are rebuilt from stored CRD objects on start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import FieldError
from .schema import ObjectSchema, Schema, builtin_schema

Obj = dict[str, Any]
Defaulter = Callable[[Obj], None]
Validator = Callable[[Obj, "Obj | None"], list[FieldError]]
FieldGetter = Callable[[Obj], "str | None"]

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
SUBRESOURCE_VERBS = ("get", "patch", "update")


@dataclass(frozen=True)
class ScaleSpec:
    """Where a kind keeps what its ``/scale`` subresource shows (dotted paths into the object)."""

    spec_replicas: str = "spec.replicas"
    status_replicas: str = "status.replicas"
    label_selector: str | None = None  # a status path holding the selector string (CRDs)
    selector_from_spec: bool = True  # render spec.selector (a LabelSelector) as a string


@dataclass(frozen=True)
class Column:
    """One Table column: header, type, priority (1 = only with ``-o wide``) and how to compute the cell."""

    name: str
    type: str
    cell: Callable[[Obj], Any]
    priority: int = 0
    format: str = ""
    description: str = ""


@dataclass
class ResourceType:
    """Everything the API server knows about one served resource (one group/version/plural)."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    status: bool = False
    scale: ScaleSpec | None = None
    log: bool = False
    track_generation: bool = True
    # Defaulting runs on every write before validation; validators get (new, old-or-None).
    defaulters: list[Defaulter] = field(default_factory=list)
    # Run once on create, after uid/namespace/name are set and before defaulting (e.g. Job selectors).
    prepare_create: list[Defaulter] = field(default_factory=list)
    validators: list[Validator] = field(default_factory=list)
    # Extra field selectors beyond metadata.name / metadata.namespace.
    field_selectors: Mapping[str, FieldGetter] = field(default_factory=dict)
    columns: list[Column] = field(default_factory=list)
    schema: ObjectSchema | None = None
    crd_name: str | None = None  # set for custom resources
    name_validation: str = "subdomain"  # subdomain | label | dns1035 | path
    # Fields that main-resource writes may not change (dotted paths); beyond these, validators decide.
    immutable: tuple[str, ...] = ()
    # ``/status`` writes also carry ``metadata.annotations`` (Deployments: the deployment controller
    # records its revision annotation in the same status update, as kube-apiserver allows).
    status_writes_annotations: bool = False
    # The status fields kube-apiserver always serializes (Go fields without ``omitempty``, zero until a
    # controller sets them): a new object's status holds them, and no write removes them. Clients with
    # typed models need them (the Python client rejects a DaemonSet without ``numberReady``).
    status_zero: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """The storage key: one per (group, plural), shared by every version of a resource."""
        return (self.group, self.plural)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    def object_schema(self) -> ObjectSchema:
        """The kind's schema (built-in schemas load on first use; unknown kinds get an open schema)."""
        if self.schema is None:
            root = builtin_schema(self.group, self.version, self.kind)
            self.schema = ObjectSchema(root if root is not None else Schema.ANY)
        return self.schema

    def subresources(self) -> list[str]:
        subs = []
        if self.status:
            subs.append("status")
        if self.scale is not None:
            subs.append("scale")
        if self.log:
            subs.append("log")
        return subs


class Registry:
    """All served resources, indexed for the router and discovery."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_gvr: dict[tuple[str, str, str], ResourceType] = {}
        self._by_key: dict[tuple[str, str], ResourceType] = {}
        self._listeners: list[Callable[[], None]] = []
        self.generation = 0  # bumped on every change; discovery and OpenAPI hashes use it

    def add(self, rt: ResourceType) -> None:
        with self._lock:
            self._by_gvr[(rt.group, rt.version, rt.plural)] = rt
            self.generation += 1
        self._changed()

    def remove(self, group: str, version: str, plural: str) -> None:
        with self._lock:
            self._by_gvr.pop((group, version, plural), None)
            self._by_key.pop((group, plural), None)
            self.generation += 1
        self._changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every add or remove (used to invalidate discovery caches)."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for cb in list(self._listeners):
            cb()

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_gvr.get((group, version, plural))

    def all(self) -> list[ResourceType]:
        with self._lock:
            return list(self._by_gvr.values())

    def by_kind(self, group: str, kind: str, version: str | None = None) -> ResourceType | None:
        """The resource of a kind (the preferred, i.e. first registered, version unless one is given)."""
        for rt in self.all():
            if rt.group == group and rt.kind == kind and (version is None or rt.version == version):
                return rt
        return None

    def by_key(self, key: tuple[str, str]) -> ResourceType | None:
        """The preferred (first registered) version of a stored resource."""
        cached = self._by_key.get(key)
        if cached is not None and self._by_gvr.get((cached.group, cached.version, cached.plural)) is cached:
            return cached
        for rt in self.all():
            if rt.key == key:
                self._by_key[key] = rt
                return rt
        return None

    def by_api_version_kind(self, api_version: str, kind: str) -> ResourceType | None:
        group, _, version = api_version.rpartition("/")
        return self.by_kind(group, kind, version)

    def groups(self) -> list[tuple[str, list[str]]]:
        """(group, [versions]) in registration order; the first version listed is preferred."""
        out: dict[str, list[str]] = {}
        for rt in self.all():
            versions = out.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
        return list(out.items())

    def resources(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.all() if rt.group == group and rt.version == version]
