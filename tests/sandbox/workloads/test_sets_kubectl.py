"""StatefulSets and DaemonSets driven by the real kubectl: rollout status, history, undo (ControllerRevision
data compared byte for byte by kubectl), ordered pods and claims, partitions, one pod per node."""

from __future__ import annotations

import time

import pytest

from gennaker.sandbox import SandboxCluster

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(150)]


def statefulset(
    name: str, replicas: int = 3, image: str = "postgres:16", policy: str = "OrderedReady"
) -> str:
    return f"""
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}}}
spec:
  serviceName: {name}
  replicas: {replicas}
  podManagementPolicy: {policy}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}, annotations: {{note: "a<b & c>d"}}}}
    spec:
      containers:
      - name: db
        image: {image}
        args: ["-c", "x && y"]
        ports: [{{containerPort: 5432, name: pg}}]
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 2Gi}}}}}}
"""


def daemonset(name: str, image: str = "fluentd:1") -> str:
    return f"""
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - {{name: agent, image: "{image}"}}
"""


def test_statefulset_ordered_pods_claims_rollout_history_and_undo(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=statefulset("db"))
    out = kubectl("rollout", "status", "sts/db", "-n", ns, "--timeout=60s")
    assert "partitioned roll out complete: 3 new pods have been updated..." in out
    pods = sorted(
        kubectl.json("get", "pods", "-n", ns, "-l", "app=db")["items"], key=lambda p: p["metadata"]["name"]
    )
    assert [p["metadata"]["name"] for p in pods] == ["db-0", "db-1", "db-2"]
    created = [p["metadata"]["creationTimestamp"] for p in pods]
    assert created == sorted(created)  # each waited for the previous one
    labels = pods[1]["metadata"]["labels"]
    assert (
        labels["statefulset.kubernetes.io/pod-name"] == "db-1"
        and labels["apps.kubernetes.io/pod-index"] == "1"
    )
    assert pods[1]["spec"]["hostname"] == "db-1" and pods[1]["spec"]["subdomain"] == "db"
    claim = {v["name"]: v for v in pods[1]["spec"]["volumes"]}["data"]
    assert claim["persistentVolumeClaim"]["claimName"] == "data-db-1"
    pvc = kubectl.json("get", "pvc", "data-db-1", "-n", ns)
    assert pvc["status"]["phase"] == "Bound" and pvc["status"]["capacity"] == {"storage": "2Gi"}
    (first_rev,) = kubectl.json("get", "controllerrevisions", "-n", ns, "-l", "app=db")["items"]
    assert labels["controller-revision-hash"] == first_rev["metadata"]["name"]
    assert first_rev["data"]["spec"]["template"]["$patch"] == "replace"
    # update: highest ordinal first, then history and undo
    kubectl("set", "image", "sts/db", "-n", ns, "db=postgres:17")
    kubectl("rollout", "status", "sts/db", "-n", ns, "--timeout=60s")
    history = kubectl("rollout", "history", "sts/db", "-n", ns)
    assert "1         <none>" in history and "2         <none>" in history
    skipped = kubectl("rollout", "undo", "sts/db", "-n", ns, "--to-revision=2")
    assert "skipped rollback (current template already matches revision 2)" in skipped
    assert "rolled back" in kubectl("rollout", "undo", "sts/db", "-n", ns)
    kubectl("rollout", "status", "sts/db", "-n", ns, "--timeout=60s")
    revisions = kubectl.json("get", "controllerrevisions", "-n", ns, "-l", "app=db")["items"]
    assert len(revisions) == 2  # the first revision was reused, now at revision 3
    assert {r["metadata"]["name"]: r["revision"] for r in revisions}[first_rev["metadata"]["name"]] == 3
    status = kubectl.json("get", "sts", "db", "-n", ns)["status"]
    assert status["currentRevision"] == status["updateRevision"] == first_rev["metadata"]["name"]
    assert status["readyReplicas"] == status["updatedReplicas"] == status["currentReplicas"] == 3
    images = {
        p["spec"]["containers"][0]["image"]
        for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=db")["items"]
    }
    assert images == {"postgres:16"}


def test_statefulset_partition_and_scale_down_from_the_top(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=statefulset("web", policy="Parallel"))
    kubectl("rollout", "status", "sts/web", "-n", ns, "--timeout=60s")
    kubectl(
        "patch", "sts", "web", "-n", ns, "-p", '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}'
    )
    kubectl("set", "image", "sts/web", "-n", ns, "db=postgres:17")
    out = kubectl("rollout", "status", "sts/web", "-n", ns, "--timeout=60s")
    assert "partitioned roll out complete: 1 new pods have been updated..." in out
    by_name = {
        p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
        for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=web")["items"]
    }
    assert by_name == {"web-0": "postgres:16", "web-1": "postgres:16", "web-2": "postgres:17"}
    kubectl("scale", "sts/web", "-n", ns, "--replicas=1")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        names = sorted(
            p["metadata"]["name"] for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=web")["items"]
        )
        if names == ["web-0"]:
            break
        time.sleep(0.2)
    assert names == ["web-0"]
    assert len(kubectl.json("get", "pvc", "-n", ns)["items"]) == 3  # claims are retained by default


