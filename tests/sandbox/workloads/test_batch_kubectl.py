"""Jobs and CronJobs driven by the real kubectl (completions, parallelism, a failing Job reaching its
backoffLimit, deadlines, suspend, Indexed jobs, schedules on the sandbox clock), HPAs, Services' endpoints."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(150)]


def job(
    name: str, *, completions: int = 1, parallelism: int = 1, extra: str = "", annotations: str = ""
) -> str:
    return f"""
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  completions: {completions}
  parallelism: {parallelism}
  {extra}
  template:
    metadata: {{annotations: {{{annotations}}}}}
    spec:
      restartPolicy: Never
      containers:
      - {{name: work, image: busybox, command: [sh, -c, "echo hi"]}}
"""


def conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in obj["status"].get("conditions", [])}


def wait_for(fn: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def test_job_runs_completions_with_parallelism_and_completes(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=job("batch", completions=4, parallelism=2))
    out = kubectl("wait", "--for=condition=complete", "job/batch", "-n", ns, "--timeout=60s")
    assert "job.batch/batch condition met" in out
    j = kubectl.json("get", "job", "batch", "-n", ns)
    assert j["status"]["succeeded"] == 4 and "completionTime" in j["status"] and "startTime" in j["status"]
    conds = conditions(j)
    assert conds["SuccessCriteriaMet"]["reason"] == conds["Complete"]["reason"] == "CompletionsReached"
    pods = kubectl.json("get", "pods", "-n", ns, "-l", "job-name=batch")["items"]
    assert len(pods) == 4 and {p["status"]["phase"] for p in pods} == {"Succeeded"}
    row = kubectl("get", "job", "batch", "-n", ns).splitlines()[1].split()
    assert row[1:3] == ["Complete", "4/4"]
    assert "Completed" in kubectl("get", "pods", "-n", ns)
    assert "task completed successfully" in kubectl("logs", "job/batch", "-n", ns)


def test_failing_job_reaches_its_backoff_limit(kubectl: Kubectl, ns: str) -> None:
    fault = '"sandbox.gennaker.io/fault": fail, "sandbox.gennaker.io/exit-code": "4"'
    kubectl("apply", "-n", ns, "-f", "-", input=job("bad", extra="backoffLimit: 1", annotations=fault))
    out = kubectl("wait", "--for=condition=failed", "job/bad", "-n", ns, "--timeout=60s")
    assert "condition met" in out
    j = kubectl.json("get", "job", "bad", "-n", ns)
    conds = conditions(j)
    assert conds["FailureTarget"]["reason"] == conds["Failed"]["reason"] == "BackoffLimitExceeded"
    assert conds["Failed"]["message"] == "Job has reached the specified backoff limit"
    assert j["status"]["failed"] == 2 and "completionTime" not in j["status"]
    pods = kubectl.json("get", "pods", "-n", ns, "-l", "job-name=bad")["items"]
    terminated = pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 4 and terminated["reason"] == "Error"
    assert kubectl("get", "pods", "-n", ns).count(" Error ") == 2
    assert "BackoffLimitExceeded" in kubectl("describe", "job", "bad", "-n", ns)


def test_active_deadline_suspend_and_indexed_jobs(kubectl: Kubectl, ns: str) -> None:
    slow = '"sandbox.gennaker.io/run-seconds": "30"'
    kubectl(
        "apply", "-n", ns, "-f", "-", input=job("late", extra="activeDeadlineSeconds: 1", annotations=slow)
    )
    kubectl("wait", "--for=condition=failed", "job/late", "-n", ns, "--timeout=60s")
    assert conditions(kubectl.json("get", "job", "late", "-n", ns))["Failed"]["reason"] == "DeadlineExceeded"
    kubectl("apply", "-n", ns, "-f", "-", input=job("held", extra="suspend: true"))
    held = wait_for(lambda: "Suspended" in conditions(kubectl.json("get", "job", "held", "-n", ns)) and True)
    assert held and not kubectl.json("get", "pods", "-n", ns, "-l", "job-name=held")["items"]
    kubectl("patch", "job", "held", "-n", ns, "--type=merge", "-p", '{"spec":{"suspend":false}}')
    kubectl("wait", "--for=condition=complete", "job/held", "-n", ns, "--timeout=60s")
    kubectl(
        "apply",
        "-n",
        ns,
        "-f",
        "-",
        input=job("idx", completions=3, parallelism=3, extra="completionMode: Indexed"),
    )
    kubectl("wait", "--for=jsonpath={.status.completedIndexes}=0-2", "job/idx", "-n", ns, "--timeout=60s")
    indexes = sorted(
        p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
        for p in kubectl.json("get", "pods", "-n", ns, "-l", "job-name=idx")["items"]
    )
    assert indexes == ["0", "1", "2"]


def test_cronjob_creates_jobs_on_the_sandbox_clock(
    cluster: SandboxCluster, kubectl: Kubectl, ns: str
) -> None:
    kubectl("create", "cronjob", "tick", "-n", ns, "--image=busybox", "--schedule=*/5 * * * *")
    time.sleep(0.5)
    assert not kubectl.json("get", "jobs", "-n", ns)["items"]  # nothing due yet
    body = json.dumps({"advance": 300}).encode()
    req = urllib.request.Request(cluster.url + "/_sandbox/clock", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert json.loads(r.read())["offset"] >= 300
    first = wait_for(lambda: kubectl.json("get", "jobs", "-n", ns)["items"])
    assert first[0]["metadata"]["name"].startswith("tick-")
    assert first[0]["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert "batch.kubernetes.io/cronjob-scheduled-timestamp" in first[0]["metadata"]["annotations"]
    kubectl(
        "wait", "--for=condition=complete", f"job/{first[0]['metadata']['name']}", "-n", ns, "--timeout=60s"
    )
    cluster.simulation.clock.advance(300)
    wait_for(lambda: len(kubectl.json("get", "jobs", "-n", ns)["items"]) == 2)
    cj = wait_for(
        lambda: (
            (c := kubectl.json("get", "cronjob", "tick", "-n", ns))
            .get("status", {})
            .get("lastSuccessfulTime")
            and c
        )
    )
    assert cj["status"]["lastScheduleTime"].endswith(":00Z")
    events = kubectl("events", "-n", ns, "--for", "cronjob/tick")
    assert "Created job tick-" in events and "Saw completed job" in events
    kubectl("patch", "cronjob", "tick", "-n", ns, "-p", '{"spec":{"suspend":true}}')
    time.sleep(0.3)
    cluster.simulation.clock.advance(300)
    time.sleep(1.0)
    assert len(kubectl.json("get", "jobs", "-n", ns)["items"]) == 2


def test_cronjob_forbid_and_history_limits(cluster: SandboxCluster, kubectl: Kubectl, ns: str) -> None:
    cj = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: hourly}
spec:
  schedule: "@hourly"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {"sandbox.gennaker.io/run-seconds": "0.5"}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
"""
    kubectl("apply", "-n", ns, "-f", "-", input=cj)
    for _ in range(3):
        cluster.simulation.clock.advance(3600)
        wait_for(lambda: kubectl.json("get", "cronjob", "hourly", "-n", ns).get("status", {}).get("active"))
        wait_for(
            lambda: not kubectl.json("get", "cronjob", "hourly", "-n", ns).get("status", {}).get("active")
        )
    wait_for(lambda: len(kubectl.json("get", "jobs", "-n", ns)["items"]) == 1)


