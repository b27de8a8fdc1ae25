"""Simulated container timelines and the pod status the kubelet writes from them (pure functions)."""

from __future__ import annotations

from typing import Any

from gennaker.sandbox.kubelet.faults import Fault, FaultRules, container_faults, parse_rule, parse_rule_text
from gennaker.sandbox.kubelet.plan import normalize_image, plan_pod
from gennaker.sandbox.kubelet.podstatus import build_status, go_duration
from gennaker.sandbox.kubelet.timeline import ContainerPlan, state_at
from gennaker.sandbox.simulation import SimulationSettings

T0 = 1_800_000_000.0


def pod(
    containers: list[dict[str, Any]], *, policy: str = "Always", annotations: Any = None, **extra: Any
) -> Any:
    return {
        "metadata": {"name": "p", "namespace": "ns", "uid": "u-1", "annotations": annotations or {}, **extra},
        "spec": {"restartPolicy": policy, "containers": containers},
        "status": {"phase": "Pending", "qosClass": "BestEffort"},
    }


def test_normal_container_creates_runs_then_becomes_ready() -> None:
    plan = ContainerPlan("c", "nginx", start_at=T0 + 1, ready_after=2)
    assert state_at(plan, T0).reason == "ContainerCreating" and state_at(plan, T0).next_change == T0 + 1
    running = state_at(plan, T0 + 1.5)
    assert running.kind == "running" and not running.ready and running.next_change == T0 + 3
    assert state_at(plan, T0 + 3).ready and state_at(plan, T0 + 3).next_change is None


def test_crash_loop_restarts_with_growing_back_off() -> None:
    plan = ContainerPlan(
        "c", "x", start_at=T0, ready_after=None, run_for=1, exit_code=2, restarts=True, time_scale=0.1
    )
    assert state_at(plan, T0 + 0.5).kind == "running"
    second = state_at(plan, T0 + 1.5)  # the first restart is immediate
    assert second.kind == "running" and second.restart_count == 1 and second.last is not None
    assert second.last.exit_code == 2
    waiting = state_at(plan, T0 + 2.5)  # crashed again: back-off 10 s (x0.1)
    assert waiting.reason == "CrashLoopBackOff" and waiting.restart_count == 1 and waiting.backoff == 10
    assert waiting.next_change == T0 + 3.0
    later = state_at(plan, T0 + 4.5)  # run 2 ended at 4.0, back-off 20 s (x0.1) until 6.0
    assert later.reason == "CrashLoopBackOff" and later.restart_count == 2 and later.backoff == 20


def test_never_restarting_failure_and_success() -> None:
    failed = ContainerPlan("c", "x", start_at=T0, run_for=1, exit_code=5)
    st = state_at(failed, T0 + 2)
    assert st.kind == "terminated" and st.reason == "Error" and st.current and st.current.exit_code == 5
    done = ContainerPlan("c", "x", start_at=T0, run_for=1)
    assert state_at(done, T0 + 2).reason == "Completed" and state_at(done, T0 + 2).next_change is None


def test_image_pull_back_off_alternates_with_err_image_pull() -> None:
    plan = ContainerPlan("c", "bad", start_at=T0, pull_fails=True, time_scale=0.1)
    assert state_at(plan, T0 + 0.1).reason == "ErrImagePull"
    assert state_at(plan, T0 + 0.7).reason == "ImagePullBackOff"
    assert state_at(plan, T0 + 1.1).reason == "ErrImagePull"  # second attempt at T0 + 1
    assert state_at(plan, T0 + 1.1).pull_attempts == 2


