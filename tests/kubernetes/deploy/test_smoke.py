"""Smoke: a deployManifest stage of a ConfigMap and a Service, through the engine, on the sandbox."""

from __future__ import annotations

from typing import Any

from tests.kubernetes.conftest import Engine, error_of, stage
from tests.sandbox.conftest import Kubectl


def config_map(ns: str, value: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-config", "namespace": ns},
        "data": {"color": value},
    }


def test_configmap_is_versioned_and_reused(engine: Engine, kubectl: Kubectl, ns: str) -> None:
    deploy = {
        "refId": "1",
        "type": "deployManifest",
        "account": "sandbox",
        "cloudProvider": "kubernetes",
        "source": "text",
        "manifests": [config_map(ns, "blue")],
    }
    first = engine.execute([deploy])
    assert first["status"] == "SUCCEEDED", error_of(first)
    outputs = stage(first, "1")["outputs"]
    assert outputs["manifestNamesByNamespace"] == {ns: ["configMap web-config-v000"]}
    second = engine.execute([deploy])
    assert stage(second, "1")["outputs"]["manifestNamesByNamespace"] == {ns: ["configMap web-config-v000"]}
    deploy["manifests"] = [config_map(ns, "green")]
    third = engine.execute([deploy])
    assert stage(third, "1")["outputs"]["manifestNamesByNamespace"] == {ns: ["configMap web-config-v001"]}
    names = kubectl("get", "configmaps", "-n", ns, "-o", "name").split()
    assert "configmap/web-config-v000" in names and "configmap/web-config-v001" in names
