"""``trafficManagement`` strategy ``bluegreen`` (Spinnaker's name for red/black since 1.30) and the dynamic
target criteria ``largest`` / ``smallest``, through the engine on a sandbox with the real kubectl."""

from __future__ import annotations

from typing import Any

from tests.kubernetes.conftest import Engine, error_of, stage
from tests.kubernetes.objects import replica_set, service
from tests.kubernetes.stages.test_operations import BASE, deploy, names, template_labels, traffic
from tests.sandbox.conftest import Kubectl

NEVER_READY = {"sandbox.gennaker.io/fault": "never-ready"}


def serving_pods(kubectl: Kubectl, ns: str) -> list[str]:
    """The pods the Service ``web`` sends traffic to (its EndpointSlices' ready endpoints)."""
    slices = kubectl.json("get", "endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=web")
    return sorted(
        e["targetRef"]["name"]
        for s in slices["items"]
        for e in s.get("endpoints") or []
        if (e.get("conditions") or {}).get("ready")
    )


def pods_of(kubectl: Kubectl, ns: str, version: str) -> list[dict[str, Any]]:
    pods = kubectl.json("get", "pods", "-n", ns)["items"]
    return [p for p in pods if p["metadata"]["name"].startswith(f"web-{version}-")]


def test_bluegreen_disables_the_previous_version_which_keeps_running(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    for image in ("ghcr.io/acme/web:1", "ghcr.io/acme/web:2"):
        done = engine.execute(
            [
                deploy(
                    "1",
                    [service(ns), replica_set(ns, image, replicas=2)],
                    trafficManagement=traffic("bluegreen"),
                )
            ]
        )
        assert done["status"] == "SUCCEEDED", error_of(done)
    synthetic = [s for s in done["stages"] if s.get("parentStageId")]
    assert [(s["type"], s["context"]["manifestName"], s["status"]) for s in synthetic] == [
        ("disableManifest", "replicaSet web-v000", "SUCCEEDED")
    ]
    # Both versions stay (blue is kept for a quick rollback); only green is fronted by the Service.
    assert names(kubectl, "replicasets", ns) == ["web-v000", "web-v001"]
    assert "frontedBy" not in template_labels(kubectl, ns, "web-v000")
    assert template_labels(kubectl, ns, "web-v001")["frontedBy"] == "web"
    blue, green = pods_of(kubectl, ns, "v000"), pods_of(kubectl, ns, "v001")
    assert len(blue) == 2 and len(green) == 2
    assert all("frontedBy" not in p["metadata"]["labels"] for p in blue)  # live pods relabelled too
    assert all(p["status"]["phase"] == "Running" for p in blue)  # still running, out of rotation
    assert serving_pods(kubectl, ns) == sorted(p["metadata"]["name"] for p in green)

    # Rolling back is moving traffic: enable blue (second newest), disable green (newest).
    target = {**BASE, "location": ns, "cluster": "replicaSet web", "kind": "replicaSet", "app": "shop"}
    back = engine.execute(
        [
            {"refId": "1", "type": "enableManifest", "criteria": "second_newest", **target},
            {
                "refId": "2",
                "type": "disableManifest",
                "criteria": "newest",
                **target,
                "requisiteStageRefIds": ["1"],
            },
        ]
    )
    assert back["status"] == "SUCCEEDED", error_of(back) + error_of(back, "2")
    assert serving_pods(kubectl, ns) == sorted(p["metadata"]["name"] for p in blue)


def test_bluegreen_deletes_a_previous_version_that_never_served(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    # Blue never became ready (its deploy timed out): disabling it would wait forever (orca PR #4414).
    broken = replica_set(ns, "ghcr.io/acme/web:1", replicas=1)
    broken["spec"]["template"]["metadata"]["annotations"] = NEVER_READY
    first = engine.execute(
        [deploy("1", [service(ns), broken], trafficManagement=traffic("bluegreen"), stageTimeoutMs=3000)]
    )
    assert first["status"] == "TERMINAL"
    assert "timed out" in error_of(first)
    done = engine.execute(
        [
            deploy(
                "1",
                [service(ns), replica_set(ns, "ghcr.io/acme/web:2", replicas=1)],
                trafficManagement=traffic("bluegreen"),
            )
        ]
    )
    assert done["status"] == "SUCCEEDED", error_of(done)
    synthetic = [s for s in done["stages"] if s.get("parentStageId")]
    assert [(s["type"], s["context"]["manifestName"], s["status"]) for s in synthetic] == [
        ("deleteManifest", "replicaSet web-v000", "SUCCEEDED")
    ]
    assert names(kubectl, "replicasets", ns) == ["web-v001"]


def test_largest_and_smallest_pick_by_spec_replicas_not_age(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    # Three versions, created in this order, sized 2, 3, 1: neither largest nor smallest is the newest
    # or the oldest.
    for image, replicas in (("ghcr.io/acme/web:1", 2), ("ghcr.io/acme/web:2", 3), ("ghcr.io/acme/web:3", 1)):
        done = engine.execute([deploy("1", [replica_set(ns, image, replicas=replicas)])])
        assert done["status"] == "SUCCEEDED", error_of(done)
    assert names(kubectl, "replicasets", ns) == ["web-v000", "web-v001", "web-v002"]
    target = {**BASE, "location": ns, "cluster": "replicaSet web", "kind": "replicaSet", "app": "shop"}
    scaled = engine.execute(
        [
            {"refId": "1", "type": "scaleManifest", "criteria": "largest", "replicas": 5, **target},
            {
                "refId": "2",
                "type": "scaleManifest",
                "criteria": "smallest",
                "replicas": 4,
                **target,
                "requisiteStageRefIds": ["1"],
            },
        ]
    )
    assert scaled["status"] == "SUCCEEDED", error_of(scaled) + error_of(scaled, "2")
    assert stage(scaled, "1")["context"]["manifestName"] == "replicaSet web-v001"  # 3 replicas, the largest
    # Resolved after stage 1 ran: v001 now has 5, v002 (1) is still the smallest.
    assert stage(scaled, "2")["context"]["manifestName"] == "replicaSet web-v002"
    replicas = {
        rs["metadata"]["name"]: rs["spec"]["replicas"]
        for rs in kubectl.json("get", "replicasets", "-n", ns)["items"]
    }
    assert replicas == {"web-v000": 2, "web-v001": 5, "web-v002": 4}

    # Now v001 (5) is the largest and v000 (2) the smallest: the targets follow the live sizes.
    deleted = engine.execute(
        [
            {"refId": "1", "type": "deleteManifest", "criteria": "smallest", **target},
            {
                "refId": "2",
                "type": "scaleManifest",
                "criteria": "largest",
                "replicas": 1,
                **target,
                "requisiteStageRefIds": ["1"],
            },
        ]
    )
    assert deleted["status"] == "SUCCEEDED", error_of(deleted) + error_of(deleted, "2")
    assert stage(deleted, "1")["context"]["manifestName"] == "replicaSet web-v000"
    assert stage(deleted, "2")["context"]["manifestName"] == "replicaSet web-v001"
    replicas = {
        rs["metadata"]["name"]: rs["spec"]["replicas"]
        for rs in kubectl.json("get", "replicasets", "-n", ns)["items"]
        if not rs["metadata"].get("deletionTimestamp")
    }
    assert replicas == {"web-v001": 1, "web-v002": 4}


def test_a_size_criteria_over_an_empty_cluster_names_what_was_looked_for(engine: Engine, ns: str) -> None:
    target = {**BASE, "location": ns, "cluster": "replicaSet ghost", "kind": "replicaSet", "app": "shop"}
    done = engine.execute(
        [{"refId": "1", "type": "scaleManifest", "criteria": "largest", "replicas": 1, **target}]
    )
    assert done["status"] == "TERMINAL"
    error = error_of(done)
    assert "largest" in error and "replicaSet ghost" in error and ns in error
