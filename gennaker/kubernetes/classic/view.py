"""The classic view of one application: clusters, server groups, instances, load balancers, firewalls.

Who calls it: the API's classic router. Everything is read from the watch cache (``service.cache``): one
snapshot of the application's objects per account (``Snapshot``), then pure functions that shape them
as Clouddriver does for its Kubernetes provider, so a request costs no kubectl fork and no API round trip.

Concepts (Spinnaker's, from the moniker annotations; see ``gennaker.kubernetes.moniker``):
- a *server group* is a ReplicaSet, StatefulSet, DaemonSet, Job or ReplicationController (kinds whose
  ``spinnaker_kind`` is ``serverGroups``); its ``name`` is the manifest name (``replicaSet web-v001``)
  and ``displayName`` the object's name; ``region`` is the namespace;
- a *server group manager* is a Deployment, with the ReplicaSets it controls as its server groups;
- a *cluster* is the moniker cluster (``replicaSet web``, ``deployment web``) of server groups;
- an *instance* is a pod the server group controls (``health``);
- a *load balancer* is a Service or an Ingress; it fronts the server groups whose pod template labels
  carry its selector (an Ingress: those of its backend Services);
- a *firewall* (Spinnaker's security group) is a NetworkPolicy; it applies to the server groups whose pod
  template labels match its ``podSelector``.

A server group is ``disabled`` when it names load balancers (``traffic.spinnaker.io/load-balancers``)
and none of them selects its pods: exactly what ``disableManifest`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gennaker.kubernetes.classic import health
from gennaker.kubernetes.kinds import KINDS
from gennaker.kubernetes.manifests import traffic as tr
from gennaker.kubernetes.manifests.names import name_of
from gennaker.kubernetes.moniker import moniker_of

if TYPE_CHECKING:
    from gennaker.kubernetes.cache.index import ObjectIndex
    from gennaker.kubernetes.service import KubernetesService

Obj = Mapping[str, Any]


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _epoch_ms(timestamp: Any) -> int | None:
    if not timestamp:
        return None
    try:
        return int(datetime.fromisoformat(str(timestamp).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def template_labels(obj: Obj) -> Mapping[str, Any]:
    """The labels of the pods a workload creates."""
    return (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A Service selector (non-empty) is a subset of ``labels``."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def label_selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A ``LabelSelector`` (matchLabels + matchExpressions); an empty one matches everything."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if (
            (op == "In" and labels.get(key) not in values)
            or (op == "NotIn" and present and labels.get(key) in values)
            or (op == "Exists" and not present)
            or (op == "DoesNotExist" and present)
        ):
            return False
    return True


def desired(obj: Obj) -> int:
    """How many pods the server group wants (DaemonSet: scheduled nodes; Job: parallelism)."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    kind = obj.get("kind")
    if kind == "DaemonSet":
        return int(status.get("desiredNumberScheduled") or 0)
    if kind == "Job":
        return int(spec.get("parallelism", 1) or 0)
    replicas = spec.get("replicas")
    return 1 if replicas is None else int(replicas)


def images(obj: Obj) -> list[str]:
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [str(c.get("image")) for c in spec.get("containers") or [] if c.get("image")]


def ref(account: str, obj: Obj) -> dict[str, Any]:
    """A short reference to an object: Clouddriver's ``{account, location, name}`` plus moniker."""
    return {
        "account": account,
        "location": str(_meta(obj).get("namespace") or ""),
        "region": str(_meta(obj).get("namespace") or ""),
        "name": name_of(obj),
        "displayName": str(_meta(obj).get("name") or ""),
        "moniker": moniker_of(obj).to_json(),
    }


