"""Bad input to deployManifest: each case fails the stage with a message that says exactly what was wrong
and where, and a deploy that fails part-way reports what was applied and what was not."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from gennaker.kubernetes.service import KubernetesService
from gennaker.sandbox import SandboxCluster
from tests.kubernetes.conftest import Engine, error_of, stage
from tests.sandbox.conftest import Kubectl


def deploy(manifests: Any, **extra: Any) -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deployManifest",
        "account": "sandbox",
        "cloudProvider": "kubernetes",
        "source": "text",
        "manifests": manifests,
        **extra,
    }


def config_map(ns: str, name: str = "cfg") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": {"a": "1"},
    }


def failed(engine: Engine, stages: list[dict[str, Any]], **config: Any) -> tuple[dict[str, Any], str]:
    execution = engine.execute(stages, **config)
    assert execution["status"] == "TERMINAL", execution["status"]
    return execution, error_of(execution)


def test_given_yaml_that_does_not_parse_then_the_line_and_column_are_named(engine: Engine, ns: str) -> None:
    _, error = failed(engine, [deploy([config_map(ns), "kind: ConfigMap\nmetadata:\n  name: [x\n"])])
    assert "manifests[1] is not valid YAML or JSON at line 4, column 1" in error


def test_given_an_artifact_that_does_not_parse_then_the_artifact_is_named(engine: Engine, ns: str) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\ndata: {}\n"
    artifact = {
        "type": "embedded/base64",
        "name": "bad.yaml",
        "reference": base64.b64encode(text.encode()).decode(),
    }
    _, error = failed(engine, [deploy(None, source="artifact", manifestArtifact=artifact)])
    assert (
        "manifest artifact bad.yaml is not valid YAML or JSON at line 4, column 5: expected ',' or '}'"
        in error
    )


def test_given_a_manifest_without_kind_then_it_is_named(engine: Engine, ns: str) -> None:
    _, error = failed(engine, [deploy([config_map(ns), [{"apiVersion": "v1", "metadata": {"name": "x"}}]])])
    assert "manifests[1][0] has no 'kind'" in error


def test_given_an_unknown_account_then_the_known_ones_are_listed(engine: Engine, ns: str) -> None:
    _, error = failed(engine, [deploy([config_map(ns)], account="nope")])
    assert error == "no Kubernetes account named 'nope'; configured accounts: sandbox"


def test_given_an_unknown_kind_then_it_is_named(engine: Engine, ns: str) -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": ns}}
    _, error = failed(engine, [deploy([widget])])
    assert error.startswith(
        "manifests[0] (Widget): account sandbox does not serve API version example.com/v1"
    )


def test_given_kubectls_rejection_then_its_message_is_shown_and_the_partial_deploy_reported(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    bad = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "bad", "namespace": ns},
        "spec": {
            "selector": {"matchLabels": {"app": "a"}},
            "template": {
                "metadata": {"labels": {"app": "b"}},
                "spec": {"containers": [{"name": "c", "image": "x"}]},
            },
        },
    }
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "bad", "namespace": ns},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bad"},
            "maxReplicas": 3,
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]},
    }
    execution, error = failed(engine, [deploy([hpa, bad, config_map(ns), service])])
    assert f"kubectl apply of deployment bad in namespace {ns} failed on account sandbox" in error
    assert "`selector` does not match template `labels`" in error
    ctx = stage(execution, "1")["context"]
    assert ctx["deploy.applied"] == [
        f"configMap cfg-v000 in namespace {ns}",
        f"service web in namespace {ns}",
    ]
    assert ctx["deploy.failed"] == f"deployment bad in namespace {ns}"
    assert ctx["deploy.notApplied"] == [f"horizontalPodAutoscaler bad in namespace {ns}"]
    assert "applied: configMap cfg-v000" in error and "not applied: horizontalPodAutoscaler bad" in error
    assert kubectl("get", "configmap/cfg-v000", "-n", ns, "-o", "name").strip() == "configmap/cfg-v000"


def test_given_a_required_artifact_that_does_not_bind_then_it_and_the_reason_are_named(
    engine: Engine, kubectl: Kubectl, ns: str
) -> None:
    web = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "ghcr.io/acme/web:dev"}]},
            },
        },
    }
    image = {"type": "docker/image", "name": "ghcr.io/acme/webb", "reference": "ghcr.io/acme/webb:2"}
    _, error = failed(
        engine,
        [deploy([config_map(ns), web], requiredArtifactIds=["img"])],
        expectedArtifacts=[
            {"id": "img", "matchArtifact": {"type": "docker/image", "name": "ghcr.io/acme/webb"}}
        ],
        trigger={"type": "manual", "artifacts": [image]},
    )
    assert "The following required artifacts could not be bound (1)" in error
    assert "no container image is named 'ghcr.io/acme/webb'; images found: ghcr.io/acme/web:dev" in error
    assert "cfg" not in kubectl("get", "configmaps", "-n", ns, "-o", "name")  # nothing was applied


def test_given_an_expected_artifact_id_nobody_bound_then_orcas_message(engine: Engine, ns: str) -> None:
    _, error = failed(engine, [deploy([config_map(ns)], requiredArtifactIds=["ghost"])])
    assert error == "No artifact with id ghost could be found in the pipeline context."


@pytest.fixture
def limited(k8s: KubernetesService, sandbox: SandboxCluster, ns: str) -> Iterator[str]:
    k8s.accounts.register_sandbox(sandbox.kubeconfig(), name="limited")
    account = k8s.accounts.get("limited")
    k8s.accounts.remove("limited")
    k8s.accounts.put(account.model_copy(update={"namespaces": [ns]}), source="api")
    k8s.ready("limited", timeout_s=30)
    yield "limited"
    k8s.accounts.remove("limited")


def test_given_a_namespace_outside_the_allow_list_then_it_is_refused(
    engine: Engine, limited: str, kubectl: Kubectl, ns: str
) -> None:
    other = "elsewhere-" + ns
    kubectl("create", "namespace", other)
    _, error = failed(engine, [deploy([config_map(ns), config_map(other)], account=limited)])
    assert (
        error
        == f"manifests[1]: namespace '{other}' is not allowed for account 'limited' (its namespaces: {ns})"
    )
    _, error = failed(engine, [deploy([config_map(ns)], account=limited, namespaceOverride=other)])
    assert f"namespace '{other}' is not allowed for account 'limited'" in error
    ok = engine.execute([deploy([config_map(ns)], account=limited)])
    assert ok["status"] == "SUCCEEDED", error_of(ok)


@pytest.fixture
def dead(k8s: KubernetesService) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    k8s.accounts.register_sandbox(kubeconfig, name="dead")
    yield "dead"
    k8s.accounts.remove("dead")


def test_given_an_unreachable_account_then_the_stage_says_so(engine: Engine, dead: str, ns: str) -> None:
    _, error = failed(engine, [deploy([config_map(ns)], account=dead)])
    assert error.startswith("account dead is unreachable: ")
    assert "127.0.0.1" in error
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": ns},
        "spec": {"selector": {"a": "b"}, "ports": [{"port": 80}]},
    }
    _, error = failed(engine, [deploy([service], account=dead)])
    assert error.startswith("account dead is unreachable: ")
