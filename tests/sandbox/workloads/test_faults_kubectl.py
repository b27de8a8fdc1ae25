"""Fault injection, judged by what the real kubectl prints: never-ready (and a Deployment reaching
ProgressDeadlineExceeded), ImagePullBackOff, CrashLoopBackOff, slow start, sandbox-wide image rules
(Python API and the ``/_sandbox/faults`` control path).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.kubelet.faults import FaultRule

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(150)]


def deployment(name: str, *, image: str = "nginx:1.25", annotations: str = "", deadline: int = 600) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  progressDeadlineSeconds: {deadline}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata:
      labels: {{app: {name}}}
      annotations: {{{annotations}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        readinessProbe: {{httpGet: {{path: /healthz, port: 80}}}}
"""


def pod_row(kubectl: Kubectl, ns: str, app: str) -> list[str]:
    lines = kubectl("get", "pods", "-n", ns, "-l", f"app={app}").splitlines()
    assert len(lines) >= 2, lines
    return lines[1].split()


def wait_for_row(kubectl: Kubectl, ns: str, app: str, predicate: Any, timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    row: list[str] = []
    while time.monotonic() < deadline:
        try:
            row = pod_row(kubectl, ns, app)
        except AssertionError:
            row = []
        if row and predicate(row):
            return row
        time.sleep(0.2)
    raise AssertionError(f"pod row never matched; last: {row}")


def test_never_ready_deployment_exceeds_its_progress_deadline(kubectl: Kubectl, ns: str) -> None:
    fault = '"sandbox.gennaker.io/fault": never-ready'
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("nr", annotations=fault, deadline=3))
    proc = kubectl.run("rollout", "status", "deploy/nr", "-n", ns, "--timeout=60s", check=False)
    assert proc.returncode == 1
    assert 'error: deployment "nr" exceeded its progress deadline' in proc.stderr
    row = pod_row(kubectl, ns, "nr")
    assert row[1:3] == ["0/1", "Running"]
    conds = {c["type"]: c for c in kubectl.json("get", "deploy", "nr", "-n", ns)["status"]["conditions"]}
    assert conds["Progressing"]["status"] == "False"
    assert conds["Progressing"]["reason"] == "ProgressDeadlineExceeded"
    assert conds["Progressing"]["message"].endswith("has timed out progressing.")
    pod = kubectl.json("get", "pods", "-n", ns, "-l", "app=nr")["items"][0]
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["reason"] == "ContainersNotReady"
    assert ready["message"] == "containers with unready status: [nr]"
    described = kubectl("describe", "pod", pod["metadata"]["name"], "-n", ns)
    assert "Readiness probe failed: HTTP probe failed with statuscode: 503" in described


def test_image_pull_backoff_shows_as_the_kubelet_reports_it(kubectl: Kubectl, ns: str) -> None:
    fault = '"sandbox.gennaker.io/fault": image-pull-backoff'
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("ip", image="nginx:nope", annotations=fault))
    row = wait_for_row(kubectl, ns, "ip", lambda r: r[2] == "ImagePullBackOff")
    assert row[1] == "0/1"
    pod = kubectl.json("get", "pods", "-n", ns, "-l", "app=ip")["items"][0]
    assert pod["status"]["phase"] == "Pending"
    waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["message"].startswith('Back-off pulling image "nginx:nope": ErrImagePull: ')
    described = kubectl("describe", "pod", pod["metadata"]["name"], "-n", ns)
    assert 'Failed to pull image "nginx:nope"' in described and "Error: ImagePullBackOff" in described
    logs = kubectl.run("logs", pod["metadata"]["name"], "-n", ns, check=False)
    assert logs.returncode == 1 and "is waiting to start: trying and failing to pull image" in logs.stderr


