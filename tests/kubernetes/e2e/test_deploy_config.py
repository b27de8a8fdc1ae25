"""Given a Deployment, a Service and a ConfigMap, when they are deployed, redeployed unchanged and then with
changed configuration, then versions are made only for changed content and the Deployment always pins
the ConfigMap version it was deployed with; its pods really run and the stage is woken by the cluster."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kubernetes.conftest import error_of, stage
from tests.kubernetes.e2e.conftest import Pipelines
from tests.kubernetes.objects import config_map, service
from tests.sandbox.conftest import Kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl, pytest.mark.slow]


def web(ns: str, image: str = "ghcr.io/acme/web:1.0", replicas: int = 3) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "frontedBy": "web"}},
                "spec": {
                    "containers": [
                        {"name": "web", "image": image, "envFrom": [{"configMapRef": {"name": "web-config"}}]}
                    ],
                    "volumes": [{"name": "cfg", "configMap": {"name": "web-config"}}],
                },
            },
        },
    }


def deploy_stage(ns: str, color: str, image: str = "ghcr.io/acme/web:1.0") -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deployManifest",
        "account": "sandbox",
        "cloudProvider": "kubernetes",
        "source": "text",
        "manifests": [web(ns, image), service(ns), config_map(ns, color)],
    }


def replica_sets(kubectl: Kubectl, ns: str) -> list[str]:
    return sorted(i["metadata"]["name"] for i in kubectl.json("get", "replicasets", "-n", ns)["items"])


def running_pods(kubectl: Kubectl, ns: str) -> list[dict[str, Any]]:
    pods = kubectl.json("get", "pods", "-n", ns)["items"]
    return [
        p
        for p in pods
        if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    ]


def test_deploy_redeploy_and_change_config(pipelines: Pipelines, kubectl: Kubectl, ns: str) -> None:
    # Given / when: the first deploy
    first = pipelines.execute([deploy_stage(ns, "blue")])
    # then it is stable, with the ConfigMap versioned and pinned, and the stage woke on watch events
    assert first["status"] == "SUCCEEDED", error_of(first)
    deploy = stage(first, "1")
    assert deploy["outputs"]["manifestNamesByNamespace"] == {
        ns: ["configMap web-config-v000", "service web", "deployment web"]
    }
    assert {m["manifestName"] for m in deploy["context"]["stableManifests"]} == {
        "configMap web-config-v000",
        "service web",
        "deployment web",
    }
    wait = next(t for t in deploy["tasks"] if t["name"] == "waitForManifestToStabilize")
    assert wait["endTime"] - wait["startTime"] < 10_000  # woken by events, not the 15 s safety backoff
    pods = running_pods(kubectl, ns)
    assert len(pods) == 3
    assert {p["spec"]["volumes"][0]["configMap"]["name"] for p in pods} == {"web-config-v000"}
    sets = replica_sets(kubectl, ns)
    assert len(sets) == 1

    # when: the same manifests again; then the same versions, no new ReplicaSet
    again = pipelines.execute([deploy_stage(ns, "blue")])
    assert again["status"] == "SUCCEEDED", error_of(again)
    assert stage(again, "1")["outputs"]["manifestNamesByNamespace"][ns][0] == "configMap web-config-v000"
    assert replica_sets(kubectl, ns) == sets

    # when: the configuration changes; then a new ConfigMap version, pinned by a new rollout
    changed = pipelines.execute([deploy_stage(ns, "green")])
    assert changed["status"] == "SUCCEEDED", error_of(changed)
    assert stage(changed, "1")["outputs"]["manifestNamesByNamespace"][ns][0] == "configMap web-config-v001"
    live = kubectl.json("get", "deployment/web", "-n", ns)
    assert live["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] == "web-config-v001"
    assert len(replica_sets(kubectl, ns)) == 2
    pods = running_pods(kubectl, ns)
    assert len(pods) == 3
    assert {p["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] for p in pods} == {
        "web-config-v001"
    }
    assert kubectl("get", "configmap/web-config-v000", "-n", ns, "-o", "name").strip()  # kept for rollbacks


def test_scale_restart_pause_and_resume(pipelines: Pipelines, kubectl: Kubectl, ns: str) -> None:
    assert pipelines.execute([deploy_stage(ns, "blue")])["status"] == "SUCCEEDED"
    target = {
        "account": "sandbox",
        "cloudProvider": "kubernetes",
        "location": ns,
        "manifestName": "deployment web",
    }
    done = pipelines.execute(
        [
            {"refId": "1", "type": "scaleManifest", **target, "replicas": 5},
            {"refId": "2", "type": "rollingRestartManifest", **target, "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "pauseRolloutManifest", **target, "requisiteStageRefIds": ["2"]},
            {"refId": "4", "type": "resumeRolloutManifest", **target, "requisiteStageRefIds": ["3"]},
        ]
    )
    assert done["status"] == "SUCCEEDED", error_of(done) + error_of(done, "2") + error_of(done, "3")
    live = kubectl.json("get", "deployment/web", "-n", ns)
    assert live["spec"]["replicas"] == 5
    assert "kubectl.kubernetes.io/restartedAt" in live["spec"]["template"]["metadata"]["annotations"]
    assert not live["spec"].get("paused")
    # A redeploy after a scale: the replica count now belongs to kubectl scale, so server-side apply
    # refuses to change it, with the way out; use-source-capacity keeps the scaled count instead.
    refused = pipelines.execute([deploy_stage(ns, "blue")])
    assert refused["status"] == "TERMINAL"
    assert ".spec.replicas" in error_of(refused) and "force-conflicts" in error_of(refused)
    keep = deploy_stage(ns, "blue")
    keep["manifests"][0]["metadata"]["annotations"] = {"strategy.spinnaker.io/use-source-capacity": "true"}
    kept = pipelines.execute([keep])
    assert kept["status"] == "SUCCEEDED", error_of(kept)
    assert kubectl.json("get", "deployment/web", "-n", ns)["spec"]["replicas"] == 5
