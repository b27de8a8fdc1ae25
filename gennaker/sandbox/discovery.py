"""Discovery documents: ``/version``, legacy (``/api``, ``/apis``, ``/api/v1``, ``/apis/<g>/<v>``) and
aggregated (``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``) discovery.

Who calls it: the router. kubectl asks for aggregated discovery and decides by the reply's Content-Type;
the Python DynamicClient only reads the legacy documents, so both are served from the same registry.
A resource without ``responseKind`` would be silently dropped by kubectl, so every entry carries one.
Documents are rebuilt from the registry on every request (cheap), so CRDs appear as soon as they are
registered. Nothing here persists.
"""

from __future__ import annotations

from typing import Any

from .registry import SUBRESOURCE_VERBS, Registry, ResourceType

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

VERSION = {
    "major": "1",
    "minor": "37",
    "emulationMajor": "1",
    "emulationMinor": "37",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "36",
    "gitVersion": "v1.37.1",
    "gitCommit": "f78e7227d02afc1c3b7a68d6e39f9ee3b4a6d0b3",
    "gitTreeState": "clean",
    "buildDate": "2026-10-01T00:00:00Z",
    "goVersion": "go1.25.1",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def wants_aggregated(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")}
        if "g=apidiscovery.k8s.io" in params and "as=APIGroupDiscoveryList" in params:
            return True
    return False


def _gvk(group: str, version: str, kind: str) -> dict[str, str]:
    return {"group": group, "version": version, "kind": kind}


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": _gvk(rt.group, rt.version, rt.kind),
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": sorted(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subs = []
    if rt.scale is not None:
        subs.append(
            {
                "subresource": "scale",
                "responseKind": _gvk("autoscaling", "v1", "Scale"),
                "verbs": list(SUBRESOURCE_VERBS),
            }
        )
    if rt.status:
        subs.append(
            {
                "subresource": "status",
                "responseKind": _gvk(rt.group, rt.version, rt.kind),
                "verbs": list(SUBRESOURCE_VERBS),
            }
        )
    if rt.log:
        subs.append({"subresource": "log", "responseKind": _gvk("", "v1", "Pod"), "verbs": ["get"]})
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(registry: Registry, legacy: bool) -> dict[str, Any]:
    """The ``APIGroupDiscoveryList`` for ``/api`` (``legacy``) or ``/apis``."""
    items = []
    for group, versions in registry.groups():
        if (group == "") != legacy:
            continue
        items.append(
            {
                "metadata": {"name": group, "creationTimestamp": None},
                "versions": [
                    {
                        "version": v,
                        "resources": [_aggregated_resource(rt) for rt in registry.resources(group, v)],
                        "freshness": "Current",
                    }
                    for v in versions
                ],
            }
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def api_versions() -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    }


def _group(group: str, versions: list[str]) -> dict[str, Any]:
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}


def api_group_list(registry: Registry) -> dict[str, Any]:
    groups = [_group(g, vs) for g, vs in registry.groups() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    for g, vs in registry.groups():
        if g == group and g:
            return {"kind": "APIGroup", "apiVersion": "v1", **_group(g, vs)}
    return None


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """The legacy ``APIResourceList`` of one group version; None when it is not served."""
    resources = registry.resources(group, version)
    if not resources:
        return None
    out = []
    for rt in resources:
        entry: dict[str, Any] = {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": sorted(rt.verbs),
        }
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        entry["storageVersionHash"] = ""
        out.append(entry)
        if rt.scale is not None:
            out.append(
                {
                    "name": f"{rt.plural}/scale",
                    "singularName": "",
                    "namespaced": rt.namespaced,
                    "group": "autoscaling",
                    "version": "v1",
                    "kind": "Scale",
                    "verbs": list(SUBRESOURCE_VERBS),
                }
            )
        if rt.status:
            out.append(
                {
                    "name": f"{rt.plural}/status",
                    "singularName": "",
                    "namespaced": rt.namespaced,
                    "kind": rt.kind,
                    "verbs": list(SUBRESOURCE_VERBS),
                }
            )
        if rt.log:
            out.append(
                {
                    "name": f"{rt.plural}/log",
                    "singularName": "",
                    "namespaced": rt.namespaced,
                    "kind": "Pod",
                    "verbs": ["get"],
                }
            )
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}
