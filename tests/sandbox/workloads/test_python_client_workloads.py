"""Workloads through the real ``kubernetes`` Python client: a Deployment rolls out, a watch sees its pods
become Ready, scaling and image changes are followed to completion, deletion cascades."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kubernetes import client, watch

pytestmark = pytest.mark.timeout(120)


def deployment(name: str, replicas: int, image: str = "nginx:1.25") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
        },
    }


def ready(pod: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in (pod.status.conditions or []))


def rolled_out(apps: client.AppsV1Api, namespace: str, name: str, timeout: float = 60) -> Any:
    """kubectl's rule: observed, updated, no old replicas, all available."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = apps.read_namespaced_deployment(name, namespace)
        s = d.status
        if (
            (s.observed_generation or 0) >= d.metadata.generation
            and (s.updated_replicas or 0) >= d.spec.replicas
            and (s.replicas or 0) <= (s.updated_replicas or 0)
            and (s.available_replicas or 0) >= (s.updated_replicas or 0)
        ):
            return d
        time.sleep(0.1)
    raise AssertionError(f"deployment {name} did not roll out")


def test_watch_sees_pods_of_a_new_deployment_become_ready(api_client: Any, namespace: str) -> None:
    apps, core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    apps.create_namespaced_deployment(namespace, deployment("web", 3))
    seen_ready: set[str] = set()
    phases: set[str] = set()
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_pod, namespace, label_selector="app=web", timeout_seconds=30):
        pod = event["object"]
        phases.add(pod.status.phase)
        if ready(pod):
            seen_ready.add(pod.metadata.name)
        if len(seen_ready) == 3:
            w.stop()
    assert len(seen_ready) == 3 and "Running" in phases
    d = rolled_out(apps, namespace, "web")
    assert d.status.ready_replicas == 3 and d.status.available_replicas == 3
    conditions = {c.type: c for c in d.status.conditions}
    assert conditions["Available"].reason == "MinimumReplicasAvailable"
    assert conditions["Progressing"].reason == "NewReplicaSetAvailable"
    pod = core.list_namespaced_pod(namespace, label_selector="app=web").items[0]
    assert pod.spec.node_name.startswith("sandbox-node-") and pod.status.pod_ip.startswith("10.244.")
    assert pod.status.container_statuses[0].state.running.started_at is not None


def test_scale_image_change_and_cascading_delete(api_client: Any, namespace: str) -> None:
    apps, core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    apps.create_namespaced_deployment(namespace, deployment("api", 2))
    rolled_out(apps, namespace, "api")
    apps.patch_namespaced_deployment_scale("api", namespace, {"spec": {"replicas": 4}})
    assert rolled_out(apps, namespace, "api").status.available_replicas == 4
    apps.patch_namespaced_deployment(
        "api",
        namespace,
        {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}}},
    )
    rolled_out(apps, namespace, "api")
    rss = apps.list_namespaced_replica_set(namespace, label_selector="app=api").items
    assert sorted(rs.spec.replicas for rs in rss) == [0, 4]
    apps.delete_namespaced_deployment("api", namespace)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = core.list_namespaced_pod(namespace).items + apps.list_namespaced_replica_set(namespace).items
        if not left:
            break
        time.sleep(0.2)
    assert not left
