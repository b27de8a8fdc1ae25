"""The promotion pipeline of ``gennaker demo`` through a real server with two extra embedded sandboxes
(``gennaker server --no-sandbox --sandbox-account staging --sandbox-account prod``) and a real
``docker-registry`` polled every second: a pushed tag starts the pipeline (docker trigger), the chart is
baked with the tag, deployed to staging with the digest-pinned image, the image is read back from staging
and, once approved, exactly that image is deployed to prod. A second tag promotes the new version."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from gennaker.cli.demo_promotion import (
    APPLICATION,
    JUDGMENT_STAGE,
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
    ).start()
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


def _approve_when_waiting(api: httpx.Client, stop: threading.Event) -> None:
    """The release manager: approves each promotion judgment as it comes up."""
    while not stop.wait(0.2):
        for execution in api.get(f"/applications/{APPLICATION}/pipelines", params={"limit": 5}).json():
            for s in execution["stages"]:
                if s["type"] == "manualJudgment" and s["status"] == "RUNNING":
                    api.patch(
                        f"/pipelines/{execution['id']}/stages/{s['id']}",
                        json={"judgmentStatus": "continue", "judgmentInput": "promote"},
                    )


def _triggered(api: httpx.Client, tag: str) -> dict[str, Any] | None:
    executions = api.get(f"/applications/{APPLICATION}/pipelines", params={"limit": 10}).json()
    return next((e for e in executions if (e.get("trigger") or {}).get("tag") == tag), None)


def test_a_push_is_baked_deployed_to_staging_and_the_same_image_promoted_to_prod(
    promotion_server: RealServer, registry: LocalRegistry
) -> None:
    status = promotion_server.wait_providers(90)
    assert {"sandbox:staging", "sandbox:prod", "kubernetes", "triggers"} <= set(status["started"])
    assert "sandbox:sandbox" not in status["started"]
    clusters = status["sandboxes"]
    image = image_name(registry.host)
    stop = threading.Event()
    with promotion_server.client("release-manager") as api, RegistryClient(registry.url) as pusher:
        assert api.post("/applications", json={"name": APPLICATION, "email": "demo@example.com"}).is_success
        saved = api.post("/pipelines", json=promotion_pipeline(registry.host))
        assert saved.status_code == 200, saved.text
        wait_until(lambda: _first_poll_done(promotion_server.home), timeout_s=30, what="the first poll")
        approver = threading.Thread(target=_approve_when_waiting, args=(api, stop), daemon=True)
        approver.start()
        try:
            for tag in ("1.0.0", "1.1.0"):
                pushed = push_image(pusher, REPOSITORY, tag)
                started = wait_until(lambda t=tag: _triggered(api, t), timeout_s=30, what=f"a run for {tag}")
                execution = wait_execution(api, started["id"], timeout_s=90)
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
                assert stage(execution, "4")["context"]["judgmentInput"] == "promote"

                staging = deployment_summary(clusters["staging"])
                prod = deployment_summary(clusters["prod"])
                assert staging["images"] == prod["images"] == [pinned], (staging, prod)
                assert prod["ready"] == "2/2" and staging["ready"] == "2/2"
        finally:
            stop.set()
            approver.join(5)
        judgments = [s for s in execution["stages"] if s["name"] == JUDGMENT_STAGE]
        assert judgments[0]["context"]["lastModifiedBy"] == "release-manager"