@dataclass
class Snapshot:
    """One account's objects of one application, by classic category (read once from the cache)."""

    account: str
    server_groups: list[Obj] = field(default_factory=list)
    managers: list[Obj] = field(default_factory=list)
    load_balancers: list[Obj] = field(default_factory=list)
    firewalls: list[Obj] = field(default_factory=list)
    pods_by_owner: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_uid: dict[str, Obj] = field(default_factory=dict)
    services_by_name: dict[tuple[str, str], Obj] = field(default_factory=dict)

    @classmethod
    def take(cls, service: KubernetesService, account: str, app: str) -> Snapshot:
        return cls.of(service.cache.index(account), account, app)

    @classmethod
    def of(cls, index: ObjectIndex, account: str, app: str) -> Snapshot:
        """The snapshot of ``app`` in one account's index."""
        snap = cls(account)
        categories = {
            "serverGroups": snap.server_groups,
            "serverGroupManagers": snap.managers,
            "loadBalancers": snap.load_balancers,
            "securityGroups": snap.firewalls,
        }
        for obj in index.select(app=app):
            handler = KINDS.find(str(obj.get("kind") or ""))
            if handler is not None and handler.spinnaker_kind in categories:
                categories[handler.spinnaker_kind].append(obj)
                snap.by_uid[str(_meta(obj).get("uid") or "")] = obj
        for sg in snap.server_groups:
            uid = str(_meta(sg).get("uid") or "")
            snap.pods_by_owner[uid] = list(index.owned_by(uid, "Pod"))
        # Services named by a server group's traffic annotation may belong to no application.
        for obj in index.select(kind="Service"):
            snap.services_by_name[(str(_meta(obj).get("namespace") or ""), str(_meta(obj).get("name")))] = obj
        return snap

    def named_services(self, sg: Obj) -> list[Obj]:
        """The live Services the server group's traffic annotation names."""
        namespace = str(_meta(sg).get("namespace") or "")
        out = []
        for value in tr.load_balancers(sg):
            kind, _, name = value.partition(" ")
            found = self.services_by_name.get((namespace, name.strip()))
            if kind.lower() == "service" and found is not None:
                out.append(found)
        return out

    def fronting(self, sg: Obj) -> list[Obj]:
        """The application's load balancers that select the server group's pods (plus the named ones)."""
        namespace = _meta(sg).get("namespace")
        labels = template_labels(sg)
        found: dict[str, Obj] = {}
        services = [lb for lb in self.load_balancers if lb.get("kind") == "Service"]
        for svc in [*services, *self.named_services(sg)]:
            if _meta(svc).get("namespace") == namespace and selector_matches(tr.selector_of(svc), labels):
                found[name_of(svc)] = svc
        for ing in self.load_balancers:
            if ing.get("kind") == "Ingress" and _meta(ing).get("namespace") == namespace:
                backends = ingress_services(ing)
                if any(name_of(s) in found for s in self._services_named(str(namespace), backends)):
                    found[name_of(ing)] = ing
        return list(found.values())

    def _services_named(self, namespace: str, names: Iterable[str]) -> list[Obj]:
        return [
            self.services_by_name[(namespace, n)] for n in names if (namespace, n) in self.services_by_name
        ]

    def manager_of(self, sg: Obj) -> Obj | None:
        for owner in _meta(sg).get("ownerReferences") or []:
            if owner.get("controller") and owner.get("kind") == "Deployment":
                return self.by_uid.get(str(owner.get("uid")))
        return None


def ingress_services(ingress: Obj) -> list[str]:
    """Names of the Services an Ingress routes to (default backend and rules)."""
    spec = ingress.get("spec") or {}
    backends = [spec.get("defaultBackend") or spec.get("backend") or {}]
    for rule in spec.get("rules") or []:
        backends += [p.get("backend") or {} for p in ((rule.get("http") or {}).get("paths") or [])]
    names = []
    for b in backends:
        name = (b.get("service") or {}).get("name") or b.get("serviceName")
        if name and name not in names:
            names.append(str(name))
    return names


