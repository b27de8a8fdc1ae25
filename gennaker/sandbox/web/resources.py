"""Resource handlers: one method per verb, translating HTTP requests into :class:`ApiServer` calls.

Who calls it: the router, once a URL names a resource. Parses the query parameters the real API takes
(``fieldManager``, ``fieldValidation``, ``dryRun``, ``force``, ``labelSelector``, ``fieldSelector``,
``limit``, ``continue``, ``watch``, ``resourceVersion``, ``resourceVersionMatch``, ``sendInitialEvents``,
``allowWatchBookmarks``, ``timeoutSeconds``, ``propagationPolicy``...), picks the reply shape (object,
List, Table, Scale, Status, text/plain logs, chunked watch stream) and adds ``Warning`` headers.

Without ``fieldManager`` the manager is the User-Agent up to its first ``/`` (``kubectl``,
``OpenAPI-Generator``). Nothing here persists.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .. import errors
from ..apiserver import ApiServer, WriteOptions, WriteResult
from ..registry import ResourceType
from ..selectors import parse_field_selector, parse_label_selector
from ..store import deep_copy
from ..tables import table
from ..watch import Watcher, WatchRequest
from .bodies import decode_body
from .types import Request, Response, go_json

Obj = dict[str, Any]
LogProvider = Callable[[Obj, str, Request], str]


def _bool_param(req: Request, name: str) -> bool | None:
    value = req.param(name)
    if value is None:
        return None
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0", ""):
        return False
    raise errors.bad_request(f"invalid boolean value for {name}: {value!r}")


class ResourceHandlers:
    def __init__(self, api: ApiServer, stop: threading.Event) -> None:
        self.api = api
        self.stop = stop
        self.log_provider: LogProvider | None = None
        self.bookmark_interval = 10.0

    def handle(
        self, req: Request, rt: ResourceType, namespace: str | None, name: str | None, sub: str
    ) -> Response:
        m = req.method
        if m in ("GET", "HEAD"):
            if name is None:
                if _bool_param(req, "watch"):
                    return self.watch(req, rt, namespace)
                return self.list(req, rt, namespace)
            return self.get(req, rt, namespace or "", name, sub)
        if m == "POST" and name is None:
            if namespace is None and rt.namespaced:
                raise errors.path_not_found()
            return self.create(req, rt, namespace or "")
        if m == "PUT" and name is not None:
            return self.update(req, rt, namespace or "", name, sub)
        if m == "PATCH" and name is not None:
            return self.patch(req, rt, namespace or "", name, sub)
        if m == "DELETE":
            if name is not None and not sub:
                return self.delete(req, rt, namespace or "", name)
            if name is None:
                return self.delete_collection(req, rt, namespace)
        raise errors.method_not_allowed(m)

    # -- reads
    def _wants_table(self, req: Request) -> bool:
        return "as=Table" in req.accept

    def get(self, req: Request, rt: ResourceType, namespace: str, name: str, sub: str) -> Response:
        obj = self.api.get(rt, namespace, name)
        if sub == "scale":
            return Response.json(self.api.scale_of(rt, obj))
        if sub == "log":
            return self._log(req, obj)
        if self._wants_table(req) and not sub:
            return Response.json(
                table(
                    rt,
                    [obj],
                    {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                    req.param("includeObject") or "Metadata",
                )
            )
        return Response.json(obj)

    def _log(self, req: Request, pod: Obj) -> Response:
        containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        container = req.param("container")
        name = pod["metadata"]["name"]
        if not container:
            if len(containers) != 1:
                raise errors.bad_request(
                    f"a container name must be specified for pod {name}, "
                    f"choose one of: [{' '.join(containers)}]"
                )
            container = containers[0]
        elif container not in containers:
            raise errors.bad_request(f"container {container} is not valid for pod {name}")
        text = self.log_provider(pod, str(container), req) if self.log_provider else ""
        return Response.text(text)

    def list(self, req: Request, rt: ResourceType, namespace: str | None) -> Response:
        labels = parse_label_selector(req.param("labelSelector"))
        fields = parse_field_selector(req.param("fieldSelector"), rt.field_selectors)
        try:
            limit = int(req.param("limit") or 0)
        except ValueError as e:
            raise errors.bad_request(f"invalid limit: {req.param('limit')}") from e
        result = self.api.list_objects(
            rt,
            namespace,
            labels=labels,
            fields=fields,
            limit=max(limit, 0),
            continue_token=req.param("continue") or "",
        )
        meta: Obj = {"resourceVersion": result.resource_version}
        if result.continue_token:
            meta["continue"] = result.continue_token
            meta["remainingItemCount"] = result.remaining
        if self._wants_table(req):
            return Response.json(table(rt, result.items, meta, req.param("includeObject") or "Metadata"))
        return Response.json(
            {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta, "items": result.items}
        )

    def watch(self, req: Request, rt: ResourceType, namespace: str | None) -> Response:
        try:
            timeout = float(req.param("timeoutSeconds") or 1800)
        except ValueError as e:
            raise errors.bad_request(f"invalid timeoutSeconds: {req.param('timeoutSeconds')}") from e
        wreq = WatchRequest(
            rt=rt,
            namespace=namespace,
            labels=parse_label_selector(req.param("labelSelector")),
            fields=parse_field_selector(req.param("fieldSelector"), rt.field_selectors),
            resource_version=req.param("resourceVersion"),
            resource_version_match=req.param("resourceVersionMatch") or None,
            send_initial_events=_bool_param(req, "sendInitialEvents"),
            allow_bookmarks=bool(_bool_param(req, "allowWatchBookmarks")),
            timeout_seconds=timeout,
            bookmark_interval=self.bookmark_interval,
        )
        watcher = Watcher(self.api.store, wreq, self.stop)
        as_table = None
        if self._wants_table(req):
            include = req.param("includeObject") or "Metadata"

            def as_table(event: Obj) -> Obj:
                if event["type"] in ("BOOKMARK", "ERROR"):
                    return event
                obj = event["object"]
                meta = {"resourceVersion": obj.get("metadata", {}).get("resourceVersion", "")}
                return {"type": event["type"], "object": table(rt, [obj], meta, include)}

        return Response(200, content_type="application/json", stream=_lines(watcher, as_table))

    # -- writes
    def _options(self, req: Request) -> WriteOptions:
        dry_run = req.query.get("dryRun") or []
        for value in dry_run:
            if value != "All":
                raise errors.invalid_object(
                    "CreateOptions", "meta.k8s.io", "", [errors.not_supported("dryRun", value, ["All"])]
                )
        validation = req.param("fieldValidation") or "Warn"
        if validation not in ("Ignore", "Warn", "Strict"):
            raise errors.bad_request(
                f"fieldValidation: invalid field validation directive {validation!r}: "
                "must be one of Ignore, Warn, Strict"
            )
        manager = req.param("fieldManager")
        if manager is None:
            manager = req.user_agent.split("/", 1)[0] if req.user_agent else "unknown"
        return WriteOptions(
            manager=manager,
            dry_run=bool(dry_run),
            field_validation=validation,
            force=bool(_bool_param(req, "force")),
        )

    def _reply(self, result: WriteResult) -> Response:
        return Response.json(result.obj, result.code, warnings=result.warnings)

    def create(self, req: Request, rt: ResourceType, namespace: str) -> Response:
        body = decode_body(req, rt)
        return self._reply(self.api.create(rt, namespace, body, self._options(req)))

    def update(self, req: Request, rt: ResourceType, namespace: str, name: str, sub: str) -> Response:
        body = decode_body(req, rt)
        if sub == "finalize":
            return self._finalize(req, rt, name, body)
        return self._reply(self.api.update(rt, namespace, name, body, self._options(req), subresource=sub))

    def _finalize(self, req: Request, rt: ResourceType, name: str, body: Any) -> Response:
        with self.api.store.lock:
            current = deep_copy(self.api.get(rt, "", name))
            current.setdefault("spec", {})["finalizers"] = ((body or {}).get("spec") or {}).get(
                "finalizers"
            ) or []
            return self._reply(self.api.update(rt, "", name, current, self._options(req)))

    def patch(self, req: Request, rt: ResourceType, namespace: str, name: str, sub: str) -> Response:
        opts = self._options(req)
        return self._reply(
            self.api.patch(rt, namespace, name, req.content_type, req.body, opts=opts, subresource=sub)
        )

    def _delete_options(self, req: Request) -> Obj:
        options: Obj = {}
        if req.body.strip():
            try:
                parsed = json.loads(req.body)
            except ValueError as e:
                raise errors.bad_request(f"invalid DeleteOptions: {e}") from e
            if isinstance(parsed, dict):
                options = parsed
        for key in ("propagationPolicy", "gracePeriodSeconds"):
            if req.param(key) is not None:
                options[key] = req.param(key)
        if req.param("orphanDependents") is not None:
            options["orphanDependents"] = _bool_param(req, "orphanDependents")
        return options

    def delete(self, req: Request, rt: ResourceType, namespace: str, name: str) -> Response:
        result = self.api.delete(rt, namespace, name, self._delete_options(req), self._options(req))
        return self._reply(result)

    def delete_collection(self, req: Request, rt: ResourceType, namespace: str | None) -> Response:
        labels = parse_label_selector(req.param("labelSelector"))
        fields = parse_field_selector(req.param("fieldSelector"), rt.field_selectors)
        items = self.api.delete_collection(
            rt, namespace, labels, fields, options=self._delete_options(req), opts=self._options(req)
        )
        return Response.json(
            {
                "kind": rt.list_kind,
                "apiVersion": rt.api_version,
                "metadata": {"resourceVersion": str(self.api.store.resource_version)},
                "items": items,
            }
        )


def _lines(watcher: Watcher, transform: Callable[[Obj], Obj] | None = None) -> Iterator[bytes]:
    class _Stream:
        def __init__(self) -> None:
            self._it = iter(watcher)

        def __iter__(self) -> Iterator[bytes]:
            return self

        def __next__(self) -> bytes:
            event = next(self._it)
            if event is None:
                return b""  # idle: the transport checks the connection and sends nothing
            if transform is not None:
                event = transform(event)
            return go_json(event) + b"\n"

        def close(self) -> None:
            watcher.close()

    return _Stream()