def test_daemonset_one_pod_per_node_rollout_history_and_undo(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=daemonset("agent"))
    out = kubectl("rollout", "status", "ds/agent", "-n", ns, "--timeout=60s")
    assert 'daemon set "agent" successfully rolled out' in out
    pods = kubectl.json("get", "pods", "-n", ns, "-l", "app=agent")["items"]
    assert sorted(p["spec"]["nodeName"] for p in pods) == [
        "sandbox-node-1",
        "sandbox-node-2",
        "sandbox-node-3",
    ]
    assert all(p["metadata"]["labels"]["controller-revision-hash"] for p in pods)
    status = kubectl.json("get", "ds", "agent", "-n", ns)["status"]
    assert (
        status["desiredNumberScheduled"] == status["numberAvailable"] == status["updatedNumberScheduled"] == 3
    )
    kubectl("set", "image", "ds/agent", "-n", ns, "agent=fluentd:2")
    out = kubectl("rollout", "status", "ds/agent", "-n", ns, "--timeout=60s")
    assert "out of 3 new pods have been updated" in out and "successfully rolled out" in out
    assert "2         <none>" in kubectl("rollout", "history", "ds/agent", "-n", ns)
    kubectl("rollout", "undo", "ds/agent", "-n", ns)
    deadline = time.monotonic() + 30  # the controller records the reused revision as 3 right after
    while "3         <none>" not in kubectl("rollout", "history", "ds/agent", "-n", ns):
        assert time.monotonic() < deadline, "revision 3 never appeared"
        time.sleep(0.1)
    skipped = kubectl("rollout", "undo", "ds/agent", "-n", ns, "--to-revision=3")
    assert "skipped rollback (current template already matches revision 3)" in skipped
    kubectl("rollout", "status", "ds/agent", "-n", ns, "--timeout=60s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pods = [
            p
            for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=agent")["items"]
            if not p["metadata"].get("deletionTimestamp")
        ]
        if {p["spec"]["containers"][0]["image"] for p in pods} == {"fluentd:1"} and len(pods) == 3:
            break
        time.sleep(0.2)
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"fluentd:1"}
    row = kubectl("get", "ds", "agent", "-n", ns).splitlines()[1].split()
    assert row[1:6] == ["3", "3", "3", "3", "3"]


def test_daemonset_node_selector_limits_nodes(kubectl: Kubectl, ns: str) -> None:
    ds = daemonset("cp").replace(
        "    spec:\n", "    spec:\n      nodeSelector: {node-role.kubernetes.io/control-plane: ''}\n"
    )
    kubectl("apply", "-n", ns, "-f", "-", input=ds)
    kubectl("rollout", "status", "ds/cp", "-n", ns, "--timeout=60s")
    pods = kubectl.json("get", "pods", "-n", ns, "-l", "app=cp")["items"]
    assert [p["spec"]["nodeName"] for p in pods] == ["sandbox-node-1"]
    assert kubectl.json("get", "ds", "cp", "-n", ns)["status"]["desiredNumberScheduled"] == 1


def test_rollout_restart_of_statefulsets_and_daemonsets(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=statefulset("rs", replicas=2, policy="Parallel"))
    kubectl("apply", "-n", ns, "-f", "-", input=daemonset("rd"))
    kubectl("rollout", "status", "sts/rs", "-n", ns, "--timeout=60s")
    kubectl("rollout", "status", "ds/rd", "-n", ns, "--timeout=60s")
    before = {p["metadata"]["uid"] for p in kubectl.json("get", "pods", "-n", ns)["items"]}
    assert "restarted" in kubectl("rollout", "restart", "sts/rs", "-n", ns)
    assert "restarted" in kubectl("rollout", "restart", "ds/rd", "-n", ns)
    kubectl("rollout", "status", "sts/rs", "-n", ns, "--timeout=60s")
    kubectl("rollout", "status", "ds/rd", "-n", ns, "--timeout=60s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pods = [
            p
            for p in kubectl.json("get", "pods", "-n", ns)["items"]
            if not p["metadata"].get("deletionTimestamp")
        ]
        if len(pods) == 5 and not before & {p["metadata"]["uid"] for p in pods}:
            break
        time.sleep(0.2)
    assert len(pods) == 5 and not before & {p["metadata"]["uid"] for p in pods}  # every pod was replaced
    assert all("kubectl.kubernetes.io/restartedAt" in p["metadata"]["annotations"] for p in pods)
    refused = kubectl.fails("rollout", "pause", "sts/rs", "-n", ns)
    assert "pausing is not supported" in refused.stderr


def test_ordered_ready_creates_each_pod_after_the_previous_is_ready(
    cluster: SandboxCluster, kubectl: Kubectl, ns: str
) -> None:
    sub = cluster.api.store.subscribe([("", "pods")])
    try:
        manifest = statefulset("seq", replicas=3).replace(
            'annotations: {note: "a<b & c>d"}', 'annotations: {"sandbox.gennaker.io/ready-delay": "0.3"}'
        )
        kubectl("apply", "-n", ns, "-f", "-", input=manifest)
        kubectl("rollout", "status", "sts/seq", "-n", ns, "--timeout=60s")
        order: list[str] = []
        while (event := sub.get(timeout=0.5)) is not None:
            m = event.obj["metadata"]
            if m.get("namespace") != ns:
                continue
            ready = any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in event.obj.get("status", {}).get("conditions", [])
            )
            if event.type == "ADDED":
                order.append(f"created {m['name']}")
            elif ready and f"ready {m['name']}" not in order:
                order.append(f"ready {m['name']}")
    finally:
        sub.close()
    assert order == [
        "created seq-0",
        "ready seq-0",
        "created seq-1",
        "ready seq-1",
        "created seq-2",
        "ready seq-2",
    ]