def server_group(snap: Snapshot, sg: Obj, *, with_instances: bool = True) -> dict[str, Any]:
    """A server group in Clouddriver's Kubernetes shape (see the module docstring)."""
    meta = _meta(sg)
    moniker = moniker_of(sg)
    named = snap.named_services(sg)
    lbs = snap.fronting(sg)
    instances = [
        health.instance(p, snap.account, named)
        for p in snap.pods_by_owner.get(str(meta.get("uid") or ""), [])
    ]
    size = desired(sg)
    manager = snap.manager_of(sg)
    disabled = bool(tr.load_balancers(sg)) and not tr.is_enabled(sg, named)
    handler = KINDS.find(str(sg.get("kind")))
    out: dict[str, Any] = {
        **ref(snap.account, sg),
        "type": "kubernetes",
        "cloudProvider": "kubernetes",
        "kind": handler.name if handler else str(sg.get("kind")),
        "namespace": str(meta.get("namespace") or ""),
        "cluster": moniker.cluster,
        "application": moniker.app,
        "createdTime": _epoch_ms(meta.get("creationTimestamp")),
        "capacity": {"min": size, "max": size, "desired": size},
        "instanceCounts": health.counts(instances),
        "disabled": disabled,
        "buildInfo": {"images": images(sg)},
        "loadBalancers": sorted({*tr.load_balancers(sg), *(name_of(lb) for lb in lbs)}),
        "securityGroups": [name_of(f) for f in snap.firewalls if applies_to(f, sg)],
        "serverGroupManagers": [ref(snap.account, manager)] if manager is not None else [],
        "labels": dict(meta.get("labels") or {}),
        "zones": [],
    }
    if with_instances:
        out["instances"] = instances
    return out


def applies_to(policy: Obj, sg: Obj) -> bool:
    return _meta(policy).get("namespace") == _meta(sg).get("namespace") and label_selector_matches(
        (policy.get("spec") or {}).get("podSelector") or {}, template_labels(sg)
    )


def _status(obj: Obj) -> dict[str, Any] | None:
    handler = KINDS.find(str(obj.get("kind") or ""))
    return handler.status(obj).to_json() if handler is not None else None


def server_group_manager(snap: Snapshot, deployment: Obj) -> dict[str, Any]:
    uid = str(_meta(deployment).get("uid") or "")
    owned = [
        sg
        for sg in snap.server_groups
        if any(o.get("uid") == uid for o in _meta(sg).get("ownerReferences") or [])
    ]
    return {
        **ref(snap.account, deployment),
        "cloudProvider": "kubernetes",
        "kind": "deployment",
        "cluster": moniker_of(deployment).cluster,
        "createdTime": _epoch_ms(_meta(deployment).get("creationTimestamp")),
        "status": _status(deployment),
        "serverGroups": [ref(snap.account, sg) for sg in owned],
    }


def load_balancer(snap: Snapshot, lb: Obj) -> dict[str, Any]:
    # what it selects, plus the disabled server groups that name it (their pods wait to come back)
    fronted = [
        sg
        for sg in snap.server_groups
        if name_of(lb) in tr.load_balancers(sg) or any(name_of(x) == name_of(lb) for x in snap.fronting(sg))
    ]
    spec = lb.get("spec") or {}
    return {
        **ref(snap.account, lb),
        "type": "kubernetes",
        "cloudProvider": "kubernetes",
        "kind": str(lb.get("kind") or "")[:1].lower() + str(lb.get("kind") or "")[1:],
        "namespace": str(_meta(lb).get("namespace") or ""),
        "createdTime": _epoch_ms(_meta(lb).get("creationTimestamp")),
        "selector": tr.selector_of(lb) if lb.get("kind") == "Service" else None,
        "ports": spec.get("ports") or [],
        "backendServices": ingress_services(lb) if lb.get("kind") == "Ingress" else [],
        "serverGroups": [
            {
                **ref(snap.account, sg),
                "isDisabled": bool(tr.load_balancers(sg)) and not tr.is_enabled(sg, snap.named_services(sg)),
                "instances": [
                    {"name": i["name"], "healthState": i["healthState"]}
                    for i in server_group(snap, sg)["instances"]
                ],
            }
            for sg in fronted
        ],
    }


