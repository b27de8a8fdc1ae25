"""The stages acting on existing objects, through the engine on a sandbox: targets (static, dynamic,
label), delete, patch with artifact binding, enable/disable, findArtifactsFromResource feeding a deploy,
traffic strategies adding their stages. (Scale, undo and rollouts of running pods: tests/kubernetes/e2e.)"""

from __future__ import annotations

from typing import Any

from tests.kubernetes.conftest import Engine, error_of, stage
from tests.kubernetes.objects import replica_set, service
from tests.sandbox.conftest import Kubectl

BASE = {"account": "sandbox", "cloudProvider": "kubernetes"}


def deploy(
    ref: str, manifests: list[dict[str, Any]], after: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "refId": ref,
        "type": "deployManifest",
        **BASE,
        "source": "text",
        "manifests": manifests,
        "requisiteStageRefIds": after or [],
        **extra,
    }


def traffic(strategy: str) -> dict[str, Any]:
    return {
        "enabled": True,
        "options": {"enableTraffic": True, "services": ["service web"], "strategy": strategy},
    }


def names(kubectl: Kubectl, kind: str, ns: str) -> list[str]:
    return sorted(n.split("/", 1)[1] for n in kubectl("get", kind, "-n", ns, "-o", "name").split())


def template_labels(kubectl: Kubectl, ns: str, name: str) -> dict[str, str]:
    return kubectl.json("get", f"replicaset/{name}", "-n", ns)["spec"]["template"]["metadata"]["labels"]


def test_redblack_disables_the_previous_version(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    for image in ("ghcr.io/acme/web:1", "ghcr.io/acme/web:2"):
        done = engine.execute(
            [deploy("1", [service(ns), replica_set(ns, image)], trafficManagement=traffic("redblack"))]
        )
        assert done["status"] == "SUCCEEDED", error_of(done)
    synthetic = [s for s in done["stages"] if s.get("parentStageId")]
    assert [(s["type"], s["context"]["manifestName"], s["status"]) for s in synthetic] == [
        ("disableManifest", "replicaSet web-v000", "SUCCEEDED")
    ]
    assert "frontedBy" not in template_labels(kubectl, ns, "web-v000")
    assert template_labels(kubectl, ns, "web-v001")["frontedBy"] == "web"
    assert names(kubectl, "replicasets", ns) == ["web-v000", "web-v001"]


def test_highlander_disables_then_deletes_every_other_version(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    for image in ("ghcr.io/acme/web:1", "ghcr.io/acme/web:2", "ghcr.io/acme/web:3"):
        done = engine.execute(
            [deploy("1", [service(ns), replica_set(ns, image)], trafficManagement=traffic("highlander"))]
        )
        assert done["status"] == "SUCCEEDED", error_of(done)
    assert names(kubectl, "replicasets", ns) == ["web-v002"]


def test_dynamic_targets_enable_and_disable(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    engine.execute(
        [deploy("1", [service(ns), replica_set(ns, "ghcr.io/acme/web:1")], trafficManagement=traffic("none"))]
    )
    engine.execute(
        [deploy("1", [service(ns), replica_set(ns, "ghcr.io/acme/web:2")], trafficManagement=traffic("none"))]
    )
    assert template_labels(kubectl, ns, "web-v000")["frontedBy"] == "web"  # "none": nothing disabled
    target = {**BASE, "location": ns, "cluster": "replicaSet web", "kind": "replicaSet", "app": "shop"}
    rollback = engine.execute(
        [
            {"refId": "1", "type": "disableManifest", "criteria": "newest", **target},
            {
                "refId": "2",
                "type": "disableManifest",
                "criteria": "second_newest",
                **target,
                "requisiteStageRefIds": ["1"],
            },
            {
                "refId": "3",
                "type": "enableManifest",
                "criteria": "oldest",
                **target,
                "requisiteStageRefIds": ["2"],
            },
        ]
    )
    assert rollback["status"] == "SUCCEEDED", error_of(rollback)
    assert stage(rollback, "1")["context"]["manifestName"] == "replicaSet web-v001"
    assert stage(rollback, "2")["context"]["manifestName"] == "replicaSet web-v000"
    assert "frontedBy" not in template_labels(kubectl, ns, "web-v001")
    assert template_labels(kubectl, ns, "web-v000")["frontedBy"] == "web"


def test_delete_by_static_and_label_targets(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    cms = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": n, "namespace": ns, "labels": {"tier": t}},
            "data": {},
        }
        for n, t in (("a", "x"), ("b", "y"), ("c", "y"))
    ]
    engine.execute([deploy("1", cms, versioned=False)])
    done = engine.execute(
        [
            {
                "refId": "1",
                "type": "deleteManifest",
                **BASE,
                "location": ns,
                "manifestName": "configMap a",
                "options": {"cascading": True},
            },
            {
                "refId": "2",
                "type": "deleteManifest",
                **BASE,
                "location": ns,
                "kinds": ["configMap"],
                "labelSelectors": {"selectors": [{"key": "tier", "kind": "EQUALS", "values": ["y"]}]},
                "requisiteStageRefIds": ["1"],
            },
            {
                "refId": "3",
                "type": "deleteManifest",
                **BASE,
                "location": ns,
                "manifestName": "configMap a",
                "requisiteStageRefIds": ["2"],
            },
        ]
    )
    assert done["status"] == "SUCCEEDED", error_of(done)
    assert stage(done, "1")["outputs"]["deletedManifests"] == ["configmap/a"]
    assert sorted(stage(done, "2")["outputs"]["deletedManifests"]) == ["configmap/b", "configmap/c"]
    assert stage(done, "3")["outputs"]["deletedManifests"] == []  # already gone: --ignore-not-found
    assert not [n for n in names(kubectl, "configmaps", ns) if n in ("a", "b", "c")]


def test_find_artifacts_from_resource_feeds_a_later_deploy(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    engine.execute([deploy("1", [replica_set(ns, "ghcr.io/acme/web:7.1")])])
    promoted = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "promoted", "namespace": ns},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "p"}},
            "template": {
                "metadata": {"labels": {"app": "p"}},
                "spec": {"containers": [{"name": "p", "image": "ghcr.io/acme/web"}]},
            },
        },
    }
    done = engine.execute(
        [
            {
                "refId": "1",
                "type": "findArtifactsFromResource",
                **BASE,
                "location": ns,
                "manifestName": "replicaSet web-v000",
                "expectedArtifacts": [
                    {"id": "stg-img", "matchArtifact": {"type": "docker/image", "name": "ghcr.io/acme/web"}}
                ],
            },
            deploy("2", [promoted], ["1"], requiredArtifactIds=["stg-img"]),
        ]
    )
    assert done["status"] == "SUCCEEDED", error_of(done, "2")
    found = stage(done, "1")["outputs"]
    assert {
        "type": "docker/image",
        "name": "ghcr.io/acme/web",
        "version": "7.1",
        "reference": "ghcr.io/acme/web:7.1",
    } in found["artifacts"]
    assert found["manifest"]["metadata"]["name"] == "web-v000"
    assert found["resolvedExpectedArtifacts"][0]["boundArtifact"]["reference"] == "ghcr.io/acme/web:7.1"
    live = kubectl.json("get", "replicaset/promoted-v000", "-n", ns)
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/web:7.1"


