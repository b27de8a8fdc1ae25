"""The Deployment controller: one ReplicaSet per pod template, rolled out as kube-controller-manager does.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.workloads`. A Deployment is reconciled
on its own events, on events of the ReplicaSets it controls, on deletions of their pods (a Recreate
rollout waits for old pods to be gone) and on a ticker; it requeues itself for its progress deadline.

One sync (``syncDeployment``), mirroring upstream step by step:
1. its ReplicaSets: those with its controller ownerReference that its selector matches;
2. being deleted: status only; paused / resumed: the ``Progressing`` condition becomes Unknown
   ``DeploymentPaused`` / ``DeploymentResumed``; paused or a scaling event (a ReplicaSet's
   ``desired-replicas`` differs from ``spec.replicas``): ``sync`` (proportional scaling, no new
   ReplicaSet, cleanup while paused);
3. otherwise the strategy: RollingUpdate (grow the new ReplicaSet within ``maxSurge``, shrink old ones,
   unhealthy first, within ``maxUnavailable``) or Recreate (old ReplicaSets to 0, wait for their pods to
   go, then the new one to ``replicas``); once complete, old ReplicaSets with no replicas beyond
   ``revisionHistoryLimit`` are deleted, lowest revision first;
4. status and conditions (``syncRolloutStatus``): ``Available``, ``Progressing`` with
   ``NewReplicaSetCreated`` / ``FoundNewReplicaSet`` / ``ReplicaSetUpdated`` /
   ``NewReplicaSetAvailable`` / ``ProgressDeadlineExceeded``.

ReplicaSets are adopted and released by selector (:mod:`.claims`): a Deployment re-created after
``delete --cascade=orphan`` takes its ReplicaSets back. The new ReplicaSet is
``<deployment>-<pod-template-hash>`` and is found by semantic template equality,
so ``kubectl rollout undo`` (which sends an old template back) reuses the old ReplicaSet, whose revision
moves to max+1 with the old number kept in ``revision-history``. ``ScalingReplicaSet`` events record every
resize. Nothing here persists beyond the objects it writes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef, owner_reference
from ..errors import ApiError
from ..store import Event, deep_copy
from . import deployment_util as du
from .claims import OrphanCandidates, adopt, adopters, note_owner_event, release
from .common import (
    DEPLOYMENTS,
    PODS,
    REPLICASETS,
    get_condition,
    is_terminal,
    is_terminating,
    meta,
    name_of,
    owned,
    parse_time,
    remove_condition,
    rfc3339,
    spec_int,
    status_int,
)
from .events import NORMAL, WARNING, EventRecorder
from .hashing import HASH_LABEL, compute_hash

Obj = dict[str, Any]


class DeploymentController(Controller):
    name = "deployment"
    primary = DEPLOYMENTS
    watches = (DEPLOYMENTS, REPLICASETS, PODS)
    resync_seconds = 10.0

    def __init__(self, *, events: bool = True) -> None:
        self._events = events
        self._recorder: EventRecorder | None = None
        self._store: Any = None
        self._orphans = OrphanCandidates()

    def setup(self, ctx: ControllerContext) -> None:
        self._store = ctx.api.store

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        if event.key == DEPLOYMENTS and self._store is not None:
            note_owner_event(self._store, REPLICASETS, event, self._orphans)
        if event.key == REPLICASETS and event.type != "DELETED" and self._store is not None:
            for ref in adopters(self._store, DEPLOYMENTS, event.obj, event.namespace):
                self._orphans.note(ref, name_of(event.obj))
                yield ref
        if event.key == PODS:
            # Only deletions matter (Recreate waits for old pods to be gone): pod -> ReplicaSet -> owner.
            if event.type != "DELETED" or self._store is None:
                return
            for ref in meta(event.obj).get("ownerReferences") or []:
                if ref.get("controller") and ref.get("kind") == "ReplicaSet":
                    rs = self._store.get(REPLICASETS, event.namespace, str(ref.get("name")))
                    if rs is not None:
                        yield from self._owner_refs(rs, event.namespace)
            return
        yield from super().map_event(event)

    def _owner_refs(self, rs: Obj, namespace: str) -> Iterator[ObjectRef]:
        for ref in meta(rs).get("ownerReferences") or []:
            if ref.get("controller") and ref.get("kind") == "Deployment":
                yield ObjectRef(DEPLOYMENTS, namespace, str(ref.get("name")))

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        self._store = ctx.api.store
        stored = ctx.api.store.get(DEPLOYMENTS, ref.namespace, ref.name)
        if stored is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "deployment-controller", enabled=self._events)
        release(ctx.client, REPLICASETS, stored)
        adopt(ctx.client, REPLICASETS, stored, self._orphans.take(ref))
        _Sync(ctx, self._recorder, deep_copy(stored), ref).run()


class _Sync:
    """One ``syncDeployment`` pass over a private copy of the Deployment and its ReplicaSets."""

    def __init__(self, ctx: ControllerContext, recorder: EventRecorder, d: Obj, ref: ObjectRef) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.recorder = recorder
        self.d = d
        self.ref = ref
        self.rss: list[Obj] = [deep_copy(r) for r in owned(ctx.client, REPLICASETS, d)]
        self.now = time.time()

    # -- entry point
    def run(self) -> None:
        d = self.d
        if is_terminating(d):
            self.sync_status_only()
            return
        self.check_paused_conditions()
        if (d.get("spec") or {}).get("paused"):
            self.sync()
            return
        if self.is_scaling_event():
            self.sync()
            return
        if du.is_rolling(d):
            self.rollout_rolling()
        else:
            self.rollout_recreate()

    # -- replica sets
    def _replace(self, rs: Obj) -> None:
        self.rss = [rs if r["metadata"]["uid"] == rs["metadata"]["uid"] else r for r in self.rss]

    def new_and_old(self, create: bool) -> tuple[Obj | None, list[Obj]]:
        """``getAllReplicaSetsAndSyncRevision``."""
        existing = du.find_new_rs(self.d, self.rss)
        old = [r for r in self.rss if existing is None or r["metadata"]["uid"] != existing["metadata"]["uid"]]
        new_rs = self.get_new_rs(existing, old, create)
        return new_rs, old

    def get_new_rs(self, existing: Obj | None, old: list[Obj], create: bool) -> Obj | None:
        d = self.d
        new_revision = max((du.revision_of(r) for r in old), default=0) + 1
        if existing is not None:
            rs = deep_copy(existing)
            updated = du.set_new_rs_annotations(d, rs, new_revision, exists=True)
            min_ready = spec_int(d, "minReadySeconds")
            if updated or spec_int(rs, "minReadySeconds") != min_ready:
                rs["spec"]["minReadySeconds"] = min_ready
                rs = self.client.update(REPLICASETS, rs)
                self._replace(rs)
                return rs
            needs_update = du.set_deployment_revision(
                d, (meta(rs).get("annotations") or {}).get(du.REVISION, "")
            )
            status = d.setdefault("status", {})
            if du.has_progress_deadline(d) and get_condition(status, "Progressing") is None:
                du.set_condition(
                    status,
                    du.new_condition(
                        "Progressing",
                        "True",
                        du.FOUND_NEW_RS,
                        f'Found new replica set "{name_of(rs)}"',
                        self.stamp,
                    ),
                )
                needs_update = True
            if needs_update:
                self.write_status()
            return rs
        if not create:
            return None
        return self.create_new_rs(old, new_revision)

    def create_new_rs(self, old: list[Obj], new_revision: int) -> Obj | None:
        d = self.d
        spec = d.get("spec") or {}
        collision = (d.get("status") or {}).get("collisionCount")
        template = deep_copy(spec.get("template") or {})
        pod_hash = compute_hash(template, collision)
        tmeta = template.setdefault("metadata", {})
        tmeta["labels"] = {**(tmeta.get("labels") or {}), HASH_LABEL: pod_hash}
        selector = deep_copy(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
        rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{name_of(d)}-{pod_hash}",
                "namespace": meta(d).get("namespace"),
                "labels": dict(tmeta["labels"]),
                "ownerReferences": [owner_reference(d)],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": spec_int(d, "minReadySeconds"),
                "selector": selector,
                "template": template,
            },
        }
        rs["spec"]["replicas"] = du.new_rs_new_replicas(d, [*old, rs], rs)
        du.set_new_rs_annotations(d, rs, new_revision, exists=False)
        try:
            created = self.client.create(REPLICASETS, rs)
        except ApiError as e:
            if e.code == 409:
                clash = self.ctx.api.store.get(REPLICASETS, str(meta(d).get("namespace")), name_of(rs))
                if clash is not None and not du.equal_ignore_hash(
                    (clash.get("spec") or {}).get("template"), spec.get("template")
                ):
                    status = d.setdefault("status", {})
                    status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
                    self.write_status()
                raise
            msg = f'Failed to create new replica set "{name_of(rs)}": {e.message}'
            if du.has_progress_deadline(d):
                du.set_condition(
                    d.setdefault("status", {}),
                    du.new_condition("Progressing", "False", "ReplicaSetCreateError", msg, self.stamp),
                )
                self.write_status()
            self.recorder.event(d, WARNING, "ReplicaSetCreateError", msg)
            raise
        self.rss.append(created)
        replicas = spec_int(created, "replicas")
        if replicas > 0:
            self.recorder.event(
                d,
                NORMAL,
                "ScalingReplicaSet",
                f"Scaled up replica set {name_of(created)} from 0 to {replicas}",
            )
        du.set_deployment_revision(d, str(new_revision))
        if du.has_progress_deadline(d):
            du.set_condition(
                d.setdefault("status", {}),
                du.new_condition(
                    "Progressing",
                    "True",
                    du.NEW_RS_CREATED,
                    f'Created new replica set "{name_of(created)}"',
                    self.stamp,
                ),
            )
        self.write_status()
        return created

    def scale_rs(self, rs: Obj, size: int, operation: str) -> bool:
        """``scaleReplicaSet``: resize and refresh the size annotations; True when the size changed."""
        d = self.d
        copy = deep_copy(rs)
        size_changed = spec_int(copy, "replicas") != size
        annotations_changed = du.set_replicas_annotations(
            copy, du.replicas_of(d), du.replicas_of(d) + du.max_surge(d)
        )
        if not size_changed and not annotations_changed:
            return False
        old_size = spec_int(rs, "replicas")
        copy["spec"]["replicas"] = size
        updated = self.client.update(REPLICASETS, copy)
        self._replace(updated)
        if size_changed:
            self.recorder.event(
                d,
                NORMAL,
                "ScalingReplicaSet",
                f"Scaled {operation} replica set {name_of(rs)} from {old_size} to {size}",
            )
        return size_changed

    def scale_and_record(self, rs: Obj, size: int) -> bool:
        current = spec_int(rs, "replicas")
        if current == size:
            return False
        return self.scale_rs(rs, size, "up" if current < size else "down")

    # -- sync (scaling events and paused deployments)
    def is_scaling_event(self) -> bool:
        new_rs, old = self.new_and_old(create=False)
        for rs in du.active([*old, *([new_rs] if new_rs else [])]):
            desired = (meta(rs).get("annotations") or {}).get(du.DESIRED_REPLICAS)
            if desired is not None and desired != str(du.replicas_of(self.d)):
                return True
        return False

    def sync(self) -> None:
        new_rs, old = self.new_and_old(create=False)
        self.scale(new_rs, old)
        if (self.d.get("spec") or {}).get("paused"):
            self.cleanup(self.olds(new_rs))
        new_rs = self.current(new_rs)
        self.sync_deployment_status(new_rs)

    def scale(self, new_rs: Obj | None, old: list[Obj]) -> None:
        d = self.d
        target = du.find_active_or_latest(new_rs, old)
        if target is not None:
            if spec_int(target, "replicas") != du.replicas_of(d):
                self.scale_and_record(target, du.replicas_of(d))
            return
        if du.is_saturated(d, new_rs):
            for rs in du.active(old):
                self.scale_and_record(rs, 0)
            return
        if du.is_rolling(d):
            plan, operation = du.proportional_sizes(d, du.active([*old, *([new_rs] if new_rs else [])]))
            for rs, size in plan:
                self.scale_rs(rs, size, operation)

    # -- rolling update
    def rollout_rolling(self) -> None:
        new_rs, _ = self.new_and_old(create=True)
        if new_rs is not None and self.reconcile_new_rs(new_rs):
            self.sync_rollout_status(self.current(new_rs))
            return
        new_rs = self.current(new_rs)
        if self.reconcile_old_rss(new_rs):
            self.sync_rollout_status(self.current(new_rs))
            return
        new_rs = self.current(new_rs)
        if du.deployment_complete(self.d, self.d.get("status") or {}):
            self.cleanup(self.olds(new_rs))
        self.sync_rollout_status(self.current(new_rs))

    def reconcile_new_rs(self, new_rs: Obj) -> bool:
        desired = du.replicas_of(self.d)
        size = spec_int(new_rs, "replicas")
        if size == desired:
            return False
        if size > desired:
            return self.scale_and_record(new_rs, desired)
        return self.scale_and_record(new_rs, du.new_rs_new_replicas(self.d, self.rss, new_rs))

    def reconcile_old_rss(self, new_rs: Obj | None) -> bool:
        d = self.d
        old = du.active(self.olds(new_rs))
        if sum(spec_int(r, "replicas") for r in old) == 0:
            return False
        all_pods = sum(spec_int(r, "replicas") for r in self.rss)
        min_available = du.replicas_of(d) - du.max_unavailable(d)
        new_unavailable = (
            spec_int(new_rs, "replicas") - status_int(new_rs, "availableReplicas")
            if new_rs is not None
            else 0
        )
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        cleaned = self.cleanup_unhealthy(old, max_scaled_down)
        scaled = self.scale_down_old_for_rolling(self.olds(self.current(new_rs)))
        return cleaned + scaled > 0

    def cleanup_unhealthy(self, old: list[Obj], max_cleanup: int) -> int:
        total = 0
        for rs in du.by_creation(old):
            if total >= max_cleanup:
                break
            size, available = spec_int(rs, "replicas"), status_int(rs, "availableReplicas")
            if size == 0 or size <= available:
                continue  # healthy (or its status lags a scale-down: upstream refuses to "scale down" up)
            down = min(max_cleanup - total, size - available)
            self.scale_and_record(rs, size - down)
            total += down
        return total

    def scale_down_old_for_rolling(self, old: list[Obj]) -> int:
        d = self.d
        min_available = du.replicas_of(d) - du.max_unavailable(d)
        available = sum(status_int(r, "availableReplicas") for r in self.rss)
        if available <= min_available:
            return 0
        budget = available - min_available
        total = 0
        for rs in du.by_creation(du.active(old)):
            if total >= budget:
                break
            size = spec_int(rs, "replicas")
            down = min(size, budget - total)
            self.scale_and_record(rs, size - down)
            total += down
        return total

    # -- recreate
    def rollout_recreate(self) -> None:
        new_rs, old = self.new_and_old(create=False)
        scaled = False
        for rs in du.active(old):
            scaled = self.scale_and_record(rs, 0) or scaled
        if scaled:
            self.sync_rollout_status(self.current(new_rs))
            return
        if self.old_pods_running(new_rs):
            self.sync_rollout_status(self.current(new_rs))
            return
        if new_rs is None:
            new_rs, _ = self.new_and_old(create=True)
        if new_rs is not None:
            self.scale_and_record(new_rs, du.replicas_of(self.d))
            new_rs = self.current(new_rs)
        if du.deployment_complete(self.d, self.d.get("status") or {}):
            self.cleanup(self.olds(new_rs))
        self.sync_rollout_status(new_rs)

    def old_pods_running(self, new_rs: Obj | None) -> bool:
        old = self.olds(new_rs)
        if any(status_int(r, "replicas") > 0 for r in old):
            return True
        for rs in old:
            for pod in self.client.list_owned(PODS, rs["metadata"]["uid"]):
                if not is_terminal(pod):
                    return True
        return False

    # -- cleanup
    def cleanup(self, old: list[Obj]) -> None:
        limit = (self.d.get("spec") or {}).get("revisionHistoryLimit")
        if not isinstance(limit, int):
            return
        cleanable = [r for r in old if not is_terminating(r)]
        diff = len(cleanable) - limit
        if diff <= 0:
            return
        for rs in sorted(cleanable, key=lambda r: (du.revision_of(r), name_of(r)))[:diff]:
            if (
                status_int(rs, "replicas") != 0
                or spec_int(rs, "replicas") != 0
                or int(meta(rs).get("generation") or 1) > status_int(rs, "observedGeneration")
            ):
                continue
            self.client.delete(REPLICASETS, str(meta(rs).get("namespace")), name_of(rs))
            self.rss = [r for r in self.rss if r["metadata"]["uid"] != rs["metadata"]["uid"]]

    # -- status
    def check_paused_conditions(self) -> None:
        d = self.d
        if not du.has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        cond = get_condition(status, "Progressing")
        if cond is not None and cond.get("reason") == du.TIMED_OUT:
            return
        paused_cond = cond is not None and cond.get("reason") == du.PAUSED
        paused = bool((d.get("spec") or {}).get("paused"))
        if paused and not paused_cond:
            du.set_condition(
                status,
                du.new_condition("Progressing", "Unknown", du.PAUSED, "Deployment is paused", self.stamp),
            )
        elif not paused and paused_cond:
            du.set_condition(
                status,
                du.new_condition("Progressing", "Unknown", du.RESUMED, "Deployment is resumed", self.stamp),
            )
        else:
            return
        self.write_status()

    def sync_status_only(self) -> None:
        new_rs, _ = self.new_and_old(create=False)
        self.sync_deployment_status(new_rs)

    def sync_deployment_status(self, new_rs: Obj | None) -> None:
        status = du.calculate_status(self.d, self.rss, new_rs, self.stamp)
        if status != (self.d.get("status") or {}):
            self.d["status"] = status
            self.write_status()

    def sync_rollout_status(self, new_rs: Obj | None) -> None:
        d = self.d
        status = du.calculate_status(d, self.rss, new_rs, self.stamp)
        if not du.has_progress_deadline(d) and get_condition(status, "Progressing") is not None:
            remove_condition(status, "Progressing")
        current = get_condition(status, "Progressing")
        complete_before = (
            status.get("replicas", 0) == status.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == du.NEW_RS_AVAILABLE
        )
        rs_name = name_of(new_rs) if new_rs is not None else ""
        what = f'ReplicaSet "{rs_name}"' if new_rs is not None else f'Deployment "{name_of(d)}"'
        if du.has_progress_deadline(d) and not complete_before:
            if du.deployment_complete(d, status):
                du.set_condition(
                    status,
                    du.new_condition(
                        "Progressing",
                        "True",
                        du.NEW_RS_AVAILABLE,
                        f"{what} has successfully progressed.",
                        self.stamp,
                    ),
                )
            elif du.deployment_progressing(d, status):
                cond = du.new_condition(
                    "Progressing", "True", du.RS_UPDATED, f"{what} is progressing.", self.stamp
                )
                if current is not None:
                    if current.get("status") == "True":
                        cond["lastTransitionTime"] = current.get("lastTransitionTime")
                    remove_condition(status, "Progressing")
                du.set_condition(status, cond)
            elif du.deployment_timed_out(d, status, self.now):
                du.set_condition(
                    status,
                    du.new_condition(
                        "Progressing", "False", du.TIMED_OUT, f"{what} has timed out progressing.", self.stamp
                    ),
                )
        if status == (d.get("status") or {}):
            self.requeue_stuck(status)
            return
        d["status"] = status
        self.write_status()
        self.requeue_stuck(status)

    def requeue_stuck(self, status: Obj) -> None:
        """``requeueStuckDeployment``: come back when the progress deadline would pass."""
        d = self.d
        cond = get_condition(status, "Progressing")
        if (
            cond is None
            or not du.has_progress_deadline(d)
            or cond.get("reason") in (du.NEW_RS_AVAILABLE, du.TIMED_OUT)
        ):
            return
        if du.deployment_complete(d, status):
            return
        since = parse_time(cond.get("lastUpdateTime"))
        if since is None:
            return
        due = since + spec_int(d, "progressDeadlineSeconds", 600) + 1.0
        self.ctx.requeue(self.ref, max(0.5, due - self.now))

    # -- helpers
    @property
    def stamp(self) -> str:
        return rfc3339(self.now)

    def current(self, rs: Obj | None) -> Obj | None:
        if rs is None:
            return None
        for r in self.rss:
            if r["metadata"]["uid"] == rs["metadata"]["uid"]:
                return r
        return None

    def olds(self, new_rs: Obj | None) -> list[Obj]:
        uid = new_rs["metadata"]["uid"] if new_rs is not None else None
        return [r for r in self.rss if r["metadata"]["uid"] != uid]

    def write_status(self) -> None:
        """UpdateStatus (status plus the revision annotation); keeps the copy's resourceVersion fresh."""
        updated = self.client.update_status(DEPLOYMENTS, self.d)
        self.d["metadata"]["resourceVersion"] = updated["metadata"]["resourceVersion"]
        self.d["metadata"]["annotations"] = updated["metadata"].get("annotations") or {}
