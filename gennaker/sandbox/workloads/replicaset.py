"""The ReplicaSet controller: keeps ``spec.replicas`` pods running and reports them in ``status``.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.workloads`. Reconciles a ReplicaSet
on its own events and those of the pods it controls (pod events map to their controller owner), plus a
ticker.

Behaviour (``pkg/controller/replicaset``):
- the pods of a ReplicaSet are those with its controller ownerReference that its selector matches; pods
  it controls but no longer selects are released, orphans it selects are adopted (:mod:`.claims`);
  *active* ones (not terminal, not being deleted) count toward ``spec.replicas``;
- too few: create pods ``<rs>-<5 chars>`` from the template (at most 500 per pass), each recorded as a
  ``SuccessfulCreate`` event; too many: delete the ones Kubernetes deletes first (unscheduled, then
  pending, not ready, lower ``controller.kubernetes.io/pod-deletion-cost``, doubled up on a node, ready
  for less time, more restarts, newer), each a ``SuccessfulDelete`` event;
- ``status``: ``replicas`` (active pods), ``fullyLabeledReplicas`` (carrying every template label),
  ``readyReplicas``, ``availableReplicas`` (ready for ``minReadySeconds``), ``observedGeneration``;
  zero counts are left out as Go's ``omitempty`` does, except ``replicas``. With ``minReadySeconds`` the
  controller requeues itself for the moment the next pod becomes available.
Reads come straight from the store (always current), so no "expectations" bookkeeping is needed.
Nothing here persists beyond the objects it writes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef
from ..store import Event, deep_copy
from .claims import OrphanCandidates, adopt, adopters, note_owner_event, release
from .common import (
    PODS,
    REPLICASETS,
    available_at,
    controlled,
    is_active,
    is_available,
    is_ready,
    is_terminating,
    meta,
    name_of,
    owned,
    parse_time,
    pod_from_template,
    pod_phase,
    ready_since,
    spec_int,
)
from .events import NORMAL, EventRecorder

Obj = dict[str, Any]
BURST = 500
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"


def deletion_order(pods: list[Obj]) -> list[Obj]:
    """Pods in the order a ReplicaSet deletes them (``controller.ActivePodsWithRanks``)."""
    per_node = Counter(str((p.get("spec") or {}).get("nodeName") or "") for p in pods)
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}

    def key(p: Obj) -> tuple[Any, ...]:
        node = str((p.get("spec") or {}).get("nodeName") or "")
        try:
            cost = int((meta(p).get("annotations") or {}).get(DELETION_COST, 0))
        except (TypeError, ValueError):
            cost = 0
        ready = is_ready(p)
        restarts = sum(
            int(s.get("restartCount") or 0) for s in (p.get("status") or {}).get("containerStatuses") or []
        )
        return (
            1 if node else 0,
            phase_rank.get(pod_phase(p), 2),
            1 if ready else 0,
            cost,
            -per_node[node] if node else 0,
            -(ready_since(p) or 0.0) if ready else 0.0,
            -restarts,
            -(parse_time(meta(p).get("creationTimestamp")) or 0.0),
            name_of(p),
        )

    return sorted(pods, key=key)


def replicaset_status(rs: Mapping[str, Any], pods: list[Obj], now: float) -> Obj:
    """``calculateStatus``: the counts of the active pods (Go omits zero counts except ``replicas``)."""
    template_labels = ((rs.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}
    min_ready = spec_int(rs, "minReadySeconds")
    fully = sum(
        1 for p in pods if all((meta(p).get("labels") or {}).get(k) == v for k, v in template_labels.items())
    )
    status: Obj = {"replicas": len(pods)}
    for field, value in (
        ("fullyLabeledReplicas", fully),
        ("readyReplicas", sum(1 for p in pods if is_ready(p))),
        ("availableReplicas", sum(1 for p in pods if is_available(p, min_ready, now))),
    ):
        if value:
            status[field] = value
    status["observedGeneration"] = int(meta(rs).get("generation") or 1)
    for c in (rs.get("status") or {}).get("conditions") or []:
        status.setdefault("conditions", []).append(c)
    return status


class ReplicaSetController(Controller):
    name = "replicaset"
    primary = REPLICASETS
    watches = (REPLICASETS, PODS)
    resync_seconds = 10.0

    def __init__(self, *, events: bool = True) -> None:
        self._events = events
        self._recorder: EventRecorder | None = None
        self._store: Any = None
        self._orphans = OrphanCandidates()

    def setup(self, ctx: ControllerContext) -> None:
        self._store = ctx.api.store

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        yield from super().map_event(event)
        if event.key == REPLICASETS and self._store is not None:
            note_owner_event(self._store, PODS, event, self._orphans)
        if event.key == PODS and event.type != "DELETED" and self._store is not None:
            for ref in adopters(self._store, REPLICASETS, event.obj, event.namespace):
                self._orphans.note(ref, str(meta(event.obj).get("name")))
                yield ref
        if event.key == PODS and event.old is not None and event.type == "MODIFIED":
            # a pod that changed owner: its former owner has one pod fewer
            old_owner = _controller_name(event.old)
            if old_owner and old_owner != _controller_name(event.obj):
                yield ObjectRef(REPLICASETS, event.namespace, old_owner)

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        rs = ctx.api.store.get(REPLICASETS, ref.namespace, ref.name)
        if rs is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "replicaset-controller", enabled=self._events)
        selected, unselected = controlled(ctx.client, PODS, rs)
        if unselected:
            release(ctx.client, PODS, rs, unselected)
        adopted = adopt(ctx.client, PODS, rs, self._orphans.take(ref))
        pods = [p for p in selected + adopted if is_active(p)]
        if not is_terminating(rs) and self._manage(ctx, rs, pods):
            pods = [p for p in owned(ctx.client, PODS, rs) if is_active(p)]
        now = time.time()
        status = replicaset_status(rs, pods, now)
        if status != rs.get("status"):
            new = deep_copy(rs)
            new["status"] = status
            ctx.client.update_status(REPLICASETS, new)
        min_ready = spec_int(rs, "minReadySeconds")
        if min_ready > 0:
            pending = [
                t
                for p in pods
                if (t := available_at(p, min_ready)) is not None and not is_available(p, min_ready, now)
            ]
            if pending:
                ctx.requeue(ref, max(0.0, min(pending) - now) + 0.05)

    def _manage(self, ctx: ControllerContext, rs: Obj, pods: list[Obj]) -> bool:
        """Create or delete pods toward ``spec.replicas``; True when something changed."""
        assert self._recorder is not None
        diff = len(pods) - spec_int(rs, "replicas", 1)
        if diff < 0:
            template = (rs.get("spec") or {}).get("template") or {}
            for _ in range(min(-diff, BURST)):
                pod = pod_from_template(template, rs, generate_name=f"{name_of(rs)}-")
                created = ctx.client.create(PODS, pod, copy=False)
                self._recorder.event(rs, NORMAL, "SuccessfulCreate", f"Created pod: {name_of(created)}")
            return True
        if diff > 0:
            for pod in deletion_order(pods)[:diff]:
                if ctx.client.delete(PODS, ref_ns(pod), name_of(pod)) is not None:
                    self._recorder.event(rs, NORMAL, "SuccessfulDelete", f"Deleted pod: {name_of(pod)}")
            return True
        return False


def ref_ns(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("namespace") or "")


def _controller_name(obj: Mapping[str, Any]) -> str:
    for r in meta(obj).get("ownerReferences") or []:
        if r.get("controller") and r.get("kind") == "ReplicaSet":
            return str(r.get("name"))
    return ""
