"""The simulated kube-scheduler: binds each pending pod to a Ready node it fits on.

Who calls it: registered on every sandbox with the kubelet (:func:`gennaker.sandbox.kubelet.install`).
Reconciles pods without ``spec.nodeName`` on their events and when nodes change, plus a ticker.

A node fits a pod when it is Ready and schedulable, its labels satisfy the pod's ``nodeSelector`` and
required node affinity (``matchExpressions`` on labels, ``matchFields`` on ``metadata.name``, which is how
DaemonSet pods target their node), the pod tolerates its ``NoSchedule``/``NoExecute`` taints, and it runs
fewer pods than its ``allocatable.pods``. Among fitting nodes the least loaded wins (ties by name). The
binding (``SystemClient.bind_pod``) sets ``nodeName`` and ``PodScheduled`` in one write; a ``Scheduled``
event records it. When nothing fits, the pod gets ``PodScheduled=False`` (reason ``Unschedulable``) with
the scheduler's message (``0/3 nodes are available: 3 Too many pods. ...``), a ``FailedScheduling``
event, and is retried after 1 s doubling to 10 s (and at once when a node changes). Pod counts per node
are kept in memory from pod events.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef
from ..errors import ApiError
from ..store import Event, deep_copy
from ..workloads.common import NODES, PODS, get_condition, is_terminal, meta, name_of, rfc3339
from ..workloads.events import NORMAL, WARNING, EventRecorder

Obj = dict[str, Any]
_RETRY_FIRST, _RETRY_MAX = 1.0, 10.0  # kube-scheduler's unschedulable back-off (1 s doubling to 10 s)


class NodeLoad:
    """Which node each non-terminal pod is on (by uid), counted per node; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._where: dict[str, str] = {}
        self._counts: Counter[str] = Counter()

    def assign(self, uid: str, node: str) -> None:
        with self._lock:
            old = self._where.get(uid)
            if old == node:
                return
            if old is not None:
                self._counts[old] -= 1
            self._where[uid] = node
            self._counts[node] += 1

    def release(self, uid: str) -> None:
        with self._lock:
            old = self._where.pop(uid, None)
            if old is not None:
                self._counts[old] -= 1

    def count(self, node: str) -> int:
        with self._lock:
            return self._counts[node]


def node_ready(node: Mapping[str, Any]) -> bool:
    cond = get_condition(node.get("status"), "Ready")
    return cond is not None and cond.get("status") == "True"


def _expr_matches(expr: Mapping[str, Any], value: str | None) -> bool:
    op, values = expr.get("operator"), [str(v) for v in expr.get("values") or []]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and values:
        try:
            return int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0])
        except ValueError:
            return False
    return False


