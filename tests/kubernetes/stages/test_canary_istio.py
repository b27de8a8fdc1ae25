"""Canary server groups with Istio (issue 5, point 5): ``deployCanaryServerGroups`` weights every
``VirtualService`` route to production, ``cleanupCanaryClusters`` restores it exactly, on a sandbox that
serves Istio's ``VirtualService`` CRD, through the engine and the real kubectl.

The CRD is installed after the account started and after kubectl cached the account's discovery (the
production deploy runs ``kubectl apply`` first): a mesh installed while Gennaker runs must be found without
a restart. Production is a Deployment ``web`` of 3 replicas behind Service ``web``; VirtualService ``web``
routes ``/api`` (by FQDN with a port) and everything else (by short name) to it, and VirtualService
``other`` routes to an unrelated Service and must never change.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gennaker.kubernetes.manifests.canary import ORIGINAL_ROUTES, SCOPE_LABEL
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages import register_stages
from tests.canary.conftest import CanaryEngine, make_canary_engine
from tests.conftest import free_port
from tests.kubernetes.conftest import Engine, error_of, stage
from tests.kubernetes.objects import deployment
from tests.sandbox.conftest import Kubectl

BASE = {"account": "sandbox", "cloudProvider": "kubernetes"}
GROUP = "networking.istio.io"

#: Istio's VirtualService CRD, as small as valid: both served versions, an open schema.
VIRTUAL_SERVICE_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"virtualservices.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {
            "plural": "virtualservices",
            "singular": "virtualservice",
            "kind": "VirtualService",
            "shortNames": ["vs"],
            "categories": ["istio-io", "networking-istio-io"],
        },
        "versions": [
            {
                "name": version,
                "served": True,
                "storage": version == "v1",
                "schema": {
                    "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                },
            }
            for version in ("v1", "v1beta1")
        ],
    },
}


def web_service(ns: str, name: str = "web", app: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"selector": {"app": app}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
    }


def web_routes(ns: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "api",
            "match": [{"uri": {"prefix": "/api"}}],
            "route": [{"destination": {"host": f"web.{ns}.svc.cluster.local", "port": {"number": 80}}}],
            "timeout": "5s",
        },
        {"name": "default", "route": [{"destination": {"host": "web"}}]},
    ]


def virtual_service(ns: str, name: str, hosts: list[str], http: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1beta1",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": ns, "annotations": {"team": "web"}},
        "spec": {"hosts": hosts, "http": http},
    }


OTHER_ROUTES = [{"route": [{"destination": {"host": "search"}, "weight": 100}]}]


def apply(kubectl: Kubectl, *objects: dict[str, Any]) -> None:
    for obj in objects:
        kubectl("apply", "-f", "-", input=json.dumps(obj))


def canary_context(ns: str, **extra: Any) -> dict[str, Any]:
    """The context ``kayentaCanary`` gives both stages (``gennaker.canary.stage.deployments``)."""
    return {
        **BASE,
        "namespace": ns,
        "app": "web",
        "baseline": {"manifestName": "deployment web"},
        "canary": {"image": "ghcr.io/acme/web:2"},
        "replicas": 1,
        "baselineName": "web-baseline",
        "canaryName": "web-canary",
        **extra,
    }


def vs(kubectl: Kubectl, ns: str, name: str) -> dict[str, Any]:
    return dict(kubectl.json("get", f"virtualservices.{GROUP}/{name}", "-n", ns))


def names(kubectl: Kubectl, kinds: str, ns: str) -> list[str]:
    return sorted(kubectl("get", kinds, "-n", ns, "-o", "name").split())


def weighted(ns: str, prod: int, each: int) -> list[dict[str, Any]]:
    """``web_routes`` as a canary with ``each`` % per group leaves them."""
    api_port = {"port": {"number": 80}}
    return [
        {
            "name": "api",
            "match": [{"uri": {"prefix": "/api"}}],
            "route": [
                {"destination": {"host": f"web.{ns}.svc.cluster.local", **api_port}, "weight": prod},
                {"destination": {"host": "web-baseline", **api_port}, "weight": each},
                {"destination": {"host": "web-canary", **api_port}, "weight": each},
            ],
            "timeout": "5s",
        },
        {
            "name": "default",
            "route": [
                {"destination": {"host": "web"}, "weight": prod},
                {"destination": {"host": "web-baseline"}, "weight": each},
                {"destination": {"host": "web-canary"}, "weight": each},
            ],
        },
    ]


@pytest.fixture
def istio(engine: Engine, kubectl: Kubectl, ns: str) -> str:
    """Production deployed through the engine (so kubectl's discovery cache of the account predates the
    CRD), then Istio's CRD and two VirtualServices added by 'the mesh admin'; the namespace."""
    prod = [deployment(ns, replicas=3), web_service(ns), web_service(ns, "search", app="search")]
    done = engine.execute(
        [{"refId": "1", "type": "deployManifest", **BASE, "source": "text", "manifests": prod}]
    )
    assert done["status"] == "SUCCEEDED", error_of(done)
    apply(kubectl, VIRTUAL_SERVICE_CRD)
    kubectl("wait", "--for=condition=Established", f"crd/virtualservices.{GROUP}", "--timeout=30s")
    apply(
        kubectl,
        virtual_service(ns, "web", ["web.example.com"], web_routes(ns)),
        virtual_service(ns, "other", ["search"], OTHER_ROUTES),
    )
    return ns