def test_patch_binds_artifacts_and_json_patches_do_not(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    engine.execute([deploy("1", [replica_set(ns, "ghcr.io/acme/web:1")])])
    image = {"type": "docker/image", "name": "ghcr.io/acme/web", "reference": "ghcr.io/acme/web:9"}
    done = engine.execute(
        [
            {
                "refId": "1",
                "type": "patchManifest",
                **BASE,
                "location": ns,
                "manifestName": "replicaSet web-v000",
                "options": {"mergeStrategy": "strategic"},
                "requiredArtifactIds": ["img"],
                "patchBody": [
                    {
                        "spec": {
                            "template": {
                                "spec": {"containers": [{"name": "web", "image": "ghcr.io/acme/web:1"}]}
                            }
                        }
                    }
                ],
            },
            {
                "refId": "2",
                "type": "patchManifest",
                **BASE,
                "location": ns,
                "manifestName": "replicaSet web-v000",
                "options": {"mergeStrategy": "json"},
                "requisiteStageRefIds": ["1"],
                "patchBody": [
                    {"op": "add", "path": "/metadata/labels", "value": {"patched": "${trigger.type}"}}
                ],
            },
        ],
        expectedArtifacts=[
            {"id": "img", "matchArtifact": {"type": "docker/image", "name": "ghcr.io/acme/web"}}
        ],
        trigger={"type": "manual", "artifacts": [image]},
    )
    assert done["status"] == "SUCCEEDED", error_of(done) + error_of(done, "2")
    live = kubectl.json("get", "replicaset/web-v000", "-n", ns)
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/web:9"
    assert live["metadata"]["labels"]["patched"] == "manual"
    assert stage(done, "1")["outputs"]["boundArtifacts"] == [image]


def test_unsupported_operations_say_so(engine: Engine, ns: str) -> None:
    engine.execute([deploy("1", [replica_set(ns, "ghcr.io/acme/web:1")])])
    done = engine.execute(
        [
            {
                "refId": "1",
                "type": "undoRolloutManifest",
                **BASE,
                "location": ns,
                "manifestName": "replicaSet web-v000",
                "numRevisionsBack": 1,
            }
        ]
    )
    assert error_of(done) == "replicaSet web-v000 does not support undo rollout"
    done = engine.execute(
        [
            {
                "refId": "1",
                "type": "scaleManifest",
                **BASE,
                "location": ns,
                "manifestName": "configMap nope",
                "replicas": 2,
            }
        ]
    )
    assert error_of(done) == "configMap nope does not support scaling"
    done = engine.execute(
        [
            {
                "refId": "1",
                "type": "disableManifest",
                **BASE,
                "location": ns,
                "cluster": "replicaSet nothing",
                "criteria": "newest",
                "app": "shop",
            }
        ]
    )
    assert "no newest replicaSet in cluster 'replicaSet nothing' of application shop" in error_of(done)


def test_views_for_the_api(engine: Engine, k8s: Any, ns: str) -> None:
    from gennaker.kubernetes import views

    engine.execute([deploy("1", [service(ns), replica_set(ns, "ghcr.io/acme/web:1")])])
    engine.execute([deploy("1", [service(ns), replica_set(ns, "ghcr.io/acme/web:2")])])
    view = views.manifest_view(k8s, "sandbox", ns, "replicaSet web-v001")
    assert view["name"] == "replicaSet web-v001" and view["location"] == ns
    assert view["moniker"] == {"app": "shop", "cluster": "replicaSet web", "sequence": 1}
    assert view["status"]["stable"]["state"] is True
    assert {
        "type": "docker/image",
        "name": "ghcr.io/acme/web",
        "version": "2",
        "reference": "ghcr.io/acme/web:2",
    } in view["artifacts"]
    both = views.cluster_manifests(
        k8s, "sandbox", ns, kind="replicaSet", app="shop", cluster="replicaSet web"
    )
    assert sorted(o["metadata"]["name"] for o in both) == ["web-v000", "web-v001"]
    oldest = views.dynamic_target(
        k8s, "sandbox", ns, kind="replicaSet", app="shop", cluster="replicaSet web", criteria="oldest"
    )
    assert oldest is not None and oldest["metadata"]["name"] == "web-v000"
    summary = views.application_summary(k8s, "shop")
    assert {"replicaSet web-v000", "replicaSet web-v001"} <= {s["name"] for s in summary["serverGroups"]}
    assert "service web" in {s["name"] for s in summary["loadBalancers"]}


def test_max_version_history_keeps_the_newest_versions(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    for i in range(4):
        manifest = replica_set(
            ns, f"ghcr.io/acme/web:{i}", **{"strategy.spinnaker.io/max-version-history": "2"}
        )
        done = engine.execute([deploy("1", [manifest])])
        assert done["status"] == "SUCCEEDED", error_of(done)
    assert names(kubectl, "replicasets", ns) == ["web-v002", "web-v003"]
    assert stage(done, "1")["context"]["deletedManifests"] == ["replicaSet web-v001"]


def test_artifact_sources_and_expressions(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    import base64

    text = (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: from-artifact, namespace: {ns}}}\n"
        "data: {who: '${trigger.user}', raw: '${not evaluated}'}\n"
    )
    artifact = {
        "type": "embedded/base64",
        "name": "cm.yaml",
        "reference": base64.b64encode(text.encode()).decode(),
    }
    template = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "template", "namespace": ns},
        "data": {"body": "Hello ${name}"},
    }
    done = engine.execute(
        [
            deploy("1", None, source="artifact", manifestArtifactId="cm", versioned=False),
            deploy("2", [template], ["1"], skipExpressionEvaluation=True, versioned=False),
        ],
        expectedArtifacts=[{"id": "cm", "matchArtifact": {"type": "embedded/base64", "name": "cm.yaml"}}],
        trigger={"type": "manual", "artifacts": [artifact]},
    )
    assert done["status"] == "SUCCEEDED", error_of(done) + error_of(done, "2")
    data = kubectl.json("get", "configmap/from-artifact", "-n", ns)["data"]
    assert data["who"] == "tester"
    assert data["raw"] == "${not evaluated}"  # a failed expression stays as text, recorded in the summary
    assert stage(done, "1")["context"]["expressionEvaluationSummary"]
    assert kubectl.json("get", "configmap/template", "-n", ns)["data"]["body"] == "Hello ${name}"


def test_custom_resources_with_their_definition_in_the_same_deploy(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    group = f"{ns}.example.com"
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }
    widget = {
        "apiVersion": f"{group}/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": ns, "labels": {"tier": "x"}},
        "spec": {"size": 3},
    }
    done = engine.execute([deploy("1", [widget, crd])])
    assert done["status"] == "SUCCEEDED", error_of(done)
    assert stage(done, "1")["outputs"]["manifestNamesByNamespace"] == {
        "": [f"customResourceDefinition widgets.{group}"],
        ns: ["widget w"],
    }
    assert kubectl.json("get", f"widgets.{group}/w", "-n", ns)["spec"]["size"] == 3
    gone = engine.execute(
        [
            {
                "refId": "1",
                "type": "deleteManifest",
                **BASE,
                "location": ns,
                "kinds": ["widget"],
                "labelSelectors": {"selectors": [{"key": "tier", "kind": "EQUALS", "values": ["x"]}]},
            }
        ]
    )
    assert gone["status"] == "SUCCEEDED", error_of(gone)
    assert stage(gone, "1")["outputs"]["deletedManifests"] == [f"widget.{group}/w"]
