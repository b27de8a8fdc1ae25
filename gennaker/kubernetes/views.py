"""What the API shows about Kubernetes objects, in Clouddriver's JSON shapes (served through Gate's routes).

Who calls it: the API engineer's routes (``GET /manifests/{account}/{location}/{name}``, the dynamic
target route, ``/credentials``), and later the classic view (applications -> clusters -> server groups ->
instances, load balancers, firewalls), all from the cache.

- ``manifest_view``: Clouddriver's ``KubernetesManifestContainer``: ``{account, name, location, manifest,
  status, moniker, artifacts, events, warnings}`` (``status`` = the four conditions, fail-fast pod
  problems folded into ``stable``'s message; ``events`` = the object's core/v1 Events, newest last);
- ``cluster_manifests``: the objects of one application and moniker cluster (``GET
  /manifests/{account}/{location}/{kind}/cluster/{app}/{cluster}``), and ``dynamic_target`` the one a
  criteria picks (``.../dynamic/{criteria}``);
- ``application_summary``: per application, its objects grouped the classic way (``serverGroupManagers``,
  ``serverGroups``, ``instances``, ``loadBalancers``, ``securityGroups``, ``configs``) with accounts,
  namespaces and monikers: the base the classic cluster view builds on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gennaker.artifacts.produced import artifacts_from_resource
from gennaker.kubernetes.errors import TargetNotFoundError
from gennaker.kubernetes.kinds import KINDS
from gennaker.kubernetes.manifests.names import name_of, parse_manifest_name
from gennaker.kubernetes.moniker import moniker_of
from gennaker.kubernetes.stability import evaluate
from gennaker.kubernetes.targets import pick

if TYPE_CHECKING:
    from gennaker.kubernetes.service import KubernetesService


def manifest_view(service: KubernetesService, account: str, location: str, name: str) -> dict[str, Any]:
    """``GET /manifests/{account}/{location}/{kind name}``; ``TargetNotFoundError`` when it does not exist."""
    kind, obj_name = parse_manifest_name(name)
    obj = service.live_object(account, kind, location, obj_name)
    if obj is None:
        raise TargetNotFoundError(f"{name} does not exist in namespace {location} of account {account}")
    handler = service.handler(account, kind)
    verdict = evaluate(
        obj,
        handler,
        service.cache.index(account),
        key=f"{location}/{name}",
        first_seen={},
        now_ms=0,
        grace_ms=None,
    )
    events = []
    event_kind = KINDS.find("Event")
    uid = (obj.get("metadata") or {}).get("uid")
    if event_kind is not None and uid and handler.namespaced:
        items, _ = service.client(account).list(
            event_kind, location, field_selector=f"involvedObject.uid={uid}"
        )
        events = sorted(items, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return {
        "account": account,
        "name": name_of(obj),
        "location": location,
        "manifest": obj,
        "status": verdict.status.to_json(),
        "moniker": moniker_of(obj).to_json(),
        "artifacts": [a.to_json() for a in artifacts_from_resource(obj, account)],
        "events": events,
        "warnings": [p.describe() for p in verdict.problems],
    }


def cluster_manifests(
    service: KubernetesService, account: str, location: str, *, kind: str, app: str, cluster: str
) -> list[dict[str, Any]]:
    """The objects of ``kind`` in one application's moniker cluster."""
    handler = service.handler(account, kind)
    return service.select(account, kind=handler.kind, namespace=location, app=app, cluster=cluster)


def dynamic_target(
    service: KubernetesService,
    account: str,
    location: str,
    *,
    kind: str,
    app: str,
    cluster: str,
    criteria: str,
) -> dict[str, Any] | None:
    """The object ``criteria`` (newest, second_newest, oldest, largest, smallest) picks in the cluster."""
    chosen = pick(
        cluster_manifests(service, account, location, kind=kind, app=app, cluster=cluster), criteria
    )
    return dict(chosen) if chosen is not None else None


def application_summary(service: KubernetesService, app: str) -> dict[str, list[dict[str, Any]]]:
    """Every cached object of ``app`` in every account, by classic category."""
    out: dict[str, list[dict[str, Any]]] = {}
    for account, obj in service.cache.application_objects(app):
        handler = KINDS.find(str(obj.get("kind") or ""))
        category = handler.spinnaker_kind if handler else "unclassified"
        metadata = obj.get("metadata") or {}
        out.setdefault(category, []).append(
            {
                "account": account,
                "name": name_of(obj),
                "location": metadata.get("namespace") or "",
                "moniker": moniker_of(obj).to_json(),
                "createdTime": metadata.get("creationTimestamp"),
                "status": handler.status(obj).to_json() if handler else None,
            }
        )
    return out
