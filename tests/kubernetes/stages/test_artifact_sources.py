"""deployManifest with ``source: artifact`` fetching through real artifact accounts, then deploying with the
real kubectl on a sandbox: a ``github/file`` from a local server playing GitHub's contents API, an
``s3/object`` from a local S3-compatible server (moto), and fetches that fail (a 404, a server that is
down) failing the stage with the artifact, the account and the server's answer."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from gennaker.artifacts import retry
from gennaker.artifacts.accounts import AccountConfig, AccountSet, default_account_set
from gennaker.kubernetes.service import KubernetesService
from gennaker.sandbox import SandboxCluster
from tests.artifacts.scm_peers import serve_github
from tests.kubernetes.conftest import Engine, error_of, stage, start_service
from tests.sandbox.conftest import Kubectl
from tests.support.http_peer import HttpPeer, Response, running_peer

BASE = {"account": "sandbox", "cloudProvider": "kubernetes"}


def config_map(ns: str, name: str, **data: str) -> bytes:
    body = "".join(f"  {k}: {v!r}\n" for k, v in data.items())
    head = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
    return f"{head}data:\n{body}".encode()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret-test",
    )


@pytest.fixture
def github() -> Iterator[HttpPeer]:
    with running_peer() as server:
        yield server


@pytest.fixture
def accounts(github: HttpPeer, s3_endpoint: str) -> Iterator[AccountSet]:
    found = default_account_set()
    found.put(
        AccountConfig(
            name="github-acme",
            type="github",
            settings={"baseUrl": f"{github.url}/api/v3"},
            secrets={"token": "ghp_test"},
        )
    )
    found.put(
        AccountConfig(
            name="s3-releases",
            type="s3",
            settings={"apiEndpoint": s3_endpoint, "apiRegion": "us-east-1", "awsAccessKeyId": "AKIDTEST"},
            secrets={"awsSecretAccessKey": "secret-test"},
        )
    )
    try:
        yield found
    finally:
        found.close()


@pytest.fixture
def k8s(sandbox: SandboxCluster, tmp_path: Path, accounts: AccountSet) -> Iterator[KubernetesService]:
    """The module's Kubernetes service, fetching manifest artifacts through ``accounts``."""
    service = start_service(tmp_path, {"sandbox": sandbox})
    service._artifact_accounts = accounts
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> tuple[int, ...]:
    """Shorter waits between fetch attempts (the engine's backoff still schedules every attempt)."""
    backoff = (300, 600)
    monkeypatch.setattr(retry, "BACKOFF_MS", backoff)
    return backoff


def deploy_artifact(artifact: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deployManifest",
        **BASE,
        "source": "artifact",
        "manifestArtifact": artifact,
        "versioned": False,
        **extra,
    }


def github_artifact(github: HttpPeer, path: str, version: str | None = None) -> dict[str, Any]:
    artifact = {
        "type": "github/file",
        "name": path,
        "reference": f"{github.url}/api/v3/repos/acme/shop/contents/{path}",
        "artifactAccount": "github-acme",
    }
    if version:
        artifact["version"] = version
    return artifact


def test_deploys_a_github_file_at_the_artifacts_version(
    engine: Engine, kubectl: Kubectl, ns: str, github: HttpPeer
) -> None:
    files = {
        "master": {"deploy/cm.yaml": config_map(ns, "from-github", ref="master")},
        "release-2": {
            "deploy/cm.yaml": config_map(ns, "from-github", ref="release-2", who="${trigger.user}")
        },
    }
    serve_github(github, files, token="ghp_test", prefix="/api/v3")
    # Bound through the trigger and an expected artifact, as a git push would bring it in.
    done = engine.execute(
        [
            {
                k: v
                for k, v in deploy_artifact({}, manifestArtifactId="manifest").items()
                if k != "manifestArtifact"
            }
        ],
        expectedArtifacts=[
            {"id": "manifest", "matchArtifact": {"type": "github/file", "name": "deploy/cm.yaml"}}
        ],
        trigger={"type": "manual", "artifacts": [github_artifact(github, "deploy/cm.yaml", "release-2")]},
    )
    assert done["status"] == "SUCCEEDED", error_of(done)
    data = kubectl.json("get", "configmap/from-github", "-n", ns)["data"]
    assert data == {"ref": "release-2", "who": "tester"}  # the file at the version, expressions evaluated
    contents = [r for r in github.requests if "/contents/" in r.path]
    assert [(r.path, r.query["ref"], r.header("authorization")) for r in contents] == [
        ("/api/v3/repos/acme/shop/contents/deploy/cm.yaml", ["release-2"], "token ghp_test")
    ]
    assert stage(done, "1")["context"]["outputs.manifestNamesByNamespace"] == {ns: ["configMap from-github"]}


