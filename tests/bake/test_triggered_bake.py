"""Artifact-driven end to end, short of a cluster: a tag pushed to a real local registry triggers a pipeline
whose bakeManifest (registered as the entry point registers it: accounts found on the engine's database)
renders a chart from a real chart repository with the pushed tag, and a later stage receives the baked
manifests by expected-artifact id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gennaker.bake.stage import bake_manifest_stage
from gennaker.triggers.docker import RegistryClient, push_image
from gennaker.triggers.docker.accounts import DockerRegistryAccounts
from gennaker.triggers.docker.local_registry import LocalRegistry
from gennaker.triggers.runtime import TriggerRuntime, TriggerRuntimeConfig
from tests.bake.conftest import read_baked_stage
from tests.support.engine_peer import EnginePeer, make_engine_peer
from tests.support.helm_repo import index_repository, make_chart, package_chart, serve_directory
from tests.support.http_peer import HttpPeer
from tests.support.waiting import wait_until


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EnginePeer]:
    peer = make_engine_peer(
        f"sqlite:///{tmp_path / 'gennaker.db'}",
        stages=[lambda _accounts: bake_manifest_stage(), read_baked_stage],
    )
    try:
        yield peer
    finally:
        peer.close()


def test_a_pushed_tag_is_baked_into_the_chart_and_handed_downstream(
    engine: EnginePeer, peer: HttpPeer, tmp_path: Path
) -> None:
    repo = tmp_path / "charts"
    url = f"{peer.url}/charts"
    package_chart(make_chart(tmp_path / "src", "web", "1.0.0", image="placeholder"), repo)
    index_repository(repo, base_url=url)
    serve_directory(peer, repo, prefix="/charts")
    engine.accounts.put({"name": "charts", "type": "helm", "settings": {"repository": url}}, principal="t")

    with LocalRegistry() as registry, RegistryClient(registry.url) as client:
        docker_accounts = DockerRegistryAccounts(engine.runtime.db, box=engine.box)
        docker_accounts.put({"name": "local", "address": registry.url}, principal="t")
        image_name = f"{registry.host}/acme/web"
        config = engine.save(
            {
                "name": "bake-on-push",
                "triggers": [
                    {
                        "type": "docker",
                        "account": "local",
                        "repository": "acme/web",
                        "expectedArtifactIds": ["img"],
                    }
                ],
                "expectedArtifacts": [
                    {"id": "img", "matchArtifact": {"type": "docker/image", "name": image_name}}
                ],
                "stages": [
                    {
                        "refId": "1",
                        "type": "bakeManifest",
                        "templateRenderer": "HELM3",
                        "outputName": "web",
                        "namespace": "staging",
                        "inputArtifacts": [
                            {"account": "charts", "artifact": {"type": "helm/chart", "name": "web"}}
                        ],
                        "overrides": {
                            "image.repository": "${trigger.artifacts[0].name}",
                            "image.tag": "${trigger.tag}",
                        },
                        "evaluateOverrideExpressions": True,
                        "expectedArtifacts": [
                            {
                                "id": "baked",
                                "matchArtifact": {"type": "embedded/base64", "name": "web-staging"},
                            }
                        ],
                    },
                    {
                        "refId": "2",
                        "requisiteStageRefIds": ["1"],
                        "type": "readBakedManifest",
                        "manifestArtifactId": "baked",
                    },
                ],
            }
        )
        runtime = TriggerRuntime(
            engine.svc,
            docker_accounts=docker_accounts,
            config=TriggerRuntimeConfig(docker_poll_interval=1.0, tick=0.2, lease_ttl=3.0),
        ).start()
        try:
            wait_until(
                lambda: any(p.get("lastSuccessTs") for p in runtime.status()["pollers"]), what="a first poll"
            )
            push_image(client, "acme/web", "4.2.0")
            (execution,) = wait_until(lambda: engine.executions(config["id"]), what="the triggered execution")
            execution = engine.wait(execution["id"])
        finally:
            runtime.stop()

    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    (deployment,) = [d for d in yaml.safe_load_all(execution["stages"][1]["outputs"]["manifestText"]) if d]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == f"{image_name}:4.2.0"
    assert execution["stages"][1]["outputs"]["artifactName"] == "web-staging"
