"""Canary server groups: the baseline and canary workloads built from production, and Istio route weights.

Who calls it: :mod:`gennaker.kubernetes.stages.canary_server_groups` (``deployCanaryServerGroups`` and
``cleanupCanaryClusters``, planned by ``kayentaCanary`` when its context has ``deployments``). Pure
functions: no cluster access here.

A server group is a copy of a production workload (Deployment or ReplicaSet) under a new name, with:

- the pod template of its source (the current production version for the baseline, the new version's
  manifest, or production with a new image, for the canary), minus ``pod-template-hash``;
- every template label kept, so the production Services (which select those labels) send it traffic: with
  N production replicas and one baseline and one canary replica, each gets about 1/(N+2) of the requests;
- the label :data:`SCOPE_LABEL` = the server group's name on the workload, its selector and its pods, so
  the two groups never share pods with production and the metric source can tell them apart (the sandbox's
  ``/metrics`` exposes it as ``canary_gennaker_io_scope``; pod names start with the same name too).

With Istio, a ``VirtualService`` routing to a production Service gets weighted routes to one Service per
server group (:func:`weighted_http`); its original ``spec.http`` is kept in the annotation
:data:`ORIGINAL_ROUTES` (``{"canary": <canary name>, "http": [...]}``) so cleanup restores exactly it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

SCOPE_LABEL = "canary.gennaker.io/scope"
ORIGINAL_ROUTES = "canary.gennaker.io/original-http"
HASH_LABEL = "pod-template-hash"
SERVER_GROUP_KINDS = ("Deployment", "ReplicaSet")


class CanaryManifestError(ValueError):
    """A production workload or new manifest that cannot be turned into a server group."""


def without_hash(labels: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (labels or {}).items() if k != HASH_LABEL}


def server_group_manifest(
    source: Mapping[str, Any],
    *,
    name: str,
    namespace: str,
    replicas: int,
    image: str | None = None,
    container: str | None = None,
    where: str = "baseline",
) -> dict[str, Any]:
    """A new workload named ``name`` running ``source``'s pod template (with ``image`` on ``container``, or on
    the only container, when given). Raises :class:`CanaryManifestError` naming ``where``."""
    kind = str(source.get("kind") or "")
    if kind not in SERVER_GROUP_KINDS:
        raise CanaryManifestError(
            f"{where}: a canary server group is made from a {' or '.join(SERVER_GROUP_KINDS)}, not {kind!r}"
        )
    spec = source.get("spec") or {}
    template = copy.deepcopy(dict(spec.get("template") or {}))
    if not template.get("spec"):
        raise CanaryManifestError(
            f"{where}: {kind} {source.get('metadata', {}).get('name')} has no pod template"
        )
    template_meta = dict(template.get("metadata") or {})
    labels = {**without_hash(template_meta.get("labels")), SCOPE_LABEL: name}
    template_meta["labels"] = labels
    template_meta.pop("name", None)
    template["metadata"] = template_meta
    if image is not None:
        _set_image(template["spec"], image, container, where)
    selector = dict(spec.get("selector") or {})
    match_labels = without_hash(selector.get("matchLabels"))
    return {
        "apiVersion": str(source.get("apiVersion") or "apps/v1"),
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {**without_hash((source.get("metadata") or {}).get("labels")), SCOPE_LABEL: name},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {**match_labels, SCOPE_LABEL: name}},
            "template": template,
        },
    }


def _set_image(pod_spec: dict[str, Any], image: str, container: str | None, where: str) -> None:
    containers = pod_spec.get("containers") or []
    if container is None:
        if len(containers) != 1:
            raise CanaryManifestError(
                f"{where}.container: the pod has {len(containers)} containers; name the one to give {image}"
            )
        containers[0]["image"] = image
        return
    for c in containers:
        if c.get("name") == container:
            c["image"] = image
            return
    names = ", ".join(str(c.get("name")) for c in containers)
    raise CanaryManifestError(f"{where}.container: no container {container!r} (the pod has {names})")


def selects(service: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a Service's selector selects pods with ``labels`` (a Service without selector selects none)."""
    selector = (service.get("spec") or {}).get("selector") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def server_group_service(prod: Mapping[str, Any], name: str, namespace: str) -> dict[str, Any]:
    """A Service with ``prod``'s ports selecting only the server group ``name`` (an Istio route target)."""
    ports = [
        {k: v for k, v in p.items() if k != "nodePort"} for p in (prod.get("spec") or {}).get("ports") or []
    ]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {SCOPE_LABEL: name}},
        "spec": {"selector": {SCOPE_LABEL: name}, "ports": ports},
    }


def canary_weight(prod_replicas: int, replicas: int) -> int:
    """The percentage of traffic each of baseline and canary gets by replica ratio (at least 1)."""
    total = max(prod_replicas, 0) + 2 * replicas
    return max(1, min(49, round(100 * replicas / total))) if total else 1


def _short_host(host: str, namespace: str) -> str:
    for suffix in (f".{namespace}.svc.cluster.local", f".{namespace}.svc", f".{namespace}"):
        if host.endswith(suffix):
            return host[: -len(suffix)]
    return host


def weighted_http(
    http: Sequence[Mapping[str, Any]],
    *,
    services: Sequence[str],
    namespace: str,
    baseline: str,
    canary: str,
    weight: int,
) -> list[dict[str, Any]] | None:
    """``http`` with, in every route that sends traffic to one of ``services``, ``weight`` % to the
    ``baseline`` and ``canary`` Services each and the rest shared by the old destinations in their old
    proportions. None when no route goes to ``services`` (nothing to change)."""
    out: list[dict[str, Any]] = []
    changed = False
    for given in http:
        rule = copy.deepcopy(dict(given))
        routes = list(rule.get("route") or [])
        prod = [
            r
            for r in routes
            if _short_host(str((r.get("destination") or {}).get("host")), namespace) in services
        ]
        if prod:
            changed = True
            old_total = sum(int(r.get("weight", 0) or 0) for r in routes) or 100
            remaining = 100 - 2 * weight
            scaled = []
            for r in routes:
                share = int(r.get("weight", 0) or 0) if len(routes) > 1 else old_total
                scaled.append({**r, "weight": share * remaining // old_total})
            scaled[0]["weight"] += remaining - sum(r["weight"] for r in scaled)  # rounding to the first
            port = (prod[0].get("destination") or {}).get("port")
            extra = []
            for host in (baseline, canary):
                destination: dict[str, Any] = {"host": host}
                if port is not None:
                    destination["port"] = copy.deepcopy(port)
                extra.append({"destination": destination, "weight": weight})
            rule["route"] = scaled + extra
        out.append(rule)
    return out if changed else None


def original_routes(virtual_service: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``{"canary", "http"}`` a canary deployment saved on the VirtualService, if any."""
    text = ((virtual_service.get("metadata") or {}).get("annotations") or {}).get(ORIGINAL_ROUTES)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
