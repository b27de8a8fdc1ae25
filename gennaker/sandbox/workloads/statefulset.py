"""The StatefulSet controller: ordered, stable pods ``<sts>-N``, their claims, and rolling updates.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.builtin`. Reconciles a StatefulSet on its
events and those of its pods (and ControllerRevisions), plus a ticker.

One sync follows ``defaultStatefulSetControl.UpdateStatefulSet``:
1. revisions (:mod:`.revisions`): the update revision is the current template's; the current revision is
   ``status.currentRevision`` (or the update one);
2. pods: ordinals ``[start, start+replicas)`` are wanted, others condemned. A missing pod is created from
   the current revision's template if its ordinal is below the partition, else from the update
   revision's, with labels ``controller-revision-hash`` (the revision name),
   ``statefulset.kubernetes.io/pod-name`` and ``apps.kubernetes.io/pod-index``, ``hostname``/``subdomain``
   and one PersistentVolumeClaim ``<claim>-<pod>`` per ``volumeClaimTemplates`` entry (created Bound);
   failed pods are deleted to be recreated;
3. ``OrderedReady``: each step waits for every earlier pod to be Running and Ready (and available with
   ``minReadySeconds``) and stops at the first change; condemned pods go from the highest ordinal down, one
   at a time. ``Parallel`` creates and deletes without waiting;
4. RollingUpdate: the pod with the highest ordinal not at the update revision (down to ``partition``) is
   deleted, one at a time, waiting for the others to be healthy; it comes back at the update revision;
   OnDelete updates nothing;
5. status: ``replicas``, ``readyReplicas``, ``availableReplicas``, ``currentReplicas``,
   ``updatedReplicas``, ``currentRevision``, ``updateRevision``, ``observedGeneration``,
   ``collisionCount``; once every pod is updated and ready, current := update.
Claims follow ``persistentVolumeClaimRetentionPolicy``: ``whenDeleted: Delete`` makes the StatefulSet
their owner (the GC removes them with it), ``whenScaled: Delete`` deletes the claims of removed ordinals.
Events: ``SuccessfulCreate`` "create Pod web-0 in StatefulSet web successful", claim creations,
``SuccessfulDelete``. Nothing persists beyond the objects written.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef, owner_reference
from ..errors import ApiError
from ..store import deep_copy
from .common import (
    PODS,
    PVCS,
    STATEFULSETS,
    available_at,
    is_available,
    is_ready,
    is_terminating,
    meta,
    name_of,
    owned,
    pod_from_template,
    pod_phase,
    spec_int,
    uid_of,
)
from .events import NORMAL, EventRecorder
from .revisions import Revisions, sync_revisions_or_bump_collisions, template_of, truncate_history

Obj = dict[str, Any]
HASH_LABEL = "controller.kubernetes.io/hash"
REVISION_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal_of(set_name: str, pod: Mapping[str, Any]) -> int | None:
    name = name_of(pod)
    prefix = set_name + "-"
    if not name.startswith(prefix) or not name[len(prefix) :].isdigit():
        return None
    return int(name[len(prefix) :])


def running_and_ready(pod: Mapping[str, Any]) -> bool:
    return pod_phase(pod) == "Running" and is_ready(pod)


def healthy(pod: Mapping[str, Any]) -> bool:
    return running_and_ready(pod) and not is_terminating(pod)


class StatefulSetController(Controller):
    name = "statefulset"
    primary = STATEFULSETS
    watches = (STATEFULSETS, PODS, ("apps", "controllerrevisions"))
    resync_seconds = 10.0

    def __init__(self, *, events: bool = True) -> None:
        self._events = events
        self._recorder: EventRecorder | None = None

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        stored = ctx.api.store.get(STATEFULSETS, ref.namespace, ref.name)
        if stored is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "statefulset-controller", enabled=self._events)
        sts = deep_copy(stored)
        revisions = sync_revisions_or_bump_collisions(ctx.client, STATEFULSETS, sts, HASH_LABEL)
        if revisions is None:
            return
        _Sync(ctx, self._recorder, sts, revisions, ref).run()


class _Sync:
    def __init__(
        self, ctx: ControllerContext, recorder: EventRecorder, sts: Obj, revisions: Revisions, ref: ObjectRef
    ) -> None:
        self.ctx, self.client, self.recorder = ctx, ctx.client, recorder
        self.sts, self.rev, self.ref = sts, revisions, ref
        self.name = name_of(sts)
        self.ns = str(meta(sts).get("namespace") or "")
        self.now = time.time()
        spec = sts.get("spec") or {}
        self.replicas = spec_int(sts, "replicas", 1)
        self.start = int(((spec.get("ordinals") or {}).get("start")) or 0)
        self.min_ready = spec_int(sts, "minReadySeconds")
        strategy = spec.get("updateStrategy") or {}
        self.rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        self.partition = int(((strategy.get("rollingUpdate") or {}).get("partition")) or 0)
        self.monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"

    # -- pods
    def pods(self) -> list[Obj]:
        return [p for p in owned(self.client, PODS, self.sts) if ordinal_of(self.name, p) is not None]

    def revision_of(self, pod: Mapping[str, Any]) -> str:
        return str((meta(pod).get("labels") or {}).get(REVISION_LABEL) or "")

    def new_pod(self, ordinal: int) -> Obj:
        use_current = self.rolling and ordinal - self.start < self.partition
        rev = self.rev.current if use_current else self.rev.update
        template = template_of(rev)
        pod_name = f"{self.name}-{ordinal}"
        pod = pod_from_template(
            template,
            self.sts,
            name=pod_name,
            extra_labels={
                REVISION_LABEL: name_of(rev),
                POD_NAME_LABEL: pod_name,
                POD_INDEX_LABEL: str(ordinal),
            },
        )
        spec = pod["spec"]
        spec["hostname"] = pod_name
        service = (self.sts.get("spec") or {}).get("serviceName")
        if service:
            spec["subdomain"] = service
        claims = (self.sts.get("spec") or {}).get("volumeClaimTemplates") or []
        if claims:
            volumes = [
                v for v in spec.get("volumes") or [] if v.get("name") not in {name_of(c) for c in claims}
            ]
            for claim in claims:
                volumes.append(
                    {
                        "name": name_of(claim),
                        "persistentVolumeClaim": {"claimName": f"{name_of(claim)}-{pod_name}"},
                    }
                )
            spec["volumes"] = volumes
        return pod

    def create_claims(self, ordinal: int) -> None:
        pod_name = f"{self.name}-{ordinal}"
        policy = (self.sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
        selector_labels = ((self.sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        for claim in (self.sts.get("spec") or {}).get("volumeClaimTemplates") or []:
            claim_name = f"{name_of(claim)}-{pod_name}"
            if self.ctx.api.store.get(PVCS, self.ns, claim_name) is not None:
                continue
            cmeta = claim.get("metadata") or {}
            pvc: Obj = {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {
                    "name": claim_name,
                    "namespace": self.ns,
                    "labels": {**(cmeta.get("labels") or {}), **selector_labels},
                    "annotations": {
                        **(cmeta.get("annotations") or {}),
                        "pv.kubernetes.io/bind-completed": "yes",
                        "pv.kubernetes.io/bound-by-controller": "yes",
                    },
                },
                "spec": deep_copy(claim.get("spec") or {}),
            }
            if policy.get("whenDeleted") == "Delete":
                pvc["metadata"]["ownerReferences"] = [owner_reference(self.sts)]
            created = self.client.create(PVCS, pvc)
            created["spec"]["volumeName"] = f"pvc-{uid_of(created)}"
            with contextlib.suppress(ApiError):  # the volume name is cosmetic
                created = self.client.update(PVCS, created)
            requests = ((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}
            created["status"] = {
                "phase": "Bound",
                "accessModes": list((claim.get("spec") or {}).get("accessModes") or ["ReadWriteOnce"]),
                "capacity": {"storage": requests.get("storage", "1Gi")},
            }
            self.client.update_status(PVCS, created)
            self.recorder.event(
                self.sts,
                NORMAL,
                "SuccessfulCreate",
                f"create Claim {claim_name} Pod {pod_name} in StatefulSet {self.name} success",
            )

    def create_pod(self, ordinal: int) -> Obj:
        self.create_claims(ordinal)
        created = self.client.create(PODS, self.new_pod(ordinal))
        self.recorder.event(
            self.sts,
            NORMAL,
            "SuccessfulCreate",
            f"create Pod {name_of(created)} in StatefulSet {self.name} successful",
        )
        return created

    def delete_pod(self, pod: Obj) -> None:
        if self.client.delete(PODS, self.ns, name_of(pod)) is not None:
            self.recorder.event(
                self.sts,
                NORMAL,
                "SuccessfulDelete",
                f"delete Pod {name_of(pod)} in StatefulSet {self.name} successful",
            )

    # -- sync
    def run(self) -> None:
        pods = self.pods()
        if not is_terminating(self.sts):
            self.update_pods(pods)
            pods = self.pods()
        status = self.status(pods)
        self.write_status(status)
        live = {self.revision_of(p) for p in pods}
        truncate_history(self.client, self.sts, self.rev, live)
        self.scaled_down_claims(pods)
        self.requeue_for_availability(pods)

    def update_pods(self, pods: list[Obj]) -> None:
        wanted = range(self.start, self.start + self.replicas)
        replicas: dict[int, Obj] = {}
        condemned: list[Obj] = []
        for p in pods:
            ordinal = ordinal_of(self.name, p)
            assert ordinal is not None
            if ordinal in wanted:
                replicas[ordinal] = p
            else:
                condemned.append(p)
        condemned.sort(key=lambda p: -(ordinal_of(self.name, p) or 0))
        unhealthy = [replicas[o] for o in wanted if o in replicas and not healthy(replicas[o])]
        unhealthy += [p for p in condemned if not healthy(p)]
        first_unhealthy = unhealthy[0] if unhealthy else None
        for ordinal in wanted:
            pod = replicas.get(ordinal)
            if pod is not None and pod_phase(pod) == "Failed" and not is_terminating(pod):
                self.delete_pod(pod)
                if self.monotonic:
                    return
                continue
            if pod is None:
                self.create_pod(ordinal)
                if self.monotonic:
                    return
                continue
            if self.monotonic and (is_terminating(pod) or not running_and_ready(pod)):
                return
            if self.monotonic and not is_available(pod, self.min_ready, self.now):
                return
        for pod in condemned:
            if is_terminating(pod):
                if self.monotonic:
                    return
                continue
            if self.monotonic and not running_and_ready(pod) and pod is not first_unhealthy:
                return
            self.delete_pod(pod)
            if self.monotonic:
                return
        if not self.rolling:
            return
        update_name = name_of(self.rev.update)
        for ordinal in reversed(range(self.start + self.partition, self.start + self.replicas)):
            pod = replicas.get(ordinal)
            if pod is None:
                return
            if self.revision_of(pod) != update_name and not is_terminating(pod):
                self.delete_pod(pod)
                return
            if not healthy(pod):
                return

    def status(self, pods: list[Obj]) -> Obj:
        current, update = name_of(self.rev.current), name_of(self.rev.update)
        counts = {
            "replicas": 0,
            "readyReplicas": 0,
            "availableReplicas": 0,
            "currentReplicas": 0,
            "updatedReplicas": 0,
        }
        for p in pods:
            counts["replicas"] += 1
            if running_and_ready(p):
                counts["readyReplicas"] += 1
                if is_available(p, self.min_ready, self.now):
                    counts["availableReplicas"] += 1
            if not is_terminating(p):
                if self.revision_of(p) == current:
                    counts["currentReplicas"] += 1
                if self.revision_of(p) == update:
                    counts["updatedReplicas"] += 1
        status: Obj = {"observedGeneration": int(meta(self.sts).get("generation") or 1)}
        status.update(counts)
        status["currentRevision"] = current
        status["updateRevision"] = update
        status["collisionCount"] = self.rev.collision_count
        if (
            self.rolling
            and counts["updatedReplicas"] == counts["replicas"]
            and counts["readyReplicas"] == counts["replicas"]
        ):
            status["currentReplicas"] = counts["updatedReplicas"]
            status["currentRevision"] = update
        for k in ("readyReplicas", "availableReplicas", "currentReplicas", "updatedReplicas"):
            if not status[k]:
                del status[k]
        return status

    def write_status(self, status: Obj) -> None:
        if status == (self.sts.get("status") or {}):
            return
        self.sts["status"] = status
        self.client.update_status(STATEFULSETS, self.sts)

    def scaled_down_claims(self, pods: list[Obj]) -> None:
        policy = (self.sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenScaled") != "Delete":
            return
        present = {ordinal_of(self.name, p) for p in pods}
        for claim in (self.sts.get("spec") or {}).get("volumeClaimTemplates") or []:
            prefix = f"{name_of(claim)}-{self.name}-"
            for pvc in self.client.list_objects(PVCS, self.ns):
                suffix = name_of(pvc)[len(prefix) :]
                if not name_of(pvc).startswith(prefix) or not suffix.isdigit():
                    continue
                ordinal = int(suffix)
                if ordinal >= self.start + self.replicas and ordinal not in present:
                    self.client.delete(PVCS, self.ns, name_of(pvc))

    def requeue_for_availability(self, pods: list[Obj]) -> None:
        if self.min_ready <= 0:
            return
        due = [t for p in pods if (t := available_at(p, self.min_ready)) is not None and t > self.now]
        if due:
            self.ctx.requeue(self.ref, min(due) - self.now + 0.05)
