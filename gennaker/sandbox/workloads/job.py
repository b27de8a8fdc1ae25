"""The Job controller: run pods to ``completions``, retry failures up to ``backoffLimit``, finish.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.builtin`. Reconciles a Job on its events
and those of its pods, plus a ticker; requeues itself for retry back-offs, ``activeDeadlineSeconds`` and
``ttlSecondsAfterFinished``.

Behaviour (``pkg/controller/job``):
- pods ``<job>-<5 chars>`` (Indexed: ``<job>-<index>-<5 chars>`` with the completion-index annotation and
  label and ``hostname <job>-<index>``) from the template, whose labels already carry the generated
  selector (``batch.kubernetes.io/controller-uid``, ``job-name`` ...); ``parallelism`` at a time, no more
  than the completions still needed;
- a failed pod is replaced after a back-off of 10 s doubling per failure up to 6 min, times the
  simulation's ``time_scale``; the Job fails when failures exceed ``backoffLimit`` (restartPolicy Never)
  or its pods' container restarts reach it (OnFailure): ``FailureTarget`` then ``Failed``, reason
  ``BackoffLimitExceeded`` "Job has reached the specified backoff limit"; or after
  ``activeDeadlineSeconds``: reason ``DeadlineExceeded`` "Job was active longer than specified deadline";
  remaining pods are deleted first;
- success (``completions`` pods succeeded, or for a work queue one success and none active):
  ``SuccessCriteriaMet`` then ``Complete`` (reason ``CompletionsReached``), ``completionTime``;
- ``suspend: true`` deletes active pods (``Suspended`` True ``JobSuspended``), resuming restarts the clock;
- status ``startTime``, ``active``, ``ready``, ``succeeded``, ``failed``, ``terminating``,
  ``uncountedTerminatedPods: {}``, ``completedIndexes`` (Indexed), ``completionTime``;
- ``ttlSecondsAfterFinished``: the finished Job is deleted (foreground) once that long has passed.
Terminal pods are kept until the Job goes (the garbage collector removes them with it); counters never go
down even if such pods are deleted by hand. Events ``SuccessfulCreate``, ``SuccessfulDelete``,
``Completed``, ``BackoffLimitExceeded``, ``DeadlineExceeded``, ``Suspended``, ``Resumed``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef
from ..simulation import Simulation
from ..store import deep_copy
from .common import (
    JOBS,
    PODS,
    get_condition,
    is_active,
    is_ready,
    is_terminal,
    is_terminating,
    meta,
    name_of,
    owned,
    parse_time,
    pod_from_template,
    pod_phase,
    rfc3339,
    spec_int,
)
from .events import NORMAL, WARNING, EventRecorder
from .replicaset import deletion_order

Obj = dict[str, Any]
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
BACKOFF_BASE = 10.0
BACKOFF_MAX = 360.0
COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
BACKOFF_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")


def finished(job: Mapping[str, Any]) -> str:
    """``Complete`` or ``Failed`` when the Job has finished, else ``""``."""
    for ctype in ("Complete", "Failed"):
        cond = get_condition(job.get("status"), ctype)
        if cond is not None and cond.get("status") == "True":
            return ctype
    return ""


def compress_indexes(indexes: set[int]) -> str:
    """``completedIndexes``: ``0-2,5``."""
    out: list[str] = []
    ordered = sorted(indexes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(out)


def pod_index(pod: Mapping[str, Any]) -> int | None:
    raw = (meta(pod).get("annotations") or {}).get(INDEX_ANNOTATION)
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _restarts(pods: list[Obj]) -> int:
    total = 0
    for p in pods:
        status = p.get("status") or {}
        for cs in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
            total += int(cs.get("restartCount") or 0)
    return total


def _finished_at(pod: Mapping[str, Any]) -> float:
    times = [
        parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
        for cs in (pod.get("status") or {}).get("containerStatuses") or []
    ]
    return max(
        [t for t in times if t is not None], default=parse_time(meta(pod).get("creationTimestamp")) or 0.0
    )


class JobController(Controller):
    name = "job"
    primary = JOBS
    watches = (JOBS, PODS)
    resync_seconds = 10.0

    def __init__(self, simulation: Simulation, *, events: bool = True) -> None:
        self.sim = simulation
        self._events = events
        self._recorder: EventRecorder | None = None

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        stored = ctx.api.store.get(JOBS, ref.namespace, ref.name)
        if stored is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "job-controller", enabled=self._events)
        _Sync(ctx, self._recorder, deep_copy(stored), ref, self.sim.settings.time_scale).run()


class _Sync:
    def __init__(
        self, ctx: ControllerContext, recorder: EventRecorder, job: Obj, ref: ObjectRef, scale: float
    ) -> None:
        self.ctx, self.client, self.recorder = ctx, ctx.client, recorder
        self.job, self.ref, self.scale = job, ref, scale
        self.ns = str(meta(job).get("namespace") or "")
        self.now = time.time()
        self.spec = job.get("spec") or {}
        self.status: Obj = deep_copy(job.get("status") or {})

    def cond(self, ctype: str, status: str, reason: str, message: str) -> bool:
        """Set a condition; True when it changed."""
        current = get_condition(self.status, ctype)
        if current is not None and current.get("status") == status and current.get("reason") == reason:
            return False
        since = rfc3339(self.now)
        entry = {
            "type": ctype,
            "status": status,
            "lastProbeTime": since,
            "lastTransitionTime": since,
            "reason": reason,
            "message": message,
        }
        conditions = self.status.setdefault("conditions", [])
        if current is not None:
            conditions[conditions.index(current)] = entry
        else:
            conditions.append(entry)
        return True

    def run(self) -> None:
        done = finished(self.job)
        pods = owned(self.client, PODS, self.job)
        if done:
            self.write(pods)
            self.expire()
            return
        active = [p for p in pods if is_active(p)]
        succeeded_pods = [p for p in pods if pod_phase(p) == "Succeeded"]
        failed_pods = [p for p in pods if pod_phase(p) == "Failed"]
        succeeded = max(len(succeeded_pods), int(self.status.get("succeeded") or 0))
        failed = max(len(failed_pods), int(self.status.get("failed") or 0))
        self.status["succeeded"], self.status["failed"] = succeeded, failed
        if self.spec.get("suspend"):
            for p in active:
                self.delete(p)
            if self.cond("Suspended", "True", "JobSuspended", "Job suspended"):
                self.recorder.event(self.job, NORMAL, "Suspended", "Job suspended")
            self.write(owned(self.client, PODS, self.job))
            return
        suspended = get_condition(self.status, "Suspended")
        if suspended is not None and suspended.get("status") == "True":
            self.cond("Suspended", "False", "JobResumed", "Job resumed")
            self.status["startTime"] = rfc3339(self.now)
            self.recorder.event(self.job, NORMAL, "Resumed", "Job resumed")
        self.status.setdefault("startTime", rfc3339(self.now))
        failure = self.failure(failed, active)
        target = get_condition(self.status, "FailureTarget")
        if failure is None and target is not None and target.get("status") == "True":
            failure = (str(target.get("reason")), str(target.get("message")))
        if failure is not None:
            self.fail(failure, active, pods)
            return
        if self.succeeded(succeeded, succeeded_pods, active):
            self.complete(active, pods)
            return
        self.manage(active, succeeded_pods, failed_pods)
        self.write(owned(self.client, PODS, self.job))
        deadline = self.spec.get("activeDeadlineSeconds")
        start = parse_time(self.status.get("startTime"))
        if isinstance(deadline, int) and start is not None:
            self.ctx.requeue(self.ref, max(0.0, start + deadline - self.now) + 0.05)

    # -- outcomes
    def failure(self, failed: int, active: list[Obj]) -> tuple[str, str] | None:
        limit = spec_int(self.job, "backoffLimit", 6)
        policy = ((self.spec.get("template") or {}).get("spec") or {}).get("restartPolicy")
        if failed > limit:
            return BACKOFF_EXCEEDED
        if policy == "OnFailure" and limit >= 0 and active and _restarts(active) >= max(limit, 1):
            return BACKOFF_EXCEEDED
        deadline = self.spec.get("activeDeadlineSeconds")
        start = parse_time(self.status.get("startTime"))
        if isinstance(deadline, int) and start is not None and self.now - start >= deadline:
            return DEADLINE_EXCEEDED
        return None

    def succeeded(self, succeeded: int, succeeded_pods: list[Obj], active: list[Obj]) -> bool:
        completions = self.spec.get("completions")
        if self.spec.get("completionMode") == "Indexed" and isinstance(completions, int):
            done = {i for p in succeeded_pods if (i := pod_index(p)) is not None and i < completions}
            self.status["completedIndexes"] = compress_indexes(done)
            return len(done) >= completions
        if isinstance(completions, int):
            return succeeded >= completions
        return succeeded > 0 and not active

    def fail(self, failure: tuple[str, str], active: list[Obj], pods: list[Obj]) -> None:
        reason, message = failure
        if self.cond("FailureTarget", "True", reason, message):
            self.recorder.event(self.job, WARNING, reason, message)
        for p in active:
            self.delete(p)
        remaining = [p for p in owned(self.client, PODS, self.job) if not is_terminal(p)]
        if not remaining:
            self.cond("Failed", "True", reason, message)
        self.write(owned(self.client, PODS, self.job))

    def complete(self, active: list[Obj], pods: list[Obj]) -> None:
        self.cond("SuccessCriteriaMet", "True", *COMPLETIONS_REACHED)
        for p in active:
            self.delete(p)
        remaining = [p for p in owned(self.client, PODS, self.job) if not is_terminal(p)]
        if not remaining:
            self.cond("Complete", "True", *COMPLETIONS_REACHED)
            self.status["completionTime"] = rfc3339(self.now)
            self.recorder.event(self.job, NORMAL, "Completed", "Job completed")
        self.write(owned(self.client, PODS, self.job))
        self.expire()

    def expire(self) -> None:
        ttl = self.spec.get("ttlSecondsAfterFinished")
        if not isinstance(ttl, int):
            return
        cond = get_condition(self.status, "Complete") or get_condition(self.status, "Failed")
        when = parse_time((cond or {}).get("lastTransitionTime"))
        if when is None:
            return
        if self.now >= when + ttl:
            self.client.delete(JOBS, self.ns, name_of(self.job), "Foreground")
        else:
            self.ctx.requeue(self.ref, when + ttl - self.now + 0.05)

    # -- pods
    def manage(self, active: list[Obj], succeeded_pods: list[Obj], failed_pods: list[Obj]) -> None:
        parallelism = spec_int(self.job, "parallelism", 1)
        completions = self.spec.get("completions")
        succeeded = int(self.status.get("succeeded") or 0)
        if isinstance(completions, int):
            want = max(0, min(parallelism, completions - succeeded))
        else:
            want = parallelism if succeeded == 0 else 0
        if len(active) > want:
            for p in deletion_order(active)[: len(active) - want]:
                self.delete(p)
            return
        missing = want - len(active)
        if missing <= 0:
            return
        failures = int(self.status.get("failed") or 0)
        if failures and failed_pods:
            delay = min(BACKOFF_BASE * 2 ** (failures - 1), BACKOFF_MAX) * self.scale
            ready_at = max(_finished_at(p) for p in failed_pods) + delay
            if self.now < ready_at:
                self.ctx.requeue(self.ref, ready_at - self.now + 0.05)
                return
        indexed = self.spec.get("completionMode") == "Indexed" and isinstance(completions, int)
        free: list[int] = []
        if indexed:
            assert isinstance(completions, int)
            taken = {pod_index(p) for p in [*active, *succeeded_pods]}
            free = [i for i in range(completions) if i not in taken]
        for n in range(missing):
            if indexed and n >= len(free):
                break
            self.create(free[n] if indexed else None)

    def create(self, index: int | None) -> None:
        template = self.spec.get("template") or {}
        name = name_of(self.job)
        if index is None:
            pod = pod_from_template(template, self.job, generate_name=f"{name}-")
        else:
            pod = pod_from_template(
                template,
                self.job,
                generate_name=f"{name}-{index}-",
                extra_labels={INDEX_ANNOTATION: str(index)},
                extra_annotations={INDEX_ANNOTATION: str(index)},
            )
            pod["spec"]["hostname"] = f"{name}-{index}"
        created = self.client.create(PODS, pod)
        self.recorder.event(self.job, NORMAL, "SuccessfulCreate", f"Created pod: {name_of(created)}")

    def delete(self, pod: Obj) -> None:
        if self.client.delete(PODS, self.ns, name_of(pod)) is not None:
            self.recorder.event(self.job, NORMAL, "SuccessfulDelete", f"Deleted pod: {name_of(pod)}")

    def write(self, pods: list[Obj]) -> None:
        active = [p for p in pods if is_active(p)]
        status = self.status
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if is_ready(p))
        status["terminating"] = sum(1 for p in pods if is_terminating(p) and not is_terminal(p))
        status["uncountedTerminatedPods"] = {}
        for k in ("active", "succeeded", "failed"):
            if not status.get(k):
                status.pop(k, None)
        ordered = {
            k: status[k]
            for k in (
                "conditions",
                "startTime",
                "completionTime",
                "active",
                "succeeded",
                "failed",
                "completedIndexes",
                "terminating",
                "uncountedTerminatedPods",
                "ready",
            )
            if k in status
        }
        if ordered != (self.job.get("status") or {}):
            self.job["status"] = ordered
            self.client.update_status(JOBS, self.job)
