"""Reads from an account's API server over HTTP: get, list, pod logs and discovery. Reads never fork kubectl.

Who calls it: the cache (its initial lists; watches use ``ClusterEndpoint`` directly in ``cache.watch``),
manifest operations that must see the live cluster rather than the cache (choosing a version number, the
revisions of a rollout), runJobManifest (pod logs) and ``resource_for`` (where a kind nobody registered
lives, from the API group's discovery document).

Invariants: one ``httpx.Client`` per account configuration (keep-alive, thread-safe); connection failures
raise ``AccountUnreachableError`` naming the account and the cause; a 404 on ``get`` is None; other error
statuses raise ``KubernetesError`` with the server's Status message. Credentials are added per request
(``ClusterEndpoint.auth_headers``) and never logged.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

import httpx

from gennaker.kubernetes.errors import AccountUnreachableError, KubernetesError
from gennaker.kubernetes.kinds import KINDS, KindHandler, kind_key
from gennaker.kubernetes.kubeconfig import ClusterEndpoint

PAGE_SIZE = 500


def status_message(response: httpx.Response) -> str:
    """The ``message`` of a Kubernetes Status body, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip() or f"HTTP {response.status_code}"
    if isinstance(body, Mapping) and body.get("message"):
        return str(body["message"])
    return f"HTTP {response.status_code}"


def unreachable(account: str, server: str, exc: Exception) -> AccountUnreachableError:
    """The error for a transport failure talking to ``server``."""
    reason = str(exc) or type(exc).__name__
    return AccountUnreachableError(account, f"cannot reach {server}: {reason}")


class KubeClient:
    """HTTP reads for one account (see the module docstring)."""

    def __init__(self, endpoint: ClusterEndpoint, *, timeout_s: float = 30.0) -> None:
        self.endpoint = endpoint
        self.account = endpoint.account
        self._http = httpx.Client(timeout=timeout_s, **endpoint.httpx_options())
        self._resources: dict[tuple[str, str], KindHandler] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Accept": "application/json", **self.endpoint.auth_headers()}
        try:
            return self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise unreachable(self.account, self.endpoint.server, exc) from None

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code >= 400:
            raise KubernetesError(
                f"reading {what} on account {self.account} failed: HTTP {response.status_code}: "
                f"{status_message(response)}"
            )

    # ------------------------------------------------------------ objects

    def get(self, handler: KindHandler, namespace: str | None, name: str) -> dict[str, Any] | None:
        """The live object, or None when it does not exist."""
        response = self._request("GET", handler.path(namespace, name))
        if response.status_code == 404:
            return None
        self._check(response, f"{handler.name} {name}")
        obj = dict(response.json())
        obj.setdefault("kind", handler.kind)
        obj.setdefault("apiVersion", handler.api_version)
        return obj

    def list(
        self,
        handler: KindHandler,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> tuple[list[dict[str, Any]], str]:
        """Every object of a kind (in ``namespace``, or all namespaces), paged; and the list's
        resourceVersion (where a watch resumes)."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        if label_selector:
            params["labelSelector"] = label_selector
        if field_selector:
            params["fieldSelector"] = field_selector
        resource_version = ""
        while True:
            response = self._request("GET", handler.path(namespace), params=params)
            self._check(response, f"the {handler.plural}")
            body = response.json()
            for item in body.get("items") or []:
                item.setdefault("kind", handler.kind)
                item.setdefault("apiVersion", handler.api_version)
                items.append(item)
            metadata = body.get("metadata") or {}
            resource_version = str(metadata.get("resourceVersion") or resource_version)
            token = metadata.get("continue")
            if not token:
                return items, resource_version
            params["continue"] = token

    def logs(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        limit_bytes: int | None = None,
        tail_lines: int | None = None,
    ) -> str:
        """A container's log (``GET .../pods/<pod>/log``)."""
        params: dict[str, Any] = {}
        if container:
            params["container"] = container
        if limit_bytes:
            params["limitBytes"] = limit_bytes
        if tail_lines:
            params["tailLines"] = tail_lines
        response = self._request("GET", f"/api/v1/namespaces/{namespace}/pods/{pod}/log", params=params)
        if response.status_code == 404:
            return ""
        self._check(response, f"the log of pod {pod}")
        return response.text

    def version(self) -> dict[str, Any]:
        """``/version`` (a cheap reachability check)."""
        response = self._request("GET", "/version")
        self._check(response, "/version")
        return dict(response.json())

    # ------------------------------------------------------------ discovery

    def find_kind(self, kind: str) -> KindHandler | None:
        """A kind nobody registered (a custom resource), looked up by name across the server's API groups
        (preferred versions); None when the server serves no such kind."""
        wanted = kind_key(kind)
        with self._lock:
            for (_, k), handler in self._resources.items():
                if kind_key(k) == wanted:
                    return handler
        response = self._request("GET", "/apis")
        self._check(response, "the API groups")
        versions = ["v1"] + [
            str((g.get("preferredVersion") or {}).get("groupVersion"))
            for g in response.json().get("groups") or []
            if (g.get("preferredVersion") or {}).get("groupVersion")
        ]
        for api_version in versions:
            path = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
            listing = self._request("GET", path)
            if listing.status_code != 200:
                continue
            for resource in listing.json().get("resources") or []:
                name, res_kind = str(resource.get("name") or ""), str(resource.get("kind") or "")
                if "/" in name:
                    continue
                if wanted in (kind_key(res_kind), kind_key(name)) or kind in (
                    resource.get("shortNames") or []
                ):
                    return self.resource_for(api_version, res_kind)
        return None

    def resource_for(self, api_version: str, kind: str) -> KindHandler:
        """The handler of ``kind`` in ``api_version``: a registered one, else a generic handler built from
        the group version's discovery document. Raises ``KubernetesError`` for a kind the server does not
        serve."""
        known = KINDS.find(kind)
        if known is not None and known.api_version == api_version:
            return known
        key = (api_version, kind)
        with self._lock:
            if key in self._resources:
                return self._resources[key]
        path = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
        response = self._request("GET", path)
        if response.status_code == 404:
            if known is not None:
                return known
            raise KubernetesError(
                f"account {self.account} does not serve API version {api_version} (kind {kind})"
            )
        self._check(response, f"the discovery document of {api_version}")
        for resource in response.json().get("resources") or []:
            if resource.get("kind") == kind and "/" not in str(resource.get("name")):
                handler = known or KINDS.generic(
                    kind, api_version, str(resource["name"]), namespaced=bool(resource.get("namespaced"))
                )
                if known is not None and known.api_version != api_version:
                    group, _, version = api_version.rpartition("/")
                    handler = dataclasses.replace(known, group=group, version=version)
                with self._lock:
                    self._resources[key] = handler
                return handler
        raise KubernetesError(f"account {self.account} serves no kind {kind} in {api_version}")
