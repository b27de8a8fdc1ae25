"""CustomResourceDefinitions: serving the resources a CRD defines, and the CRD's own lifecycle.

Who calls it: the cluster wires both pieces in. :class:`CrdRegistrar` is an admission plugin: the moment
a CRD is committed, each served version becomes a :class:`ResourceType` (discovery, OpenAPI, CRUD, watch,
merge/JSON patch and server-side apply; ``status``/``scale`` subresources when declared; columns from
``additionalPrinterColumns``), so a custom resource can be created right after its CRD. A removed CRD is
unregistered. :class:`CrdController` sets the CRD status (``NamesAccepted``, ``Established``,
``acceptedNames``, ``storedVersions``), adds the ``customresourcecleanup.apiextensions.k8s.io``
finalizer, and when the CRD is deleted removes every custom resource before letting it go.

:func:`register_stored_crds` rebuilds the registry from stored CRDs after a restart. The schema of each
version (``openAPIV3Schema``) drives field pruning and apply list semantics. Nothing here persists beyond
the CRD objects themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .admission import Admission
from .controllers import Controller, ControllerContext, ObjectRef
from .registry import Column, ResourceType, ScaleSpec
from .schema import crd_object_schema
from .store import DELETED, Event, Key, deep_copy
from .tables import AGE, dig

if TYPE_CHECKING:
    from .apiserver import ApiServer

Obj = dict[str, Any]
CRD_KEY: Key = ("apiextensions.k8s.io", "customresourcedefinitions")
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def _dotted(json_path: str) -> str:
    return json_path.strip().lstrip(".").replace("[", ".").replace("]", "")


def _cell(parts: tuple[str, ...]) -> Callable[[Obj], Any]:
    return lambda o: dig(o, *parts, default="")


def _columns(version: Obj) -> list[Column]:
    cols = []
    for c in version.get("additionalPrinterColumns") or []:
        path = _dotted(str(c.get("jsonPath", "")))
        parts = tuple(p for p in path.split(".") if p)
        cols.append(
            Column(
                str(c.get("name")),
                str(c.get("type", "string")),
                _cell(parts),
                priority=int(c.get("priority", 0)),
                description=str(c.get("description", "")),
            )
        )
    if not any(c.name == "Age" for c in cols):
        cols.append(AGE)
    return cols


def resource_types(crd: Obj) -> list[ResourceType]:
    """One ResourceType per served version of a CRD."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    out = []
    for v in spec.get("versions") or []:
        if not v.get("served", True):
            continue
        subs = v.get("subresources") or {}
        scale = None
        if isinstance(subs.get("scale"), dict):
            s = subs["scale"]
            scale = ScaleSpec(
                spec_replicas=_dotted(str(s.get("specReplicasPath", ".spec.replicas"))),
                status_replicas=_dotted(str(s.get("statusReplicasPath", ".status.replicas"))),
                label_selector=_dotted(str(s["labelSelectorPath"])) if s.get("labelSelectorPath") else None,
                selector_from_spec=False,
            )
        out.append(
            ResourceType(
                group=str(spec.get("group")),
                version=str(v.get("name")),
                kind=str(names.get("kind")),
                plural=str(names.get("plural")),
                singular=str(names.get("singular") or str(names.get("kind", "")).lower()),
                namespaced=spec.get("scope") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                status="status" in subs,
                scale=scale,
                schema=crd_object_schema((v.get("schema") or {}).get("openAPIV3Schema")),
                crd_name=str((crd.get("metadata") or {}).get("name")),
                columns=_columns(v),
            )
        )
    return out


class CrdRegistrar(Admission):
    """Registers and unregisters a CRD's resources as the CRD is committed."""

    def __init__(self) -> None:
        self._served: dict[str, list[tuple[str, str, str]]] = {}

    def committed(self, api: ApiServer, rt: ResourceType, event_type: str, obj: Obj) -> None:
        if rt.key != CRD_KEY:
            return
        self.sync(api, obj, removed=event_type == DELETED)

    def sync(self, api: ApiServer, crd: Obj, removed: bool = False) -> None:
        name = str(crd["metadata"]["name"])
        before = set(self._served.get(name, []))
        wanted = [] if removed else resource_types(crd)
        now = {(r.group, r.version, r.plural) for r in wanted}
        for gvr in before - now:
            api.registry.remove(*gvr)
        for r in wanted:
            existing = api.registry.get(r.group, r.version, r.plural)
            if existing is not None and existing.crd_name is None:
                continue  # never shadow a built-in resource
            api.registry.add(r)
        self._served[name] = sorted(now)


def register_stored_crds(api: ApiServer, registrar: CrdRegistrar) -> None:
    for crd in api.store.list_objects(CRD_KEY):
        registrar.sync(api, crd)


class CrdController(Controller):
    name = "customresourcedefinitions"
    primary = CRD_KEY
    watches = (CRD_KEY,)
    resync_seconds = 5.0
    lag_seconds = 0.0

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        yield ObjectRef.of(CRD_KEY, event.obj)

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        crd = ctx.client.get(ref)
        if crd is None:
            return
        meta = crd["metadata"]
        spec = crd.get("spec") or {}
        group, plural = str(spec.get("group")), str((spec.get("names") or {}).get("plural"))
        if meta.get("deletionTimestamp"):
            remaining = ctx.api.store.list_objects((group, plural))
            for obj in remaining:
                if not obj["metadata"].get("deletionTimestamp"):
                    ctx.client.delete(
                        (group, plural), str(obj["metadata"].get("namespace") or ""), obj["metadata"]["name"]
                    )
            if not ctx.api.store.list_objects((group, plural)) and CLEANUP_FINALIZER in (
                meta.get("finalizers") or []
            ):
                meta["finalizers"] = [f for f in meta["finalizers"] if f != CLEANUP_FINALIZER]
                ctx.client.update(CRD_KEY, crd)
            return
        if CLEANUP_FINALIZER not in (meta.get("finalizers") or []):
            meta.setdefault("finalizers", []).append(CLEANUP_FINALIZER)
            crd = ctx.client.update(CRD_KEY, crd)
            crd = deep_copy(crd)
        status = deep_copy(crd.get("status") or {})
        names = deep_copy(spec.get("names") or {})
        storage = [str(v.get("name")) for v in spec.get("versions") or [] if v.get("storage")]
        stored = list(status.get("storedVersions") or [])
        for s in storage:
            if s not in stored:
                stored.append(s)
        conditions = {c.get("type"): c for c in status.get("conditions") or []}
        now = crd["metadata"].get("creationTimestamp")
        want_conditions = []
        for ctype, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ):
            cur = conditions.get(ctype)
            if cur and cur.get("status") == "True":
                want_conditions.append(cur)
            else:
                want_conditions.append(
                    {
                        "type": ctype,
                        "status": "True",
                        "lastTransitionTime": now,
                        "reason": reason,
                        "message": message,
                    }
                )
        new_status = {"conditions": want_conditions, "acceptedNames": names, "storedVersions": stored}
        if new_status != crd.get("status"):
            crd["status"] = new_status
            ctx.client.update_status(CRD_KEY, crd)
