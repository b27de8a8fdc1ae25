"""Deployments driven by the real kubectl: rollout status/history/undo/restart/pause/resume, set image,
scale, wait, delete with cascading GC, Recreate, get -w, logs and describe.

Given a sandbox with fast simulated kubelets (the shared ``cluster`` fixture), each test works in its own
namespace and checks what kubectl prints or what the API then holds.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from ..conftest import KUBECTL, Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(150)]

REV = "deployment.kubernetes.io/revision"


def deployment(
    name: str,
    image: str = "nginx:1.25",
    replicas: int = 3,
    *,
    strategy: str = "",
    annotations: str = "",
    extra_spec: str = "",
) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  {strategy}
  {extra_spec}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
      annotations: {{{annotations}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports:
        - containerPort: 80
"""


def replicasets(kubectl: Kubectl, ns: str, app: str) -> list[dict]:  # type: ignore[type-arg]
    items = kubectl.json("get", "rs", "-n", ns, "-l", f"app={app}")["items"]
    return sorted(items, key=lambda r: int(r["metadata"]["annotations"][REV]))


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(interval)


def test_rollout_status_set_image_history_and_undo_reusing_the_old_replicaset(
    kubectl: Kubectl, ns: str
) -> None:
    # given a rolled-out deployment
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("web"))
    out = kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    assert 'deployment "web" successfully rolled out' in out
    # when its image changes (with a change cause), the rollout completes on a second ReplicaSet
    kubectl("set", "image", "deploy/web", "-n", ns, "web=nginx:1.26")
    kubectl("annotate", "deploy/web", "-n", ns, "kubernetes.io/change-cause=to 1.26")
    assert "successfully rolled out" in kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    first, second = replicasets(kubectl, ns, "web")
    assert first["spec"]["replicas"] == 0 and second["spec"]["replicas"] == 3
    assert second["metadata"]["labels"]["pod-template-hash"] in second["metadata"]["name"]
    owner = second["metadata"]["ownerReferences"][0]
    assert (
        owner["kind"] == "Deployment" and owner["controller"] is True and owner["blockOwnerDeletion"] is True
    )
    assert second["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "3"
    assert second["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "4"
    history = kubectl("rollout", "history", "deploy/web", "-n", ns)
    assert "1         <none>" in history and "2         to 1.26" in history
    # then undo reuses the first ReplicaSet: still two, the old one now at revision 3 with history 1
    assert "rolled back" in kubectl("rollout", "undo", "deploy/web", "-n", ns)
    assert "successfully rolled out" in kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    rss = replicasets(kubectl, ns, "web")
    assert len(rss) == 2
    reused = rss[-1]
    assert reused["metadata"]["name"] == first["metadata"]["name"]
    assert reused["metadata"]["annotations"][REV] == "3"
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert kubectl.json("get", "deploy", "web", "-n", ns)["metadata"]["annotations"][REV] == "3"
    # undo to the current revision is skipped; --to-revision=2 goes back to 1.26
    skipped = kubectl("rollout", "undo", "deploy/web", "-n", ns, "--to-revision=3")
    assert "skipped rollback (current template already matches revision 3)" in skipped
    kubectl("rollout", "undo", "deploy/web", "-n", ns, "--to-revision=2")
    assert "successfully rolled out" in kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    wait_until(
        lambda: (
            {
                c["image"]
                for p in kubectl.json("get", "pods", "-n", ns)["items"]
                for c in p["spec"]["containers"]
            }
            == {"nginx:1.26"}
        )
    )


def test_restart_pause_and_resume(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("api", replicas=2))
    kubectl("rollout", "status", "deploy/api", "-n", ns, "--timeout=60s")
    # restart: a new ReplicaSet whose template carries restartedAt
    assert "restarted" in kubectl("rollout", "restart", "deploy/api", "-n", ns)
    kubectl("rollout", "status", "deploy/api", "-n", ns, "--timeout=60s")
    rss = replicasets(kubectl, ns, "api")
    assert len(rss) == 2
    assert "kubectl.kubernetes.io/restartedAt" in rss[-1]["spec"]["template"]["metadata"]["annotations"]
    # pause: template changes create no ReplicaSet; Progressing is Unknown/DeploymentPaused
    kubectl("rollout", "pause", "deploy/api", "-n", ns)
    kubectl("set", "image", "deploy/api", "-n", ns, "api=nginx:1.27")

    def paused_condition():  # type: ignore[no-untyped-def]
        d = kubectl.json("get", "deploy", "api", "-n", ns)
        conds = {c["type"]: c for c in d["status"].get("conditions", [])}
        return conds.get("Progressing", {}).get("reason") == "DeploymentPaused" and d

    d = wait_until(paused_condition)
    assert d["status"]["conditions"][-1]["status"] == "Unknown"
    time.sleep(0.5)
    assert len(replicasets(kubectl, ns, "api")) == 2
    # resume: the rollout happens
    kubectl("rollout", "resume", "deploy/api", "-n", ns)
    assert "successfully rolled out" in kubectl("rollout", "status", "deploy/api", "-n", ns, "--timeout=60s")
    assert len(replicasets(kubectl, ns, "api")) == 3
    conds = {c["type"]: c for c in kubectl.json("get", "deploy", "api", "-n", ns)["status"]["conditions"]}
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert conds["Available"] == {
        **conds["Available"],
        "status": "True",
        "reason": "MinimumReplicasAvailable",
        "message": "Deployment has minimum availability.",
    }


def test_scale_makes_pods_appear_and_disappear(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("sc", replicas=1))
    kubectl("rollout", "status", "deploy/sc", "-n", ns, "--timeout=60s")
    assert "scaled" in kubectl("scale", "deploy/sc", "-n", ns, "--replicas=5")
    kubectl("wait", "--for=jsonpath={.status.availableReplicas}=5", "deploy/sc", "-n", ns, "--timeout=60s")
    pods = kubectl.json("get", "pods", "-n", ns, "-l", "app=sc")["items"]
    assert len(pods) == 5 and all(p["status"]["phase"] == "Running" for p in pods)
    assert len({p["status"]["podIP"] for p in pods}) == 5
    kubectl("scale", "deploy/sc", "-n", ns, "--replicas=1")
    wait_until(lambda: len(kubectl.json("get", "pods", "-n", ns, "-l", "app=sc")["items"]) == 1)
    events = kubectl("get", "events", "-n", ns, "--field-selector", "reason=ScalingReplicaSet")
    assert "Scaled up replica set" in events and "from 1 to 5" in events and "from 5 to 1" in events


def test_wait_for_available_and_jsonpath(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("wt", replicas=2))
    out = kubectl("wait", "--for=condition=Available", "deploy/wt", "-n", ns, "--timeout=60s")
    assert "deployment.apps/wt condition met" in out
    out = kubectl("wait", "--for=jsonpath={.status.readyReplicas}=2", "deploy/wt", "-n", ns, "--timeout=60s")
    assert "condition met" in out
    table = kubectl("get", "deploy", "wt", "-n", ns).splitlines()[1].split()
    assert table[:4] == ["wt", "2/2", "2", "2"]


def test_delete_cascades_to_replicasets_and_pods(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("gone", replicas=2))
    kubectl("rollout", "status", "deploy/gone", "-n", ns, "--timeout=60s")
    kubectl("delete", "deploy", "gone", "-n", ns, "--timeout=60s")
    wait_until(lambda: not kubectl.json("get", "rs,pods", "-n", ns)["items"])


def test_recreate_scales_old_pods_away_before_new_ones(kubectl: Kubectl, ns: str) -> None:
    strategy = "strategy: {type: Recreate}"
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("rc", replicas=2, strategy=strategy))
    kubectl("rollout", "status", "deploy/rc", "-n", ns, "--timeout=60s")
    kubectl("set", "image", "deploy/rc", "-n", ns, "rc=nginx:1.26")
    kubectl("rollout", "status", "deploy/rc", "-n", ns, "--timeout=60s")
    events = kubectl.json("get", "events", "-n", ns, "--field-selector", "reason=ScalingReplicaSet")["items"]
    messages = [e["message"] for e in sorted(events, key=lambda e: e["metadata"]["name"])]
    old, new = (rs["metadata"]["name"] for rs in replicasets(kubectl, ns, "rc"))
    down = messages.index(f"Scaled down replica set {old} from 2 to 0")
    up = messages.index(f"Scaled up replica set {new} from 0 to 2")
    assert down < up


def test_get_watch_sees_pods_become_ready(kubectl: Kubectl, ns: str) -> None:
    watcher = subprocess.Popen(
        [KUBECTL, "get", "pods", "-n", ns, "-w", "--request-timeout=8s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kubectl.env,
    )
    try:
        time.sleep(1.0)
        kubectl("apply", "-n", ns, "-f", "-", input=deployment("wa", replicas=1))
        out, _ = watcher.communicate(timeout=30)
    finally:
        watcher.kill()
    rows = [line.split() for line in out.splitlines()[1:]]
    assert any(r[1:3] == ["0/1", "Pending"] or r[1:3] == ["0/1", "ContainerCreating"] for r in rows), out
    assert any(r[1:3] == ["1/1", "Running"] for r in rows), out


def test_logs_tail_container_and_describe(kubectl: Kubectl, ns: str) -> None:
    pod = """
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  containers:
  - {name: app, image: "example.com/app:1", ports: [{containerPort: 9090}]}
  - {name: side, image: busybox}
"""
    kubectl("apply", "-n", ns, "-f", "-", input=pod)
    kubectl("wait", "--for=condition=Ready", "pod/two", "-n", ns, "--timeout=60s")
    app = kubectl("logs", "two", "-n", ns, "-c", "app")
    assert "starting example.com/app:1 (container app of pod" in app and "listening on 0.0.0.0:9090" in app
    assert len(kubectl("logs", "two", "-n", ns, "-c", "side", "--tail=1").splitlines()) == 1
    stamped = kubectl("logs", "two", "-n", ns, "-c", "side", "--timestamps").splitlines()[0]
    assert stamped[:4].isdigit() and "Z " in stamped
    defaulted = kubectl.run("logs", "two", "-n", ns)
    assert 'Defaulted container "app" out of: app, side' in defaulted.stderr and "9090" in defaulted.stdout
    previous = kubectl.fails("logs", "two", "-n", ns, "-c", "app", "--previous")
    assert 'previous terminated container "app" in pod "two" not found' in previous.stderr
    described = kubectl("describe", "pod", "two", "-n", ns)
    for text in ("Status:           Running", "Started container app", "Successfully assigned", "Ready:"):
        assert text in described
    status = kubectl.json("get", "pod", "two", "-n", ns)["status"]
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    app_status = next(c for c in status["containerStatuses"] if c["name"] == "app")
    assert app_status["image"] == "example.com/app:1" and app_status["imageID"].startswith(
        "example.com/app@sha256:"
    )
    assert app_status["containerID"].startswith("containerd://") and app_status["started"] is True
    assert status["hostIP"].startswith("172.18.0.") and status["podIP"].startswith("10.244.")


def test_deleting_a_pod_shows_terminating_then_the_replicaset_replaces_it(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("rp", replicas=1))
    kubectl("rollout", "status", "deploy/rp", "-n", ns, "--timeout=60s")
    (pod,) = kubectl.json("get", "pods", "-n", ns)["items"]
    kubectl("delete", "pod", pod["metadata"]["name"], "-n", ns, "--wait=false")

    def replaced():  # type: ignore[no-untyped-def]
        pods = kubectl.json("get", "pods", "-n", ns)["items"]
        return len(pods) == 1 and pods[0]["metadata"]["uid"] != pod["metadata"]["uid"]

    wait_until(replaced)
    kubectl("rollout", "status", "deploy/rp", "-n", ns, "--timeout=60s")
    events = json.loads(kubectl("get", "events", "-n", ns, "-o", "json"))["items"]
    assert any(
        e["reason"] == "Killing" and e["involvedObject"]["name"] == pod["metadata"]["name"] for e in events
    )


def test_set_image_on_a_bare_pod_restarts_its_container(kubectl: Kubectl, ns: str) -> None:
    kubectl("run", "solo", "-n", ns, "--image=nginx:1.25")
    kubectl("wait", "--for=condition=Ready", "pod/solo", "-n", ns, "--timeout=60s")
    kubectl("set", "image", "pod/solo", "-n", ns, "solo=nginx:1.26")

    def restarted():  # type: ignore[no-untyped-def]
        cs = kubectl.json("get", "pod", "solo", "-n", ns)["status"]["containerStatuses"][0]
        return (
            cs["image"] == "docker.io/library/nginx:1.26" and cs["restartCount"] == 1 and cs["ready"] and cs
        )

    cs = wait_until(restarted)
    assert cs["lastState"]["terminated"]["startedAt"]
    assert "definition changed, will be restarted" in kubectl("describe", "pod", "solo", "-n", ns)


def test_orphaned_replicasets_are_adopted_and_relabelled_pods_released(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("ad", replicas=2))
    kubectl("rollout", "status", "deploy/ad", "-n", ns, "--timeout=60s")
    pods_before = {p["metadata"]["uid"] for p in kubectl.json("get", "pods", "-n", ns)["items"]}
    kubectl("delete", "deploy", "ad", "-n", ns, "--cascade=orphan")
    (rs,) = kubectl.json("get", "rs", "-n", ns)["items"]
    wait_until(
        lambda: (
            not kubectl.json("get", "rs", rs["metadata"]["name"], "-n", ns)["metadata"].get("ownerReferences")
        )
    )
    # re-created: the Deployment takes the ReplicaSet (and so its pods) back instead of starting over
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("ad", replicas=2))
    kubectl("rollout", "status", "deploy/ad", "-n", ns, "--timeout=60s")
    (again,) = kubectl.json("get", "rs", "-n", ns)["items"]
    assert again["metadata"]["uid"] == rs["metadata"]["uid"]
    assert again["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert {p["metadata"]["uid"] for p in kubectl.json("get", "pods", "-n", ns)["items"]} == pods_before
    # a pod relabelled out of the selector is released (it keeps running) and replaced
    victim = sorted(pods_before)[0]
    name = next(
        p["metadata"]["name"]
        for p in kubectl.json("get", "pods", "-n", ns)["items"]
        if p["metadata"]["uid"] == victim
    )
    kubectl("label", "pod", name, "-n", ns, "app=elsewhere", "--overwrite")
    wait_until(lambda: len(kubectl.json("get", "pods", "-n", ns, "-l", "app=ad")["items"]) == 2)
    released = kubectl.json("get", "pod", name, "-n", ns)
    assert not released["metadata"].get("ownerReferences") and released["status"]["phase"] == "Running"
