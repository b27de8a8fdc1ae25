"""A real engine for provider tests: a database (SQLite file or PostgreSQL), worker threads, the built-in
stages plus the ones a test adds, and helpers to start a pipeline and wait for it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet

from gennaker.artifacts.service import ArtifactAccountService
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.stagedef import StageDefinition
from gennaker.engine.worker import WorkerPool
from gennaker.model import ExecutionStatus
from gennaker.stages import builtin_registry
from gennaker.store import Database
from gennaker.store.secrets import SecretBox


@dataclass
class EnginePeer:
    svc: PipelineService
    runtime: EngineRuntime
    pool: WorkerPool | None
    accounts: ArtifactAccountService
    box: SecretBox

    def save(self, pipeline: dict[str, Any]) -> dict[str, Any]:
        body = {"application": "app", **pipeline}
        return self.svc.save_pipeline(body, principal="tester")

    def wait(self, execution_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """The execution once it is complete (fails the test after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.svc.get_execution_status(execution_id)
            if status is not None and ExecutionStatus(status).is_complete:
                found = self.svc.get_execution(execution_id)
                assert found is not None
                return found
            time.sleep(0.05)
        raise AssertionError(f"execution {execution_id} did not finish in {timeout} s: {status}")

    def executions(self, config_id: str) -> list[dict[str, Any]]:
        return self.svc.list_executions(pipeline_config_ids=[config_id], limit=100)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
        self.accounts.close()
        self.runtime.db.dispose()


def make_engine_peer(
    url: str,
    *,
    stages: Iterable[Callable[[ArtifactAccountService], StageDefinition]] = (),
    threads: int = 4,
    start: bool = True,
    box: SecretBox | None = None,
) -> EnginePeer:
    """An engine on ``url``; each of ``stages`` is a factory given the artifact account service."""
    db = Database(url)
    db.upgrade()
    box = box or SecretBox(Fernet.generate_key())
    accounts = ArtifactAccountService(db, box=box)
    registry = builtin_registry()
    for factory in stages:
        registry.register(factory(accounts), replace=True)
    runtime = EngineRuntime(db=db, registry=registry)
    svc = PipelineService(runtime)
    svc.save_application({"name": "app"}, principal="tester")
    pool = WorkerPool(runtime, threads=threads).start() if start else None
    return EnginePeer(svc, runtime, pool, accounts, box)
