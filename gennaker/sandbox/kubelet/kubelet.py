"""The simulated kubelets: run every bound pod through its lifecycle and report it as a kubelet would.

Who calls it: registered on every sandbox (:func:`gennaker.sandbox.kubelet.install`); one controller
plays the kubelet of every node. It reconciles a pod on its events and sleeps until the pod's next
planned change (``ctx.requeue``), plus a slow ticker.

For a pod bound to a node (``spec.nodeName``):
- admission: a pod IP from the node's ``podCIDR``, the container plans (:mod:`.plan`: delays, faults,
  restart policy), remembered in memory by pod uid (after a restart, rebuilt from ``status.startTime``);
- status: :func:`.podstatus.build_status` at the current time, written through ``pods/status`` (as
  manager ``kubelet``) whenever it differs from the stored one;
- events with ``source.component: kubelet`` and ``involvedObject.fieldPath: spec.containers{name}``:
  ``Pulling``/``Pulled`` (or ``already present on machine``), ``Created``, ``Started``, ``Failed``
  (``ErrImagePull``, ``ImagePullBackOff``), ``BackOff``, ``Unhealthy`` (never-ready), ``Killing``;
- graceful deletion: a pod with a ``deletionTimestamp`` is removed (``gracePeriodSeconds=0``) after
  ``min(deletionGracePeriodSeconds, termination_seconds)``;
- terminal pods (Succeeded/Failed) are left as they are and release their IP.
Nothing is persisted by the kubelet itself; pod status is stored like any object.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef
from ..errors import ApiError
from ..simulation import Simulation
from ..store import Event, deep_copy
from ..workloads.common import NODES, PODS, is_terminal, meta, name_of, parse_time
from ..workloads.events import NORMAL, WARNING, EventRecorder
from .faults import FaultRules, container_faults
from .plan import image_size, plan_pod
from .podstatus import PodView, build_status, pull_error
from .timeline import ContainerPlan, ContainerState, Run

Obj = dict[str, Any]
UNHEALTHY_EVERY = 10.0  # seconds between repeated readiness-probe failure events


@dataclass
class _Record:
    uid: str
    node: str
    admitted: float
    inits: list[ContainerPlan]
    apps: list[ContainerPlan]
    pod_ip: str
    states: dict[str, ContainerState] = field(default_factory=dict)
    terminate_at: float | None = None
    unhealthy_at: float = 0.0


class PodIPs:
    """Pod IP allocation per node from its ``podCIDR`` (lowest free host address from .2)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_uid: dict[str, tuple[str, str]] = {}
        self._used: dict[str, set[str]] = {}

    def allocate(self, uid: str, node: Mapping[str, Any], wanted: str = "") -> str:
        with self._lock:
            if uid in self._by_uid:
                return self._by_uid[uid][1]
            node_name = name_of(node)
            used = self._used.setdefault(node_name, set())
            cidr = (node.get("spec") or {}).get("podCIDR") or "10.244.0.0/24"
            try:
                network = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                network = ipaddress.ip_network("10.244.0.0/24")
            ip = wanted if wanted and wanted not in used else ""
            if not ip:
                for i, host in enumerate(network.hosts()):
                    if i == 0:
                        continue  # .1 is the node's bridge
                    if str(host) not in used:
                        ip = str(host)
                        break
            if not ip:
                return ""
            used.add(ip)
            self._by_uid[uid] = (node_name, ip)
            return ip

    def release(self, uid: str) -> None:
        with self._lock:
            held = self._by_uid.pop(uid, None)
            if held is not None:
                self._used.get(held[0], set()).discard(held[1])


def go_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


