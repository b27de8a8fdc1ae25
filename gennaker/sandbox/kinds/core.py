"""Core (``v1``) kinds: namespaces, nodes, pods, services, configmaps, secrets, serviceaccounts, events,
persistentvolumeclaims, endpoints.

Who calls it: :func:`gennaker.sandbox.kinds.register_builtins` at start-up. Each kind is one
:class:`ResourceType` entry: its defaulters and validators are small functions below, and its Table columns.
Service cluster IPs are allocated by :mod:`gennaker.sandbox.ipalloc` through the write path's hooks.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..defaulting import default_pod_only, default_pod_spec
from ..errors import FieldError
from ..registry import Column, Registry, ResourceType
from ..tables import AGE, age, dig, field, since
from ..validation import validate_pod_spec

Obj = dict[str, Any]


# -- pods
def default_pod(obj: Obj) -> None:
    spec = obj.get("spec")
    default_pod_spec(spec)
    default_pod_only(spec)


def qos_class(spec: Any) -> str:
    """BestEffort (no requests or limits), Guaranteed (limits equal requests for cpu, memory), Burstable."""
    containers = (spec or {}).get("containers") or [] if isinstance(spec, dict) else []
    any_set, guaranteed = False, True
    for c in containers:
        res = c.get("resources") or {} if isinstance(c, dict) else {}
        limits, requests = res.get("limits") or {}, res.get("requests") or {}
        if limits or requests:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in limits or requests.get(r, limits[r]) != limits[r]:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def prepare_pod(obj: Obj) -> None:
    """On create the API server resets a Pod's status to Pending with its QoS class."""
    obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj.get("spec"))}


def validate_pod(obj: Obj, old: Obj | None) -> list[FieldError]:
    out = validate_pod_spec(obj.get("spec"), "spec")
    if old is not None:
        # Pod specs are immutable except a few fields (images, activeDeadlineSeconds, tolerations additions).
        new_spec = dict(obj.get("spec") or {})
        old_spec = dict(old.get("spec") or {})
        for s in (new_spec, old_spec):
            for k in (
                "activeDeadlineSeconds",
                "tolerations",
                "terminationGracePeriodSeconds",
                "schedulingGates",
                "nodeName",
            ):
                s.pop(k, None)
            s["containers"] = [
                {k: v for k, v in c.items() if k != "image"} for c in s.get("containers") or []
            ]
            s["initContainers"] = [
                {k: v for k, v in c.items() if k != "image"} for c in s.get("initContainers") or []
            ]
        from ..semantic import equal

        if not equal(new_spec, old_spec):
            out.append(
                errors.forbidden(
                    "spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,"
                    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                    "(allow it to be set to 1 if it was previously negative)",
                )
            )
    return out


def _pod_summary(o: Obj) -> tuple[str, int, int, str]:
    """kubectl's ``printPod``: (status reason, ready containers, restarts, restarts text)."""
    from datetime import UTC, datetime

    from ..tables import human_duration, parse_time

    status = o.get("status") or {}
    spec = o.get("spec") or {}
    reason = str(status.get("reason") or status.get("phase") or "Pending")
    restarts, ready = 0, 0
    last_restart: datetime | None = None

    def note_restart(cs: Obj) -> None:
        nonlocal last_restart
        finished = parse_time(dig(cs, "lastState", "terminated", "finishedAt"))
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished

    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    initializing = False
    sidecar_restarts, sidecar_last = 0, None
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(cs.get("restartCount") or 0)
        note_restart(cs)
        sidecar = (init_specs.get(cs.get("name")) or {}).get("restartPolicy") == "Always"
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            sidecar_last = last_restart
        terminated = dig(cs, "state", "terminated")
        waiting = dig(cs, "state", "waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated:
            reason = "Init:" + (terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}")
        elif waiting and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break
    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True" for c in status.get("conditions") or []
    )
    if not initializing or initialized:
        restarts, last_restart = sidecar_restarts, sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            note_restart(cs)
            waiting = dig(cs, "state", "waiting")
            terminated = dig(cs, "state", "terminated")
            if waiting and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated and terminated.get("reason"):
                reason = str(terminated["reason"])
            elif terminated:
                reason = f"ExitCode:{terminated.get('exitCode')}"
            elif cs.get("ready") and dig(cs, "state", "running"):
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_cond = any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
            )
            reason = "Running" if ready_cond else "NotReady"
    if dig(o, "metadata", "deletionTimestamp") and status.get("phase") not in ("Succeeded", "Failed"):
        reason = "Terminating"
    text = str(restarts)
    if restarts and last_restart is not None:
        text = f"{restarts} ({human_duration((datetime.now(UTC) - last_restart).total_seconds())} ago)"
    return reason, ready, restarts, text


