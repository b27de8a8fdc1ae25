"""Canary server groups built from production, and Istio route weights (pure functions)."""

from __future__ import annotations

import pytest

from gennaker.kubernetes.manifests import canary as cm

PROD = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web"}, "annotations": {"x": "y"}},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}, "annotations": {"a": "1"}},
            "spec": {"containers": [{"name": "web", "image": "web:1.0"}]},
        },
    },
}


def test_a_server_group_keeps_the_template_and_gets_its_own_scope_label() -> None:
    group = cm.server_group_manifest(PROD, name="web-canary", namespace="prod", replicas=1, image="web:2.0")

    assert group["metadata"] == {
        "name": "web-canary",
        "namespace": "prod",
        "labels": {"app": "web", cm.SCOPE_LABEL: "web-canary"},
    }
    assert group["spec"]["replicas"] == 1
    assert group["spec"]["selector"] == {"matchLabels": {"app": "web", cm.SCOPE_LABEL: "web-canary"}}
    template = group["spec"]["template"]
    assert template["metadata"] == {
        "labels": {"app": "web", cm.SCOPE_LABEL: "web-canary"},
        "annotations": {"a": "1"},
    }
    assert template["spec"]["containers"][0]["image"] == "web:2.0"
    assert PROD["spec"]["template"]["spec"]["containers"][0]["image"] == "web:1.0"  # not changed in place
    assert cm.selects({"spec": {"selector": {"app": "web"}}}, template["metadata"]["labels"])


def test_bad_sources_name_what_is_wrong() -> None:
    with pytest.raises(
        cm.CanaryManifestError, match="canary: a canary server group is made from a Deployment"
    ):
        cm.server_group_manifest(
            {**PROD, "kind": "Service"}, name="n", namespace="p", replicas=1, where="canary"
        )
    two = {
        **PROD,
        "spec": {**PROD["spec"], "template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}},
    }
    with pytest.raises(cm.CanaryManifestError, match="has 2 containers"):
        cm.server_group_manifest(two, name="n", namespace="p", replicas=1, image="i")
    with pytest.raises(cm.CanaryManifestError, match="no container 'c' \\(the pod has a, b\\)"):
        cm.server_group_manifest(two, name="n", namespace="p", replicas=1, image="i", container="c")


def test_weights_go_to_baseline_and_canary_and_the_rest_keeps_its_proportions() -> None:
    http = [
        {
            "match": [{"uri": {"prefix": "/api"}}],
            "route": [{"destination": {"host": "api", "port": {"number": 80}}}],
        },
        {
            "route": [
                {"destination": {"host": "web.prod.svc.cluster.local"}, "weight": 75},
                {"destination": {"host": "legacy"}, "weight": 25},
            ]
        },
    ]
    new = cm.weighted_http(
        http, services=["web"], namespace="prod", baseline="web-b", canary="web-c", weight=10
    )

    assert new is not None
    assert new[0] == http[0]
    assert [(r["destination"]["host"], r["weight"]) for r in new[1]["route"]] == [
        ("web.prod.svc.cluster.local", 60),
        ("legacy", 20),
        ("web-b", 10),
        ("web-c", 10),
    ]
    assert (
        cm.weighted_http(http[:1], services=["web"], namespace="prod", baseline="b", canary="c", weight=10)
        is None
    )


def test_the_default_weight_follows_the_replica_ratio() -> None:
    assert cm.canary_weight(3, 1) == 20
    assert cm.canary_weight(98, 1) == 1
    assert cm.canary_weight(0, 1) == 49
