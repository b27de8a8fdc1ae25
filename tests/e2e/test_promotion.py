"""The promotion pipeline of ``gennaker demo`` through a real server with two extra embedded sandboxes
(``gennaker server --no-sandbox --sandbox-account staging --sandbox-account prod``) and a real
``docker-registry`` polled every second: a pushed tag starts the pipeline (docker trigger), the chart is
baked with the tag, deployed to staging with the digest-pinned image, the image is read back from staging
and exactly that image is deployed to prod. The first time prod runs nothing, so the canary is skipped; a
second tag is first judged by a canary in prod (baseline = prod's version, canary = staging's, metrics from
the ``prod`` sandbox metrics account) and promoted once it passes, leaving no canary server group behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from gennaker.cli.demo_canary import CANARY_STAGE, canary_config, server_groups_left
from gennaker.cli.demo_promotion import (
    APPLICATION,
    FIND_PROD_STAGE,
    REGISTRY_ACCOUNT,
    REPOSITORY,
    deployment_summary,
    image_name,
    promotion_pipeline,
)
from gennaker.store.database import Database
from gennaker.store.triggers import states_with_prefix
from gennaker.triggers.docker import RegistryClient, push_image
from gennaker.triggers.docker.local_registry import LocalRegistry
from tests.realserver import RealServer, stage, wait_execution, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl]


@pytest.fixture(scope="module")
def registry() -> Iterator[LocalRegistry]:
    with LocalRegistry() as local:
        yield local


@pytest.fixture(scope="module")
def promotion_server(
    tmp_path_factory: pytest.TempPathFactory, registry: LocalRegistry
) -> Iterator[RealServer]:
    home = Path(tmp_path_factory.mktemp("promotion-home"))
    settings = {"dockerRegistry": {"accounts": [{"name": REGISTRY_ACCOUNT, "address": registry.url}]}}
    (home / "settings.yaml").write_text(yaml.safe_dump(settings))
    server = RealServer(
        home,
        sandbox=True,
        args=["--no-sandbox", "--sandbox-account", "staging", "--sandbox-account", "prod"],
        env={"GENNAKER_DOCKER_POLL_SECONDS": "1"},
    ).start(timeout_s=90)
    try:
        yield server
    finally:
        server.stop()


def _first_poll_done(home: Path) -> bool:
    """The docker poller of the demo repository has polled once (a tag pushed before that is only recorded,
    never fired). Read from the server's own database: the API has no trigger status route yet."""
    db = Database(f"sqlite:///{home / 'gennaker.db'}")
    try:
        with db.read() as conn:
            states = states_with_prefix(conn, "docker:")
    finally:
        db.dispose()
    return any(
        REPOSITORY in key and (value.get("status") or {}).get("lastSuccessTs")
        for key, value in states.items()
    )


def _triggered(api: httpx.Client, tag: str) -> dict[str, Any] | None:
    executions = api.get(f"/applications/{APPLICATION}/pipelines", params={"limit": 10}).json()
    return next((e for e in executions if (e.get("trigger") or {}).get("tag") == tag), None)


def _by_name(execution: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in execution["stages"] if s["name"] == name)


def test_a_push_is_baked_deployed_to_staging_judged_by_a_canary_and_promoted_to_prod(
    promotion_server: RealServer, registry: LocalRegistry
) -> None:
    status = promotion_server.wait_providers(90)
    assert {"sandbox:staging", "sandbox:prod", "kubernetes", "canary", "triggers"} <= set(status["started"])
    assert "sandbox:sandbox" not in status["started"]
    clusters = status["sandboxes"]
    image = image_name(registry.host)
    with promotion_server.client("release-manager") as api, RegistryClient(registry.url) as pusher:
        assert api.post("/applications", json={"name": APPLICATION, "email": "demo@example.com"}).is_success
        config = api.post("/canaryConfig", json=canary_config())
        assert config.status_code == 200, config.text
        saved = api.post("/pipelines", json=promotion_pipeline(registry.host))
        assert saved.status_code == 200, saved.text
        wait_until(lambda: _first_poll_done(promotion_server.home), timeout_s=30, what="the first poll")
        for tag in ("1.0.0", "1.1.0"):
            pushed = push_image(pusher, REPOSITORY, tag)
            started = wait_until(lambda t=tag: _triggered(api, t), timeout_s=30, what=f"a run for {tag}")
            execution = wait_execution(api, started["id"], timeout_s=240)
            assert execution["status"] == "SUCCEEDED", [
                (s["name"], s["status"], (s["context"].get("exception") or {}).get("details"))
                for s in execution["stages"]
            ]
            pinned = f"{image}:{tag}@{pushed.digest}"
            trigger = execution["trigger"]
            assert trigger["type"] == "docker" and trigger["digest"] == pushed.digest
            assert trigger["resolvedExpectedArtifacts"][0]["boundArtifact"]["reference"] == pinned

            baked = stage(execution, "1")["outputs"]["artifacts"]
            assert [a["type"] for a in baked] == ["embedded/base64"]
            found = stage(execution, "3")["outputs"]
            (staging_image,) = [a for a in found["artifacts"] if a["type"] == "docker/image"]
            assert staging_image["name"] == image and staging_image["reference"] == pinned
            bound = found["resolvedExpectedArtifacts"][0]["boundArtifact"]
            assert bound["reference"] == pinned

            lookup, canary = _by_name(execution, FIND_PROD_STAGE), _by_name(execution, CANARY_STAGE)
            if tag == "1.0.0":
                # prod ran nothing: the lookup failed without failing the run, and the canary was skipped
                assert lookup["status"] == "FAILED_CONTINUE" and canary["status"] == "SKIPPED"
                assert not [s for s in execution["stages"] if s.get("parentStageId") == canary["id"]]
            else:
                assert lookup["status"] == "SUCCEEDED" and canary["status"] == "SUCCEEDED"
                assert canary["context"]["canaryScores"] == [100.0, 100.0], canary["context"]
                children = {
                    s["type"]: s for s in execution["stages"] if s.get("parentStageId") == canary["id"]
                }
                deploy = children["deployCanaryServerGroups"]
                deployed = deploy["outputs"]["canaryServerGroups"]
                assert (deployed["baseline"], deployed["canary"]) == ("web-baseline", "web-canary"), deployed
                # the canary runs the Deployment staging runs: the new version's digest-pinned image
                new_version = deploy["context"]["canary"]["manifest"]["spec"]["template"]["spec"]
                assert [c["image"] for c in new_version["containers"]] == [pinned]
                assert children["cleanupCanaryClusters"]["status"] == "SUCCEEDED"
                report = api.get(f"/canary/reports/{execution['id']}/{canary['id']}").json()
                last = report["intervals"][-1]
                assert last["window"]["step"] == 1
                assert {m["name"]: m["classification"] for m in last["metrics"]} == {
                    "error rate": "Pass",
                    "latency": "Pass",
                }
                errors = next(m for m in last["metrics"] if m["name"] == "error rate")
                # baseline = prod's 1.0.0 pods, canary = staging's 1.1.0 template: both at 2 % errors
                assert errors["experiment"]["count"] >= 15 and errors["control"]["count"] >= 15
                assert 0.01 < errors["control"]["mean"] < 0.03 and 0.01 < errors["experiment"]["mean"] < 0.03
                assert server_groups_left(clusters["prod"]) == []

            staging = deployment_summary(clusters["staging"])
            prod = deployment_summary(clusters["prod"])
            assert staging["images"] == prod["images"] == [pinned], (staging, prod)
            assert prod["ready"] == "2/2" and staging["ready"] == "2/2"