def firewall(snap: Snapshot, policy: Obj) -> dict[str, Any]:
    spec = policy.get("spec") or {}
    return {
        **ref(snap.account, policy),
        "id": name_of(policy),
        "type": "kubernetes",
        "cloudProvider": "kubernetes",
        "kind": "networkPolicy",
        "podSelector": spec.get("podSelector") or {},
        "policyTypes": spec.get("policyTypes") or ["Ingress"],
        "inboundRules": spec.get("ingress") or [],
        "outboundRules": spec.get("egress") or [],
        "serverGroups": [ref(snap.account, sg) for sg in snap.server_groups if applies_to(policy, sg)],
    }


class ClassicView:
    """The classic view of the cached objects (see the module docstring). Accounts whose cache is not
    being watched (misconfigured) are skipped; ``accounts`` narrows to one."""

    def __init__(self, service: KubernetesService) -> None:
        self.service = service

    def snapshots(self, app: str, account: str | None = None) -> list[Snapshot]:
        if account is not None:
            self.service.account(account)  # UnknownAccountError naming the known ones
            names = [account]
        else:
            names = self.service.cache.accounts()
        return [
            Snapshot.take(self.service, name, app) for name in names if name in self.service.cache.accounts()
        ]

    def cluster_names(self, app: str) -> dict[str, list[str]]:
        """Gate's ``{account: [cluster, ...]}``."""
        out: dict[str, list[str]] = {}
        for snap in self.snapshots(app):
            names = {moniker_of(o).cluster for o in [*snap.server_groups, *snap.managers]}
            if names:
                out[snap.account] = sorted(n for n in names if n)
        return out

    def clusters(self, app: str, account: str, cluster: str) -> list[dict[str, Any]]:
        """Clouddriver's cluster view models (one: Kubernetes), [] when the cluster has nothing."""
        out = []
        for snap in self.snapshots(app, account):
            groups = [
                server_group(snap, sg) for sg in snap.server_groups if moniker_of(sg).cluster == cluster
            ]
            managers = [
                server_group_manager(snap, d) for d in snap.managers if moniker_of(d).cluster == cluster
            ]
            if not groups and not managers:
                continue
            lbs = sorted({lb for g in groups for lb in g["loadBalancers"]})
            out.append(
                {
                    "name": cluster,
                    "account": snap.account,
                    "application": app,
                    "type": "kubernetes",
                    "moniker": {"app": app, "cluster": cluster},
                    "serverGroups": groups,
                    "serverGroupManagers": managers,
                    "loadBalancers": lbs,
                }
            )
        return out

    def server_groups(self, app: str, *, with_instances: bool = True) -> list[dict[str, Any]]:
        return [
            server_group(snap, sg, with_instances=with_instances)
            for snap in self.snapshots(app)
            for sg in snap.server_groups
        ]

    def server_group(self, app: str, account: str, region: str, name: str) -> dict[str, Any] | None:
        """One server group by ``replicaSet web-v000`` or bare ``web-v000`` (any server-group kind)."""
        for snap in self.snapshots(app, account):
            for sg in snap.server_groups:
                meta = _meta(sg)
                if meta.get("namespace") == region and name in (name_of(sg), meta.get("name")):
                    return server_group(snap, sg)
        return None

    def server_group_managers(self, app: str) -> list[dict[str, Any]]:
        return [server_group_manager(snap, d) for snap in self.snapshots(app) for d in snap.managers]

    def load_balancers(self, app: str) -> list[dict[str, Any]]:
        return [load_balancer(snap, lb) for snap in self.snapshots(app) for lb in snap.load_balancers]

    def firewalls(self, app: str) -> list[dict[str, Any]]:
        return [firewall(snap, f) for snap in self.snapshots(app) for f in snap.firewalls]
