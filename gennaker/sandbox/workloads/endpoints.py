"""Endpoints and EndpointSlices for Services with a selector: the pod IPs traffic would reach.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.builtin`. Reconciles a Service on its
own events and on events of pods in its namespace whose labels match its selector (before or after the
change), plus a ticker.

For a Service with a ``selector`` (others are left to whoever manages them): every pod it selects that has
an IP and has not finished becomes an endpoint; each service port's ``targetPort`` is resolved against
the pod (a number, or a container port's name). Endpoints (``<service>``): ``subsets`` grouped by resolved
ports, ready pods in ``addresses``, others in ``notReadyAddresses`` (with ``nodeName`` and a ``targetRef``),
``publishNotReadyAddresses`` honoured, terminating pods left out. EndpointSlices (``<service>-<5 chars>``,
labels ``kubernetes.io/service-name`` and ``endpointslice.kubernetes.io/managed-by:
endpointslice-controller.k8s.io``, owned by the Service): one per port set, ``addressType: IPv4``,
endpoints with ``conditions`` ``ready``/``serving``/``terminating``. Deleting the Service removes both.
Nothing persists beyond the objects written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef, owner_reference
from ..store import Event
from .common import PODS, SERVICES, is_ready, is_terminal, is_terminating, meta, name_of, uid_of

Obj = dict[str, Any]
ENDPOINTS = ("", "endpoints")
SLICES = ("discovery.k8s.io", "endpointslices")
MANAGED_BY = "endpointslice-controller.k8s.io"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"


def selects(service: Mapping[str, Any], labels: Mapping[str, str] | None) -> bool:
    selector = (service.get("spec") or {}).get("selector") or {}
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def resolve_port(port: Mapping[str, Any], pod: Mapping[str, Any]) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == port.get("protocol", "TCP"):
                return int(p["containerPort"])
    return None


class EndpointsController(Controller):
    name = "endpoints"
    primary = SERVICES
    watches = (SERVICES, PODS)
    resync_seconds = 10.0

    def __init__(self) -> None:
        self._store: Any = None
        # namespace -> service name -> the service (kept from service events by the feeder thread, so pod
        # events are matched without touching the store)
        self._services: dict[str, dict[str, Obj]] = {}

    def setup(self, ctx: ControllerContext) -> None:
        self._store = ctx.api.store
        for svc in ctx.api.store.list_objects(SERVICES):
            self._services.setdefault(str(meta(svc).get("namespace")), {})[name_of(svc)] = svc

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        if event.key == SERVICES:
            known = self._services.setdefault(event.namespace, {})
            if event.type == "DELETED":
                known.pop(name_of(event.obj), None)
            else:
                known[name_of(event.obj)] = event.obj
            yield ObjectRef.of(SERVICES, event.obj)
            return
        labels = [meta(event.obj).get("labels")]
        if event.old is not None:
            labels.append(meta(event.old).get("labels"))
        for svc in list(self._services.get(event.namespace, {}).values()):
            if any(selects(svc, lab) for lab in labels):
                yield ObjectRef.of(SERVICES, svc)

    def resync_refs(self, ctx: ControllerContext) -> list[ObjectRef]:
        self._store = ctx.api.store
        return [ObjectRef.of(SERVICES, s) for s in ctx.api.store.list_objects(SERVICES)]

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        self._store = ctx.api.store
        svc = ctx.api.store.get(SERVICES, ref.namespace, ref.name)
        if svc is None:
            ctx.client.delete(ENDPOINTS, ref.namespace, ref.name)
            return
        if not (svc.get("spec") or {}).get("selector"):
            return
        pods = [
            p
            for p in ctx.api.store.list_objects(PODS, ref.namespace)
            if selects(svc, meta(p).get("labels"))
            and (p.get("status") or {}).get("podIP")
            and not is_terminal(p)
        ]
        groups = self.groups(svc, pods)
        self.write_endpoints(ctx, svc, groups)
        self.write_slices(ctx, svc, groups)

    def groups(self, svc: Obj, pods: list[Obj]) -> dict[tuple[tuple[str, int, str], ...], list[Obj]]:
        """Pods grouped by their resolved ports: ((name, port, protocol), ...) -> pods."""
        out: dict[tuple[tuple[str, int, str], ...], list[Obj]] = {}
        for pod in pods:
            ports = []
            for p in (svc.get("spec") or {}).get("ports") or []:
                number = resolve_port(p, pod)
                if number is not None:
                    ports.append((str(p.get("name") or ""), number, str(p.get("protocol") or "TCP")))
            out.setdefault(tuple(ports), []).append(pod)
        return out

    def write_endpoints(self, ctx: ControllerContext, svc: Obj, groups: dict[Any, list[Obj]]) -> None:
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        subsets = []
        for ports, pods in sorted(groups.items()):
            ready: list[Obj] = []
            not_ready: list[Obj] = []
            for pod in sorted(pods, key=lambda p: (p.get("status") or {}).get("podIP", "")):
                if is_terminating(pod) and not publish:
                    continue
                address: Obj = {"ip": pod["status"]["podIP"]}
                if (pod.get("spec") or {}).get("nodeName"):
                    address["nodeName"] = pod["spec"]["nodeName"]
                address["targetRef"] = {
                    "kind": "Pod",
                    "namespace": meta(pod).get("namespace"),
                    "name": name_of(pod),
                    "uid": uid_of(pod),
                }
                (ready if is_ready(pod) or publish else not_ready).append(address)
            if not ready and not not_ready:
                continue
            subset: Obj = {}
            if ready:
                subset["addresses"] = ready
            if not_ready:
                subset["notReadyAddresses"] = not_ready
            subset["ports"] = [
                {**({"name": n} if n else {}), "port": port, "protocol": proto} for n, port, proto in ports
            ]
            subsets.append(subset)
        body: Obj = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": name_of(svc), "namespace": meta(svc).get("namespace")},
        }
        labels = meta(svc).get("labels")
        if labels:
            body["metadata"]["labels"] = dict(labels)
        if subsets:
            body["subsets"] = subsets
        existing = ctx.api.store.get(ENDPOINTS, str(meta(svc).get("namespace")), name_of(svc))
        if existing is None:
            ctx.client.create(ENDPOINTS, body)
        elif existing.get("subsets") != body.get("subsets") or meta(existing).get("labels") != labels:
            body["metadata"]["resourceVersion"] = meta(existing).get("resourceVersion")
            ctx.client.update(ENDPOINTS, body)

    def write_slices(self, ctx: ControllerContext, svc: Obj, groups: dict[Any, list[Obj]]) -> None:
        ns = str(meta(svc).get("namespace"))
        existing = [
            s
            for s in ctx.client.list_owned(SLICES, uid_of(svc))
            if (meta(s).get("labels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY
        ]
        wanted = []
        for ports, pods in sorted(groups.items()):
            endpoints = []
            for pod in sorted(pods, key=lambda p: (p.get("status") or {}).get("podIP", "")):
                terminating = is_terminating(pod)
                ep: Obj = {
                    "addresses": [pod["status"]["podIP"]],
                    "conditions": {
                        "ready": is_ready(pod) and not terminating,
                        "serving": is_ready(pod),
                        "terminating": terminating,
                    },
                }
                if (pod.get("spec") or {}).get("nodeName"):
                    ep["nodeName"] = pod["spec"]["nodeName"]
                ep["targetRef"] = {
                    "kind": "Pod",
                    "namespace": meta(pod).get("namespace"),
                    "name": name_of(pod),
                    "uid": uid_of(pod),
                }
                endpoints.append(ep)
            port_list = [{"name": n, "port": port, "protocol": proto} for n, port, proto in ports]
            wanted.append((endpoints, port_list))
        if not wanted:
            wanted.append(([], []))
        labels = {
            **(meta(svc).get("labels") or {}),
            SERVICE_NAME_LABEL: name_of(svc),
            MANAGED_BY_LABEL: MANAGED_BY,
        }
        for i, (endpoints, port_list) in enumerate(wanted):
            body: Obj = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [owner_reference(svc)],
                },
                "addressType": "IPv4",
                "endpoints": endpoints,
                "ports": port_list,
            }
            if i < len(existing):
                current = existing[i]
                if (
                    current.get("endpoints") == endpoints
                    and current.get("ports") == port_list
                    and meta(current).get("labels") == labels
                ):
                    continue
                body["metadata"]["name"] = name_of(current)
                body["metadata"]["resourceVersion"] = meta(current).get("resourceVersion")
                ctx.client.update(SLICES, body)
            else:
                body["metadata"]["generateName"] = f"{name_of(svc)}-"
                ctx.client.create(SLICES, body)
        for extra in existing[len(wanted) :]:
            ctx.client.delete(SLICES, ns, name_of(extra))
