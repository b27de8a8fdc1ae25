"""The CronJob controller: create Jobs on schedule, by the sandbox clock.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.builtin`, which also makes a jump of the
sandbox clock (``cluster.simulation.clock.advance``, ``POST /_sandbox/clock``) reconcile every CronJob.
Reconciles on CronJob and Job events, a ticker, and its own requeue for the next scheduled time.

One sync (``pkg/controller/cronjob`` v2):
- ``status.active`` follows the Jobs it owns: finished ones leave it (``SawCompletedJob`` "Saw completed
  job: x, condition: Complete"), vanished ones too (``MissingJob``); ``lastSuccessfulTime`` tracks
  completions;
- unless suspended or being deleted: the most recent unmet scheduled time after ``lastScheduleTime`` (or
  the creation time; no earlier than ``startingDeadlineSeconds`` ago) in ``spec.timeZone`` (UTC by
  default) is due. Too late for ``startingDeadlineSeconds``: ``MissSchedule``. More than 100 missed:
  ``TooManyMissedTimes`` (only the latest runs). ``concurrencyPolicy`` Forbid skips while a Job is active
  (``JobAlreadyActive``), Replace deletes the active Jobs first, Allow runs them side by side;
- the Job is ``<cronjob>-<scheduled unix minutes>`` from ``jobTemplate`` (its labels and annotations plus
  ``batch.kubernetes.io/cronjob-scheduled-timestamp``), owned by the CronJob (``SuccessfulCreate``
  "Created job x"); ``lastScheduleTime`` is set to the scheduled time;
- finished Jobs beyond ``successfulJobsHistoryLimit`` / ``failedJobsHistoryLimit`` are deleted, oldest
  first (``SuccessfulDelete``).
Nothing persists beyond the objects written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef, owner_reference
from ..errors import ApiError
from ..simulation import Simulation
from ..store import deep_copy
from . import cron
from .common import CRONJOBS, JOBS, controlled_by, meta, name_of, parse_time, rfc3339, uid_of
from .events import NORMAL, WARNING, EventRecorder
from .job import finished

Obj = dict[str, Any]
SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"


def job_name(cronjob: Mapping[str, Any], scheduled: datetime) -> str:
    return f"{name_of(cronjob)}-{int(scheduled.timestamp() // 60)}"


class CronJobController(Controller):
    name = "cronjob"
    primary = CRONJOBS
    watches = (CRONJOBS, JOBS)
    resync_seconds = 10.0

    def __init__(self, simulation: Simulation, *, events: bool = True) -> None:
        self.sim = simulation
        self._events = events
        self._recorder: EventRecorder | None = None

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        stored = ctx.api.store.get(CRONJOBS, ref.namespace, ref.name)
        if stored is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "cronjob-controller", enabled=self._events)
        _Sync(ctx, self._recorder, deep_copy(stored), ref, self.sim.clock.now()).run()


class _Sync:
    def __init__(
        self, ctx: ControllerContext, recorder: EventRecorder, cj: Obj, ref: ObjectRef, now: float
    ) -> None:
        self.ctx, self.client, self.recorder = ctx, ctx.client, recorder
        self.cj, self.ref = cj, ref
        self.ns = str(meta(cj).get("namespace") or "")
        self.now = datetime.fromtimestamp(now, UTC)
        self.spec = cj.get("spec") or {}
        self.status: Obj = deep_copy(cj.get("status") or {})

    def jobs(self) -> list[Obj]:
        uid = uid_of(self.cj)
        return [j for j in self.client.list_owned(JOBS, uid) if controlled_by(j, uid)]

    def run(self) -> None:
        jobs = self.jobs()
        self.track_active(jobs)
        if meta(self.cj).get("deletionTimestamp"):
            self.write()
            return
        try:
            schedule = cron.parse(str(self.spec.get("schedule") or ""), self.spec.get("timeZone"))
        except cron.ScheduleError as e:
            self.recorder.event(self.cj, WARNING, "UnparseableSchedule", f"unparseable schedule: {e}")
            self.write()
            return
        if not self.spec.get("suspend"):
            self.maybe_start(schedule, jobs)
        self.cleanup(self.jobs())
        self.write()
        if not self.spec.get("suspend"):
            upcoming = cron.next_after(schedule, self.now)
            if upcoming is not None:
                delay = (upcoming - self.now).total_seconds()
                self.ctx.requeue(self.ref, max(0.1, min(delay + 0.05, 3600.0)))

    def track_active(self, jobs: list[Obj]) -> None:
        active = list(self.status.get("active") or [])
        by_uid = {uid_of(j): j for j in jobs}
        kept = []
        for ref in active:
            job = by_uid.get(str(ref.get("uid")))
            if job is None:
                self.recorder.event(
                    self.cj, NORMAL, "MissingJob", f"Active job went missing: {ref.get('name')}"
                )
                continue
            outcome = finished(job)
            if outcome:
                self.recorder.event(
                    self.cj,
                    NORMAL,
                    "SawCompletedJob",
                    f"Saw completed job: {name_of(job)}, condition: {outcome}",
                )
                continue
            kept.append(ref)
        for job in jobs:
            if finished(job) == "Complete":
                done = parse_time((job.get("status") or {}).get("completionTime"))
                last = parse_time(self.status.get("lastSuccessfulTime"))
                if done is not None and (last is None or done > last):
                    self.status["lastSuccessfulTime"] = rfc3339(done)
        if kept:
            self.status["active"] = kept
        else:
            self.status.pop("active", None)

    def maybe_start(self, schedule: cron.Schedule, jobs: list[Obj]) -> None:
        earliest = parse_time(self.status.get("lastScheduleTime")) or parse_time(
            meta(self.cj).get("creationTimestamp")
        )
        start = datetime.fromtimestamp(earliest or self.now.timestamp(), UTC)
        deadline = self.spec.get("startingDeadlineSeconds")
        if isinstance(deadline, int):
            start = max(start, self.now - timedelta(seconds=deadline))
        scheduled, missed = cron.most_recent(schedule, start, self.now)
        if scheduled is None:
            return
        if missed > cron.MAX_MISSED:
            self.recorder.event(
                self.cj,
                WARNING,
                "TooManyMissedTimes",
                f"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds "
                "or check clock skew",
            )
        if isinstance(deadline, int) and scheduled + timedelta(seconds=deadline) < self.now:
            self.recorder.event(
                self.cj,
                WARNING,
                "MissSchedule",
                f"Missed scheduled time to start a job: {scheduled.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
            )
            return
        name = job_name(self.cj, scheduled)
        if any(name_of(j) == name for j in jobs):
            return
        active = self.status.get("active") or []
        policy = self.spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            self.recorder.event(
                self.cj,
                NORMAL,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            )
            return
        if policy == "Replace":
            for ref in active:
                if self.client.delete(JOBS, self.ns, str(ref.get("name")), "Background") is not None:
                    self.recorder.event(self.cj, NORMAL, "SuccessfulDelete", f"Deleted job {ref.get('name')}")
            self.status.pop("active", None)
        created = self.create_job(name, scheduled)
        if created is None:
            return
        self.status.setdefault("active", []).append(
            {
                "kind": "Job",
                "namespace": self.ns,
                "name": name_of(created),
                "uid": uid_of(created),
                "apiVersion": "batch/v1",
                "resourceVersion": meta(created).get("resourceVersion"),
            }
        )
        self.status["lastScheduleTime"] = rfc3339(scheduled.timestamp())

    def create_job(self, name: str, scheduled: datetime) -> Obj | None:
        template = self.spec.get("jobTemplate") or {}
        tmeta = template.get("metadata") or {}
        job: Obj = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": name,
                "namespace": self.ns,
                "labels": dict(tmeta.get("labels") or {}),
                "annotations": {
                    **(tmeta.get("annotations") or {}),
                    SCHEDULED_ANNOTATION: scheduled.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
                "ownerReferences": [owner_reference(self.cj)],
            },
            "spec": deep_copy(template.get("spec") or {}),
        }
        if not job["metadata"]["labels"]:
            del job["metadata"]["labels"]
        try:
            created = self.client.create(JOBS, job)
        except ApiError as e:
            if e.code == 409:
                return None
            raise
        self.recorder.event(self.cj, NORMAL, "SuccessfulCreate", f"Created job {name}")
        return created

    def cleanup(self, jobs: list[Obj]) -> None:
        for outcome, field, default in (
            ("Complete", "successfulJobsHistoryLimit", 3),
            ("Failed", "failedJobsHistoryLimit", 1),
        ):
            limit = self.spec.get(field, default)
            if not isinstance(limit, int):
                continue
            done = sorted(
                (j for j in jobs if finished(j) == outcome),
                key=lambda j: (
                    parse_time((j.get("status") or {}).get("startTime"))
                    or parse_time(meta(j).get("creationTimestamp"))
                    or 0.0,
                    name_of(j),
                ),
            )
            for job in done[: max(0, len(done) - limit)]:
                if self.client.delete(JOBS, self.ns, name_of(job), "Background") is not None:
                    self.recorder.event(self.cj, NORMAL, "SuccessfulDelete", f"Deleted job {name_of(job)}")

    def write(self) -> None:
        if self.status != (self.cj.get("status") or {}):
            self.cj["status"] = self.status
            self.client.update_status(CRONJOBS, self.cj)
