"""The API server core: get, list, create, update, patch and delete with kube-apiserver's semantics.

Who calls it: the HTTP handlers (:mod:`gennaker.sandbox.http.handlers`) for every client request, and
in-process code through the same methods: the garbage collector, the CRD loop, admission plugins and
controllers (through :class:`gennaker.sandbox.controllers.SystemClient`, which writes as
``kube-controller-manager``).

Every write runs, under the store lock, the same pipeline:
field validation (prune unknown fields; Strict rejects) -> metadata rules (namespace, name/generateName,
uid, timestamps) -> status rules (main writes keep status, ``/status`` writes change only status) ->
``prepare_create`` hooks -> defaulting -> admission -> validation (422) -> generation (+1 on spec
changes) -> managed fields -> no-op detection (an update that changes nothing keeps its
resourceVersion and emits no event) -> ``dryRun`` stops here -> commit to the store (new global
resourceVersion, an event for watchers) -> admission ``committed`` hooks.

Deletion honours preconditions, finalizers (``deletionTimestamp`` first), and propagation:
``Background`` (dependents are removed later by :mod:`gennaker.sandbox.gc`), ``Foreground`` and
``Orphan`` (the ``foregroundDeletion``/``orphan`` finalizers the GC acts on). Namespaces are always
finalized by the GC's namespace loop. What it persists: nothing itself; objects live in the store.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import yaml

from . import deletion, errors
from .admission import Admission, builtin_admission
from .apply import server_side_apply
from .defaulting import default_metadata
from .errors import ApiError
from .fieldvalidation import prune
from .kinds import register_builtins
from .managedfields import entries_of, record_update
from .objectmeta import meta, new_uid, now_rfc3339, parse_rv, random_suffix
from .patch import PatchError
from .patch.json_patch import json_patch
from .patch.merge_patch import merge_patch
from .patch.strategic import strategic_merge_patch
from .registry import Registry, ResourceType
from .selectors import FieldSelector, LabelSelector, label_selector_string
from .semantic import equal
from .store import ADDED, DELETED, MODIFIED, ObjectStore, deep_copy
from .validation import get_path, validate_object_meta
from .writes import ListResult, WriteOptions, WriteResult, is_namespace, order_metadata, same_object

Obj = dict[str, Any]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
APPLY_PATCH_CBOR = "application/apply-patch+cbor"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)

SYSTEM_MANAGER = "kube-controller-manager"
CONTINUE_EXPIRED = " ".join(
    (
        "The provided continue parameter is too old to display a consistent list result.",
        "You can start a new list without the continue parameter, or use the continue token in this response",
        "to retrieve the remainder of the results. Continuing with the provided token results in an",
        "inconsistent list - objects that were created, modified, or deleted between the time the first",
        "chunk was returned and now may show up in the list.",
    )
)
_SPEC_EXCLUDED = ("metadata", "status", "apiVersion", "kind")


class ApiServer:
    """The sandbox API server core (see the module docstring)."""

    def __init__(self, *, log_size: int = 10_000) -> None:
        self.registry = Registry()
        register_builtins(self.registry)
        self.store = ObjectStore(log_size=log_size)
        self.admission: list[Admission] = builtin_admission()
        # Graceful pod deletion, as with a kubelet: a scheduled pod (spec.nodeName set) is only marked
        # (deletionTimestamp + deletionGracePeriodSeconds) and goes when someone deletes it again with
        # gracePeriodSeconds=0 (the simulated kubelet's job). Off by default: without kubelets pods would
        # stay Terminating forever.
        self.graceful_pod_deletion = False

    # ------------------------------------------------------------------ reads
    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        obj = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return self._for_version(rt, obj)

    def _for_version(self, rt: ResourceType, obj: Obj) -> Obj:
        if obj.get("apiVersion") != rt.api_version:
            obj = {**obj, "apiVersion": rt.api_version}
        return obj

    def list_objects(
        self,
        rt: ResourceType,
        namespace: str | None,
        *,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
        limit: int = 0,
        continue_token: str = "",
    ) -> ListResult:
        """Objects matching the selectors, sorted by namespace/name, paginated by ``limit``/``continue``."""
        start_after = ""
        with self.store.lock:
            rv = self.store.resource_version
            if continue_token:
                token_rv, start_after = _decode_continue(continue_token)
                if token_rv < self.store.oldest_rv:
                    raise errors.expired(CONTINUE_EXPIRED)
                rv = token_rv
            ns = namespace if rt.namespaced else None
            if fields is not None and fields.single_name() and ns is not None:
                one = self.store.get(rt.key, ns, fields.single_name() or "")
                candidates = [one] if one is not None else []
            else:
                candidates = self.store.list_objects(rt.key, ns)
        items: list[Obj] = []
        more = False
        remaining = 0
        for obj in candidates:
            ident = f"{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"
            if start_after and ident <= start_after:
                continue
            if labels is not None and not labels.matches(obj["metadata"].get("labels")):
                continue
            if fields is not None and not fields.matches(obj):
                continue
            if limit and len(items) >= limit:
                more = True
                remaining += 1
                continue
            items.append(self._for_version(rt, obj))
        token = ""
        if more and items:
            last = items[-1]["metadata"]
            token = _encode_continue(rv, f"{last.get('namespace', '')}/{last['name']}")
        return ListResult(items, str(rv), token, remaining if more else None)

    # ------------------------------------------------------------------ create
    def create(self, rt: ResourceType, namespace: str, body: Any, opts: WriteOptions) -> WriteResult:
        if not isinstance(body, dict):
            raise errors.bad_request(
                f"the body of the request was in an unknown format: expected a {rt.kind} object"
            )
        with self.store.lock:
            obj = deep_copy(body)
            warnings = self._check_body(rt, obj, opts, namespace)
            return self._create(rt, obj, opts, warnings, None)

    def system_create(
        self, rt: ResourceType, namespace: str, body: Obj, manager: str = SYSTEM_MANAGER
    ) -> Obj:
        """Create as a system component (no field validation warnings, never dry-run)."""
        return self.create(rt, namespace, body, WriteOptions(manager=manager, field_validation="Ignore")).obj

    def _check_body(
        self, rt: ResourceType, obj: Obj, opts: WriteOptions, namespace: str, name: str | None = None
    ) -> list[str]:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if api_version and api_version != rt.api_version:
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise errors.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
            )
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        if not isinstance(obj.get("metadata"), dict):
            if obj.get("metadata") is not None:
                raise errors.bad_request(
                    f'{rt.kind} in version "{rt.version}" cannot be handled as a '
                    f"{rt.kind}: metadata must be an object"
                )
            obj["metadata"] = {}
        m = obj["metadata"]
        if rt.namespaced:
            if m.get("namespace") and m["namespace"] != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            m["namespace"] = namespace
        else:
            m.pop("namespace", None)
        if name is not None and m.get("name") and m["name"] != name:
            raise errors.bad_request(
                f"the name of the object ({m['name']}) does not match the name on the URL ({name})"
            )
        if name is not None and not m.get("name"):
            m["name"] = name
        return self._field_validation(rt, obj, opts.field_validation, apply=False)

    def _field_validation(self, rt: ResourceType, obj: Obj, mode: str, apply: bool) -> list[str]:
        found = prune(obj, rt.object_schema())
        if found.type_errors:
            raise errors.bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                f"{found.type_errors[0]}"
            )
        if not found.unknown or mode == "Ignore":
            return []
        if mode == "Strict":
            if apply:
                m = obj.get("metadata") or {}
                ident = f"{m.get('namespace')}/{m.get('name')}" if rt.namespaced else str(m.get("name"))
                raise errors.bad_request(
                    f"failed to create typed patch object ({ident}; {rt.api_version}, Kind={rt.kind}): "
                    + "\n".join(f".{u}: field not declared in schema" for u in found.unknown)
                )
            raise errors.bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in found.unknown)
            )
        return [f'unknown field "{u}"' for u in found.unknown]

    def _create(
        self,
        rt: ResourceType,
        obj: Obj,
        opts: WriteOptions,
        warnings: list[str],
        applied_entries: list[Obj] | None,
    ) -> WriteResult:
        m = meta(obj)
        if not m.get("name") and m.get("generateName"):
            for _ in range(16):
                candidate = f"{m['generateName']}{random_suffix()}"
                if self.store.get(rt.key, str(m.get("namespace") or ""), candidate) is None:
                    m["name"] = candidate
                    break
        if not m.get("name"):
            raise errors.invalid_object(
                rt.kind, rt.group, "", [errors.required("metadata.name", "name or generateName is required")]
            )
        for k in (
            "resourceVersion",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "selfLink",
        ):
            m.pop(k, None)
        m["uid"] = new_uid()
        m["creationTimestamp"] = now_rfc3339()
        if rt.status:
            obj.pop("status", None)
        m.pop("managedFields", None)
        self._default(rt, obj)
        # Managed fields are computed from the decoded, defaulted object, before what the storage layer
        # adds (status reset, generated Job selectors, allocated cluster IPs), as kube-apiserver does.
        entries: list[Obj] = []
        if applied_entries is not None:
            entries = applied_entries
        elif opts.manager:
            entries = record_update(
                None,
                obj,
                rt.object_schema(),
                manager=opts.manager,
                api_version=rt.api_version,
                now=now_rfc3339(),
                scope="main" if rt.status else "all",
            )
        if rt.prepare_create:
            for hook in rt.prepare_create:
                hook(obj)
            self._default(rt, obj)
        if rt.status and not rt.crd_name and "status" not in obj:
            # A Go struct: built-in kinds always carry a status, with its non-omitempty fields at zero.
            obj["status"] = dict(rt.status_zero)
        for plugin in self.admission:
            plugin.admit(self, rt, obj, None)
        self._validate(rt, obj, None)
        if self.store.get(rt.key, str(m.get("namespace") or ""), str(m["name"])) is not None:
            raise errors.already_exists(rt.plural, rt.group, str(m["name"]))
        if rt.track_generation:
            m["generation"] = 1
        if entries:
            m["managedFields"] = entries
        order_metadata(obj)
        if opts.dry_run:
            return WriteResult(obj, 201, warnings)
        stored = self.store.commit(ADDED, rt.key, obj, None)
        self._committed(rt, ADDED, stored)
        return WriteResult(self._for_version(rt, stored), 201, warnings)

    # ------------------------------------------------------------------ update
    def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Any,
        opts: WriteOptions,
        *,
        subresource: str = "",
    ) -> WriteResult:
        if not isinstance(body, dict):
            raise errors.bad_request(
                f"the body of the request was in an unknown format: expected a {rt.kind} object"
            )
        with self.store.lock:
            old = self._existing(rt, namespace, name)
            body = deep_copy(body)
            if subresource == "scale":
                return self._scale_update(rt, old, body, opts)
            warnings = self._check_body(rt, body, opts, namespace, name)
            want_rv = parse_rv(body["metadata"].get("resourceVersion"))
            if want_rv is not None and str(want_rv) != old["metadata"]["resourceVersion"]:
                raise errors.conflict(rt.plural, rt.group, name)
            new = self._merge_for_subresource(rt, old, body, subresource)
            result = self._update(rt, old, new, opts, subresource=subresource)
            result.warnings = warnings + result.warnings
            return result

    def system_update(
        self, rt: ResourceType, obj: Obj, *, subresource: str = "", manager: str = SYSTEM_MANAGER
    ) -> Obj:
        """Update (``subresource="status"`` for status) as a system component; 409 on a stale RV."""
        m = obj.get("metadata") or {}
        return self.update(
            rt,
            str(m.get("namespace") or ""),
            str(m.get("name")),
            obj,
            WriteOptions(manager=manager, field_validation="Ignore"),
            subresource=subresource,
        ).obj

    def bind_pod(self, namespace: str, name: str, node: str, *, manager: str = "default-scheduler") -> Obj:
        """The ``pods/binding`` subresource in-process: set ``spec.nodeName`` and the ``PodScheduled``
        condition in one write, as kube-apiserver's binding storage does (the simulated scheduler's call).

        409 when the pod is already bound or being deleted.
        """
        rt = self.registry.by_key(("", "pods"))
        assert rt is not None
        with self.store.lock:
            old = self._existing(rt, namespace, name)
            spec = old.get("spec") or {}
            if spec.get("nodeName") or old["metadata"].get("deletionTimestamp"):
                reason = (
                    f'pod {name} is already assigned to node "{spec.get("nodeName")}"'
                    if spec.get("nodeName")
                    else f"pod {name} is being deleted, cannot be assigned to a host"
                )
                raise errors.conflict("pods/binding", "", name, reason)
            new = deep_copy(old)
            new["spec"]["nodeName"] = node
            status = new.setdefault("status", {})
            conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
            conditions.append(
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": now_rfc3339(),
                }
            )
            status["conditions"] = conditions
            return self._update(rt, old, new, WriteOptions(manager=manager), subresource="binding").obj

    def _existing(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        old = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if old is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return old

    def _merge_for_subresource(self, rt: ResourceType, old: Obj, body: Obj, subresource: str) -> Obj:
        """What a write of ``body`` means for the stored object, given the subresource written."""
        if subresource == "status":
            new = deep_copy(old)
            if body.get("status") is None:
                new.pop("status", None)
            else:
                new["status"] = body["status"]
            explicit = body.get("metadata", {}).get("managedFields")
            if explicit is not None:
                new["metadata"]["managedFields"] = explicit
            body_meta = body.get("metadata") or {}
            if rt.status_writes_annotations and "annotations" in body_meta:
                if body_meta["annotations"]:
                    new["metadata"]["annotations"] = body_meta["annotations"]
                else:
                    new["metadata"].pop("annotations", None)
            return new
        new = body
        if rt.status:
            if "status" in old:
                new["status"] = deep_copy(old["status"])
            else:
                new.pop("status", None)
        m, om = meta(new), old["metadata"]
        for k in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "namespace",
            "name",
        ):
            if k in om:
                m[k] = om[k]
            else:
                m.pop(k, None)
        m.pop("selfLink", None)
        return new

    def _update(
        self,
        rt: ResourceType,
        old: Obj,
        new: Obj,
        opts: WriteOptions,
        *,
        subresource: str,
        applied: bool = False,
    ) -> WriteResult:
        m = meta(new)
        m["resourceVersion"] = old["metadata"]["resourceVersion"]
        old_entries = entries_of(old)
        explicit = m.get("managedFields")
        explicit_given = explicit is not None and explicit != old_entries and not applied
        self._default(rt, new)
        for plugin in self.admission:
            plugin.admit(self, rt, new, old)
        self._validate(rt, new, old)
        if (
            rt.track_generation
            and subresource not in ("status", "binding")
            and (
                not equal(_spec_part(new), _spec_part(old))
                or (m.get("deletionTimestamp") and not old["metadata"].get("deletionTimestamp"))
            )
        ):
            m["generation"] = int(old["metadata"].get("generation") or 1) + 1
        if not applied:
            if explicit_given:
                m["managedFields"] = (
                    [e for e in explicit if isinstance(e, dict) and e.get("manager")]
                    if isinstance(explicit, list)
                    else old_entries
                )
            else:
                m["managedFields"] = deep_copy(old_entries)
            if opts.manager:
                scope = "status" if subresource == "status" else ("main" if rt.status else "all")
                m["managedFields"] = record_update(
                    old,
                    new,
                    rt.object_schema(),
                    manager=opts.manager,
                    api_version=rt.api_version,
                    now=now_rfc3339(),
                    scope=scope,
                    subresource=subresource,
                )
        if not m.get("managedFields"):
            m.pop("managedFields", None)
        order_metadata(new)
        if same_object(old, new):
            return WriteResult(self._for_version(rt, old), 200)
        if opts.dry_run:
            return WriteResult(new, 200)
        if m.get("deletionTimestamp") and not m.get("finalizers") and not is_namespace(rt):
            stored = self.store.commit(DELETED, rt.key, new, old)
            self._committed(rt, DELETED, stored)
        else:
            stored = self.store.commit(MODIFIED, rt.key, new, old)
            self._committed(rt, MODIFIED, stored)
        return WriteResult(self._for_version(rt, stored), 200)

    # ------------------------------------------------------------------ scale
    def scale_of(self, rt: ResourceType, obj: Obj) -> Obj:
        """The autoscaling/v1 Scale view of an object (the reply of every /scale request)."""
        spec = rt.scale
        assert spec is not None
        m = obj["metadata"]
        if spec.label_selector:
            selector = get_path(obj, spec.label_selector) or ""
        elif spec.selector_from_spec:
            selector = label_selector_string(get_path(obj, "spec.selector"))
        else:
            selector = ""
        status: Obj = {"replicas": get_path(obj, spec.status_replicas) or 0}
        if selector:
            status["selector"] = selector
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: m[k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in m
            },
            "spec": {"replicas": get_path(obj, spec.spec_replicas) or 0},
            "status": status,
        }

    def _scale_update(self, rt: ResourceType, old: Obj, scale: Obj, opts: WriteOptions) -> WriteResult:
        if rt.scale is None:
            raise errors.path_not_found()
        want_rv = parse_rv((scale.get("metadata") or {}).get("resourceVersion"))
        if want_rv is not None and str(want_rv) != old["metadata"]["resourceVersion"]:
            raise errors.conflict(rt.plural, rt.group, old["metadata"]["name"])
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise errors.invalid_object(
                "Scale",
                "autoscaling",
                old["metadata"]["name"],
                [errors.invalid("spec.replicas", replicas, "must be greater than or equal to 0")],
            )
        new = deep_copy(old)
        cur: Any = new
        parts = rt.scale.spec_replicas.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = replicas
        result = self._update(rt, old, new, opts, subresource="scale")
        result.obj = self.scale_of(rt, result.obj)
        return result

    # ------------------------------------------------------------------ patch
    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        patch_type: str,
        raw: bytes,
        *,
        opts: WriteOptions,
        subresource: str = "",
    ) -> WriteResult:
        patch_type = patch_type.split(";", maxsplit=1)[0].strip().lower()
        if patch_type not in PATCH_TYPES or (patch_type == STRATEGIC_PATCH and rt.crd_name):
            accepted = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] + ([] if rt.crd_name else [STRATEGIC_PATCH])
            raise errors.unsupported_media_type(accepted)
        if patch_type == APPLY_PATCH:
            return self._apply(rt, namespace, name, raw, opts=opts, subresource=subresource)
        try:
            doc = json.loads(raw or b"null")
        except ValueError as e:
            raise errors.bad_request(f"error decoding patch: {e}") from e
        with self.store.lock:
            old = self._existing(rt, namespace, name)
            current = (
                self.scale_of(rt, old) if subresource == "scale" and rt.scale else self._for_version(rt, old)
            )
            try:
                if patch_type == JSON_PATCH:
                    patched = json_patch(current, doc)
                elif patch_type == MERGE_PATCH:
                    if not isinstance(doc, dict):
                        raise PatchError("merge patch must be a JSON object", 400)
                    patched = merge_patch(current, doc)
                else:
                    patched = strategic_merge_patch(current, doc, rt.object_schema())
            except PatchError as e:
                if e.code == 400:
                    raise errors.bad_request(str(e)) from e
                raise ApiError(422, "Invalid", str(e), {}) from e
            if not isinstance(patched, dict):
                raise errors.bad_request("the patched object is not a JSON object")
            if subresource == "scale":
                return self._scale_update(rt, old, patched, opts)
            warnings = self._check_body(rt, patched, opts, namespace, name)
            want_rv = parse_rv(patched["metadata"].get("resourceVersion"))
            if want_rv is not None and str(want_rv) != old["metadata"]["resourceVersion"]:
                raise errors.conflict(rt.plural, rt.group, name)
            new = self._merge_for_subresource(rt, old, patched, subresource)
            result = self._update(rt, old, new, opts, subresource=subresource)
            result.warnings = warnings + result.warnings
            return result

    def _apply(
        self, rt: ResourceType, namespace: str, name: str, raw: bytes, *, opts: WriteOptions, subresource: str
    ) -> WriteResult:
        if not opts.manager:
            raise errors.invalid_object(
                "PatchOptions",
                "meta.k8s.io",
                "",
                [errors.required("fieldManager", "is required for apply patch")],
            )
        if len(opts.manager) > 128:
            raise errors.invalid_object(
                "PatchOptions",
                "meta.k8s.io",
                "",
                [errors.invalid("fieldManager", opts.manager, "must be less than 128 characters")],
            )
        try:
            config = yaml.safe_load(raw.decode("utf-8")) if raw else None
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise errors.bad_request(f"error decoding YAML: {e}") from e
        if not isinstance(config, dict):
            raise errors.bad_request("apply patches must be a single YAML or JSON object")
        for f in ("apiVersion", "kind"):
            if not config.get(f):
                raise errors.bad_request(f"invalid object type: /, Kind=: {f} must be set")
        if not (config.get("metadata") or {}).get("name"):
            raise errors.bad_request("metadata.name is required in apply patches")
        with self.store.lock:
            if rt.namespaced and isinstance(config.get("metadata"), dict):
                config["metadata"].setdefault("namespace", namespace)
            warnings = self._field_validation(rt, config, opts.field_validation, apply=True)
            self._check_body(rt, config, WriteOptions(field_validation="Ignore"), namespace, name)
            old = self.store.get(rt.key, namespace if rt.namespaced else "", name)
            scope = "status" if subresource == "status" else ("main" if rt.status else "all")
            merged = server_side_apply(
                old,
                config,
                rt.object_schema(),
                manager=opts.manager,
                api_version=rt.api_version,
                force=opts.force,
                now=now_rfc3339(),
                scope=scope,
                subresource=subresource,
                resource=rt.plural,
                group=rt.group,
                kind=rt.kind,
            )
            if old is None:
                if subresource:
                    raise errors.not_found(rt.plural, rt.group, name)
                entries = merged["metadata"].pop("managedFields", [])
                result = self._create(rt, merged, opts, warnings, entries)
                return result
            want_rv = parse_rv(config["metadata"].get("resourceVersion"))
            if want_rv is not None and str(want_rv) != old["metadata"]["resourceVersion"]:
                raise errors.conflict(rt.plural, rt.group, name)
            entries = merged["metadata"].get("managedFields")
            new = self._merge_for_subresource(rt, old, merged, subresource)
            meta(new)["managedFields"] = entries
            result = self._update(rt, old, new, opts, subresource=subresource, applied=True)
            result.warnings = warnings
            return result

    # ------------------------------------------------------------------ delete
    def delete(
        self, rt: ResourceType, namespace: str, name: str, options: Obj | None, opts: WriteOptions
    ) -> WriteResult:
        """DELETE with DeleteOptions (``propagationPolicy``, ``preconditions``, ``gracePeriodSeconds``)."""
        return deletion.delete(self, rt, namespace, name, options=options, opts=opts)

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None,
        labels: LabelSelector | None,
        fields: FieldSelector | None,
        *,
        options: Obj | None,
        opts: WriteOptions,
    ) -> list[Obj]:
        return deletion.delete_collection(self, rt, namespace, labels, fields, options=options, opts=opts)

    def finalize_namespace(self, name: str) -> bool:
        """Remove a terminating namespace once empty and without finalizers (the namespace loop's call)."""
        return deletion.finalize_namespace(self, name)

    # ------------------------------------------------------------------ shared steps
    def _default(self, rt: ResourceType, obj: Obj) -> None:
        default_metadata(obj)
        for d in rt.defaulters:
            d(obj)
        status = obj.get("status")
        if rt.status_zero and isinstance(status, dict):
            for key, zero in rt.status_zero.items():
                if status.get(key) is None:
                    status[key] = zero

    def _validate(self, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        errs = validate_object_meta(obj, rt.namespaced, rt.name_validation)
        for v in rt.validators:
            errs += v(obj, old)
        if errs:
            raise errors.invalid_object(rt.kind, rt.group, str(obj["metadata"].get("name") or ""), errs)

    def _committed(self, rt: ResourceType, event_type: str, obj: Obj) -> None:
        for plugin in self.admission:
            plugin.committed(self, rt, event_type, obj)


def _spec_part(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in _SPEC_EXCLUDED}


def _encode_continue(rv: int, start_after: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start_after}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError) as e:
        raise errors.bad_request(f"continue key is not valid: {e}") from e
