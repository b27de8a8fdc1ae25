"""The classic view from cached objects (no cluster): server groups, instance health, load balancers,
firewalls, server group managers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gennaker.kubernetes.cache.index import ObjectIndex
from gennaker.kubernetes.classic import health
from gennaker.kubernetes.classic.view import (
    Snapshot,
    firewall,
    load_balancer,
    server_group,
    server_group_manager,
)

MONIKER = "moniker.spinnaker.io/"


def meta(name: str, kind: str, uid: str, **extra: Any) -> dict[str, Any]:
    annotations = {f"{MONIKER}application": "shop", **extra.pop("annotations", {})}
    return {
        "name": name,
        "namespace": "prod",
        "uid": uid,
        "resourceVersion": "1",
        "creationTimestamp": "2026-01-02T03:04:05Z",
        "annotations": annotations,
        **extra,
    }


def replica_set(version: int, labels: dict[str, str], replicas: int = 2, **extra: Any) -> dict[str, Any]:
    name = f"web-v{version:03d}"
    return {
        "kind": "ReplicaSet",
        "metadata": meta(
            name,
            "ReplicaSet",
            f"rs-{version}",
            annotations={
                f"{MONIKER}sequence": str(version),
                "traffic.spinnaker.io/load-balancers": json.dumps(["service web"]),
            },
            **extra,
        ),
        "spec": {
            "replicas": replicas,
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": f"acme/web:{version}"}]},
            },
        },
    }


def pod(
    name: str, owner: str, labels: dict[str, str], status: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "prod",
            "uid": f"pod-{name}",
            "resourceVersion": "1",
            "labels": labels,
            "ownerReferences": [{"kind": "ReplicaSet", "uid": owner, "controller": True}],
            **extra,
        },
        "status": status,
    }


def running(ready: bool, **container: Any) -> dict[str, Any]:
    return {
        "phase": "Running",
        "containerStatuses": [{"name": "web", "ready": ready, "restartCount": 0, **container}],
    }


SERVING = {"app": "web", "frontedBy": "web"}


@pytest.fixture
def snap() -> Snapshot:
    index = ObjectIndex()
    objects = [
        replica_set(0, {"app": "web"}),  # disabled: its labels lost the Service's selector
        replica_set(1, SERVING, replicas=3),
        {
            "kind": "Service",
            "metadata": meta("web", "Service", "svc"),
            "spec": {"selector": {"frontedBy": "web"}},
        },
        {
            "kind": "Ingress",
            "metadata": meta("www", "Ingress", "ing"),
            "spec": {"rules": [{"http": {"paths": [{"backend": {"service": {"name": "web"}}}]}}]},
        },
        {
            "kind": "NetworkPolicy",
            "metadata": meta("web-only", "NetworkPolicy", "np"),
            "spec": {"podSelector": {"matchLabels": {"frontedBy": "web"}}, "ingress": [{"from": []}]},
        },
        pod("a", "rs-1", SERVING, running(True)),
        pod("b", "rs-1", SERVING, running(False)),
        pod(
            "c",
            "rs-1",
            SERVING,
            running(False, restartCount=3, state={"waiting": {"reason": "CrashLoopBackOff"}}),
        ),
        pod("d", "rs-0", {"app": "web"}, running(True)),
        pod("e", "rs-0", {"app": "web"}, {"phase": "Pending"}),
    ]
    for obj in objects:
        index.upsert(obj)
    return Snapshot.of(index, "prod-account", "shop")


def test_server_group_fields_and_instance_health(snap: Snapshot) -> None:
    by_name = {sg["metadata"]["name"]: sg for sg in snap.server_groups}
    v1 = server_group(snap, by_name["web-v001"])
    assert v1["name"] == "replicaSet web-v001" and v1["displayName"] == "web-v001"
    assert (v1["account"], v1["region"], v1["cluster"]) == ("prod-account", "prod", "replicaSet web")
    assert v1["moniker"] == {"app": "shop", "cluster": "replicaSet web", "sequence": 1}
    assert v1["capacity"] == {"min": 3, "max": 3, "desired": 3}
    assert v1["instanceCounts"] == {
        "total": 3,
        "up": 1,
        "down": 1,
        "starting": 1,
        "outOfService": 0,
        "unknown": 0,
    }
    assert v1["disabled"] is False
    assert v1["loadBalancers"] == ["ingress www", "service web"]
    assert v1["securityGroups"] == ["networkPolicy web-only"]
    assert v1["buildInfo"] == {"images": ["acme/web:1"]}
    assert v1["createdTime"] == 1767323045000
    states = {i["displayName"]: i["healthState"] for i in v1["instances"]}
    assert states == {"a": "Up", "b": "Starting", "c": "Down"}

    v0 = server_group(snap, by_name["web-v000"])
    assert v0["disabled"] is True and v0["loadBalancers"] == ["service web"] and v0["securityGroups"] == []
    assert {i["displayName"]: i["healthState"] for i in v0["instances"]} == {
        "d": "OutOfService",
        "e": "Starting",
    }


def test_load_balancers_front_their_server_groups(snap: Snapshot) -> None:
    by_name = {lb["metadata"]["name"]: lb for lb in snap.load_balancers}
    service = load_balancer(snap, by_name["web"])
    assert {g["displayName"]: g["isDisabled"] for g in service["serverGroups"]} == {
        "web-v000": True,
        "web-v001": False,
    }
    ingress = load_balancer(snap, by_name["www"])
    assert ingress["backendServices"] == ["web"]
    assert [g["displayName"] for g in ingress["serverGroups"]] == ["web-v001"]


def test_firewall_applies_to_matching_pods(snap: Snapshot) -> None:
    fw = firewall(snap, snap.firewalls[0])
    assert fw["name"] == "networkPolicy web-only" and fw["inboundRules"] == [{"from": []}]
    assert [g["displayName"] for g in fw["serverGroups"]] == ["web-v001"]


def test_deployment_manages_its_replica_sets() -> None:
    index = ObjectIndex()
    deployment = {
        "kind": "Deployment",
        "metadata": meta("api", "Deployment", "dep"),
        "spec": {"replicas": 1},
        "status": {},
    }
    rs = replica_set(2, {"app": "api"})
    rs["metadata"]["ownerReferences"] = [{"kind": "Deployment", "uid": "dep", "controller": True}]
    rs["metadata"]["annotations"][f"{MONIKER}cluster"] = "deployment api"
    for obj in (deployment, rs):
        index.upsert(obj)
    snap = Snapshot.of(index, "a", "shop")
    manager = server_group_manager(snap, snap.managers[0])
    assert manager["name"] == "deployment api"
    assert [g["name"] for g in manager["serverGroups"]] == ["replicaSet web-v002"]
    assert server_group(snap, snap.server_groups[0])["serverGroupManagers"][0]["name"] == "deployment api"


@pytest.mark.parametrize(
    ("status", "extra", "state"),
    [
        (running(True), {}, "Up"),
        (running(False), {}, "Starting"),
        ({"phase": "Pending"}, {}, "Starting"),
        (
            {
                "phase": "Pending",
                "containerStatuses": [
                    {"name": "w", "ready": False, "state": {"waiting": {"reason": "ImagePullBackOff"}}}
                ],
            },
            {},
            "Down",
        ),
        (
            {
                "phase": "Pending",
                "containerStatuses": [
                    {"name": "w", "ready": False, "state": {"waiting": {"reason": "ContainerCreating"}}}
                ],
            },
            {},
            "Starting",
        ),
        ({"phase": "Failed", "reason": "Evicted"}, {}, "Down"),
        ({"phase": "Unknown"}, {}, "Unknown"),
        ({}, {}, "Unknown"),
        (running(True), {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "Down"),
    ],
)
def test_instance_health_states(status: dict[str, Any], extra: dict[str, Any], state: str) -> None:
    assert health.instance(pod("p", "x", {}, status, **extra), "a")["healthState"] == state


def test_aggregate_follows_spinnaker() -> None:
    assert health.aggregate(["Up", "Down", "OutOfService"]) == "Down"
    assert health.aggregate(["Up", "OutOfService"]) == "OutOfService"
    assert health.aggregate(["Up", "Starting"]) == "Starting"
    assert health.aggregate(["Up", "Up"]) == "Up"
    assert health.aggregate(["Up", "Unknown"]) == "Unknown"
    assert health.aggregate([]) == "Unknown"
