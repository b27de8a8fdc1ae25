"""Red/black and highlander with a Service and versioned ReplicaSets whose pods run; rollbacks that bring
back the old image *and* the old configuration (issue point 7), for a Deployment and for versioned
ReplicaSets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kubernetes.conftest import error_of, stage
from tests.kubernetes.e2e.conftest import Pipelines
from tests.kubernetes.objects import config_map, deployment, replica_set, service
from tests.sandbox.conftest import Kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl, pytest.mark.slow]

BASE = {"account": "sandbox", "cloudProvider": "kubernetes"}


def rs_with_config(ns: str, image: str, **annotations: str) -> dict[str, Any]:
    manifest = replica_set(ns, image, replicas=2, **annotations)
    spec = manifest["spec"]["template"]["spec"]
    spec["containers"][0]["envFrom"] = [{"configMapRef": {"name": "web-config"}}]
    return manifest


def deploy(ns: str, image: str, color: str, strategy: str) -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deployManifest",
        **BASE,
        "source": "text",
        "manifests": [service(ns), config_map(ns, color), rs_with_config(ns, image)],
        "trafficManagement": {
            "enabled": True,
            "options": {"enableTraffic": True, "services": ["service web"], "strategy": strategy},
        },
    }


def pods_of(kubectl: Kubectl, ns: str, rs: str) -> list[dict[str, Any]]:
    pods = kubectl.json("get", "pods", "-n", ns)["items"]
    return [
        p
        for p in pods
        if any(o["name"] == rs for o in p["metadata"].get("ownerReferences") or [])
        and not p["metadata"].get("deletionTimestamp")
    ]


def serving(kubectl: Kubectl, ns: str) -> set[str]:
    """Names of the running pods the Service selects."""
    selector = kubectl.json("get", "service/web", "-n", ns)["spec"]["selector"]
    pods = kubectl.json("get", "pods", "-n", ns)["items"]
    return {
        p["metadata"]["name"]
        for p in pods
        if all(p["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
        and p["status"].get("phase") == "Running"
        and not p["metadata"].get("deletionTimestamp")
    }


def test_redblack_then_rollback_by_traffic(pipelines: Pipelines, kubectl: Kubectl, ns: str) -> None:
    # Given v000 serving, when v001 is deployed red/black
    assert pipelines.execute([deploy(ns, "ghcr.io/acme/web:1", "blue", "redblack")])["status"] == "SUCCEEDED"
    done = pipelines.execute([deploy(ns, "ghcr.io/acme/web:2", "green", "redblack")])
    assert done["status"] == "SUCCEEDED", error_of(done)
    # then only v001's pods serve; v000's pods keep running, out of the Service
    old, new = pods_of(kubectl, ns, "web-v000"), pods_of(kubectl, ns, "web-v001")
    assert len(old) == 2 and len(new) == 2
    assert serving(kubectl, ns) == {p["metadata"]["name"] for p in new}
    assert all("frontedBy" not in p["metadata"]["labels"] for p in old)
    assert {p["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] for p in new} == {
        "web-config-v001"
    }
    # When rolled back (enable the previous version, disable the newest)
    cluster = {**BASE, "location": ns, "cluster": "replicaSet web", "kind": "replicaSet", "app": "shop"}
    back = pipelines.execute(
        [
            {"refId": "1", "type": "enableManifest", **cluster, "criteria": "second_newest"},
            {
                "refId": "2",
                "type": "disableManifest",
                **cluster,
                "criteria": "newest",
                "requisiteStageRefIds": ["1"],
            },
        ]
    )
    assert back["status"] == "SUCCEEDED", error_of(back) + error_of(back, "2")
    # then the old pods, with their old image and old config version, serve again
    old = pods_of(kubectl, ns, "web-v000")
    assert serving(kubectl, ns) == {p["metadata"]["name"] for p in old}
    assert {p["spec"]["containers"][0]["image"] for p in old} == {"ghcr.io/acme/web:1"}
    assert {p["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] for p in old} == {
        "web-config-v000"
    }


def test_highlander_leaves_only_the_new_version(pipelines: Pipelines, kubectl: Kubectl, ns: str) -> None:
    assert (
        pipelines.execute([deploy(ns, "ghcr.io/acme/web:1", "blue", "highlander")])["status"] == "SUCCEEDED"
    )
    done = pipelines.execute([deploy(ns, "ghcr.io/acme/web:2", "green", "highlander")])
    assert done["status"] == "SUCCEEDED", error_of(done)
    assert [(s["type"], s["status"]) for s in done["stages"] if s.get("parentStageId")] == [
        ("disableManifest", "SUCCEEDED"),
        ("deleteManifest", "SUCCEEDED"),
    ]
    names = [i["metadata"]["name"] for i in kubectl.json("get", "replicasets", "-n", ns)["items"]]
    assert names == ["web-v001"]
    assert serving(kubectl, ns) == {p["metadata"]["name"] for p in pods_of(kubectl, ns, "web-v001")}


def test_redblack_deletes_a_previous_version_that_never_served(
    pipelines: Pipelines, kubectl: Kubectl, ns: str
) -> None:
    broken = deploy(ns, "ghcr.io/acme/web:1", "blue", "redblack")
    broken["manifests"][2]["spec"]["template"]["metadata"]["annotations"] = {
        "sandbox.gennaker.io/fault": "never-ready"
    }
    broken["failFast"] = False
    broken["stageTimeoutMs"] = 2_000
    assert pipelines.execute([broken])["status"] == "TERMINAL"
    done = pipelines.execute([deploy(ns, "ghcr.io/acme/web:2", "blue", "redblack")])
    assert done["status"] == "SUCCEEDED", error_of(done)
    assert [(s["type"], s["context"]["manifestName"]) for s in done["stages"] if s.get("parentStageId")] == [
        ("deleteManifest", "replicaSet web-v000")
    ]


def test_rollback_of_a_deployment_restores_the_old_image_and_config(
    pipelines: Pipelines, kubectl: Kubectl, ns: str
) -> None:
    def web(image: str) -> dict[str, Any]:
        return deployment(ns, image, config_map="web-config")

    def release(image: str, color: str) -> dict[str, Any]:
        return {
            "refId": "1",
            "type": "deployManifest",
            **BASE,
            "manifests": [config_map(ns, color), web(image)],
        }

    # Given release 1, then release 2 with a new image and new configuration
    assert pipelines.execute([release("ghcr.io/acme/web:1", "blue")])["status"] == "SUCCEEDED"
    second = pipelines.execute([release("ghcr.io/acme/web:2", "green")])
    assert second["status"] == "SUCCEEDED", error_of(second)
    current = [
        p
        for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=web")["items"]
        if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    ]
    assert {p["spec"]["containers"][0]["image"] for p in current} == {"ghcr.io/acme/web:2"}
    # When rolled back one revision
    back = pipelines.execute(
        [
            {
                "refId": "1",
                "type": "undoRolloutManifest",
                **BASE,
                "location": ns,
                "manifestName": "deployment web",
                "numRevisionsBack": 1,
            }
        ]
    )
    assert back["status"] == "SUCCEEDED", error_of(back)
    assert stage(back, "1")["outputs"]["revision"] == 1
    # Then the running pods use the old image and the old ConfigMap version
    pods = [
        p
        for p in kubectl.json("get", "pods", "-n", ns, "-l", "app=web")["items"]
        if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    ]
    assert len(pods) == 2
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"ghcr.io/acme/web:1"}
    assert {p["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] for p in pods} == {
        "web-config-v000"
    }
    assert kubectl.json("get", "configmap/web-config-v000", "-n", ns)["data"] == {"color": "blue"}
    # And going back further than the history (revisions 2 and 3: the undo reused revision 1) is refused
    too_far = pipelines.execute(
        [
            {
                "refId": "1",
                "type": "undoRolloutManifest",
                **BASE,
                "location": ns,
                "manifestName": "deployment web",
                "numRevisionsBack": 5,
            }
        ]
    )
    assert error_of(too_far) == "There are 2 revision(s) in total, cannot rollback 5"
