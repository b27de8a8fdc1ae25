"""A minimal OpenAPI v3 document: enough for kubectl's default ``--validate=strict`` to proceed.

Who calls it: the router for ``/openapi/v3`` (the index of group versions) and
``/openapi/v3/<api|apis/group>/<version>`` (one document per group version). ``/openapi/v2`` is a 404.

What kubectl needs (observed): each group version lists, per resource, a ``patch`` operation with
``x-kubernetes-group-version-kind``, a ``fieldValidation`` query parameter and the patch content types.
Seeing ``fieldValidation`` makes kubectl skip client-side schema checks and send
``fieldValidation=Strict``, leaving validation to the server. ``application/strategic-merge-patch+json``
is deliberately absent from ``requestBody.content``: with empty component schemas kubectl would try to
build strategic patches from them and warn. Hashes change whenever the registry changes, so kubectl's
HTTP cache never serves a stale document after a CRD is added. Nothing here persists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .registry import Registry

_CONTENT: dict[str, dict[str, Any]] = {
    "application/apply-patch+yaml": {},
    "application/json-patch+json": {},
    "application/merge-patch+json": {},
}


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def index(registry: Registry) -> dict[str, Any]:
    paths = {}
    for group, versions in registry.groups():
        for v in versions:
            p = _gv_path(group, v)
            paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={_hash(registry, group, v)}"}
    return {"paths": paths}


def _hash(registry: Registry, group: str, version: str) -> str:
    names = ",".join(
        sorted(f"{rt.plural}:{rt.kind}:{rt.namespaced}" for rt in registry.resources(group, version))
    )
    return hashlib.sha512(f"{registry.generation}|{names}".encode()).hexdigest()[:64].upper()


def document(registry: Registry, gv_path: str) -> dict[str, Any] | None:
    """The document for ``api/v1`` or ``apis/<group>/<version>``; None when not served."""
    parts = gv_path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "api":
        group, version = "", parts[1]
    elif len(parts) == 3 and parts[0] == "apis":
        group, version = parts[1], parts[2]
    else:
        return None
    resources = registry.resources(group, version)
    if not resources:
        return None
    prefix = "/" + _gv_path(group, version)
    paths: dict[str, Any] = {}
    for rt in resources:
        item = (
            f"{prefix}/namespaces/{{namespace}}/{rt.plural}/{{name}}"
            if rt.namespaced
            else f"{prefix}/{rt.plural}/{{name}}"
        )
        op = {
            "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
            "parameters": [
                {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                {"name": "force", "in": "query", "schema": {"type": "boolean"}},
            ],
            "requestBody": {"content": dict(_CONTENT)},
        }
        paths[item] = {"patch": op}
        for sub in rt.subresources():
            if sub != "log":
                paths[f"{item}/{sub}"] = {
                    "patch": {
                        **op,
                        "x-kubernetes-group-version-kind": (
                            {"group": "autoscaling", "version": "v1", "kind": "Scale"}
                            if sub == "scale"
                            else op["x-kubernetes-group-version-kind"]
                        ),
                    }
                }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.37.1"},
        "paths": paths,
        "components": {"schemas": {}},
    }