def _pod_ready(o: Obj) -> str:
    spec = o.get("spec") or {}
    total = len(spec.get("containers") or []) + sum(
        1 for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"
    )
    return f"{_pod_summary(o)[1]}/{total}"


def _pod_status(o: Obj) -> str:
    return _pod_summary(o)[0]


def _pod_restarts(o: Obj) -> str:
    return _pod_summary(o)[3]


POD_COLUMNS = [
    Column("Ready", "string", _pod_ready, description="The aggregate readiness state of this pod."),
    Column(
        "Status", "string", _pod_status, description="The aggregate status of the containers in this pod."
    ),
    Column("Restarts", "string", _pod_restarts, description="The number of restarts."),
    AGE,
    Column("IP", "string", field("status", "podIP", default="<none>"), priority=1),
    Column("Node", "string", field("spec", "nodeName", default="<none>"), priority=1),
    Column("Nominated Node", "string", lambda o: "<none>", priority=1),
    Column("Readiness Gates", "string", lambda o: "<none>", priority=1),
]


# -- services
def default_service(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("type", "ClusterIP")
    if spec["type"] == "ExternalName":
        return
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
    if spec["type"] == "ClusterIP" and "status" not in obj:
        obj["status"] = {"loadBalancer": {}}


def validate_service(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    out: list[FieldError] = []
    types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    if spec.get("type") not in types:
        out.append(errors.not_supported("spec.type", spec.get("type"), types))
    if spec.get("type") != "ExternalName" and spec.get("clusterIP") != "None" and not spec.get("ports"):
        out.append(errors.required("spec.ports"))
    seen: set[Any] = set()
    for i, p in enumerate(spec.get("ports") or []):
        port = p.get("port") if isinstance(p, dict) else None
        if not isinstance(port, int) or not 0 < port < 65536:
            out.append(
                errors.invalid(f"spec.ports[{i}].port", port, "must be between 1 and 65535, inclusive")
            )
        if len(spec.get("ports") or []) > 1 and not (isinstance(p, dict) and p.get("name")):
            out.append(errors.required(f"spec.ports[{i}].name"))
        key = (port, p.get("protocol") if isinstance(p, dict) else None)
        if key in seen:
            out.append(errors.FieldError(errors.DUPLICATE, f"spec.ports[{i}]", "", p))
        seen.add(key)
    if old is not None:
        old_ip = (old.get("spec") or {}).get("clusterIP")
        if old_ip and spec.get("clusterIP") != old_ip:
            out.append(errors.immutable("spec.clusterIP", spec.get("clusterIP")))
    return out


def _service_ports(o: Obj) -> str:
    parts = []
    for p in dig(o, "spec", "ports", default=[]) or []:
        node_port = f":{p['nodePort']}" if p.get("nodePort") else ""
        parts.append(f"{p.get('port')}{node_port}/{p.get('protocol', 'TCP')}")
    return ",".join(parts) or "<none>"


def _service_selector(o: Obj) -> str:
    sel = dig(o, "spec", "selector", default={}) or {}
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"


SERVICE_COLUMNS = [
    Column("Type", "string", field("spec", "type", default="ClusterIP")),
    Column("Cluster-IP", "string", field("spec", "clusterIP", default="<none>")),
    Column(
        "External-IP",
        "string",
        lambda o: ",".join(dig(o, "spec", "externalIPs", default=[]) or []) or "<none>",
    ),
    Column("Port(s)", "string", _service_ports),
    AGE,
    Column("Selector", "string", _service_selector, priority=1),
]


# -- namespaces, nodes, config
def default_namespace(obj: Obj) -> None:
    meta = obj.setdefault("metadata", {})
    labels = meta.setdefault("labels", {})
    if isinstance(labels, dict) and meta.get("name"):
        labels["kubernetes.io/metadata.name"] = meta["name"]


def prepare_namespace(obj: Obj) -> None:
    """On create the API server adds the ``kubernetes`` finalizer and phase Active."""
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("finalizers", ["kubernetes"])
    status = obj.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("phase", "Active")


def default_secret(obj: Obj) -> None:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict):
        import base64

        data = obj.setdefault("data", {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()


def validate_config_keys(obj: Obj, old: Obj | None) -> list[FieldError]:
    import re

    out = []
    for section in ("data", "binaryData"):
        for k in obj.get(section) or {}:
            if not re.fullmatch(r"[-._a-zA-Z0-9]+", str(k)) or len(str(k)) > 253:
                out.append(
                    errors.invalid(
                        f"{section}[{k}]",
                        k,
                        "a valid config key must consist of alphanumeric "
                        "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                        "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                    )
                )
    if (
        old is not None
        and old.get("immutable")
        and (obj.get("data") != old.get("data") or obj.get("binaryData") != old.get("binaryData"))
    ):
        out.append(errors.forbidden("data", "field is immutable when `immutable` is set"))
    return out


def default_pvc(obj: Obj) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        spec.setdefault("volumeMode", "Filesystem")
    status = obj.setdefault("status", {})
    if isinstance(status, dict):
        status.setdefault("phase", "Pending")


def _node_status(o: Obj) -> str:
    for c in dig(o, "status", "conditions", default=[]) or []:
        if c.get("type") == "Ready":
            ready = "Ready" if c.get("status") == "True" else "NotReady"
            return ready + (",SchedulingDisabled" if dig(o, "spec", "unschedulable") else "")
    return "Unknown"


def _node_roles(o: Obj) -> str:
    labels = dig(o, "metadata", "labels", default={}) or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/"))
    return ",".join(roles) or "<none>"


def _data_count(o: Obj) -> int:
    return len(o.get("data") or {}) + len(o.get("binaryData") or {})


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            "",
            "v1",
            "Namespace",
            "namespaces",
            "namespace",
            False,
            short_names=("ns",),
            status=True,
            track_generation=False,
            prepare_create=[prepare_namespace],
            defaulters=[default_namespace],
            name_validation="label",
            columns=[Column("Status", "string", field("status", "phase", default="Active")), AGE],
            field_selectors={"status.phase": lambda o: dig(o, "status", "phase")},
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "Node",
            "nodes",
            "node",
            False,
            short_names=("no",),
            status=True,
            track_generation=False,
            columns=[
                Column("Status", "string", _node_status),
                Column("Roles", "string", _node_roles),
                AGE,
                Column("Version", "string", field("status", "nodeInfo", "kubeletVersion", default="")),
                Column(
                    "Internal-IP",
                    "string",
                    lambda o: next(
                        (
                            a["address"]
                            for a in dig(o, "status", "addresses", default=[]) or []
                            if a.get("type") == "InternalIP"
                        ),
                        "<none>",
                    ),
                    priority=1,
                ),
            ],
            field_selectors={
                "spec.unschedulable": lambda o: str(bool(dig(o, "spec", "unschedulable"))).lower()
            },
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "Pod",
            "pods",
            "pod",
            True,
            short_names=("po",),
            categories=("all",),
            status=True,
            log=True,
            prepare_create=[prepare_pod],
            defaulters=[default_pod],
            validators=[validate_pod],
            columns=POD_COLUMNS,
            field_selectors={
                "spec.nodeName": lambda o: dig(o, "spec", "nodeName"),
                "spec.restartPolicy": lambda o: dig(o, "spec", "restartPolicy"),
                "spec.schedulerName": lambda o: dig(o, "spec", "schedulerName"),
                "spec.serviceAccountName": lambda o: dig(o, "spec", "serviceAccountName"),
                "status.phase": lambda o: dig(o, "status", "phase"),
                "status.podIP": lambda o: dig(o, "status", "podIP"),
                "status.nominatedNodeName": lambda o: dig(o, "status", "nominatedNodeName"),
            },
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "Service",
            "services",
            "service",
            True,
            short_names=("svc",),
            categories=("all",),
            status=True,
            track_generation=False,
            defaulters=[default_service],
            validators=[validate_service],
            columns=SERVICE_COLUMNS,
            name_validation="dns1035",
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "ConfigMap",
            "configmaps",
            "configmap",
            True,
            short_names=("cm",),
            track_generation=False,
            validators=[validate_config_keys],
            columns=[Column("Data", "integer", _data_count), AGE],
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "Secret",
            "secrets",
            "secret",
            True,
            track_generation=False,
            defaulters=[default_secret],
            validators=[validate_config_keys],
            columns=[
                Column("Type", "string", field("type", default="Opaque")),
                Column("Data", "integer", _data_count),
                AGE,
            ],
            field_selectors={"type": lambda o: o.get("type")},
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            "serviceaccount",
            True,
            short_names=("sa",),
            track_generation=False,
            columns=[Column("Secrets", "string", lambda o: str(len(o.get("secrets") or []))), AGE],
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "Event",
            "events",
            "event",
            True,
            short_names=("ev",),
            track_generation=False,
            columns=[
                Column(
                    "Last Seen",
                    "string",
                    lambda o: since(o["lastTimestamp"]) if o.get("lastTimestamp") else age(o),
                ),
                Column("Type", "string", field("type", default="")),
                Column("Reason", "string", field("reason", default="")),
                Column(
                    "Object",
                    "string",
                    lambda o: (
                        f"{dig(o, 'involvedObject', 'kind', default='').lower()}/"
                        f"{dig(o, 'involvedObject', 'name', default='')}"
                    ),
                ),
                Column("Message", "string", field("message", default="")),
            ],
            field_selectors={
                "involvedObject.kind": lambda o: dig(o, "involvedObject", "kind"),
                "involvedObject.name": lambda o: dig(o, "involvedObject", "name"),
                "involvedObject.namespace": lambda o: dig(o, "involvedObject", "namespace"),
                "involvedObject.uid": lambda o: dig(o, "involvedObject", "uid"),
                "involvedObject.apiVersion": lambda o: dig(o, "involvedObject", "apiVersion"),
                "involvedObject.resourceVersion": lambda o: dig(o, "involvedObject", "resourceVersion"),
                "involvedObject.fieldPath": lambda o: dig(o, "involvedObject", "fieldPath"),
                "reason": lambda o: o.get("reason"),
                "reportingComponent": lambda o: o.get("reportingComponent"),
                "source": lambda o: dig(o, "source", "component"),
                "type": lambda o: o.get("type"),
            },
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            "persistentvolumeclaim",
            True,
            short_names=("pvc",),
            status=True,
            track_generation=False,
            defaulters=[default_pvc],
            columns=[
                Column("Status", "string", field("status", "phase", default="Pending")),
                Column("Volume", "string", field("spec", "volumeName", default="")),
                Column("Capacity", "string", field("status", "capacity", "storage", default="")),
                Column(
                    "Access Modes", "string", lambda o: ",".join(dig(o, "spec", "accessModes", default=[]))
                ),
                Column("StorageClass", "string", field("spec", "storageClassName", default="<unset>")),
                AGE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "",
            "v1",
            "Endpoints",
            "endpoints",
            "endpoints",
            True,
            short_names=("ep",),
            track_generation=False,
        )
    )