def test_hpa_follows_simulated_utilization(kubectl: Kubectl, ns: str) -> None:
    dep = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {"sandbox.gennaker.io/cpu-load": "240"}}
    spec: {containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]}
"""
    kubectl("apply", "-n", ns, "-f", "-", input=dep)
    kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    args = ("autoscale", "deploy", "web", "-n", ns, "--min=1", "--max=5", "--cpu=60%")
    rendered = kubectl.json(*args, "--dry-run=client")
    kubectl(*args)  # kubectl sends this HPA as protobuf
    assert kubectl.json("get", "hpa", "web", "-n", ns)["spec"] == rendered["spec"]
    hpa = wait_for(
        lambda: (
            (h := kubectl.json("get", "hpa", "web", "-n", ns)).get("status", {}).get("lastScaleTime") and h
        )
    )
    assert hpa["status"]["desiredReplicas"] == 4  # 240 % of load over 2 pods: ceil(2 x 120 / 60)
    wait_for(lambda: kubectl.json("get", "deploy", "web", "-n", ns)["status"].get("readyReplicas") == 4)
    # with 4 pods sharing the load, utilization is at the target: the HPA stays at 4
    settled = wait_for(
        lambda: (
            (h := kubectl.json("get", "hpa", "web", "-n", ns))["status"]
            .get("currentMetrics", [{}])[0]
            .get("resource", {})
            .get("current", {})
            .get("averageUtilization")
            == 60
            and h
        )
    )
    assert settled["status"]["desiredReplicas"] == 4 and settled["status"]["currentReplicas"] == 4
    assert "New size: 4; reason: cpu resource utilization (percentage of request) above target" in kubectl(
        "describe", "hpa", "web", "-n", ns
    )


def test_service_endpoints_and_slices_list_ready_pods(kubectl: Kubectl, ns: str) -> None:
    dep = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
"""
    kubectl("apply", "-n", ns, "-f", "-", input=dep)
    kubectl("expose", "deploy", "api", "-n", ns, "--port=80", "--target-port=http")
    kubectl("rollout", "status", "deploy/api", "-n", ns, "--timeout=60s")
    ips = sorted(
        p["status"]["podIP"] for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=api")["items"]
    )

    def endpoints() -> Any:
        ep = kubectl.json("get", "endpoints", "api", "-n", ns)
        subsets = ep.get("subsets") or []
        return subsets and sorted(a["ip"] for a in subsets[0].get("addresses", [])) == ips and ep

    ep = wait_for(endpoints)
    assert ep["subsets"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]
    slices = kubectl.json("get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=api")["items"]
    assert len(slices) == 1 and slices[0]["addressType"] == "IPv4"
    assert sorted(e["addresses"][0] for e in slices[0]["endpoints"]) == ips
    assert all(e["conditions"]["ready"] for e in slices[0]["endpoints"])
    described = kubectl("describe", "svc", "api", "-n", ns)
    assert f"{ips[0]}:8080" in described
    kubectl("delete", "svc", "api", "-n", ns)
    wait_for(lambda: kubectl.run("get", "endpoints", "api", "-n", ns, check=False).returncode == 1)
