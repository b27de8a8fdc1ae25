"""Manifests the Kubernetes tests deploy (builders, so each test states only what matters to it)."""

from __future__ import annotations

from typing import Any


def replica_set(
    ns: str, image: str = "ghcr.io/acme/web:1", *, name: str = "web", replicas: int = 0, **annotations: str
) -> dict[str, Any]:
    """A ReplicaSet ``name`` selecting ``app: <name>`` (0 replicas: stable without pods)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
    }


def service(ns: str, selector: dict[str, str] | None = None, *, name: str = "web") -> dict[str, Any]:
    """A Service ``name`` selecting ``frontedBy: <name>`` (traffic labels apart from the workload's)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": selector if selector is not None else {"frontedBy": name},
            "ports": [{"port": 80}],
        },
    }


def config_map(
    ns: str, color: str = "blue", *, name: str = "web-config", **annotations: str
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "data": {"color": color},
    }