def test_crash_loop_backoff_counts_restarts(kubectl: Kubectl, ns: str) -> None:
    fault = '"sandbox.gennaker.io/fault": crash-loop, "sandbox.gennaker.io/exit-code": "3"'
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("cl", annotations=fault))
    row = wait_for_row(kubectl, ns, "cl", lambda r: r[2] == "CrashLoopBackOff" and int(r[3]) >= 2)
    assert row[1] == "0/1" and row[4].startswith("(") and row[5] == "ago)"  # RESTARTS: "2 (1s ago)"
    deadline = time.monotonic() + 30
    while True:
        pod = kubectl.json("get", "pods", "-n", ns, "-l", "app=cl")["items"][0]
        cs = pod["status"]["containerStatuses"][0]
        if "waiting" in cs["state"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert pod["status"]["phase"] == "Running"
    assert (
        cs["lastState"]["terminated"]["exitCode"] == 3 and cs["lastState"]["terminated"]["reason"] == "Error"
    )
    name, uid = pod["metadata"]["name"], pod["metadata"]["uid"]
    assert re.fullmatch(
        rf"back-off (10s|20s|40s|1m20s) restarting failed container=cl pod={name}_{ns}\({uid}\)",
        cs["state"]["waiting"]["message"],
    )
    previous = kubectl("logs", pod["metadata"]["name"], "-n", ns, "--previous")
    assert "exiting with code 3" in previous
    assert "Back-off restarting failed container cl in pod" in kubectl(
        "describe", "pod", pod["metadata"]["name"], "-n", ns
    )


def test_slow_start_is_running_but_not_ready_for_a_while(kubectl: Kubectl, ns: str) -> None:
    fault = '"sandbox.gennaker.io/fault": slow-start, "sandbox.gennaker.io/slow-start-seconds": "3"'
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("ss", annotations=fault))
    wait_for_row(kubectl, ns, "ss", lambda r: r[1:3] == ["0/1", "Running"])
    started = time.monotonic()
    kubectl("rollout", "status", "deploy/ss", "-n", ns, "--timeout=60s")
    assert time.monotonic() - started > 1.0
    assert pod_row(kubectl, ns, "ss")[1:3] == ["1/1", "Running"]


def _post(url: str, body: Any, method: str = "POST") -> tuple[int, Any]:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method=method
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_sandbox_wide_rules_by_image_pattern(cluster: SandboxCluster, kubectl: Kubectl, ns: str) -> None:
    # through HTTP: bad bodies are refused with a message naming the field
    code, body = _post(cluster.url + "/_sandbox/faults", {"image": "nginx:*", "fault": "explode"})
    assert code == 400 and "'fault' must be one of never-ready" in body["error"]
    code, rule = _post(
        cluster.url + "/_sandbox/faults", {"image": f"registry.{ns}/broken:*", "fault": "never-ready"}
    )
    assert code == 201 and rule["id"] >= 1
    # through Python
    crash = cluster.faults.add(FaultRule(f"registry.{ns}/crashy:*", "crash-loop", exit_code=2))
    try:
        kubectl("apply", "-n", ns, "-f", "-", input=deployment("rb", image=f"registry.{ns}/broken:1"))
        kubectl("apply", "-n", ns, "-f", "-", input=deployment("rc", image=f"registry.{ns}/crashy:1"))
        wait_for_row(kubectl, ns, "rb", lambda r: r[1:3] == ["0/1", "Running"])
        wait_for_row(kubectl, ns, "rc", lambda r: r[2] == "CrashLoopBackOff")
        with urllib.request.urlopen(cluster.url + "/_sandbox/faults", timeout=10) as r:
            listed = json.loads(r.read())["rules"]
        assert {x["id"] for x in listed} >= {rule["id"], crash.id}
    finally:
        assert _post(cluster.url + f"/_sandbox/faults/{rule['id']}", None, "DELETE")[0] == 200
        cluster.faults.remove(crash.id)
    assert _post(cluster.url + "/_sandbox/faults/99999", None, "DELETE")[0] == 404
