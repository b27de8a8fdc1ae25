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


def deployment(
    ns: str,
    image: str = "ghcr.io/acme/web:1",
    *,
    name: str = "web",
    replicas: int = 2,
    config_map: str | None = None,
    template_annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Deployment ``name`` selecting ``app: <name>``; with ``config_map`` its container reads it through
    ``envFrom``."""
    container: dict[str, Any] = {"name": name, "image": image}
    if config_map:
        container["envFrom"] = [{"configMapRef": {"name": config_map}}]
    template_metadata: dict[str, Any] = {"labels": {"app": name}}
    if template_annotations:
        template_metadata["annotations"] = dict(template_annotations)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": template_metadata, "spec": {"containers": [container]}},
        },
    }
