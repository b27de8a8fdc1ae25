"""Docker triggers end to end against a real local registry (docker-registry on loopback) polled every second:
a pushed tag matching the trigger's pattern starts the pipeline once, with the image as a digest-pinned
docker/image artifact bound to the expected artifact; tags that do not match start nothing; a registry that
is down is retried with backoff and reported, and the poller picks up again when it comes back."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gennaker.triggers.docker import RegistryClient, push_image
from gennaker.triggers.docker.local_registry import LocalRegistry
from gennaker.triggers.runtime import TriggerRuntime
from tests.support.engine_peer import EnginePeer
from tests.support.waiting import wait_until


@pytest.fixture
def registry() -> Iterator[LocalRegistry]:
    with LocalRegistry() as local:
        yield local


def _deploy_pipeline(engine: EnginePeer, host: str, tag: str = r"\d+\.\d+\.\d+") -> dict[str, Any]:
    return engine.save(
        {
            "name": "deploy-web",
            "triggers": [
                {
                    "type": "docker",
                    "enabled": True,
                    "account": "local",
                    "registry": host,
                    "repository": "acme/web",
                    "tag": tag,
                    "expectedArtifactIds": ["web-image"],
                }
            ],
            "expectedArtifacts": [
                {"id": "web-image", "matchArtifact": {"type": "docker/image", "name": f"{host}/acme/web"}}
            ],
            "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        }
    )


def _poller_status(runtime: TriggerRuntime) -> dict[str, Any] | None:
    pollers = runtime.status()["pollers"]
    return pollers[0] if pollers else None


def test_a_pushed_tag_starts_the_pipeline_once_with_the_digest_pinned_image(
    engine: EnginePeer, runtime: TriggerRuntime, registry: LocalRegistry
) -> None:
    with RegistryClient(registry.url) as client:
        push_image(client, "acme/web", "1.0.0")  # exists before the trigger: never fires
        runtime.docker_accounts.put({"name": "local", "address": registry.url}, principal="t")
        config = _deploy_pipeline(engine, registry.host)
        runtime.start()
        wait_until(lambda: (s := _poller_status(runtime)) and s.get("lastSuccessTs"), what="a first poll")

        pushed = push_image(client, "acme/web", "1.1.0")
        push_image(client, "acme/web", "latest")
        push_image(client, "acme/web", "feature-x")
        (execution,) = wait_until(lambda: engine.executions(config["id"]), what="the triggered execution")
        execution = engine.wait(execution["id"])
        time.sleep(2.5)  # two more polls: nothing else may start

    assert len(engine.executions(config["id"])) == 1
    trigger = execution["trigger"]
    assert trigger["type"] == "docker" and trigger["tag"] == "1.1.0" and trigger["digest"] == pushed.digest
    (image,) = trigger["artifacts"]
    assert image["type"] == "docker/image" and image["name"] == f"{registry.host}/acme/web"
    assert image["reference"] == f"{registry.host}/acme/web:1.1.0@{pushed.digest}"
    (resolved,) = trigger["resolvedExpectedArtifacts"]
    assert resolved["boundArtifact"] == image
    events = runtime.triggers.list_events(type="docker")
    by_tag = {e["summary"].split()[2]: e for e in events}
    assert set(by_tag) == {"1.1.0", "latest", "feature-x"}
    assert "does not match" in by_tag["feature-x"]["outcomes"][0]["reason"]
    assert by_tag["1.1.0"]["started"] == 1


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_registry_that_is_down_is_retried_with_backoff_reported_and_picked_up_again(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    port = _closed_port()
    runtime.docker_accounts.put({"name": "local", "address": f"http://127.0.0.1:{port}"}, principal="t")
    config = _deploy_pipeline(engine, f"127.0.0.1:{port}")
    runtime.start()

    status = wait_until(
        lambda: (s := _poller_status(runtime)) and (s.get("consecutiveFailures") or 0) >= 2 and s,
        what="two failed polls",
    )
    assert "could not be reached" in status["lastError"] or "failed" in status["lastError"]
    # interval 1 s doubled per failure, capped by the test's max_poll_backoff of 2 s
    assert status["nextPollTs"] - status["lastPollStartedTs"] == 2000, "the wait grows after failures"
    errors = [e for e in runtime.triggers.list_events(type="docker") if e["status"] == "error"]
    assert len(errors) == 1, "the failure is reported once, not at every poll"
    assert runtime._thread is not None and runtime._thread.is_alive()

    with LocalRegistry(port=port) as registry, RegistryClient(registry.url) as client:
        wait_until(
            lambda: (s := _poller_status(runtime)) and s.get("consecutiveFailures") == 0, what="recovery"
        )
        recovered = [
            e for e in runtime.triggers.list_events(type="docker") if "works again" in (e["summary"] or "")
        ]
        assert len(recovered) == 1
        push_image(client, "acme/web", "2.0.0")
        (execution,) = wait_until(lambda: engine.executions(config["id"]), what="the triggered execution")
    assert execution["trigger"]["tag"] == "2.0.0"