def run(engine: Engine, stage_type: str, context: dict[str, Any]) -> dict[str, Any]:
    done = engine.execute([{"refId": "1", "type": stage_type, **context}], timeout_s=180)
    assert done["status"] == "SUCCEEDED", error_of(done)
    return stage(done, "1")


def test_weights_by_replica_ratio_then_cleanup_restores_the_routes_exactly(
    engine: Engine, kubectl: Kubectl, istio: str
) -> None:
    ns = istio
    before = {name: vs(kubectl, ns, name) for name in ("web", "other")}

    deployed = run(engine, "deployCanaryServerGroups", canary_context(ns))

    # 3 production replicas, 1 each of baseline and canary: 1/5 = 20 % each, production keeps 60 %.
    assert deployed["outputs"]["canaryServerGroups"] == {
        "baseline": "web-baseline",
        "canary": "web-canary",
        "namespace": ns,
        "replicas": 1,
        "services": ["web"],
        "virtualServices": ["virtualService web"],
        "trafficPercent": 20,
    }
    web = vs(kubectl, ns, "web")
    assert web["spec"]["http"] == weighted(ns, 60, 20)
    assert web["spec"]["hosts"] == ["web.example.com"]
    assert web["metadata"]["annotations"]["team"] == "web"
    saved = json.loads(web["metadata"]["annotations"][ORIGINAL_ROUTES])
    assert saved == {"canary": "web-canary", "http": web_routes(ns)}
    assert vs(kubectl, ns, "other")["spec"] == before["other"]["spec"]
    # Each group has its own Service (the route target), selecting only its pods, with production's ports.
    for group in ("web-baseline", "web-canary"):
        svc = kubectl.json("get", f"service/{group}", "-n", ns)
        assert svc["spec"]["selector"] == {SCOPE_LABEL: group}
        assert [(p["name"], p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [("http", 80, 8080)]
        pods = kubectl.json("get", "pods", "-n", ns, "-l", f"{SCOPE_LABEL}={group}")["items"]
        assert len(pods) == 1 and pods[0]["metadata"]["labels"]["app"] == "web"
    canary_image = kubectl.json("get", "deployment/web-canary", "-n", ns)["spec"]["template"]["spec"]
    assert canary_image["containers"][0]["image"] == "ghcr.io/acme/web:2"

    cleaned = run(engine, "cleanupCanaryClusters", canary_context(ns))

    assert cleaned["outputs"]["restoredVirtualServices"] == ["virtualService web"]
    deleted = cleaned["outputs"]["deletedManifests"]
    assert {"deployment.apps/web-baseline", "deployment.apps/web-canary"} <= set(deleted)
    assert {"service/web-baseline", "service/web-canary"} <= set(deleted)
    # the groups' ReplicaSets carry the scope label too: listed when garbage collection has not removed
    # them yet at the moment of the delete
    others = set(deleted) - {
        "deployment.apps/web-baseline",
        "deployment.apps/web-canary",
        "service/web-baseline",
        "service/web-canary",
    }
    assert all(o.startswith(("replicaset.apps/web-baseline-", "replicaset.apps/web-canary-")) for o in others)
    for name in ("web", "other"):
        after = vs(kubectl, ns, name)
        assert after["spec"] == before[name]["spec"]
        assert after["metadata"]["annotations"] == before[name]["metadata"]["annotations"]
    assert names(kubectl, "deployments,services", ns) == [
        "deployment.apps/web",
        "service/search",
        "service/web",
    ]
    assert kubectl.json("get", "deployment/web", "-n", ns)["spec"]["replicas"] == 3

    again = run(engine, "cleanupCanaryClusters", canary_context(ns))  # a second cleanup is harmless
    assert again["outputs"] == {"deletedManifests": [], "restoredVirtualServices": []}
    assert vs(kubectl, ns, "web")["spec"] == before["web"]["spec"]


def test_an_explicit_traffic_percent_and_a_redeploy_keep_the_first_saved_routes(
    engine: Engine, kubectl: Kubectl, istio: str
) -> None:
    ns = istio
    before = vs(kubectl, ns, "web")

    first = run(engine, "deployCanaryServerGroups", canary_context(ns, trafficPercent=10))
    assert first["outputs"]["canaryServerGroups"]["trafficPercent"] == 10
    assert vs(kubectl, ns, "web")["spec"]["http"] == weighted(ns, 80, 10)

    # Deployed again (a restarted canary): weights come from the saved original routes, not the weighted
    # ones, and the saved routes stay the originals.
    run(engine, "deployCanaryServerGroups", canary_context(ns, trafficPercent=5))
    web = vs(kubectl, ns, "web")
    assert web["spec"]["http"] == weighted(ns, 90, 5)
    assert json.loads(web["metadata"]["annotations"][ORIGINAL_ROUTES])["http"] == web_routes(ns)

    run(engine, "cleanupCanaryClusters", canary_context(ns))
    after = vs(kubectl, ns, "web")
    assert after["spec"] == before["spec"]
    assert ORIGINAL_ROUTES not in after["metadata"]["annotations"]


@pytest.fixture
def canary_engine(k8s: KubernetesService, tmp_path: Path) -> Iterator[CanaryEngine]:
    """The engine with the canary stages and the Kubernetes stages bound to ``k8s``. Its metrics account
    points at a closed port: the canceled canary below is canceled before its first interval queries."""
    prometheus = {
        "name": "prom",
        "type": "prometheus",
        "settings": {"baseUrl": f"http://127.0.0.1:{free_port()}"},
    }
    yield from make_canary_engine(
        tmp_path / "canary", [prometheus], register=lambda registry: register_stages(registry, k8s)
    )


def test_a_canceled_canary_restores_the_virtual_service(
    canary_engine: CanaryEngine, engine: Engine, kubectl: Kubectl, istio: str
) -> None:
    ns = istio
    before = vs(kubectl, ns, "web")
    config = {
        "name": "web-errors",
        "applications": ["app"],
        "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
        "metrics": [
            {
                "name": "error rate",
                "query": {
                    "type": "prometheus",
                    "customInlineTemplate": "PromQL:avg(errors{pod=~'${scope}-.*'})",
                },
                "groups": ["errors"],
                "analysisConfigurations": {"canary": {"direction": "increase"}},
                "scopeName": "default",
            }
        ],
        "classifier": {"groupWeights": {"errors": 100}},
    }
    config_id = canary_engine.canary.create_config(config, principal="tester")["canaryConfigId"]
    canary = {
        "refId": "1",
        "type": "kayentaCanary",
        "name": "Canary Analysis",
        "canaryConfig": {
            "canaryConfigId": config_id,
            "metricsAccountName": "prom",
            "scopes": [{"scopeName": "default", "step": 1}],
            "scoreThresholds": {"pass": 95, "marginal": 75},
            "lifetimeDuration": "PT1H",
            "beginCanaryAnalysisAfterMins": 30,  # the canary waits: canceled while traffic is weighted
        },
        "deployments": {
            "account": "sandbox",
            "namespace": ns,
            "baseline": {"manifestName": "deployment web"},
            "canary": {"image": "ghcr.io/acme/web:2"},
            "trafficPercent": 15,
        },
    }
    execution_id = canary_engine.run_pipeline([canary])
    deadline = time.monotonic() + 120
    while vs(kubectl, ns, "web")["spec"]["http"] != weighted(ns, 70, 15):
        status = canary_engine.pipelines.get_execution_status(execution_id)
        assert status == "RUNNING", f"execution {status} before the routes were weighted"
        assert time.monotonic() < deadline, "the canary never weighted the VirtualService"
        time.sleep(0.2)

    canary_engine.pipelines.cancel_execution(execution_id, principal="tester", reason="bad canary")
    execution = canary_engine.wait(execution_id, timeout_s=120)

    assert execution["status"] == "CANCELED"
    (analysis,) = [s for s in execution["stages"] if s["type"] == "kayentaCanary"]
    assert analysis["context"]["canaryCleanup"]["restoredVirtualServices"] == ["virtualService web"]
    after = vs(kubectl, ns, "web")
    assert after["spec"] == before["spec"]
    assert after["metadata"]["annotations"] == before["metadata"]["annotations"]
    assert names(kubectl, "deployments,services", ns) == [
        "deployment.apps/web",
        "service/search",
        "service/web",
    ]
