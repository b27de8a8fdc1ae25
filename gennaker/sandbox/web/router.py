"""Routing: URL paths to discovery, OpenAPI, version, health and resource handlers.

Who calls it: the transport, for every request (``Router.__call__``). Paths served:
``/version``, ``/healthz|livez|readyz``, ``/api``, ``/api/v1``, ``/apis``, ``/apis/<g>``,
``/apis/<g>/<v>``, ``/openapi/v3[/...]`` (``/openapi/v2`` is a 404), and resources under
``/api/v1/...`` and ``/apis/<g>/<v>/...``:
``[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]`` (``namespaces/<name>/status|finalize`` are the
Namespace's own subresources). Unknown paths get the API server's 404 Status. Nothing here persists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .. import discovery, openapi
from ..apiserver import ApiServer
from ..errors import ApiError, path_not_found
from ..registry import ResourceType
from .resources import ResourceHandlers
from .types import Request, Response


@dataclass
class Target:
    rt: ResourceType
    namespace: str | None  # None: cluster-scoped or all namespaces
    name: str | None
    subresource: str


class Router:
    def __init__(self, api: ApiServer, stop: threading.Event) -> None:
        self.api = api
        self.handlers = ResourceHandlers(api, stop)
        # Extra routes added by extensions (``/metrics``, test control paths): path prefix -> handler.
        self.extra: dict[str, Callable[[Request], Response]] = {}

    def add_route(self, prefix: str, handler: Callable[[Request], Response]) -> None:
        """Serve every request whose path is ``prefix`` or starts with ``prefix + "/"`` with ``handler``.

        Kubernetes API paths (``/api``, ``/apis``, ``/openapi``, ``/version``) cannot be taken over.
        """
        head = "/" + prefix.strip("/").split("/")[0]
        if head in ("/api", "/apis", "/openapi", "/version") or not prefix.startswith("/"):
            raise ValueError(f"cannot route {prefix!r}: reserved for the Kubernetes API")
        self.extra[prefix.rstrip("/")] = handler

    def __call__(self, req: Request) -> Response:
        try:
            return self._route(req)
        except ApiError as e:
            return Response.json(e.status(), e.code)

    def _route(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        for prefix, handler in self.extra.items():
            if path == prefix or path.startswith(prefix + "/"):
                return handler(req)
        if req.method in ("GET", "HEAD"):
            static = self._static(path, req)
            if static is not None:
                return static
        target = self._target(path)
        if target is None:
            raise path_not_found()
        return self.handlers.handle(req, target.rt, target.namespace, target.name, target.subresource)

    def _static(self, path: str, req: Request) -> Response | None:
        reg = self.api.registry
        if path == "/version":
            return Response.json(discovery.VERSION)
        if path in ("/healthz", "/livez", "/readyz"):
            return Response.text("ok")
        if path == "/api":
            if discovery.wants_aggregated(req.accept):
                return Response.json(
                    discovery.aggregated(reg, legacy=True), content_type=discovery.AGGREGATED_CONTENT_TYPE
                )
            return Response.json(discovery.api_versions())
        if path == "/apis":
            if discovery.wants_aggregated(req.accept):
                return Response.json(
                    discovery.aggregated(reg, legacy=False), content_type=discovery.AGGREGATED_CONTENT_TYPE
                )
            return Response.json(discovery.api_group_list(reg))
        if path == "/api/v1":
            return Response.json(discovery.resource_list(reg, "", "v1"))
        parts = path.strip("/").split("/")
        if parts[0] == "apis" and len(parts) == 2:
            group = discovery.api_group(reg, parts[1])
            if group is None:
                raise path_not_found()
            return Response.json(group)
        if parts[0] == "apis" and len(parts) == 3:
            doc = discovery.resource_list(reg, parts[1], parts[2])
            if doc is None:
                raise path_not_found()
            return Response.json(doc)
        if path == "/openapi/v3":
            return Response.json(openapi.index(reg))
        if path.startswith("/openapi/v3/"):
            doc = openapi.document(reg, path[len("/openapi/v3/") :])
            if doc is None:
                raise path_not_found()
            return Response.json(doc)
        if path.startswith("/openapi"):
            raise path_not_found()
        return None

    def _target(self, path: str) -> Target | None:
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api" and parts[1] == "v1":
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        if not rest:
            return None
        namespace: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            return None
        rt = self.api.registry.get(group, version, rest[0])
        if rt is None:
            return None
        name = rest[1] if len(rest) >= 2 else None
        sub = rest[2] if len(rest) == 3 else ""
        if rt.namespaced is False and namespace is not None:
            return None
        if sub and sub not in rt.subresources() and not (sub == "finalize" and rt.key == ("", "namespaces")):
            return None
        return Target(rt, namespace, name, sub)
