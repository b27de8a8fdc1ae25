"""Artifacts found in live objects (findArtifactsFromResource) and the artifacts of versioned objects."""

from __future__ import annotations

import pytest

from gennaker.artifacts.produced import (
    artifact_for_object,
    artifacts_from_resource,
    lower_camel,
    split_versioned_name,
    versioned_artifact,
    versioned_name,
)

LIVE_REPLICA_SET = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "metadata": {
        "name": "web-v003",
        "namespace": "shop-stg",
        "uid": "0d7c3f0e-1111-2222-3333-444455556666",
        "resourceVersion": "48211",
        "annotations": {
            "artifact.spinnaker.io/name": "web",
            "artifact.spinnaker.io/type": "kubernetes/replicaSet",
            "artifact.spinnaker.io/location": "shop-stg",
            "artifact.spinnaker.io/version": "v003",
            "moniker.spinnaker.io/application": "shop",
        },
    },
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "initContainers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:41"}],
                "containers": [
                    {
                        "name": "web",
                        "image": "registry.local:5000/acme/web:1.4.2",
                        "envFrom": [{"configMapRef": {"name": "web-config-v004"}}],
                        "env": [
                            {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db-creds", "key": "url"}}}
                        ],
                    },
                    {"name": "cache", "image": "redis@sha256:" + "a" * 64},
                ],
                "volumes": [{"name": "cfg", "configMap": {"name": "web-config-v004"}}],
            },
        },
    },
    "status": {"replicas": 2, "readyReplicas": 2},
}


def test_live_object_artifacts_are_its_images_config_and_itself() -> None:
    found = [a.to_json() for a in artifacts_from_resource(LIVE_REPLICA_SET, "staging")]
    assert found == [
        {
            "type": "docker/image",
            "name": "registry.local:5000/acme/web",
            "version": "1.4.2",
            "reference": "registry.local:5000/acme/web:1.4.2",
        },
        {
            "type": "docker/image",
            "name": "redis",
            "version": "sha256:" + "a" * 64,
            "reference": "redis@sha256:" + "a" * 64,
        },
        {
            "type": "docker/image",
            "name": "ghcr.io/acme/migrate",
            "version": "41",
            "reference": "ghcr.io/acme/migrate:41",
        },
        {
            "type": "kubernetes/configMap",
            "name": "web-config",
            "version": "v004",
            "reference": "web-config-v004",
            "location": "shop-stg",
            "metadata": {"account": "staging"},
        },
        {
            "type": "kubernetes/secret",
            "name": "db-creds",
            "reference": "db-creds",
            "location": "shop-stg",
            "metadata": {"account": "staging"},
        },
        {
            "type": "kubernetes/replicaSet",
            "name": "web",
            "version": "v003",
            "reference": "web-v003",
            "location": "shop-stg",
            "metadata": {"account": "staging"},
        },
    ]


def test_hpa_target_and_cluster_scoped_objects() -> None:
    hpa = {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}},
    }
    types = [(a.type, a.name) for a in artifacts_from_resource(hpa)]
    assert types == [("kubernetes/deployment", "web"), ("kubernetes/horizontalPodAutoscaler", "web")]
    namespace = artifact_for_object({"kind": "Namespace", "metadata": {"name": "shop"}}, "prod")
    assert namespace.to_json() == {
        "type": "kubernetes/namespace",
        "name": "shop",
        "reference": "shop",
        "location": "",
        "metadata": {"account": "prod"},
    }


def test_versioned_artifact_and_names() -> None:
    artifact = versioned_artifact("ConfigMap", "web-config", 4, "shop-prod", "prod-k8s")
    assert artifact.to_json() == {
        "type": "kubernetes/configMap",
        "name": "web-config",
        "version": "v004",
        "reference": "web-config-v004",
        "location": "shop-prod",
        "metadata": {"account": "prod-k8s"},
    }
    assert versioned_artifact("Deployment", "web", None, "shop", None).to_json() == {
        "type": "kubernetes/deployment",
        "name": "web",
        "reference": "web",
        "location": "shop",
    }
    assert versioned_name("web", 0) == "web-v000"
    assert versioned_name("web", 1000) == "web-v1000"
    assert split_versioned_name("web-v1000") == ("web", "v1000")
    assert split_versioned_name("web-v12") == ("web-v12", None)
    assert split_versioned_name("my-v003-app") == ("my-v003-app", None)
    assert lower_camel("HorizontalPodAutoscaler") == "horizontalPodAutoscaler"
    with pytest.raises(ValueError, match=">= 0"):
        versioned_name("web", -1)


def test_found_images_bind_back_into_a_production_manifest() -> None:
    """The promotion path: the image found on staging binds into the production Deployment."""
    from gennaker.artifacts.binding import bind_manifest

    staging = artifacts_from_resource(LIVE_REPLICA_SET, "staging")
    web = next(a for a in staging if a.name == "registry.local:5000/acme/web")
    production = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop-prod"},
        "spec": {
            "template": {"spec": {"containers": [{"name": "web", "image": "registry.local:5000/acme/web"}]}}
        },
    }
    result = bind_manifest(production, required=[web], optional=staging, account="prod")
    containers = result.manifest["spec"]["template"]["spec"]["containers"]
    assert containers[0]["image"] == "registry.local:5000/acme/web:1.4.2"
    # The staging ConfigMap (other namespace, other account) did not leak into production.
    assert [a.type for a in result.bound] == ["docker/image"]
