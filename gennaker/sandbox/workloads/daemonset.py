"""The DaemonSet controller: one pod per eligible node, rolled over node by node.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.builtin`. Reconciles a DaemonSet on its
events, those of its pods and ControllerRevisions, any node change, plus a ticker.

One sync (``pkg/controller/daemon``):
1. revisions (:mod:`.revisions`): ``<ds>-<hash>`` with the ``controller-revision-hash`` label;
2. a node should run the daemon pod when it is Ready, its labels satisfy the pod's ``nodeSelector`` and
   required node affinity and the pod tolerates its ``NoSchedule``/``NoExecute`` taints (the controller
   adds the usual daemon tolerations: not-ready, unreachable, disk/memory/pid pressure, unschedulable);
3. such a node without a pod gets one (``<ds>-<5 chars>``, labels ``controller-revision-hash`` and
   ``pod-template-generation``, node affinity ``matchFields metadata.name In [node]`` that the scheduler
   honours); failed pods and duplicates are deleted; pods on nodes that should not run one are deleted;
4. RollingUpdate with ``maxSurge: 0``: old pods are deleted (unavailable ones first) while fewer than
   ``maxUnavailable`` nodes are without an available pod, and come back at the new revision; with
   ``maxSurge > 0`` a new pod starts beside the old one, which goes once the new one is available;
   OnDelete replaces nothing;
5. status ``desiredNumberScheduled``, ``currentNumberScheduled``, ``numberMisscheduled``, ``numberReady``,
   ``numberAvailable``, ``numberUnavailable``, ``updatedNumberScheduled``, ``observedGeneration``,
   ``collisionCount``.
Events ``SuccessfulCreate`` / ``SuccessfulDelete``. Nothing persists beyond the objects written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef
from ..kubelet.scheduler import affinity_matches, node_ready, tolerates
from ..store import Event, deep_copy
from .common import (
    DAEMONSETS,
    NODES,
    PODS,
    available_at,
    int_or_percent,
    is_available,
    is_ready,
    is_terminating,
    meta,
    name_of,
    owned,
    parse_time,
    pod_from_template,
    pod_phase,
    spec_int,
)
from .events import NORMAL, EventRecorder
from .revisions import Revisions, sync_revisions_or_bump_collisions, truncate_history

Obj = dict[str, Any]
HASH_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"
DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def daemon_pod_spec(template_spec: Obj, node: str) -> Obj:
    """The template's pod spec pinned to ``node`` by affinity, with the daemon tolerations."""
    spec = deep_copy(template_spec)
    affinity = spec.setdefault("affinity", {})
    affinity.setdefault("nodeAffinity", {})["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]
    }
    tolerations = list(spec.get("tolerations") or [])
    present = {(t.get("key"), t.get("effect")) for t in tolerations}
    tolerations += [t for t in DAEMON_TOLERATIONS if (t["key"], t["effect"]) not in present]
    spec["tolerations"] = tolerations
    return spec


