"""Throughput: 500 executions of a 10-stage linear pipeline of zero-length waits started at once, one
process. Prints stage transitions per second (each stage: NOT_STARTED -> RUNNING -> SUCCEEDED, two
transitions, counted from the engine's events) and executions per second, measured in this run.

    .venv/bin/python benchmarks/engine_throughput.py [--url postgresql://...] [--threads 4] [--executions 500]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _engine_common import engine

from gennaker.engine.events import EngineEvent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--executions", type=int, default=500)
    parser.add_argument("--stages", type=int, default=10)
    args = parser.parse_args()
    svc, pool = engine(args.url, args.threads)
    stages = [
        {
            "refId": str(i),
            "type": "wait",
            "waitTime": 0,
            "requisiteStageRefIds": [str(i - 1)] if i > 1 else [],
        }
        for i in range(1, args.stages + 1)
    ]
    svc.save_pipeline(
        {"application": "bench", "name": "ten", "limitConcurrent": False, "stages": stages}, principal="b"
    )
    counts = {"stage": 0, "done": 0}
    lock = threading.Lock()
    finished = threading.Event()

    def on_event(e: EngineEvent) -> None:
        with lock:
            if e.type == "stage":
                counts["stage"] += 1
            elif e.type == "execution" and e.status in ("SUCCEEDED", "TERMINAL", "CANCELED"):
                counts["done"] += 1
                if counts["done"] == args.executions:
                    finished.set()

    svc.subscribe(on_event)
    t0 = time.perf_counter()
    for _ in range(args.executions):
        svc.start_pipeline("bench", "ten", principal="b")
    started = time.perf_counter() - t0
    ok = finished.wait(1800)
    wall = time.perf_counter() - t0
    pool.stop()
    failed = [
        e["id"] for e in svc.list_executions(application="bench", statuses=["TERMINAL", "CANCELED"], limit=5)
    ]
    backend = "PostgreSQL" if args.url and args.url.startswith("postgres") else "SQLite"
    print(
        f"backend: {backend}, worker threads: {args.threads}, "
        f"executions: {args.executions} x {args.stages} stages"
    )
    print(f"all finished: {ok}, failed: {len(failed)}; launching took {started:.2f} s")
    print(
        f"wall {wall:.2f} s: {counts['stage'] / wall:.0f} stage transitions/s, "
        f"{counts['stage'] / 2 / wall:.0f} stages/s, {counts['done'] / wall:.1f} executions/s"
    )


if __name__ == "__main__":
    main()