def test_deploys_an_s3_object(engine: Engine, kubectl: Kubectl, ns: str, s3_endpoint: str) -> None:
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=f"releases-{ns}")
    client.put_object(Bucket=f"releases-{ns}", Key="shop/prod/cm.yaml", Body=config_map(ns, "from-s3", v="1"))
    artifact = {
        "type": "s3/object",
        "name": "cm.yaml",
        "reference": f"s3://releases-{ns}/shop/prod/cm.yaml",
    }
    done = engine.execute([deploy_artifact(artifact, manifestArtifactAccount="s3-releases")])
    assert done["status"] == "SUCCEEDED", error_of(done)
    assert kubectl.json("get", "configmap/from-s3", "-n", ns)["data"] == {"v": "1"}


def test_a_missing_github_file_fails_at_once_naming_artifact_account_and_answer(
    engine: Engine, github: HttpPeer
) -> None:
    serve_github(github, {"master": {}}, token="ghp_test", prefix="/api/v3")
    done = engine.execute([deploy_artifact(github_artifact(github, "deploy/gone.yaml"))])
    assert done["status"] == "TERMINAL"
    error = error_of(done)
    assert "Could not fetch artifact" in error
    assert "deploy/gone.yaml" in error
    assert "through account 'github-acme'" in error
    assert "(server answered HTTP 404: " in error and '"message": "Not Found"' in error
    # A definitive answer is not asked again.
    assert len([r for r in github.requests if "/contents/" in r.path]) == 1
    assert "artifactFetchRetry" not in stage(done, "1")["context"]


def test_a_missing_s3_object_names_the_bucket_key_and_s3s_answer(engine: Engine, s3_endpoint: str) -> None:
    artifact = {"type": "s3/object", "name": "cm.yaml", "reference": "s3://nobucket-here/cm.yaml"}
    done = engine.execute([deploy_artifact(artifact, manifestArtifactAccount="s3-releases")])
    assert done["status"] == "TERMINAL"
    error = error_of(done)
    assert "through account 's3-releases'" in error
    assert "could not read s3://nobucket-here/cm.yaml (server answered HTTP 404: NoSuchBucket" in error


def test_a_failing_server_is_retried_with_backoff_then_the_stage_fails(
    engine: Engine, github: HttpPeer, fast_retries: tuple[int, ...]
) -> None:
    times: list[float] = []

    def unavailable(request: Any, match: Any) -> Response:
        times.append(time.monotonic())
        return Response(503, '{"message": "Service Unavailable"}', {"Content-Type": "application/json"})

    github.route("GET", r"/api/v3/repos/.*", unavailable)
    done = engine.execute([deploy_artifact(github_artifact(github, "deploy/cm.yaml"))])
    assert done["status"] == "TERMINAL"
    error = error_of(done)
    assert "through account 'github-acme'" in error
    assert "(server answered HTTP 503: " in error and "Service Unavailable" in error
    assert "(gave up after 3 attempts over " in error
    assert len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6, gaps  # the engine's growing backoff between attempts
    recorded = stage(done, "1")["context"]["artifactFetchRetry"]
    assert recorded["attempts"] == 2 and "HTTP 503" in recorded["lastError"]


def test_a_server_that_comes_back_is_fetched_on_a_later_attempt(
    engine: Engine, kubectl: Kubectl, ns: str, github: HttpPeer, fast_retries: tuple[int, ...]
) -> None:
    serve_github(
        github,
        {"master": {"cm.yaml": config_map(ns, "after-outage", ok="yes")}},
        token="ghp_test",
        prefix="/api/v3",
    )
    calls: list[int] = []
    real = github.routes[0]

    def flaky(request: Any, match: Any) -> Response:
        calls.append(1)
        if len(calls) == 1:
            return Response(502, "<html>Bad Gateway</html>")
        return real[2](request, match)

    github.routes[0] = (real[0], real[1], flaky)
    done = engine.execute([deploy_artifact(github_artifact(github, "cm.yaml"))])
    assert done["status"] == "SUCCEEDED", error_of(done)
    assert len(calls) == 2
    assert kubectl.json("get", "configmap/after-outage", "-n", ns)["data"] == {"ok": "yes"}


def test_a_server_that_is_down_is_reported_with_the_connection_error(
    engine: Engine, s3_endpoint: str, fast_retries: tuple[int, ...], accounts: AccountSet
) -> None:
    accounts.put(
        AccountConfig(
            name="s3-down",
            type="s3",
            settings={
                "apiEndpoint": "http://127.0.0.1:9",
                "apiRegion": "us-east-1",
                "awsAccessKeyId": "AKID",
            },
            secrets={"awsSecretAccessKey": "secret-test"},
            timeoutSeconds=2,
        )
    )
    artifact = {"type": "s3/object", "name": "cm.yaml", "reference": "s3://releases/cm.yaml"}
    done = engine.execute([deploy_artifact(artifact, manifestArtifactAccount="s3-down")], timeout_s=60)
    assert done["status"] == "TERMINAL"
    error = error_of(done)
    assert "Could not fetch artifact" in error and "cm.yaml" in error
    assert "through account 's3-down'" in error
    assert "could not read s3://releases/cm.yaml: EndpointConnectionError" in error
    assert "(gave up after 3 attempts over " in error
