"""Shared set-up for the engine benchmarks: a fresh database, the real engine, N worker threads."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.stages import builtin_registry
from gennaker.store import Database


def engine(url: str | None, threads: int) -> tuple[PipelineService, WorkerPool]:
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='gennaker-bench-')) / 'bench.db'}"
    db = Database(url)
    db.upgrade()
    runtime = EngineRuntime(db=db, registry=builtin_registry())
    svc = PipelineService(runtime)
    svc.save_application({"name": "bench"}, principal="bench")
    return svc, WorkerPool(runtime, threads=threads).start()


def wait_done(svc: PipelineService, execution_id: str, timeout_s: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if svc.get_execution_status(execution_id) in ("SUCCEEDED", "TERMINAL", "CANCELED"):
            return svc.get_execution(execution_id) or {}
        time.sleep(0.01)
    raise SystemExit(f"execution {execution_id} did not finish in {timeout_s}s")
