"""kubectl apply (client-side and server-side), diff, replace and the SSA conflict flow (real kubectl)."""

from __future__ import annotations

import pytest

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(120)]


def deployment(name: str, image: str = "nginx:1.25", replicas: int = 2) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports:
        - containerPort: 80
"""


def test_client_side_apply_create_change_unchanged(kubectl: Kubectl, ns: str) -> None:
    # given a new manifest, when applied it is created, then re-applied it is unchanged
    assert "deployment.apps/web created" in kubectl("apply", "-n", ns, "-f", "-", input=deployment("web"))
    assert "deployment.apps/web unchanged" in kubectl("apply", "-n", ns, "-f", "-", input=deployment("web"))
    before = kubectl.json("get", "deploy", "web", "-n", ns)
    assert before["metadata"]["generation"] == 1
    # when the image changes, the object is configured and its generation moves
    out = kubectl("apply", "-n", ns, "-f", "-", input=deployment("web", image="nginx:1.26"))
    assert "deployment.apps/web configured" in out
    after = kubectl.json("get", "deploy", "web", "-n", ns)
    assert after["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert after["metadata"]["generation"] == 2
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    # defaulting happened server-side, as on a real cluster
    c = after["spec"]["template"]["spec"]["containers"][0]
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["ports"][0]["protocol"] == "TCP"
    assert after["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": "25%"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in after["metadata"]["annotations"]


def test_server_side_apply_creates_and_conflicts_with_client_side_owner(kubectl: Kubectl, ns: str) -> None:
    # given an object created by client-side apply (kubectl-client-side-apply owns .spec.replicas)
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("api", replicas=2))
    # when a server-side apply changes replicas, it conflicts and kubectl exits 1
    proc = kubectl.fails("apply", "--server-side", "-n", ns, "-f", "-", input=deployment("api", replicas=3))
    assert proc.returncode == 1
    assert (
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: '
        ".spec.replicas" in proc.stderr
    )
    assert kubectl.json("get", "deploy", "api", "-n", ns)["spec"]["replicas"] == 2
    # when forced, the change lands and kubectl migrates ownership to its own Apply entry
    out = kubectl(
        "apply",
        "--server-side",
        "--force-conflicts",
        "-n",
        ns,
        "-f",
        "-",
        input=deployment("api", replicas=3),
    )
    assert "serverside-applied" in out
    live = kubectl.json("get", "deploy", "api", "-n", ns, "--show-managed-fields")
    assert live["spec"]["replicas"] == 3
    managers = {(e["manager"], e["operation"]) for e in live["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers
    kubectl_entry = next(e for e in live["metadata"]["managedFields"] if e["manager"] == "kubectl")
    assert "f:replicas" in kubectl_entry["fieldsV1"]["f:spec"]


def test_server_side_apply_upserts_without_prior_get(kubectl: Kubectl, ns: str) -> None:
    out = kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=deployment("ssa", replicas=1))
    assert "deployment.apps/ssa serverside-applied" in out
    live = kubectl.json("get", "deploy", "ssa", "-n", ns, "--show-managed-fields")
    entry = live["metadata"]["managedFields"][0]
    assert entry["manager"] == "kubectl" and entry["operation"] == "Apply"
    containers = entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert '{"containerPort":80,"protocol":"TCP"}' in str(containers), (
        "list-map keys carry defaulted protocol"
    )
    # re-applying the same configuration is a no-op: the generation and kubectl's entry stay (the
    # resourceVersion moves with the deployment controller's status writes, as on a cluster)
    kubectl("rollout", "status", "deploy/ssa", "-n", ns, "--timeout=60s")
    settled = kubectl.json("get", "deploy", "ssa", "-n", ns, "--show-managed-fields")
    kubectl("apply", "--server-side", "-n", ns, "-f", "-", input=deployment("ssa", replicas=1))
    again = kubectl.json("get", "deploy", "ssa", "-n", ns, "--show-managed-fields")
    assert again["metadata"]["resourceVersion"] == settled["metadata"]["resourceVersion"]
    assert again["metadata"]["generation"] == live["metadata"]["generation"] == 1


def test_diff_exit_codes(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("d"))
    assert kubectl.run("diff", "-n", ns, "-f", "-", input=deployment("d")).returncode == 0
    changed = kubectl.run("diff", "-n", ns, "-f", "-", input=deployment("d", replicas=5), check=False)
    assert changed.returncode == 1, changed.stderr
    assert "+  replicas: 5" in changed.stdout
    # server-side diff of a client-side-applied object conflicts on replicas, as on a real cluster
    conflict = kubectl.run(
        "diff", "--server-side", "-n", ns, "-f", "-", input=deployment("d", replicas=5), check=False
    )
    assert conflict.returncode > 1 and "conflict" in conflict.stderr
    ss = kubectl.run(
        "diff",
        "--server-side",
        "--force-conflicts",
        "-n",
        ns,
        "-f",
        "-",
        input=deployment("d", replicas=5),
        check=False,
    )
    assert ss.returncode == 1, ss.stderr
    assert "+  replicas: 5" in ss.stdout
    # diff is a dry run: nothing changed
    assert kubectl.json("get", "deploy", "d", "-n", ns)["spec"]["replicas"] == 2


def test_replace_and_stale_replace_conflict(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("r"))
    kubectl("rollout", "status", "deploy/r", "-n", ns, "--timeout=60s")  # controllers are quiet now
    live = kubectl("get", "deploy", "r", "-n", ns, "-o", "yaml")
    changed = live.replace("replicas: 2", "replicas: 4")
    assert "deployment.apps/r replaced" in kubectl("replace", "-f", "-", input=changed)
    assert kubectl.json("get", "deploy", "r", "-n", ns)["spec"]["replicas"] == 4
    proc = kubectl.fails("replace", "-f", "-", input=changed)
    assert (
        'Operation cannot be fulfilled on deployments.apps "r": the object has been modified; please apply '
        "your changes to the latest version and try again"
    ) in proc.stderr


def test_apply_dry_run_server_persists_nothing(kubectl: Kubectl, ns: str) -> None:
    out = kubectl("apply", "--dry-run=server", "-n", ns, "-f", "-", input=deployment("dry"))
    assert "created (server dry run)" in out
    assert kubectl.run("get", "deploy", "dry", "-n", ns, check=False).returncode == 1
