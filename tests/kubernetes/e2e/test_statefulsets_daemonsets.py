"""StatefulSets and DaemonSets roll out, are judged stable by their rules, and roll back with
undoRolloutManifest (their revisions are ControllerRevisions)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kubernetes.conftest import error_of
from tests.kubernetes.e2e.conftest import Pipelines
from tests.sandbox.conftest import Kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl, pytest.mark.slow]

BASE = {"account": "sandbox", "cloudProvider": "kubernetes"}


def workload(kind: str, ns: str, image: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "db"}},
        "template": {
            "metadata": {"labels": {"app": "db"}},
            "spec": {"containers": [{"name": "db", "image": image}]},
        },
    }
    if kind == "StatefulSet":
        spec.update(replicas=2, serviceName="db")
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "db", "namespace": ns}, "spec": spec}


def images(kubectl: Kubectl, ns: str) -> set[str]:
    pods = kubectl.json("get", "pods", "-n", ns, "-l", "app=db")["items"]
    return {p["spec"]["containers"][0]["image"] for p in pods if not p["metadata"].get("deletionTimestamp")}


@pytest.mark.parametrize("kind", ["StatefulSet", "DaemonSet"])
def test_rollout_and_undo(pipelines: Pipelines, kubectl: Kubectl, ns: str, kind: str) -> None:
    for image in ("ghcr.io/acme/db:1", "ghcr.io/acme/db:2"):
        done = pipelines.execute(
            [{"refId": "1", "type": "deployManifest", **BASE, "manifests": [workload(kind, ns, image)]}]
        )
        assert done["status"] == "SUCCEEDED", error_of(done)
    assert images(kubectl, ns) == {"ghcr.io/acme/db:2"}
    name = f"{kind[:1].lower()}{kind[1:]} db"
    back = pipelines.execute(
        [{"refId": "1", "type": "undoRolloutManifest", **BASE, "location": ns, "manifestName": name}]
    )
    assert back["status"] == "SUCCEEDED", error_of(back)
    assert images(kubectl, ns) == {"ghcr.io/acme/db:1"}
