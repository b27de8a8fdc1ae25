"""Deploy operations on a sandbox (``KubernetesService.deploy``), in Spinnaker's order: sorting, versions
and their reuse, references rewritten to this deploy's versions, annotations and labels, strategy
annotations, traffic attachment, label selectors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gennaker.artifacts.binding import UnboundArtifactsError
from gennaker.kubernetes.errors import ManifestError, TrafficError
from gennaker.kubernetes.manifests.apply import DeployResult
from gennaker.kubernetes.manifests.plan import DeployRequest, TrafficOptions
from gennaker.kubernetes.service import KubernetesService
from gennaker.model.artifacts import Artifact
from tests.kubernetes.objects import config_map, replica_set, service
from tests.sandbox.conftest import Kubectl


def deployment(
    ns: str, image: str = "ghcr.io/acme/web:dev", replicas: int = 2, **annotations: str
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": ns,
            "annotations": annotations,
            "labels": {"app.kubernetes.io/name": "mine"},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "web", "image": image, "envFrom": [{"configMapRef": {"name": "web-config"}}]}
                    ],
                    "volumes": [{"name": "cfg", "configMap": {"name": "web-config"}}],
                },
            },
        },
    }


def deploy(k8s: KubernetesService, manifests: list[dict[str, Any]], **fields: Any) -> DeployResult:
    request = DeployRequest(
        account="sandbox",
        manifests=[{**copy.deepcopy(m), "__where__": f"manifests[{i}]"} for i, m in enumerate(manifests)],
        application="shop",
    )
    for key, value in fields.items():
        setattr(request, key, value)
    return k8s.deploy(request)


def pinned(obj: dict[str, Any]) -> tuple[str, str]:
    spec = obj["spec"]["template"]["spec"]
    return spec["containers"][0]["envFrom"][0]["configMapRef"]["name"], spec["volumes"][0]["configMap"][
        "name"
    ]


def test_config_versions_are_reused_or_made_and_the_deployment_pins_them(
    k8s: KubernetesService, kubectl: Kubectl, ns: str
) -> None:
    first = deploy(k8s, [deployment(ns), config_map(ns)])
    assert first.names_by_namespace() == {ns: ["configMap web-config-v000", "deployment web"]}
    live = kubectl.json("get", "deployment/web", "-n", ns)
    assert pinned(live) == ("web-config-v000", "web-config-v000")
    again = deploy(k8s, [deployment(ns), config_map(ns)])
    assert again.names_by_namespace() == {ns: ["configMap web-config-v000", "deployment web"]}
    assert again.manifests[0].reused
    changed = deploy(k8s, [deployment(ns), config_map(ns, "green")])
    assert changed.names_by_namespace() == {ns: ["configMap web-config-v001", "deployment web"]}
    assert pinned(kubectl.json("get", "deployment/web", "-n", ns)) == ("web-config-v001", "web-config-v001")
    outputs = changed.outputs()
    config_artifact = {
        "type": "kubernetes/configMap",
        "name": "web-config",
        "version": "v001",
        "reference": "web-config-v001",
        "location": ns,
        "metadata": {"account": "sandbox"},
    }
    assert config_artifact in outputs["createdArtifacts"]
    assert config_artifact in outputs["boundArtifacts"]
    assert {
        "type": "kubernetes/deployment",
        "name": "web",
        "reference": "web",
        "location": ns,
        "metadata": {"account": "sandbox"},
    } in outputs["createdArtifacts"]
    # A label-only change reuses the version: metadata is not content.
    relabelled = config_map(ns, "green")
    relabelled["metadata"]["labels"] = {"team": "a"}
    assert deploy(k8s, [relabelled]).manifests[0].reused


def test_manifests_are_applied_in_deploy_priority_order(k8s: KubernetesService, ns: str) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"{ns}-extra"}}
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": ns}}
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 3,
        },
    }
    result = deploy(k8s, [hpa, deployment(ns), service(ns), config_map(ns), sa, namespace])
    assert [p.handler.kind for p in result.manifests] == [
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Service",
        "Deployment",
        "HorizontalPodAutoscaler",
    ]
    assert result.names_by_namespace()[""] == [f"namespace {ns}-extra"]


def test_annotations_and_labels_never_overwrite_the_users(
    k8s: KubernetesService, kubectl: Kubectl, ns: str
) -> None:
    deploy(
        k8s,
        [deployment(ns, **{"moniker.spinnaker.io/cluster": "web-main"})],
        moniker={"app": "shop", "stack": "prod"},
    )
    live = kubectl.json("get", "deployment/web", "-n", ns)
    annotations, labels = live["metadata"]["annotations"], live["metadata"]["labels"]
    assert annotations["moniker.spinnaker.io/application"] == "shop"
    assert annotations["moniker.spinnaker.io/cluster"] == "web-main"
    assert annotations["moniker.spinnaker.io/stack"] == "prod"
    assert annotations["artifact.spinnaker.io/type"] == "kubernetes/deployment"
    assert annotations["artifact.spinnaker.io/location"] == ns
    assert labels["app.kubernetes.io/name"] == "mine"
    assert labels["app.kubernetes.io/managed-by"] == "gennaker"
    template = live["spec"]["template"]["metadata"]
    assert template["annotations"]["moniker.spinnaker.io/application"] == "shop"
    assert template["labels"]["app.kubernetes.io/name"] == "shop"


def test_versioned_replicasets_get_sequences(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    deploy(k8s, [replica_set(ns)])
    result = deploy(k8s, [replica_set(ns, image="ghcr.io/acme/web:2")])
    assert result.names_by_namespace() == {ns: ["replicaSet web-v001"]}
    live = kubectl.json("get", "replicaset/web-v001", "-n", ns)
    assert live["metadata"]["annotations"]["moniker.spinnaker.io/sequence"] == "1"
    assert live["metadata"]["annotations"]["moniker.spinnaker.io/cluster"] == "replicaSet web"
    assert live["spec"]["template"]["metadata"]["labels"]["moniker.spinnaker.io/sequence"] == "1"


def test_versioned_annotation_overrides_the_kind(k8s: KubernetesService, ns: str) -> None:
    result = deploy(
        k8s,
        [
            config_map(ns, **{"strategy.spinnaker.io/versioned": "false"}),
            {
                **service(ns),
                "metadata": {
                    "name": "web",
                    "namespace": ns,
                    "annotations": {"strategy.spinnaker.io/versioned": "true"},
                },
            },
        ],
    )
    assert result.names_by_namespace() == {ns: ["configMap web-config", "service web-v000"]}
    with pytest.raises(
        ManifestError,
        match=r"manifests\[0\]: annotation strategy.spinnaker.io/versioned must be \"true\" or \"false\"",
    ):
        deploy(k8s, [config_map(ns, **{"strategy.spinnaker.io/versioned": "yes"})])


def test_recreate_replace_and_client_side_apply(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    deploy(k8s, [deployment(ns)])
    uid = kubectl.json("get", "deployment/web", "-n", ns)["metadata"]["uid"]
    deploy(k8s, [deployment(ns, **{"strategy.spinnaker.io/recreate": "true"})])
    assert kubectl.json("get", "deployment/web", "-n", ns)["metadata"]["uid"] != uid
    deploy(k8s, [deployment(ns, image="x:2", **{"strategy.spinnaker.io/replace": "true"})])
    live = kubectl.json("get", "deployment/web", "-n", ns, "--show-managed-fields")
    assert ("gennaker", "Update") in {
        (m["manager"], m["operation"]) for m in live["metadata"]["managedFields"]
    }
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "x:2"
    deploy(k8s, [config_map(ns, **{"strategy.spinnaker.io/server-side-apply": "false"})])
    cm = kubectl.json("get", "configmap/web-config-v000", "-n", ns)
    assert "kubectl.kubernetes.io/last-applied-configuration" in cm["metadata"]["annotations"]


def test_use_source_capacity(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    deploy(k8s, [deployment(ns, replicas=2)])
    kubectl("scale", "deployment/web", "-n", ns, "--replicas=5")
    deploy(
        k8s,
        [
            deployment(
                ns,
                replicas=2,
                **{
                    "strategy.spinnaker.io/use-source-capacity": "true",
                    "strategy.spinnaker.io/server-side-apply": "force-conflicts",
                },
            )
        ],
    )
    assert kubectl.json("get", "deployment/web", "-n", ns)["spec"]["replicas"] == 5


def test_secrets_are_versioned_by_content_without_reading_data(k8s: KubernetesService, ns: str) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": ns},
        "stringData": {"password": "one"},
    }
    assert deploy(k8s, [secret]).names_by_namespace() == {ns: ["secret db-v000"]}
    assert deploy(k8s, [secret]).manifests[0].reused
    changed = copy.deepcopy(secret)
    changed["stringData"]["password"] = "two"
    assert deploy(k8s, [changed]).names_by_namespace() == {ns: ["secret db-v001"]}


def test_optional_and_required_artifacts_bind(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    image = Artifact(type="docker/image", name="ghcr.io/acme/web", reference="ghcr.io/acme/web:1.4.2")
    result = deploy(k8s, [deployment(ns)], optional_artifacts=[image])
    assert kubectl.json("get", "deployment/web", "-n", ns)["spec"]["template"]["spec"]["containers"][0][
        "image"
    ] == ("ghcr.io/acme/web:1.4.2")
    assert image.to_json() in result.outputs()["boundArtifacts"]
    other = Artifact(type="docker/image", name="ghcr.io/acme/api", reference="ghcr.io/acme/api:1")
    with pytest.raises(UnboundArtifactsError, match=r"ghcr\.io/acme/api"):
        deploy(k8s, [deployment(ns)], required_artifacts=[other])


def test_label_selectors_choose_manifests(k8s: KubernetesService, ns: str) -> None:
    labelled = config_map(ns)
    labelled["metadata"]["labels"] = {"tier": "config"}
    selectors = {"selectors": [{"key": "tier", "kind": "EQUALS", "values": ["config"]}]}
    result = deploy(k8s, [labelled, service(ns)], label_selectors=selectors)
    assert result.names_by_namespace() == {ns: ["configMap web-config-v000"]}
    nothing = {"selectors": [{"key": "tier", "kind": "EQUALS", "values": ["none"]}]}
    with pytest.raises(ManifestError, match="labelSelectors selected none"):
        deploy(k8s, [labelled], label_selectors=nothing)
    assert deploy(k8s, [labelled], label_selectors=nothing, allow_nothing_selected=True).manifests == []


def test_namespace_override_applies_to_namespaced_kinds(
    k8s: KubernetesService, kubectl: Kubectl, ns: str
) -> None:
    extra = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"{ns}-x", "namespace": "ignored"}}
    result = deploy(k8s, [config_map("somewhere-else"), extra], namespace_override=ns)
    assert result.names_by_namespace() == {"": [f"namespace {ns}-x"], ns: ["configMap web-config-v000"]}


def test_traffic_is_attached_and_checked(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    traffic = TrafficOptions(
        enabled=True, services=("service web",), enable_traffic=True, strategy="redblack"
    )
    result = deploy(k8s, [service(ns), replica_set(ns)], traffic=traffic)
    rs = kubectl.json("get", "replicaset/web-v000", "-n", ns)
    assert rs["metadata"]["annotations"]["traffic.spinnaker.io/load-balancers"] == '["service web"]'
    assert rs["spec"]["template"]["metadata"]["labels"]["frontedBy"] == "web"
    assert result.names_by_namespace()[ns] == ["service web", "replicaSet web-v000"]
    with pytest.raises(TrafficError, match="shares label key\\(s\\) app with the pod template"):
        deploy(k8s, [service(ns, {"app": "web"}), replica_set(ns)], traffic=traffic)
    with pytest.raises(TrafficError, match="service web has an empty selector"):
        deploy(k8s, [service(ns, {}), replica_set(ns)], traffic=traffic)
    conflicting = replica_set(ns, **{"traffic.spinnaker.io/load-balancers": '["service other"]'})
    with pytest.raises(TrafficError, match="already names"):
        deploy(k8s, [service(ns), conflicting], traffic=traffic)
    with pytest.raises(TrafficError, match="manages traffic between versions of ReplicaSets only"):
        deploy(k8s, [service(ns), deployment(ns)], traffic=traffic)
    short_history = replica_set(ns, **{"strategy.spinnaker.io/max-version-history": "1"})
    with pytest.raises(TrafficError, match="max-version-history of at least 2"):
        deploy(k8s, [service(ns), short_history], traffic=traffic)
    missing = TrafficOptions(enabled=True, services=("service nope",), enable_traffic=True, strategy="none")
    with pytest.raises(
        TrafficError, match="names service nope, which is neither in this deploy nor in namespace"
    ):
        deploy(k8s, [replica_set(ns)], traffic=missing)
