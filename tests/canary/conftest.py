"""Canary test fixtures: the exporter and the real Prometheus (one each per test session, started on first
use), and the real engine on a SQLite file with the canary stages bound to a test environment."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gennaker.canary.accounts import MetricsAccountSet
from gennaker.canary.environment import CanaryEnvironment, set_default_environment
from gennaker.canary.service import CanaryService
from gennaker.canary.stage.definition import register_canary_stages
from gennaker.engine.registry import StageRegistry
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.stages import builtin_registry
from gennaker.store import Database, queue
from tests.canary.peers import Exporter, PrometheusProcess


@pytest.fixture(scope="session")
def exporter() -> Iterator[Exporter]:
    server = Exporter().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory, exporter: Exporter) -> Iterator[PrometheusProcess]:
    assert exporter.server is not None
    process = PrometheusProcess(tmp_path_factory.mktemp("prometheus"), exporter.server.port)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


@dataclass
class CanaryEngine:
    pipelines: PipelineService
    canary: CanaryService
    env: CanaryEnvironment
    runtime: EngineRuntime

    def run_pipeline(self, stages: list[dict[str, Any]], *, name: str = "canary") -> str:
        body = {"application": "app", "name": name, "stages": stages}
        self.pipelines.save_pipeline(body, principal="tester")
        return self.pipelines.start_pipeline("app", name, principal="tester")

    def wait(self, execution_id: str, timeout_s: float = 60) -> dict[str, Any]:
        """The execution once it ended AND the engine has no message left for it: a halted stage's cancel
        hook (which writes an early-stopped canary's ``canaryScores``) runs after the execution's status
        is already final, as in Orca."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.pipelines.get_execution_status(execution_id)
            if status in (
                "SUCCEEDED",
                "TERMINAL",
                "CANCELED",
                "STOPPED",
                "FAILED_CONTINUE",
            ) and not _pending_messages(self.runtime.db, execution_id):
                execution = self.pipelines.get_execution(execution_id)
                assert execution is not None
                return execution
            assert time.monotonic() < deadline, f"execution still {status} after {timeout_s} s"
            time.sleep(0.1)


def _pending_messages(db: Database, execution_id: str) -> int:
    with db.read() as conn:
        return len(queue.pending(conn, execution_id))


def make_canary_engine(
    tmp_path: Path,
    accounts: list[dict[str, Any]],
    *,
    register: Callable[[StageRegistry], None] | None = None,
    **env: Any,
) -> Iterator[CanaryEngine]:
    """The engine with the canary stages (and what ``register`` adds, e.g. the Kubernetes stages)."""
    db = Database(f"sqlite:///{tmp_path / 'gennaker.db'}")
    db.upgrade()
    environment = CanaryEnvironment.create(MetricsAccountSet(accounts), database=db, **env)
    registry = builtin_registry()
    register_canary_stages(registry, environment)
    if register is not None:
        register(registry)
    runtime = EngineRuntime(db=db, registry=registry)
    pipelines = PipelineService(runtime)
    pipelines.save_application({"name": "app"}, principal="tester")
    canary = CanaryService(db, environment, install=False)
    pool = WorkerPool(runtime, threads=2).start()
    try:
        yield CanaryEngine(pipelines, canary, environment, runtime)
    finally:
        pool.stop()
        set_default_environment(None)
        db.dispose()


@pytest.fixture
def prometheus_engine(tmp_path: Path, prometheus: PrometheusProcess) -> Iterator[CanaryEngine]:
    """The engine with a metrics account ``prom`` on the test Prometheus."""
    yield from make_canary_engine(
        tmp_path, [{"name": "prom", "type": "prometheus", "settings": {"baseUrl": prometheus.url}}]
    )
