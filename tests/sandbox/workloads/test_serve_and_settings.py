"""The standalone server's simulation options (--fault, delays, --no-controllers), per-pod delay
annotations, the clock control path, and a Job followed through the Python client."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, watch

from gennaker.sandbox import SandboxCluster

from ..conftest import Kubectl

pytestmark = pytest.mark.timeout(90)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def post(url: str, body: Any) -> tuple[int, Any]:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gennaker.sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_standalone_fault_rules_and_delays(tmp_path: Path) -> None:
    proc = serve("--fault", "registry.local/bad:*=crash-loop:3", "--start-delay", "0", "--ready-delay", "0")
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        url = line.strip().rsplit(" ", 1)[1]
        rules = get(url + "/_sandbox/faults")["rules"]
        assert rules == [{"id": 1, "image": "registry.local/bad:*", "fault": "crash-loop", "exitCode": 3}]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = serve("--fault", "nginx")
    _, err = bad.communicate(timeout=30)
    assert bad.returncode == 2 and "expected IMAGE_GLOB=FAULT[:EXIT_CODE]" in err


def test_bare_api_server_without_controllers() -> None:
    with SandboxCluster(port=0, workloads=False) as bare:
        assert bare.workload_controllers == []
        assert not bare.api.graceful_pod_deletion
        assert "kubelet" not in bare.controllers.names()
    with SandboxCluster(port=0, workloads=["scheduler", "replicaset"]) as some:
        assert {"scheduler", "replicaset"} <= set(some.controllers.names())
        assert "deployment" not in some.controllers.names()
    with pytest.raises(ValueError, match="unknown built-in controller"):
        SandboxCluster(port=0, workloads=["deploymnet"])


def test_per_pod_delay_annotations(kubectl: Kubectl, ns: str) -> None:
    pod = """
apiVersion: v1
kind: Pod
metadata:
  name: slow
  annotations: {"sandbox.gennaker.io/start-delay": "1.5", "sandbox.gennaker.io/ready-delay": "1"}
spec: {containers: [{name: c, image: nginx}]}
"""
    started = time.monotonic()
    kubectl("apply", "-n", ns, "-f", "-", input=pod)
    time.sleep(0.5)
    status = kubectl.json("get", "pod", "slow", "-n", ns)["status"]
    assert status["phase"] == "Pending"
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    kubectl("wait", "--for=condition=Ready", "pod/slow", "-n", ns, "--timeout=30s")
    assert time.monotonic() - started > 2.0


def test_clock_control_path(cluster: SandboxCluster) -> None:
    before = get(cluster.url + "/_sandbox/clock")
    code, after = post(cluster.url + "/_sandbox/clock", {"advance": 5})
    assert code == 200 and after["offset"] >= before["offset"] + 5
    assert post(cluster.url + "/_sandbox/clock", {"advance": -1})[0] == 400
    assert post(cluster.url + "/_sandbox/clock", {"advance": "soon"})[0] == 400


def test_job_through_the_python_client(api_client: Any) -> None:
    core, batch = client.CoreV1Api(api_client), client.BatchV1Api(api_client)
    ns = "pj-" + uuid.uuid4().hex[:8]
    core.create_namespace({"metadata": {"name": ns}})
    batch.create_namespaced_job(
        ns,
        {
            "metadata": {"name": "work"},
            "spec": {
                "completions": 2,
                "template": {
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "w", "image": "busybox"}]}
                },
            },
        },
    )
    done = False
    for event in watch.Watch().stream(batch.list_namespaced_job, ns, timeout_seconds=30):
        job = event["object"]
        if any(c.type == "Complete" and c.status == "True" for c in job.status.conditions or []):
            done = True
            break
    assert done and job.status.succeeded == 2 and job.status.completion_time is not None
    pods = core.list_namespaced_pod(ns, label_selector="job-name=work").items
    assert {p.status.phase for p in pods} == {"Succeeded"}
    assert pods[0].status.container_statuses[0].state.terminated.reason == "Completed"


def test_a_restarted_sandbox_keeps_running_pods_running(tmp_path: Path) -> None:
    from ..conftest import FAST, make_kubectl

    state = tmp_path / "state.json"
    with SandboxCluster(port=0, state_file=state, simulation=FAST) as first:
        k = make_kubectl(first, tmp_path / "one")
        k("create", "deployment", "web", "--image=nginx", "--replicas=3")
        k("rollout", "status", "deploy/web", "--timeout=60s")
        ips = sorted(p["status"]["podIP"] for p in k.json("get", "pods")["items"])
    with SandboxCluster(port=0, state_file=state, simulation=FAST) as second:
        k = make_kubectl(second, tmp_path / "two")
        for _ in range(5):  # the re-admitted pods never go back to Pending
            rows = k("get", "pods", "--no-headers").splitlines()
            assert len(rows) == 3 and all(r.split()[1:3] == ["1/1", "Running"] for r in rows), rows
            time.sleep(0.1)
        k("scale", "deploy/web", "--replicas=5")
        k("rollout", "status", "deploy/web", "--timeout=60s")
        pods = k.json("get", "pods")["items"]
        assert sorted(p["status"]["podIP"] for p in pods if p["status"]["podIP"] in ips) == ips
        assert len({p["status"]["podIP"] for p in pods}) == 5  # new pods got fresh addresses
