"""A pod's status at a moment, as the kubelet writes it, from the plans of its containers.

Who calls it: the kubelet controller on every reconcile of a pod it runs. Pure: the same plans, time and
previous status give the same answer.

Shape (kubelet 1.37): ``phase`` (``getPhase``: Pending while a container waits without having run,
Running while any runs or restarts, Succeeded/Failed when all exited and none restarts), conditions in
the kubelet's order ``PodReadyToStartContainers``, ``Initialized``, ``Ready``, ``ContainersReady``,
``PodScheduled`` (transition times kept while a condition's status holds), ``hostIP(s)``, ``podIP(s)``,
``startTime``, ``initContainerStatuses`` (spec order), ``containerStatuses`` (sorted by name) with
``state``/``lastState``, ``ready``, ``restartCount``, ``image``, ``imageID``, ``containerID``, ``started``,
and ``qosClass``. Waiting messages are the kubelet's (``ErrImagePull``, ``Back-off pulling image``,
``back-off 20s restarting failed container=...``). Nothing here persists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..workloads.common import get_condition, rfc3339
from .plan import container_id, image_id, normalize_image
from .timeline import ContainerPlan, ContainerState, Run, state_at

Obj = dict[str, Any]


@dataclass
class PodView:
    status: Obj
    next_change: float | None
    states: dict[str, ContainerState]


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String`` for whole seconds: ``10s``, ``1m20s``, ``5m0s``."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    return f"{s // 60}m{s % 60}s"


def pull_error(image: str) -> str:
    full = normalize_image(image)
    return (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{full}": failed to resolve '
        f'reference "{full}": {full}: not found'
    )


def _terminated(pod_uid: str, plan: ContainerPlan, run: Run, restart: int) -> Obj:
    return {
        "exitCode": run.exit_code,
        "reason": "Completed" if run.exit_code == 0 else "Error",
        "startedAt": rfc3339(run.started),
        "finishedAt": rfc3339(run.finished if run.finished is not None else run.started),
        "containerID": container_id(pod_uid, plan.name, restart),
    }


def container_status(
    pod: Mapping[str, Any], plan: ContainerPlan, st: ContainerState, *, initializing: bool
) -> Obj:
    m = pod.get("metadata") or {}
    uid = str(m.get("uid") or "")
    state: Obj
    if st.kind == "waiting":
        waiting: Obj = {
            "reason": "PodInitializing" if initializing and st.reason == "ContainerCreating" else st.reason
        }
        if st.reason == "ErrImagePull":
            waiting["message"] = pull_error(plan.image)
        elif st.reason == "ImagePullBackOff":
            waiting["message"] = (
                f'Back-off pulling image "{plan.image}": ErrImagePull: {pull_error(plan.image)}'
            )
        elif st.reason == "CrashLoopBackOff":
            waiting["message"] = (
                f"back-off {go_duration(st.backoff)} restarting failed container={plan.name} "
                f"pod={m.get('name')}_{m.get('namespace')}({uid})"
            )
        state = {"waiting": waiting}
    elif st.kind == "running":
        assert st.current is not None
        state = {"running": {"startedAt": rfc3339(st.current.started)}}
    else:
        assert st.current is not None
        state = {"terminated": _terminated(uid, plan, st.current, st.restart_count)}
    ever_ran = st.current is not None or st.last is not None
    out: Obj = {
        "name": plan.name,
        "state": state,
        "lastState": (
            {"terminated": _terminated(uid, plan, st.last, max(0, st.restart_count - 1))}
            if st.last is not None
            else {}
        ),
        "ready": st.ready,
        "restartCount": st.restart_count,
        "image": normalize_image(plan.image) if ever_ran else plan.image,
        "imageID": image_id(plan.image) if ever_ran else "",
    }
    if ever_ran:
        out["containerID"] = container_id(uid, plan.name, st.restart_count)
    out["started"] = st.kind == "running"
    return out


def _phase(policy: str, init_done: bool, init_failed: bool, states: list[ContainerState]) -> str:
    if not init_done:
        return "Failed" if init_failed else "Pending"
    running = waiting = stopped = succeeded = 0
    for st in states:
        if st.kind == "running":
            running += 1
        elif st.kind == "terminated":
            stopped += 1
            if st.current is not None and st.current.exit_code == 0:
                succeeded += 1
        elif st.last is not None:
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Running" if policy == "OnFailure" else "Failed"
    return "Pending"


def _condition(previous: Mapping[str, Any] | None, ctype: str, status: str, now: float, **extra: str) -> Obj:
    old = get_condition(previous, ctype)
    since = old.get("lastTransitionTime") if old is not None and old.get("status") == status else rfc3339(now)
    cond: Obj = {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since}
    cond.update({k: v for k, v in extra.items() if v})
    return cond


def build_status(
    pod: Mapping[str, Any],
    inits: list[ContainerPlan],
    apps: list[ContainerPlan],
    now: float,
    *,
    admitted: float,
    host_ip: str,
    pod_ip: str,
) -> PodView:
    previous = pod.get("status") or {}
    policy = str((pod.get("spec") or {}).get("restartPolicy") or "Always")
    states: dict[str, ContainerState] = {}
    changes: list[float] = []
    init_statuses: list[Obj] = []
    init_done, init_failed, pending_inits = True, False, []
    for plan in inits:
        st = state_at(plan, now)
        states[plan.name] = st
        if st.next_change is not None and st.next_change != float("inf"):
            changes.append(st.next_change)
        done = (
            st.kind == "running" if plan.sidecar else (st.kind == "terminated" and st.reason == "Completed")
        )
        if not done:
            if init_done:
                pending_inits.append(plan.name)
            if st.kind == "terminated" and st.reason == "Error":
                init_failed = True
            init_done = False
        init_statuses.append(container_status(pod, plan, st, initializing=False))
    app_states = []
    app_statuses: list[Obj] = []
    for plan in apps:
        st = state_at(plan, now)
        states[plan.name] = st
        app_states.append(st)
        if st.next_change is not None and st.next_change != float("inf"):
            changes.append(st.next_change)
        app_statuses.append(container_status(pod, plan, st, initializing=not init_done))
    phase = _phase(policy, init_done, init_failed, app_states)
    terminal = phase in ("Succeeded", "Failed")
    unready = [p.name for p, st in zip(apps, app_states, strict=True) if not st.ready]
    all_ready = phase == "Running" and not unready
    if terminal:
        ready_extra = {"reason": "PodCompleted"}
    elif all_ready:
        ready_extra = {}
    else:
        ready_extra = {
            "reason": "ContainersNotReady",
            "message": f"containers with unready status: [{' '.join(sorted(unready))}]",
        }
    init_extra: dict[str, str] = {}
    if terminal:
        init_extra = {"reason": "PodCompleted"}
    elif not init_done:
        init_extra = {
            "reason": "ContainersNotInitialized",
            "message": f"containers with incomplete status: [{' '.join(pending_inits)}]",
        }
    scheduled = get_condition(previous, "PodScheduled") or {
        "type": "PodScheduled",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(admitted),
    }
    conditions = [
        _condition(previous, "PodReadyToStartContainers", "False" if terminal else "True", now),
        _condition(previous, "Initialized", "True" if init_done or terminal else "False", now, **init_extra),
        _condition(previous, "Ready", "True" if all_ready else "False", now, **ready_extra),
        _condition(previous, "ContainersReady", "True" if all_ready else "False", now, **ready_extra),
        dict(scheduled),
    ]
    status: Obj = {"phase": phase, "conditions": conditions}
    if host_ip:
        status["hostIP"] = host_ip
        status["hostIPs"] = [{"ip": host_ip}]
    if pod_ip:
        status["podIP"] = pod_ip
        status["podIPs"] = [{"ip": pod_ip}]
    status["startTime"] = rfc3339(admitted)
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status["containerStatuses"] = sorted(app_statuses, key=lambda s: str(s["name"]))
    status["qosClass"] = previous.get("qosClass", "BestEffort")
    return PodView(status, min(changes) if changes and not terminal else None, states)
