"""One pipeline deploying to two clusters (two sandbox accounts) in parallel branches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gennaker.kubernetes.service import KubernetesService
from gennaker.sandbox import SandboxCluster
from tests.kubernetes.conftest import Engine, error_of, make_engine, stage, start_service
from tests.kubernetes.e2e.conftest import workload_sandbox
from tests.sandbox.conftest import make_kubectl


@pytest.fixture(scope="module")
def west() -> Iterator[SandboxCluster]:
    with workload_sandbox() as cluster:
        yield cluster


@pytest.fixture
def two_clusters(sandbox: SandboxCluster, west: SandboxCluster, tmp_path: Path) -> Iterator[Engine]:
    service: KubernetesService = start_service(tmp_path, {"east": sandbox, "west": west})
    engine = make_engine(tmp_path, service)
    try:
        yield engine
    finally:
        engine.pool.stop()
        engine.runtime.db.dispose()
        service.stop()


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
    two_clusters: Engine, sandbox: SandboxCluster, west: SandboxCluster, tmp_path: Path
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