def test_pod_status_phases_and_conditions() -> None:
    settings = SimulationSettings(start_delay=1, ready_delay=1)
    p = pod([{"name": "b", "image": "nginx:1.25"}, {"name": "a", "image": "busybox"}])
    inits, apps = plan_pod(p, T0, settings, {})
    view = build_status(p, inits, apps, T0 + 0.5, admitted=T0, host_ip="172.18.0.2", pod_ip="10.244.1.2")
    s = view.status
    assert s["phase"] == "Pending" and view.next_change == T0 + 1
    assert [c["name"] for c in s["containerStatuses"]] == ["a", "b"]  # sorted by name, as the kubelet does
    assert s["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    ready = next(c for c in s["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["message"] == "containers with unready status: [a b]"
    p["status"] = s
    view = build_status(p, inits, apps, T0 + 2.5, admitted=T0, host_ip="172.18.0.2", pod_ip="10.244.1.2")
    assert view.status["phase"] == "Running" and view.next_change is None
    assert all(c["status"] == "True" for c in view.status["conditions"])
    a = view.status["containerStatuses"][0]
    assert a["image"] == "docker.io/library/busybox:latest" and a["started"] is True and a["ready"] is True
    # the Initialized condition kept its transition time
    assert view.status["conditions"][1]["lastTransitionTime"] == s["conditions"][1]["lastTransitionTime"]


def test_job_pod_succeeds_or_fails_with_its_exit_code() -> None:
    settings = SimulationSettings(start_delay=0, ready_delay=0, run_seconds=1)
    owner = {"ownerReferences": [{"kind": "Job", "name": "j", "uid": "j", "controller": True}]}
    p = pod([{"name": "c", "image": "busybox"}], policy="Never", **owner)
    inits, apps = plan_pod(p, T0, settings, {})
    view = build_status(p, inits, apps, T0 + 2, admitted=T0, host_ip="", pod_ip="")
    assert view.status["phase"] == "Succeeded"
    assert view.status["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    ready = next(c for c in view.status["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "PodCompleted"
    inits, apps = plan_pod(p, T0, settings, {"c": Fault("fail", exit_code=7)})
    view = build_status(p, inits, apps, T0 + 2, admitted=T0, host_ip="", pod_ip="")
    assert view.status["phase"] == "Failed"
    assert view.status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 7


def test_init_containers_run_first() -> None:
    settings = SimulationSettings(start_delay=1, ready_delay=0)
    p = pod([{"name": "app", "image": "nginx"}])
    p["spec"]["initContainers"] = [{"name": "init", "image": "busybox"}]
    inits, apps = plan_pod(p, T0, settings, {})
    assert inits[0].start_at == T0 + 1 and apps[0].start_at == T0 + 2
    view = build_status(p, inits, apps, T0 + 0.5, admitted=T0, host_ip="", pod_ip="")
    assert view.status["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
    init_cond = next(c for c in view.status["conditions"] if c["type"] == "Initialized")
    assert init_cond["message"] == "containers with incomplete status: [init]"
    view = build_status(p, inits, apps, T0 + 3, admitted=T0, host_ip="", pod_ip="")
    assert view.status["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert view.status["phase"] == "Running"


def test_fault_annotations_and_rules() -> None:
    rules = FaultRules()
    rules.add(parse_rule({"image": "registry.local/bad:*", "fault": "image-pull-backoff"}))
    annotated = pod(
        [{"name": "a", "image": "registry.local/bad:1"}, {"name": "b", "image": "x"}],
        annotations={"sandbox.gennaker.io/fault": "crash-loop", "sandbox.gennaker.io/fault-containers": "b"},
    )
    faults, problems = container_faults(annotated, rules)
    assert faults["a"].kind == "image-pull-backoff" and faults["b"].kind == "crash-loop" and not problems
    wrong = pod([{"name": "a", "image": "x"}], annotations={"sandbox.gennaker.io/fault": "explode"})
    assert "is not one of never-ready" in container_faults(wrong, None)[1][0]
    assert parse_rule_text("nginx:*=fail:4").exit_code == 4


def test_image_normalisation_and_durations() -> None:
    assert normalize_image("nginx") == "docker.io/library/nginx:latest"
    assert normalize_image("bitnami/redis:7") == "docker.io/bitnami/redis:7"
    assert normalize_image("ghcr.io/o/r:1") == "ghcr.io/o/r:1"
    assert normalize_image("localhost:5000/r") == "localhost:5000/r:latest"
    assert [go_duration(s) for s in (10, 80, 300)] == ["10s", "1m20s", "5m0s"]
