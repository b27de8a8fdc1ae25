"""kubectl get (output formats, selectors, -A, -w), patch (three types), scale, label, annotate, wait."""

from __future__ import annotations

import subprocess
import time

import pytest

from ..conftest import KUBECTL, Kubectl
from .test_apply import deployment

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(120)]


def test_get_output_formats_selectors_and_all_namespaces(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("web"))
    kubectl("create", "configmap", "a", "-n", ns, "--from-literal=k=v")
    kubectl("label", "configmap", "a", "-n", ns, "tier=front")
    kubectl("create", "configmap", "b", "-n", ns)
    table = kubectl("get", "deploy", "-n", ns)
    assert table.split("\n")[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    wide = kubectl("get", "deploy", "-n", ns, "-o", "wide")
    assert "nginx:1.25" in wide and "app=web" in wide
    assert "kind: Deployment" in kubectl("get", "deploy", "web", "-n", ns, "-o", "yaml")
    assert kubectl.json("get", "deploy", "web", "-n", ns)["kind"] == "Deployment"
    names = kubectl("get", "cm", "-n", ns, "-l", "tier=front", "-o", "name").split()
    assert names == ["configmap/a"]
    names = kubectl("get", "cm", "-n", ns, "-l", "tier!=front", "-o", "name").split()
    assert "configmap/b" in names and "configmap/a" not in names
    names = kubectl("get", "cm", "-n", ns, "--field-selector", "metadata.name=b", "-o", "name").split()
    assert names == ["configmap/b"]
    everywhere = kubectl("get", "deploy", "-A")
    assert everywhere.split("\n")[0].split()[0] == "NAMESPACE" and ns in everywhere
    nodes = kubectl("get", "nodes")
    assert nodes.count(" Ready ") == 3


def test_unknown_field_selector_is_the_api_servers_400(kubectl: Kubectl, ns: str) -> None:
    proc = kubectl.fails("get", "cm", "-n", ns, "--field-selector", "spec.foo=x")
    assert (
        '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"' in proc.stderr
    )


def test_get_watch_prints_changes_until_timeout(kubectl: Kubectl, ns: str) -> None:
    watcher = subprocess.Popen(
        [KUBECTL, "get", "cm", "-n", ns, "-w", "--request-timeout=4s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kubectl.env,
    )
    try:
        time.sleep(1.0)
        kubectl("create", "configmap", "w1", "-n", ns, "--from-literal=a=b")
        kubectl("create", "configmap", "w2", "-n", ns)
        out, _ = watcher.communicate(timeout=20)
    finally:
        watcher.kill()
    lines = [line.split() for line in out.strip().splitlines()]
    assert lines[0] == ["NAME", "DATA", "AGE"]
    assert any(row[:2] == ["w1", "1"] for row in lines[1:])
    assert any(row[:2] == ["w2", "0"] for row in lines[1:])


def test_patch_types_scale_label_annotate(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("p"))
    kubectl(
        "patch",
        "deploy",
        "p",
        "-n",
        ns,
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"p","image":"nginx:2"}]}}}}',
    )
    kubectl("patch", "deploy", "p", "-n", ns, "--type", "merge", "-p", '{"spec":{"minReadySeconds":5}}')
    kubectl(
        "patch",
        "deploy",
        "p",
        "-n",
        ns,
        "--type",
        "json",
        "-p",
        '[{"op":"add","path":"/metadata/labels/x~1y","value":"z"}]',
    )
    live = kubectl.json("get", "deploy", "p", "-n", ns)
    c = live["spec"]["template"]["spec"]["containers"]
    assert len(c) == 1 and c[0]["image"] == "nginx:2" and c[0]["ports"][0]["containerPort"] == 80
    assert live["spec"]["minReadySeconds"] == 5
    assert live["metadata"]["labels"]["x/y"] == "z"
    assert "deployment.apps/p scaled" in kubectl("scale", "deploy", "p", "-n", ns, "--replicas=5")
    assert kubectl.json("get", "deploy", "p", "-n", ns)["spec"]["replicas"] == 5
    kubectl("label", "deploy", "p", "-n", ns, "team=blue")
    kubectl("annotate", "deploy", "p", "-n", ns, "note=hello")
    kubectl("label", "deploy", "p", "-n", ns, "x/y-")
    live = kubectl.json("get", "deploy", "p", "-n", ns)
    assert live["metadata"]["labels"] == {"app": "p", "team": "blue"}
    assert live["metadata"]["annotations"]["note"] == "hello"
    # the JSON patch test operation guards against stale state
    proc = kubectl.fails(
        "patch",
        "deploy",
        "p",
        "-n",
        ns,
        "--type",
        "json",
        "-p",
        '[{"op":"test","path":"/spec/replicas","value":1}]',
    )
    assert "test failed" in proc.stderr


def test_wait_for_jsonpath_and_rollout_pause_resume(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("wj"))
    out = kubectl("wait", "--for=jsonpath={.spec.replicas}=2", "deploy/wj", "-n", ns, "--timeout=20s")
    assert "condition met" in out
    kubectl("rollout", "pause", "deploy/wj", "-n", ns)
    out = kubectl("wait", "--for=jsonpath={.spec.paused}=true", "deploy/wj", "-n", ns, "--timeout=20s")
    assert "condition met" in out
    kubectl("rollout", "resume", "deploy/wj", "-n", ns)
    assert "paused" not in kubectl.json("get", "deploy", "wj", "-n", ns)["spec"]
    kubectl("rollout", "restart", "deploy/wj", "-n", ns)
    live = kubectl.json("get", "deploy", "wj", "-n", ns)
    assert "kubectl.kubernetes.io/restartedAt" in live["spec"]["template"]["metadata"]["annotations"]
    kubectl("set", "image", "deploy/wj", "-n", ns, "wj=nginx:9")
    assert (
        kubectl.json("get", "deploy", "wj", "-n", ns)["spec"]["template"]["spec"]["containers"][0]["image"]
        == "nginx:9"
    )


def test_wait_times_out_when_the_value_never_comes(kubectl: Kubectl, ns: str) -> None:
    kubectl("create", "configmap", "never", "-n", ns)
    proc = kubectl.fails("wait", "--for=jsonpath={.data.x}=y", "cm/never", "-n", ns, "--timeout=2s")
    assert "timed out" in proc.stderr


def test_run_logs_get_all_and_describe(kubectl: Kubectl, ns: str) -> None:
    assert "pod/p created" in kubectl("run", "p", "-n", ns, "--image=nginx")
    kubectl("wait", "--for=condition=Ready", "pod/p", "-n", ns, "--timeout=60s")
    pod = kubectl.json("get", "pod", "p", "-n", ns)
    assert pod["status"]["phase"] == "Running" and pod["status"]["qosClass"] == "BestEffort"
    assert pod["spec"]["serviceAccountName"] == "default" and pod["spec"]["enableServiceLinks"] is True
    logs = kubectl.run("logs", "p", "-n", ns)
    assert logs.returncode == 0 and "starting docker.io/library/nginx:latest" in logs.stdout
    everything = kubectl("get", "all", "-n", ns)
    assert "pod/p" in everything
    assert "Service Account:  default" in kubectl("describe", "pod", "p", "-n", ns)
    kubectl("delete", "pod", "p", "-n", ns, "--timeout=20s")
    assert kubectl.run("get", "pod", "p", "-n", ns, check=False).returncode == 1