def pod_node(pod: Obj) -> str:
    """The node a daemon pod is for: its ``nodeName``, else the node its affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    terms = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        or {}
    ).get("nodeSelectorTerms") or []
    for term in terms:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("values"):
                return str(f["values"][0])
    return ""


class DaemonSetController(Controller):
    name = "daemonset"
    primary = DAEMONSETS
    watches = (DAEMONSETS, PODS, NODES, ("apps", "controllerrevisions"))
    resync_seconds = 10.0

    def __init__(self, *, events: bool = True) -> None:
        self._events = events
        self._recorder: EventRecorder | None = None
        self._store: Any = None

    def setup(self, ctx: ControllerContext) -> None:
        self._store = ctx.api.store

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        if event.key == NODES:
            if self._store is not None:
                for ds in self._store.list_objects(DAEMONSETS):
                    yield ObjectRef.of(DAEMONSETS, ds)
            return
        yield from super().map_event(event)

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        self._store = ctx.api.store
        stored = ctx.api.store.get(DAEMONSETS, ref.namespace, ref.name)
        if stored is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "daemonset-controller", enabled=self._events)
        ds = deep_copy(stored)
        revisions = sync_revisions_or_bump_collisions(ctx.client, DAEMONSETS, ds, HASH_LABEL)
        if revisions is None:
            return
        _Sync(ctx, self._recorder, ds, revisions, ref).run()


class _Sync:
    def __init__(
        self, ctx: ControllerContext, recorder: EventRecorder, ds: Obj, revisions: Revisions, ref: ObjectRef
    ) -> None:
        self.ctx, self.client, self.recorder = ctx, ctx.client, recorder
        self.ds, self.rev, self.ref = ds, revisions, ref
        self.ns = str(meta(ds).get("namespace") or "")
        self.hash = str((meta(revisions.update).get("labels") or {}).get(HASH_LABEL) or "")
        self.min_ready = spec_int(ds, "minReadySeconds")
        self.now = time.time()
        template = (ds.get("spec") or {}).get("template") or {}
        self.probe = {"spec": daemon_pod_spec(template.get("spec") or {}, "")}

    def should_run(self, node: Obj) -> bool:
        if not node_ready(node):  # a real one has a not-ready NoSchedule taint daemon pods do not tolerate
            return False
        return affinity_matches(
            {"spec": (self.ds["spec"]["template"].get("spec") or {})}, node
        ) and tolerates(self.probe, node)

    def pods_by_node(self) -> dict[str, list[Obj]]:
        out: dict[str, list[Obj]] = {}
        for p in owned(self.client, PODS, self.ds):
            out.setdefault(pod_node(p), []).append(p)
        for pods in out.values():
            pods.sort(key=lambda p: (parse_time(meta(p).get("creationTimestamp")) or 0.0, name_of(p)))
        return out

    def create(self, node: str) -> None:
        template = (self.ds.get("spec") or {}).get("template") or {}
        pod = pod_from_template(
            template,
            self.ds,
            generate_name=f"{name_of(self.ds)}-",
            extra_labels={HASH_LABEL: self.hash, GENERATION_LABEL: str(meta(self.ds).get("generation") or 1)},
        )
        pod["spec"] = daemon_pod_spec(pod["spec"], node)
        created = self.client.create(PODS, pod)
        self.recorder.event(self.ds, NORMAL, "SuccessfulCreate", f"Created pod: {name_of(created)}")

    def delete(self, pod: Obj) -> None:
        if self.client.delete(PODS, self.ns, name_of(pod)) is not None:
            self.recorder.event(self.ds, NORMAL, "SuccessfulDelete", f"Deleted pod: {name_of(pod)}")

    def is_new(self, pod: Obj) -> bool:
        return (meta(pod).get("labels") or {}).get(HASH_LABEL) == self.hash

    def run(self) -> None:
        nodes = self.client.list_objects(NODES)
        if not is_terminating(self.ds):
            self.manage(nodes)
            if ((self.ds.get("spec") or {}).get("updateStrategy") or {}).get(
                "type", "RollingUpdate"
            ) == "RollingUpdate":
                self.rolling_update(nodes)
        by_node = self.pods_by_node()
        self.write_status(nodes, by_node)
        live = {
            name_of(r)
            for r in self.rev.history
            if (meta(r).get("labels") or {}).get(HASH_LABEL)
            in {(meta(p).get("labels") or {}).get(HASH_LABEL) for pods in by_node.values() for p in pods}
        }
        truncate_history(self.client, self.ds, self.rev, live)
        due = [
            t
            for pods in by_node.values()
            for p in pods
            if (t := available_at(p, self.min_ready)) is not None and t > self.now
        ]
        if due and self.min_ready > 0:
            self.ctx.requeue(self.ref, min(due) - self.now + 0.05)

    def manage(self, nodes: list[Obj]) -> None:
        by_node = self.pods_by_node()
        for node in nodes:
            pods = [p for p in by_node.pop(name_of(node), []) if not is_terminating(p)]
            if self.should_run(node):
                failed = [p for p in pods if pod_phase(p) == "Failed"]
                for p in failed:
                    self.delete(p)
                pods = [p for p in pods if p not in failed]
                if not pods and not failed:
                    self.create(name_of(node))
                for extra in pods[1:] if not self.surging() else []:
                    self.delete(extra)
            else:
                for p in pods:
                    self.delete(p)
        for pods in by_node.values():  # pods for nodes that no longer exist
            for p in pods:
                if not is_terminating(p):
                    self.delete(p)

    def surging(self) -> bool:
        ru = ((self.ds.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate") or {}
        return int_or_percent(ru.get("maxSurge", 0), 1, round_up=True) > 0

    def rolling_update(self, nodes: list[Obj]) -> None:
        eligible = [n for n in nodes if self.should_run(n)]
        desired = len(eligible)
        ru = ((self.ds.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate") or {}
        max_surge = int_or_percent(ru.get("maxSurge", 0), desired, round_up=True)
        max_unavailable = int_or_percent(ru.get("maxUnavailable", 1), desired, round_up=True)
        if max_surge == 0 and max_unavailable == 0:
            max_unavailable = 1
        by_node = self.pods_by_node()
        unavailable = 0
        candidates: list[tuple[bool, Obj]] = []  # (available, old pod)
        surge_nodes: list[tuple[str, Obj]] = []
        for node in eligible:
            pods = [p for p in by_node.get(name_of(node), []) if not is_terminating(p)]
            new = [p for p in pods if self.is_new(p)]
            old = [p for p in pods if not self.is_new(p)]
            if not any(is_available(p, self.min_ready, self.now) for p in pods):
                unavailable += 1
            if not old:
                continue
            if new:
                if any(is_available(p, self.min_ready, self.now) for p in new):
                    for p in old:
                        self.delete(p)
                continue
            if max_surge > 0:
                surge_nodes.append((name_of(node), old[0]))
            else:
                candidates.append((is_available(old[0], self.min_ready, self.now), old[0]))
        if max_surge > 0:
            surged = sum(
                1
                for node in eligible
                for p in by_node.get(name_of(node), [])
                if self.is_new(p) and len(by_node.get(name_of(node), [])) > 1
            )
            for node_name, _ in surge_nodes[: max(0, max_surge - surged)]:
                self.create(node_name)
            return
        for available, pod in sorted(candidates, key=lambda c: c[0]):
            if not available:
                self.delete(pod)  # already unavailable: replacing it costs nothing
            elif unavailable < max_unavailable:
                self.delete(pod)
                unavailable += 1

    def write_status(self, nodes: list[Obj], by_node: dict[str, list[Obj]]) -> None:
        desired = current = misscheduled = ready = available = updated = 0
        for node in nodes:
            pods = [p for p in by_node.get(name_of(node), []) if not is_terminating(p)]
            if self.should_run(node):
                desired += 1
                if pods:
                    current += 1
                    pod = next((p for p in pods if self.is_new(p)), pods[0])
                    if is_ready(pod):
                        ready += 1
                        if is_available(pod, self.min_ready, self.now):
                            available += 1
                    if any(self.is_new(p) for p in pods):
                        updated += 1
            elif pods:
                misscheduled += 1
        status: Obj = {
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "observedGeneration": int(meta(self.ds).get("generation") or 1),
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
            "numberUnavailable": desired - available,
            "collisionCount": self.rev.collision_count,
        }
        for k in ("updatedNumberScheduled", "numberAvailable", "numberUnavailable"):
            if not status[k]:
                del status[k]
        if status != (self.ds.get("status") or {}):
            self.ds["status"] = status
            self.client.update_status(DAEMONSETS, self.ds)
