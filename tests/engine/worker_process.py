"""A worker process for recovery tests: the real WorkerPool with the test stage types, recording task
invocations to a file. Run: python -m tests.engine.worker_process URL RECORD_FILE [LEASE_MS] [THREADS]."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.store import Database
from tests.engine.teststages import FileRecorder, build_registry


def main() -> None:
    url, record = sys.argv[1], sys.argv[2]
    lease_ms = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    logging.basicConfig(level=logging.WARNING)
    runtime = EngineRuntime(
        db=Database(url), registry=build_registry(file_recorder=FileRecorder(record)), lease_ms=lease_ms
    )
    PipelineService(runtime)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    pool = WorkerPool(runtime, threads=threads, poll_s=0.2).start()
    print("ready", flush=True)
    stop.wait()
    pool.stop()


if __name__ == "__main__":
    main()
