"""Engine test fixtures: a real database (a SQLite file, or the local PostgreSQL), the real engine with
worker threads, and test stage types registered in the registry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.store import Database
from tests.engine.teststages import Recorder, build_registry


@dataclass
class Engine:
    svc: PipelineService
    runtime: EngineRuntime
    recorder: Recorder
    pool: WorkerPool | None

    def run(self, stages: list[dict[str, Any]], **config: Any) -> str:
        """Save a pipeline with these stages and start it; returns the execution id."""
        body = {"application": "app", "name": config.pop("name", "p"), "stages": stages, **config}
        trigger = body.pop("trigger", None)
        self.svc.save_pipeline(body, principal="tester")
        return self.svc.start_pipeline("app", body["name"], trigger=trigger, principal="tester")


def make_engine(url: str, *, threads: int = 4, lease_ms: int = 10_000, start: bool = True) -> Engine:
    recorder = Recorder()
    db = Database(url)
    db.upgrade()
    runtime = EngineRuntime(db=db, registry=build_registry(recorder), lease_ms=lease_ms)
    svc = PipelineService(runtime)
    svc.save_application({"name": "app"}, principal="tester")
    pool = WorkerPool(runtime, threads=threads).start() if start else None
    return Engine(svc, runtime, recorder, pool)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gennaker.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gennaker.db'}"
    return str(request.getfixturevalue("postgres_url"))


def _engine(url: str) -> Iterator[Engine]:
    e = make_engine(url)
    try:
        yield e
    finally:
        if e.pool is not None:
            e.pool.stop()
        e.runtime.db.dispose()


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """The engine on a SQLite file with 4 worker threads."""
    yield from _engine(sqlite_url)


@pytest.fixture
def any_engine(any_url: str) -> Iterator[Engine]:
    """The engine on SQLite and on PostgreSQL (the test runs once per backend)."""
    yield from _engine(any_url)
