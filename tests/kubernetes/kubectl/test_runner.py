"""The kubectl runner against a sandbox, with the real kubectl: every verb, and kubectl's errors turned into
messages that name the object and keep kubectl's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gennaker.kubernetes.errors import AccountUnreachableError, KubectlError
from gennaker.kubernetes.kubectl import Kubectl
from gennaker.kubernetes.service import KubernetesService
from tests.kubernetes import objects
from tests.sandbox.conftest import Kubectl as Peer

pytestmark = pytest.mark.kubectl


def deployment(ns: str, image: str = "nginx:1", replicas: int = 1) -> dict[str, Any]:
    return objects.deployment(ns, image, replicas=replicas)


@pytest.fixture
def runner(k8s: KubernetesService) -> Kubectl:
    return k8s.kubectl("sandbox")


def test_server_side_apply_with_gennakers_field_manager(runner: Kubectl, peer: Peer, ns: str) -> None:
    obj = runner.apply(deployment(ns))
    assert obj["metadata"]["name"] == "web"
    live = peer.json("get", "deployment/web", "-n", ns, "--show-managed-fields")
    managers = {(m["manager"], m["operation"]) for m in live["metadata"]["managedFields"]}
    assert ("gennaker", "Apply") in managers


def test_conflicts_are_reported_and_forced_on_request(runner: Kubectl, peer: Peer, ns: str) -> None:
    runner.apply(deployment(ns))
    peer("scale", "deployment/web", "-n", ns, "--replicas=3")
    with pytest.raises(KubectlError) as err:
        runner.apply(deployment(ns, replicas=2))
    assert err.value.category == "conflict"
    assert "conflict" in err.value.message and ".spec.replicas" in err.value.message
    assert "deployment web in namespace" in str(err.value)
    assert "strategy.spinnaker.io/server-side-apply: force-conflicts" in str(err.value)
    forced = runner.apply(deployment(ns, replicas=2), force_conflicts=True)
    assert forced["spec"]["replicas"] == 2


def test_client_side_apply_replace_and_create(runner: Kubectl, ns: str) -> None:
    obj = runner.apply(deployment(ns), server_side=False)
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]
    replaced = runner.replace(deployment(ns, image="nginx:2"))
    assert replaced["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2"
    with pytest.raises(KubectlError) as err:
        runner.create(deployment(ns))
    assert err.value.category == "alreadyExists"
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"generateName": "migrate-", "namespace": ns},
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "x"}]}}
        },
    }
    created = runner.create(job)
    assert created["metadata"]["name"].startswith("migrate-")


def test_patch_types(runner: Kubectl, ns: str) -> None:
    runner.apply(deployment(ns))
    strategic = runner.patch(
        "Deployment", "web", ns, {"spec": {"template": {"metadata": {"annotations": {"a": "1"}}}}}
    )
    assert strategic["spec"]["template"]["metadata"]["annotations"]["a"] == "1"
    merged = runner.patch(
        "Deployment", "web", ns, {"metadata": {"labels": {"tier": "web"}}}, patch_type="merge"
    )
    assert merged["metadata"]["labels"]["tier"] == "web"
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 4}]
    assert runner.patch("Deployment", "web", ns, ops, patch_type="json")["spec"]["replicas"] == 4


def test_scale_and_delete(runner: Kubectl, peer: Peer, ns: str) -> None:
    runner.apply(deployment(ns))
    runner.scale("Deployment", "web", ns, 5)
    assert peer.json("get", "deployment/web", "-n", ns)["spec"]["replicas"] == 5
    assert runner.delete("Deployment", "web", ns, cascade="orphan", grace_period=0) == ["deployment.apps/web"]
    assert runner.delete("Deployment", "web", ns) == []  # --ignore-not-found
    # A selector matching nothing: kubectl says "No resources found" on stdout; nothing was deleted.
    assert runner.delete("Deployment", None, ns, label_selector="app=nothing") == []


def test_invalid_manifest_names_the_object_and_the_field(runner: Kubectl, ns: str) -> None:
    bad = deployment(ns)
    del bad["spec"]["template"]["spec"]["containers"][0]["image"]
    with pytest.raises(KubectlError) as err:
        runner.apply(bad)
    message = str(err.value)
    assert err.value.category == "invalid"
    assert message.startswith(f"kubectl apply of deployment web in namespace {ns} failed on account sandbox")
    assert "spec.template.spec.containers[0].image: Required value" in message
    assert "STDIN" not in message


def test_unknown_kind_is_kubectls_error(runner: Kubectl, ns: str) -> None:
    # kubectl's own words here are about OpenAPI; deploys check kinds by discovery first (see the
    # bad-input tests), so users see "serves no kind Widget" instead.
    with pytest.raises(KubectlError, match="kubectl apply of widget w in namespace"):
        runner.apply(
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": ns}}
        )


def test_unreachable_cluster(tmp_path: Path, runner: Kubectl) -> None:
    kubeconfig = tmp_path / "dead"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "current-context: x\n"
    )
    dead = Kubectl("dead", kubeconfig=kubeconfig, context="x", cache_dir=tmp_path / "cache", timeout_s=10)
    with pytest.raises(AccountUnreachableError, match=r"account dead is unreachable: .*127\.0\.0\.1:1"):
        dead.run(["get", "pods"])