def affinity_matches(pod: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """``nodeSelector`` and required node affinity (terms ORed, expressions ANDed)."""
    spec = pod.get("spec") or {}
    labels = meta(node).get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    for term in terms:
        exprs = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        if not exprs and not fields:
            continue
        if all(_expr_matches(e, labels.get(str(e.get("key")))) for e in exprs) and all(
            _expr_matches(f, name_of(node) if f.get("key") == "metadata.name" else None) for f in fields
        ):
            return True
    return False


def tolerates(pod: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    tolerations = (pod.get("spec") or {}).get("tolerations") or []
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not any(_tolerates(t, taint) for t in tolerations):
            return False
    return True


def _tolerates(t: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    if t.get("effect") and t.get("effect") != taint.get("effect"):
        return False
    if t.get("operator") == "Exists":
        return not t.get("key") or t.get("key") == taint.get("key")
    return t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or "")


def capacity(node: Mapping[str, Any]) -> int:
    try:
        return int(((node.get("status") or {}).get("allocatable") or {}).get("pods", 110))
    except (TypeError, ValueError):
        return 110


class Scheduler(Controller):
    name = "scheduler"
    primary = PODS
    watches = (PODS, NODES)
    resync_seconds = 5.0
    manager = "default-scheduler"

    def __init__(self, *, events: bool = True) -> None:
        self.load = NodeLoad()
        self._attempts: dict[str, int] = {}  # unschedulable pods (by uid) -> tries so far
        self._events = events
        self._recorder: EventRecorder | None = None
        self._store: Any = None

    def setup(self, ctx: ControllerContext) -> None:
        self._store = ctx.api.store

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        if event.key == NODES:
            if self._store is not None:
                yield from self._pending(self._store.list_objects(PODS))
            return
        uid = str(meta(event.obj).get("uid") or "")
        node = str((event.obj.get("spec") or {}).get("nodeName") or "")
        if event.type == "DELETED" or is_terminal(event.obj):
            self.load.release(uid)
            self._attempts.pop(uid, None)
        elif node:
            self.load.assign(uid, node)
        elif not meta(event.obj).get("deletionTimestamp"):
            yield ObjectRef.of(PODS, event.obj)

    def _pending(self, pods: Iterable[Obj]) -> Iterator[ObjectRef]:
        for p in pods:
            if not (p.get("spec") or {}).get("nodeName") and not meta(p).get("deletionTimestamp"):
                yield ObjectRef.of(PODS, p)

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        self._store = ctx.api.store
        pods = ctx.api.store.list_objects(PODS)
        for p in pods:
            node = (p.get("spec") or {}).get("nodeName")
            if node and not is_terminal(p):
                self.load.assign(str(meta(p).get("uid")), str(node))
        return list(self._pending(pods))

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        self._store = ctx.api.store
        pod = ctx.api.store.get(PODS, ref.namespace, ref.name)
        if pod is None or (pod.get("spec") or {}).get("nodeName") or meta(pod).get("deletionTimestamp"):
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "default-scheduler", enabled=self._events)
        nodes = ctx.api.store.list_objects(NODES)
        fitting, reasons = [], Counter[str]()
        for node in nodes:
            reason = self._misfit(pod, node)
            if reason:
                reasons[reason] += 1
            else:
                fitting.append(node)
        uid = str(meta(pod).get("uid"))
        if not fitting:
            self._unschedulable(ctx, pod, len(nodes), reasons)
            attempts = self._attempts.get(uid, 0)
            self._attempts[uid] = attempts + 1
            ctx.requeue(ref, min(_RETRY_FIRST * 2**attempts, _RETRY_MAX))
            return
        self._attempts.pop(uid, None)
        best = min(fitting, key=lambda n: (self.load.count(name_of(n)), name_of(n)))
        try:
            bound = ctx.client.bind_pod(ref.namespace, ref.name, name_of(best))
        except ApiError as e:
            if e.code in (404, 409):
                return
            raise
        self.load.assign(str(meta(bound).get("uid")), name_of(best))
        self._recorder.event(
            bound, NORMAL, "Scheduled", f"Successfully assigned {ref.namespace}/{ref.name} to {name_of(best)}"
        )

    def _misfit(self, pod: Obj, node: Obj) -> str:
        if not node_ready(node):
            return "node(s) were not ready"  # upstream reports the not-ready taint
        if (node.get("spec") or {}).get("unschedulable"):
            return "node(s) were unschedulable"
        if not affinity_matches(pod, node):
            return "node(s) didn't match Pod's node affinity/selector"
        if not tolerates(pod, node):
            return "node(s) had untolerated taint(s)"
        if self.load.count(name_of(node)) >= capacity(node):
            return "Too many pods"
        return ""

    def _unschedulable(self, ctx: ControllerContext, pod: Obj, total: int, reasons: Counter[str]) -> None:
        detail = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))
        preemption = (
            "No preemption victims found for incoming pod"
            if reasons.get("Too many pods")
            else "Preemption is not helpful for scheduling"
        )
        message = (
            f"0/{total} nodes are available: {detail}. preemption: 0/{total} nodes are available: "
            f"{total} {preemption}."
            if total
            else "no nodes available to schedule pods"
        )
        status = deep_copy(pod.get("status") or {})
        current = get_condition(status, "PodScheduled")
        if current is not None and current.get("message") == message and current.get("status") == "False":
            return
        status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        status["conditions"].append(
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": rfc3339(time.time()),
                "reason": "Unschedulable",
                "message": message,
            }
        )
        new = deep_copy(pod)
        new["status"] = status
        try:
            ctx.client.update_status(PODS, new)
        except ApiError as e:
            if e.code not in (404, 409):
                raise
        assert self._recorder is not None
        self._recorder.event(pod, WARNING, "FailedScheduling", message)
