"""Accounts through a real ``gennaker server`` with its providers.

Given the server (embedded sandbox as account ``sandbox``) and a second sandbox cluster started here, when
a Kubernetes account pointing at the second cluster is added through ``/credentials``, then it is listed
without its kubeconfig, watched, and a deployManifest pipeline deploys to it with the real kubectl; when it
is removed, it is gone and pipelines naming it fail. Artifact and Docker registry accounts: CRUD through
the API, secrets never returned and stored encrypted (the database row is read)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from gennaker.sandbox import SandboxCluster, SimulationSettings
from tests.realserver import RealServer, run_pipeline, stage, wait_execution, wait_until
from tests.sandbox.conftest import Kubectl, make_kubectl

KUBECONFIG_MARKER = "# private-marker-7f3a"


@pytest.fixture(scope="module")
def server(providers_server: RealServer) -> RealServer:
    return providers_server


@pytest.fixture(scope="module")
def second() -> Iterator[SandboxCluster]:
    simulation = SimulationSettings(start_delay=0.05, ready_delay=0.05)
    with SandboxCluster(port=0, name="second", simulation=simulation) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def second_kubectl(second: SandboxCluster, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return make_kubectl(second, tmp_path_factory.mktemp("kube-second"))


@pytest.fixture
def api(server: RealServer) -> Iterator[httpx.Client]:
    with server.client("accounts-admin") as c:
        yield c


def _db_row(server: RealServer, kind: str, name: str) -> tuple[Any, ...] | None:
    with sqlite3.connect(server.home / "gennaker.db") as conn:
        row: tuple[Any, ...] | None = conn.execute(
            "SELECT settings, secrets, source, updated_by FROM accounts WHERE kind = ? AND name = ?",
            (kind, name),
        ).fetchone()
    return row


def _deployment(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }


def test_a_kubernetes_account_added_at_run_time_is_listed_redacted_watched_deployed_to_and_removed(
    server: RealServer, api: httpx.Client, second: SandboxCluster, second_kubectl: Kubectl
) -> None:
    contents = yaml.safe_dump(second.kubeconfig(context="second"), sort_keys=False) + KUBECONFIG_MARKER
    account = {
        "name": "second",
        "kubeconfigContents": contents,
        "environment": "staging",
        "namespaces": ["default"],
        "permissions": {"READ": ["team-a"], "WRITE": ["team-a"]},
    }

    added = api.post("/credentials", json=account)

    assert added.status_code == 201, added.text
    listed = api.get("/credentials")
    assert listed.status_code == 200
    names = {a["name"]: a for a in listed.json()}
    assert set(names) >= {"sandbox", "second"}
    view = names["second"]
    assert view["type"] == "kubernetes" and view["environment"] == "staging"
    assert view["namespaces"] == ["default"] and view["permissions"]["WRITE"] == ["team-a"]
    assert view["secretFields"] == ["kubeconfigContents"] and "kubeconfigContents" not in view
    for text in (added.text, listed.text, api.get("/credentials/second").text):
        assert KUBECONFIG_MARKER not in text and second.url not in text
    # stored encrypted: neither the marker nor the cluster's address is readable in the row
    settings, secrets, source, updated_by = _db_row(server, "kubernetes", "second") or (None,) * 4
    assert source == "api" and updated_by == "accounts-admin"
    assert secrets and KUBECONFIG_MARKER not in secrets and second.url not in secrets
    assert second.url not in json.dumps(settings)
    # adding it started watching it
    health = wait_until(
        lambda: (h := api.get("/credentials/second/health").json()).get("synced") and h,
        what="the new account to be watched",
    )
    assert health["watched"] and health["reachable"]

    # a deployManifest pipeline deploys to it with the real kubectl
    execution_id = run_pipeline(
        api,
        [
            {
                "refId": "1",
                "type": "deployManifest",
                "account": "second",
                "cloudProvider": "kubernetes",
                "source": "text",
                "moniker": {"app": "acct"},
                "manifests": [_deployment("acct-web")],
            }
        ],
        app="acct",
        name="to-second",
    )
    execution = wait_execution(api, execution_id, timeout_s=90)
    assert execution["status"] == "SUCCEEDED", json.dumps(stage(execution, "1").get("context"), indent=1)
    deployed = second_kubectl.json("get", "deployment", "acct-web", "-n", "default")
    assert deployed["status"]["readyReplicas"] == 2
    assert deployed["metadata"]["annotations"]["moniker.spinnaker.io/application"] == "acct"

    # removing it: gone from the list, not watched, and a pipeline naming it fails saying so
    removed = api.delete("/credentials/second")
    assert removed.status_code == 200 and removed.json() == {"deleted": "second"}
    assert api.get("/credentials/second").status_code == 404
    assert "second" not in [a["name"] for a in api.get("/credentials").json()]
    assert _db_row(server, "kubernetes", "second") is None
    started = api.post("/pipelines/acct/to-second", json={"type": "manual"})
    again = wait_execution(api, started.json()["ref"].rsplit("/", 1)[-1], timeout_s=60)
    assert again["status"] == "TERMINAL"
    assert "no Kubernetes account named 'second'" in json.dumps(stage(again, "1")["context"])


def test_bad_kubernetes_accounts_are_refused_naming_the_field(server: RealServer, api: httpx.Client) -> None:
    missing = api.post("/credentials", json={"name": "nokube"})
    assert missing.status_code == 400
    assert "kubeconfigFile" in missing.json()["message"] and "kubeconfigContents" in missing.json()["message"]

    bad_ns = api.put("/credentials/badns", json={"kubeconfigFile": "/nonexistent", "namespaces": ["Shop!"]})
    assert bad_ns.status_code == 400 and "'Shop!' is not a valid namespace name" in bad_ns.json()["message"]

    no_file = api.put("/credentials/nofile", json={"kubeconfigFile": str(server.home / "absent.yaml")})
    assert no_file.status_code == 400
    assert no_file.json()["field"] == "kubeconfigFile" and "cannot read kubeconfigFile" in no_file.text

    not_yaml = api.put("/credentials/notyaml", json={"kubeconfigContents": "a: [b\n  c: {"})
    assert not_yaml.status_code == 400 and "not valid YAML" in not_yaml.json()["message"]
    assert "a: [b" not in not_yaml.text

    other = api.put("/credentials/x", json={"name": "y", "kubeconfigFile": "/k"})
    assert other.status_code == 400 and other.json()["field"] == "name"

    assert api.get("/credentials/ghost").status_code == 404
    assert api.delete("/credentials/ghost").status_code == 404
    assert api.get("/credentials/ghost/health").status_code == 404
    # the embedded sandbox belongs to the server: neither replaced nor removed
    sandbox = api.get("/credentials/sandbox").json()
    assert sandbox["environment"] == "sandbox" and sandbox["source"] == "sandbox"
    replaced = api.put("/credentials/sandbox", json={"kubeconfigFile": "/k"})
    assert replaced.status_code == 409 and "embedded sandbox" in replaced.json()["message"]
    assert api.post("/credentials", json={"name": "sandbox", "kubeconfigFile": "/k"}).status_code == 409
    assert api.delete("/credentials/sandbox").status_code == 409
    assert api.get("/credentials/sandbox/health").json()["reachable"] is True
    names = [a["name"] for a in api.get("/credentials").json()]
    assert not {"nokube", "badns", "nofile", "notyaml", "x", "y"} & set(names)


def test_artifact_accounts_crud_with_secrets_never_returned_and_stored_encrypted(
    server: RealServer, api: httpx.Client
) -> None:
    token = "ghp_s3cr3t-t0ken-value"
    body = {
        "type": "github",
        "settings": {"baseUrl": "http://127.0.0.1:9/api/v3"},
        "secrets": {"token": token},
    }

    put = api.put("/artifacts/credentials/gh-main", json=body)

    assert put.status_code == 200, put.text
    assert put.json()["secrets"] == {"token": "**********"} and "github/file" in put.json()["types"]
    listed = api.get("/artifacts/credentials")
    assert {"embedded-artifact", "gh-main"} <= {a["name"] for a in listed.json()}
    got = api.get("/artifacts/credentials/gh-main")
    assert got.json()["updatedBy"] == "accounts-admin"
    for text in (put.text, listed.text, got.text):
        assert token not in text
    settings, secrets, _, _ = _db_row(server, "artifacts", "gh-main") or (None,) * 4
    assert token not in secrets and token not in json.dumps(settings)
    # the public view sent back (secret redacted) keeps the stored token
    view = got.json()
    view["settings"]["baseUrl"] = "http://127.0.0.1:10/api/v3"
    assert api.put("/artifacts/credentials/gh-main", json=view).status_code == 200
    _, secrets_after, _, _ = _db_row(server, "artifacts", "gh-main") or (None,) * 4
    assert secrets_after != secrets and token not in secrets_after  # re-encrypted, same value

    bad_type = api.put("/artifacts/credentials/nope", json={"type": "nope"})
    assert bad_type.status_code == 400 and "unknown artifact account type 'nope'" in bad_type.text
    misplaced = api.put("/artifacts/credentials/leaky", json={"type": "github", "settings": {"token": token}})
    assert misplaced.status_code == 400 and token not in misplaced.text
    assert api.get("/artifacts/credentials/leaky").status_code == 404
    assert api.put("/artifacts/credentials/embedded-artifact", json={"type": "github"}).status_code == 409
    assert api.delete("/artifacts/credentials/embedded-artifact").status_code == 409
    types = {t["type"]: t for t in api.get("/artifacts/types").json()}
    assert "token" in types["github"]["secretKeys"]

    assert api.delete("/artifacts/credentials/gh-main").status_code == 200
    assert api.get("/artifacts/credentials/gh-main").status_code == 404
    assert api.delete("/artifacts/credentials/gh-main").status_code == 404
    assert _db_row(server, "artifacts", "gh-main") is None


def test_docker_registry_accounts_crud_with_the_password_never_returned(
    server: RealServer, api: httpx.Client
) -> None:
    password = "d0cker-pa55word"
    body = {"name": "local", "address": "http://127.0.0.1:5999", "username": "ci", "password": password}

    added = api.post("/dockerRegistry/accounts", json=body)

    assert added.status_code == 201, added.text
    assert added.json()["password"] == "**********" and added.json()["address"] == "http://127.0.0.1:5999"
    assert api.post("/dockerRegistry/accounts", json=body).status_code == 409
    listed = api.get("/dockerRegistry/accounts")
    assert [a["name"] for a in listed.json()] == ["local"]
    assert password not in listed.text and password not in api.get("/dockerRegistry/accounts/local").text
    _, secrets, _, _ = _db_row(server, "dockerRegistry", "local") or (None,) * 4
    assert secrets and password not in secrets

    bad = api.put("/dockerRegistry/accounts/local", json={"address": "ftp://x"})
    assert bad.status_code == 400 and "address" in bad.json()["message"]
    assert api.get("/dockerRegistry/accounts/local").json()["username"] == "ci"  # unchanged

    assert api.delete("/dockerRegistry/accounts/local").status_code == 200
    assert api.get("/dockerRegistry/accounts/local").status_code == 404
    assert api.delete("/dockerRegistry/accounts/local").status_code == 404
