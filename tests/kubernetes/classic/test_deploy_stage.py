"""The classic ``deploy`` stage: the manifests it generates from Spinnaker V1 ``clusters[]`` and its
errors on bad input (through the real engine; the bad inputs fail while planning, before any kubectl)."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.kubernetes.stages.common import StageFieldError
from gennaker.kubernetes.stages.deploy import cluster_stage, server_group_base
from tests.kubernetes.conftest import Engine, error_of


def cluster(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "account": "sandbox",
        "application": "shop",
        "stack": "prod",
        "freeFormDetails": "web",
        "namespace": "prod",
        "capacity": {"desired": 3},
        "containers": [
            {
                "imageDescription": {"registry": "ghcr.io", "repository": "acme/web", "tag": "1.2"},
                "ports": [{"containerPort": 8080, "name": "http"}],
                "envVars": [{"name": "MODE", "value": "prod"}],
                "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
            }
        ],
        "loadBalancers": ["shop-prod"],
        "strategy": "highlander",
        "maxRemainingAsgs": 3,
    }
    base.update(overrides)
    return base


def test_generates_a_replica_set_and_service_on_the_manifest_path() -> None:
    stage = cluster_stage(cluster(), 0, "other")
    assert stage.type == "deployManifest" and stage.parallel
    ctx = stage.context
    service, rs = ctx["manifests"]
    assert rs["metadata"]["name"] == "shop-prod-web" and rs["metadata"]["namespace"] == "prod"
    assert rs["metadata"]["annotations"] == {"strategy.spinnaker.io/max-version-history": "3"}
    assert rs["spec"]["replicas"] == 3
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "shop", "cluster": "shop-prod-web"}
    container = rs["spec"]["template"]["spec"]["containers"][0]
    assert container == {
        "name": "web",
        "image": "ghcr.io/acme/web:1.2",
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [{"name": "MODE", "value": "prod"}],
        "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
    }
    assert service["metadata"] == {"name": "shop-prod", "namespace": "prod"}
    assert service["spec"] == {
        "selector": {"load-balancer-shop-prod": "true"},
        "ports": [{"name": "http", "port": 8080, "targetPort": 8080}],
    }
    assert ctx["moniker"] == {"app": "shop", "stack": "prod", "detail": "web"}
    assert ctx["trafficManagement"] == {
        "enabled": True,
        "options": {"enableTraffic": True, "services": ["service shop-prod"], "strategy": "highlander"},
    }


def test_existing_load_balancers_are_not_generated() -> None:
    ctx = cluster_stage(cluster(createLoadBalancers=False), 0, "shop").context
    assert [m["kind"] for m in ctx["manifests"]] == ["ReplicaSet"]
    assert ctx["trafficManagement"]["options"]["services"] == ["service shop-prod"]


@pytest.mark.parametrize(
    ("app", "stack", "detail", "name"),
    [("shop", "", "", "shop"), ("shop", "prod", "", "shop-prod"), ("shop", "", "web", "shop--web")],
)
def test_frigga_names(app: str, stack: str, detail: str, name: str) -> None:
    assert server_group_base(app, stack, detail) == name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"account": ""}, "clusters[0].account is required"),
        ({"containers": []}, "clusters[0].containers is required"),
        ({"containers": [{"name": "web"}]}, "clusters[0].containers[0].image is required"),
        ({"capacity": {"desired": -1}}, "clusters[0].capacity.desired must be a whole number"),
        ({"strategy": "canary"}, "clusters[0].strategy must be redblack, highlander or none"),
        ({"loadBalancers": [], "strategy": "redblack"}, "the redblack strategy needs loadBalancers"),
        ({"stack": "Prod_1"}, "clusters[0].stack 'Prod_1' may hold only lowercase letters and digits"),
        (
            {"containers": [{"image": "acme/web:1", "ports": [{"containerPort": 70000}]}]},
            "clusters[0].containers[0].ports[0].containerPort must be a port number",
        ),
        ({"containers": [{"image": "acme/web:1"}]}, "Service shop-prod needs ports"),
    ],
)
def test_bad_cluster_fields_are_named(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(StageFieldError, match=None) as err:
        cluster_stage(cluster(**overrides), 0, "shop")
    assert message in str(err.value)


def test_bad_input_fails_the_stage_before_anything_is_applied(engine: Engine) -> None:
    done = engine.execute([{"refId": "1", "type": "deploy", "clusters": [cluster(containers=[])]}])
    assert done["status"] == "TERMINAL"
    assert "clusters[0].containers is required" in error_of(done)
    assert not [s for s in done["stages"] if s["type"] == "deployManifest"]
