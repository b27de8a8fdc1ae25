"""Is a deployed manifest stable, still rolling out, or failed? Per-kind rules plus fail-fast pod checks.

Who calls it: the waitForManifestToStabilize task (deploy, scale, undo, enable/disable...), runJobManifest,
the API's manifest view, and the traffic strategies (is an old ReplicaSet stable?).

Two parts:

- the kind's ``status`` rule (``gennaker.kubernetes.kinds``): clouddriver's per-kind logic;
- **fail fast** (unlike Spinnaker, which waits out a 30-minute timeout): the pods that carry the rollout
  (a Pod itself; the pods a ReplicaSet, StatefulSet, DaemonSet or Job controls; a Deployment's pods of its
  current revision) are examined for problems that do not fix themselves: image pulls
  (``ImagePullBackOff``, ``ErrImagePull``, ``InvalidImageName``...), crashes (``CrashLoopBackOff``, or 3+
  restarts while not ready), configuration (``CreateContainerConfigError``, ``CreateContainerError``),
  an unschedulable pod, or a pod that failed (not for Jobs, whose pods may fail and be retried). A problem
  seen continuously for longer than the grace (default 60 s; the stage's ``failFastGraceSeconds`` or the
  account's) fails the manifest with the pod's reason and message. ``first_seen`` is the caller's memory of
  when each problem was first observed (kept in the stage context, so it survives restarts).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from gennaker.kubernetes.cache.index import ObjectIndex
from gennaker.kubernetes.kinds import KindHandler, ManifestStatus

IMAGE_REASONS = {
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ErrImageNeverPull",
    "RegistryUnavailable",
}
CRASH_REASONS = {"CrashLoopBackOff", "RunContainerError"}
CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "CreatePodSandboxError"}
RESTARTS_THRESHOLD = 3
REVISION = "deployment.kubernetes.io/revision"


@dataclass(frozen=True)
class PodProblem:
    """Something wrong with one pod (or one of its containers) that will not fix itself."""

    pod: str
    container: str | None
    category: str
    reason: str
    message: str

    def describe(self) -> str:
        where = f"pod {self.pod}" + (f" container {self.container}" if self.container else "")
        return f"{where}: {self.reason}" + (f": {self.message}" if self.message else "")


def _container_problems(pod_name: str, statuses: Any) -> list[PodProblem]:
    found: list[PodProblem] = []
    for cs in statuses or []:
        if not isinstance(cs, Mapping):
            continue
        name = str(cs.get("name") or "")
        waiting = (cs.get("state") or {}).get("waiting") or {}
        reason = str(waiting.get("reason") or "")
        message = str(waiting.get("message") or "")
        if reason in IMAGE_REASONS:
            found.append(PodProblem(pod_name, name, "image", reason, message))
        elif reason in CONFIG_REASONS:
            found.append(PodProblem(pod_name, name, "config", reason, message))
        elif reason in CRASH_REASONS:
            found.append(PodProblem(pod_name, name, "crash", reason, message or _last_exit(cs)))
        elif int(cs.get("restartCount") or 0) >= RESTARTS_THRESHOLD and not cs.get("ready"):
            last = ((cs.get("lastState") or {}).get("terminated") or {}).get("reason") or "Restarting"
            found.append(PodProblem(pod_name, name, "crash", str(last), _last_exit(cs)))
    return found


def _last_exit(cs: Mapping[str, Any]) -> str:
    terminated = (cs.get("lastState") or {}).get("terminated") or {}
    restarts = int(cs.get("restartCount") or 0)
    text = f"restarted {restarts} time(s)"
    if terminated.get("exitCode") is not None:
        text += f", last exit code {terminated.get('exitCode')}"
    if terminated.get("message"):
        text += f": {terminated.get('message')}"
    return text


def pod_problems(pod: Mapping[str, Any], *, job_pod: bool = False) -> list[PodProblem]:
    """The problems of one pod (see the module docstring)."""
    name = str((pod.get("metadata") or {}).get("name") or "")
    status = pod.get("status") or {}
    found = _container_problems(name, status.get("initContainerStatuses"))
    found += _container_problems(name, status.get("containerStatuses"))
    if status.get("phase") == "Failed" and not job_pod:
        found.append(
            PodProblem(
                name, None, "failed", str(status.get("reason") or "Failed"), str(status.get("message") or "")
            )
        )
    for condition in status.get("conditions") or []:
        if (
            isinstance(condition, Mapping)
            and condition.get("type") == "PodScheduled"
            and condition.get("status") == "False"
            and condition.get("reason") == "Unschedulable"
        ):
            found.append(
                PodProblem(name, None, "unschedulable", "Unschedulable", str(condition.get("message") or ""))
            )
    return found


def rollout_pods(obj: Mapping[str, Any], handler: KindHandler, index: ObjectIndex) -> list[dict[str, Any]]:
    """The pods whose problems fail this object's rollout."""
    uid = str((obj.get("metadata") or {}).get("uid") or "")
    if handler.pod_owner == "self":
        return [dict(obj)]
    if not uid or handler.pod_owner is None:
        return []
    if handler.pod_owner == "direct":
        return index.owned_by(uid, "Pod")
    if handler.pod_owner == "current-replicaset":
        revision = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION)
        pods: list[dict[str, Any]] = []
        for rs in index.owned_by(uid, "ReplicaSet"):
            rs_revision = ((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION)
            if revision is None or rs_revision == revision:
                pods += index.owned_by(str((rs.get("metadata") or {}).get("uid") or ""), "Pod")
        return pods
    return []


@dataclass
class Verdict:
    """A manifest's status, with fail-fast applied; ``next_check_ms`` is when a pending problem's grace
    runs out (the caller should look again then even if nothing changes)."""

    status: ManifestStatus
    problems: list[PodProblem] = field(default_factory=list)
    next_check_ms: int | None = None


def evaluate(
    obj: Mapping[str, Any],
    handler: KindHandler,
    index: ObjectIndex,
    *,
    key: str,
    first_seen: MutableMapping[str, int],
    now_ms: int,
    grace_ms: int | None,
) -> Verdict:
    """The object's status: its kind's rule, failed by pod problems older than the grace (``grace_ms`` None
    turns fail-fast off). ``first_seen`` entries under ``key`` are added and cleared here."""
    status = handler.status(obj)
    prefix = f"{key}|"
    if status.failed.state or status.stable.state or grace_ms is None:
        for k in [k for k in first_seen if k.startswith(prefix)]:
            del first_seen[k]
        return Verdict(status)
    problems: list[PodProblem] = []
    for pod in rollout_pods(obj, handler, index):
        problems += pod_problems(pod, job_pod=handler.kind == "Job")
    current: dict[str, PodProblem] = {}
    for problem in problems:
        current.setdefault(f"{prefix}{problem.container or '-'}|{problem.category}", problem)
    for k in [k for k in first_seen if k.startswith(prefix) and k not in current]:
        del first_seen[k]
    next_check: int | None = None
    for k, problem in current.items():
        since = first_seen.setdefault(k, now_ms)
        if now_ms - since >= grace_ms:
            seconds = (now_ms - since) / 1000
            message = f"{problem.describe()} (for {seconds:.0f} s)"
            return Verdict(status.failure(message).unstable(message), problems)
        due = since + grace_ms
        next_check = due if next_check is None else min(next_check, due)
    if problems:
        status = status.unstable(f"{status.stable.message or 'Waiting'}; {problems[0].describe()}")
    return Verdict(status, problems, next_check)
