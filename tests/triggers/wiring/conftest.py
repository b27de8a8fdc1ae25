"""Fixtures for triggers wired into pipelines: the real engine (SQLite file, worker threads) and the trigger
service and runtime on it, with intervals short enough for tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gennaker.triggers.docker.accounts import DockerRegistryAccounts
from gennaker.triggers.runtime import TriggerRuntime, TriggerRuntimeConfig
from tests.support.engine_peer import EnginePeer, make_engine_peer


def fast_config(**overrides: Any) -> TriggerRuntimeConfig:
    values: dict[str, Any] = {
        "docker_poll_interval": 1.0,
        "helm_poll_interval": 1.0,
        "max_poll_backoff": 2.0,
        "tick": 0.2,
        "lease_ttl": 3.0,
        "catch_up_interval": 0.5,
        "cron_timezone": "UTC",
    }
    values.update(overrides)
    return TriggerRuntimeConfig(**values)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EnginePeer]:
    peer = make_engine_peer(f"sqlite:///{tmp_path / 'gennaker.db'}")
    try:
        yield peer
    finally:
        peer.close()


RuntimeFactory = Callable[..., TriggerRuntime]


@pytest.fixture
def make_runtime(engine: EnginePeer) -> Iterator[RuntimeFactory]:
    """Build (not start) trigger runtimes on the engine; all are stopped after the test."""
    made: list[TriggerRuntime] = []

    def make(owner: str | None = None, **overrides: Any) -> TriggerRuntime:
        runtime = TriggerRuntime(
            engine.svc,
            artifact_accounts=engine.accounts,
            docker_accounts=DockerRegistryAccounts(engine.runtime.db, box=engine.box),
            config=fast_config(**overrides),
            owner=owner,
        )
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.stop()


@pytest.fixture
def runtime(make_runtime: RuntimeFactory) -> TriggerRuntime:
    """A trigger runtime, not started (tests call ``start()`` or drive it directly)."""
    return make_runtime()
