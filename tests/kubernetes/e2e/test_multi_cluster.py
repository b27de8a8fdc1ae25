"""One pipeline, run through the API of a real server, deploying to two clusters (two sandbox accounts
added through ``/credentials``) in parallel branches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster
from tests.kubernetes.conftest import error_of, stage
from tests.kubernetes.e2e.conftest import Pipelines, workload_sandbox
from tests.sandbox.conftest import make_kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl, pytest.mark.slow]


@pytest.fixture(scope="module")
def west() -> Iterator[SandboxCluster]:
    with workload_sandbox() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def two_clusters(pipelines: Pipelines, sandbox: SandboxCluster, west: SandboxCluster) -> Pipelines:
    """The module's server with the two clusters as accounts ``east`` and ``west``."""
    pipelines.add_account("east", sandbox)
    pipelines.add_account("west", west)
    return pipelines


def web(region: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"region": region}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": f"ghcr.io/acme/web:{region}"}]},
            },
        },
    }


def test_parallel_branches_deploy_to_two_accounts(
    two_clusters: Pipelines, sandbox: SandboxCluster, west: SandboxCluster, tmp_path: Path
) -> None:
    done = two_clusters.execute(
        [
            {"refId": "1", "type": "wait", "waitTime": 0},
            {
                "refId": "east",
                "type": "deployManifest",
                "account": "east",
                "requisiteStageRefIds": ["1"],
                "manifests": [web("east")],
            },
            {
                "refId": "west",
                "type": "deployManifest",
                "account": "west",
                "requisiteStageRefIds": ["1"],
                "manifests": [web("west")],
            },
            {"refId": "done", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["east", "west"]},
        ]
    )
    assert done["status"] == "SUCCEEDED", error_of(done, "east") + error_of(done, "west")
    east_stage, west_stage = stage(done, "east"), stage(done, "west")
    assert east_stage["startTime"] < west_stage["endTime"] and west_stage["startTime"] < east_stage["endTime"]
    for cluster, region in ((sandbox, "east"), (west, "west")):
        kubectl = make_kubectl(cluster, tmp_path / f"home-{region}")
        live = kubectl.json("get", "deployment/web", "-n", "default")
        assert live["metadata"]["labels"]["region"] == region
        assert live["status"]["readyReplicas"] == 2