class Kubelet(Controller):
    name = "kubelet"
    primary = PODS
    watches = (PODS,)
    resync_seconds = 30.0
    manager = "kubelet"

    def __init__(self, simulation: Simulation, faults: FaultRules) -> None:
        self.sim = simulation
        self.faults = faults
        self.ips = PodIPs()
        self._records: dict[ObjectRef, _Record] = {}
        self._pulled: dict[str, set[str]] = {}
        self._recorder: EventRecorder | None = None

    # -- triggers
    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        if event.type == "DELETED":
            yield ObjectRef.of(PODS, event.obj)
            return
        spec = event.obj.get("spec") or {}
        if spec.get("nodeName") and (not is_terminal(event.obj) or meta(event.obj).get("deletionTimestamp")):
            yield ObjectRef.of(PODS, event.obj)

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        refs = []
        for pod in ctx.api.store.list_objects(PODS):
            if (pod.get("spec") or {}).get("nodeName") and not is_terminal(pod):
                refs.append(ObjectRef.of(PODS, pod))
        return refs

    # -- reconcile
    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        pod = ctx.api.store.get(PODS, ref.namespace, ref.name)
        rec = self._records.get(ref)
        if pod is None or (rec is not None and rec.uid != meta(pod).get("uid")):
            if rec is not None:
                self.ips.release(rec.uid)
                del self._records[ref]
            if pod is None:
                return
            rec = None
        node_name = str((pod.get("spec") or {}).get("nodeName") or "")
        if not node_name:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "kubelet", enabled=self.sim.settings.pod_events)
        now = time.time()
        if rec is None:
            rec = self._admit(ctx, pod, node_name, now)
            if rec is None:
                return
            self._records[ref] = rec
        if meta(pod).get("deletionTimestamp"):
            self._terminate(ctx, ref, pod, rec, now)
            return
        if is_terminal(pod):
            self.ips.release(rec.uid)
            return
        self._follow_image_changes(pod, rec, now)
        node = ctx.api.store.get(NODES, "", node_name) or {}
        view = build_status(
            pod, rec.inits, rec.apps, now, admitted=rec.admitted, host_ip=_host_ip(node), pod_ip=rec.pod_ip
        )
        if view.status != (pod.get("status") or {}):
            new = deep_copy(pod)
            new["status"] = view.status
            try:
                written = ctx.client.update_status(PODS, new)
            except ApiError as e:
                if e.code == 404:
                    return
                raise
            self._events(written, rec, view, now)
        rec.states = view.states
        wake = [t for t in (view.next_change, self._probe_failures(pod, rec, view, now)) if t is not None]
        if view.status.get("phase") in ("Succeeded", "Failed"):
            self.ips.release(rec.uid)
        elif wake:
            ctx.requeue(ref, max(0.0, min(wake) - time.time()) + 0.001)

    def _admit(self, ctx: ControllerContext, pod: Obj, node_name: str, now: float) -> _Record | None:
        node = ctx.api.store.get(NODES, "", node_name)
        if node is None:
            return None
        status = pod.get("status") or {}
        admitted = parse_time(status.get("startTime")) or now
        uid = str(meta(pod).get("uid"))
        faults, problems = container_faults(pod, self.faults)
        inits, apps = plan_pod(pod, admitted, self.sim.settings, faults)
        ip = self.ips.allocate(uid, node, str(status.get("podIP") or ""))
        assert self._recorder is not None
        for problem in problems:
            self._recorder.event(pod, WARNING, "SandboxFaultInvalid", problem, host=node_name)
        return _Record(uid, node_name, admitted, inits, apps, ip)

    def _follow_image_changes(self, pod: Obj, rec: _Record, now: float) -> None:
        """``kubectl set image`` on a pod: its changed containers are killed and started with the new
        image (restartCount + 1), as the kubelet does when a container's definition changes."""
        images = {
            str(c.get("name")): str(c.get("image") or "")
            for c in (pod.get("spec") or {}).get("containers") or []
        }
        changed = [p for p in rec.apps if images.get(p.name, p.image) != p.image]
        if not changed:
            return
        faults, _ = container_faults(pod, self.faults)
        _, fresh = plan_pod(pod, now - self.sim.settings.start_delay, self.sim.settings, faults)
        by_name = {p.name: p for p in fresh}
        assert self._recorder is not None
        replaced = []
        for old in rec.apps:
            plan = old
            if old in changed:
                st = rec.states.get(old.name)
                base = (
                    (st.restart_count + 1) if st is not None and (st.current or st.last) else old.restart_base
                )
                self._recorder.event(
                    pod,
                    NORMAL,
                    "Killing",
                    f"Container {old.name} definition changed, will be restarted",
                    field_path=f"spec.containers{{{old.name}}}",
                    host=rec.node,
                )
                ended = st.current if st is not None and st.current is not None else None
                previous = Run(ended.started, now, 0) if ended is not None else None
                plan = replace(by_name[old.name], restart_base=base, previous=previous)
                rec.states.pop(old.name, None)
            replaced.append(plan)
        rec.apps = replaced

    def _terminate(self, ctx: ControllerContext, ref: ObjectRef, pod: Obj, rec: _Record, now: float) -> None:
        if rec.terminate_at is None:
            grace = meta(pod).get("deletionGracePeriodSeconds")
            grace = grace if isinstance(grace, int) else 30
            rec.terminate_at = now + min(float(grace), self.sim.settings.termination_seconds)
            assert self._recorder is not None
            for plan in rec.apps:
                st = rec.states.get(plan.name)
                if st is not None and st.kind == "running":
                    self._recorder.event(
                        pod,
                        NORMAL,
                        "Killing",
                        f"Stopping container {plan.name}",
                        field_path=f"spec.containers{{{plan.name}}}",
                        host=rec.node,
                    )
        if now < rec.terminate_at:
            ctx.requeue(ref, rec.terminate_at - now + 0.001)
            return
        try:
            ctx.client.delete(PODS, ref.namespace, ref.name, grace_period=0, uid=rec.uid)
        except ApiError as e:
            if e.code != 409:
                raise
        self.ips.release(rec.uid)
        self._records.pop(ref, None)

    # -- events
    def _events(self, pod: Obj, rec: _Record, view: PodView, now: float) -> None:
        assert self._recorder is not None
        for plan, init in [*((p, True) for p in rec.inits), *((p, False) for p in rec.apps)]:
            prev, cur = rec.states.get(plan.name), view.states.get(plan.name)
            if cur is None:
                continue
            path = f"spec.{'initContainers' if init else 'containers'}{{{plan.name}}}"

            def emit(etype: str, reason: str, message: str, path: str = path) -> None:
                assert self._recorder is not None
                self._recorder.event(pod, etype, reason, message, field_path=path, host=rec.node)

            if cur.pull_attempts > (prev.pull_attempts if prev else 0):
                emit(NORMAL, "Pulling", f'Pulling image "{plan.image}"')
                emit(WARNING, "Failed", f'Failed to pull image "{plan.image}": {pull_error(plan.image)}')
                emit(WARNING, "Failed", "Error: ErrImagePull")
            if cur.reason == "ImagePullBackOff" and (prev is None or prev.reason != "ImagePullBackOff"):
                emit(NORMAL, "BackOff", f'Back-off pulling image "{plan.image}"')
                emit(WARNING, "Failed", "Error: ImagePullBackOff")
            started_before = _runs(prev) if prev else 0
            for run in range(started_before, min(_runs(cur), started_before + 2)):
                self._started_events(emit, plan, rec.node, run)
            if cur.reason == "CrashLoopBackOff" and (prev is None or prev.reason != "CrashLoopBackOff"):
                m = meta(pod)
                emit(
                    WARNING,
                    "BackOff",
                    f"Back-off restarting failed container {plan.name} in pod "
                    f"{m.get('name')}_{m.get('namespace')}({m.get('uid')})",
                )

    def _started_events(self, emit: Any, plan: ContainerPlan, node: str, run: int) -> None:
        pulled = self._pulled.setdefault(node, set())
        policy_always = plan.image.rsplit("/", 1)[-1].find(":") < 0 or plan.image.endswith(":latest")
        if run == 0 and (plan.image not in pulled or policy_always):
            took = max(self.sim.settings.start_delay, 0.0)
            emit(NORMAL, "Pulling", f'Pulling image "{plan.image}"')
            emit(
                NORMAL,
                "Pulled",
                f'Successfully pulled image "{plan.image}" in {go_duration(took)} '
                f"({go_duration(took)} including waiting). Image size: {image_size(plan.image)} bytes.",
            )
            pulled.add(plan.image)
        else:
            emit(NORMAL, "Pulled", f'Container image "{plan.image}" already present on machine')
        emit(NORMAL, "Created", f"Created container: {plan.name}")
        emit(NORMAL, "Started", f"Started container {plan.name}")

    def _probe_failures(self, pod: Obj, rec: _Record, view: PodView, now: float) -> float | None:
        """Never-ready containers fail their readiness probe over and over: an ``Unhealthy`` event every
        ``UNHEALTHY_EVERY`` seconds (aggregated into one Event with a growing count). Returns when next."""
        failing = [
            plan
            for plan in rec.apps
            if plan.ready_after is None
            and plan.run_for is None
            and (st := view.states.get(plan.name)) is not None
            and st.kind == "running"
        ]
        if not failing:
            return None
        if now >= rec.unhealthy_at + UNHEALTHY_EVERY:
            rec.unhealthy_at = now
            assert self._recorder is not None
            for plan in failing:
                self._recorder.event(
                    pod,
                    WARNING,
                    "Unhealthy",
                    _probe_message(pod, plan.name, rec.pod_ip),
                    field_path=f"spec.containers{{{plan.name}}}",
                    host=rec.node,
                )
        return rec.unhealthy_at + UNHEALTHY_EVERY


def _probe_message(pod: Mapping[str, Any], container: str, ip: str) -> str:
    for c in (pod.get("spec") or {}).get("containers") or []:
        if c.get("name") != container:
            continue
        probe = c.get("readinessProbe") or {}
        tcp = probe.get("tcpSocket")
        if isinstance(tcp, dict):
            return f"Readiness probe failed: dial tcp {ip}:{tcp.get('port')}: connect: connection refused"
        if isinstance(probe.get("exec"), dict):
            return "Readiness probe failed: command failed with exit code 1"
    return "Readiness probe failed: HTTP probe failed with statuscode: 503"


def _runs(st: ContainerState) -> int:
    if st.current is None and st.last is None:
        return 0
    return st.restart_count + 1


def _host_ip(node: Mapping[str, Any]) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == "InternalIP":
            return str(addr.get("address"))
    return ""
