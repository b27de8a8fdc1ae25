"""Engine overhead per stage: a 200-stage linear pipeline of zero-length waits, and a 50-wide
fan-out/fan-in. Prints the median overhead per stage (time from one stage's end to the next one's end
on the linear pipeline; wall time / stages on the fan-out), measured in this run.

    .venv/bin/python benchmarks/engine_overhead.py [--url postgresql://...] [--threads 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _engine_common import engine, wait_done


def linear(n: int) -> list[dict]:
    return [
        {
            "refId": str(i),
            "type": "wait",
            "waitTime": 0,
            "requisiteStageRefIds": [str(i - 1)] if i > 1 else [],
        }
        for i in range(1, n + 1)
    ]


def fan(width: int) -> list[dict]:
    stages = [{"refId": "start", "type": "wait", "waitTime": 0}]
    stages += [
        {"refId": f"b{i}", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["start"]}
        for i in range(width)
    ]
    stages.append(
        {
            "refId": "join",
            "type": "wait",
            "waitTime": 0,
            "requisiteStageRefIds": [f"b{i}" for i in range(width)],
        }
    )
    return stages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    svc, pool = engine(args.url, args.threads)
    try:
        svc.save_pipeline(
            {"application": "bench", "name": "linear", "stages": linear(200)}, principal="bench"
        )
        svc.save_pipeline({"application": "bench", "name": "fan", "stages": fan(50)}, principal="bench")
        svc.save_pipeline({"application": "bench", "name": "warm", "stages": linear(5)}, principal="bench")
        wait_done(svc, svc.start_pipeline("bench", "warm", principal="bench"))
        gaps: list[float] = []
        linear_walls = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            ex = wait_done(svc, svc.start_pipeline("bench", "linear", principal="bench"))
            linear_walls.append(time.perf_counter() - t0)
            assert ex["status"] == "SUCCEEDED", ex["status"]
            ends = [s["endTime"] for s in ex["stages"]]
            gaps += [b - a for a, b in zip([ex["startTime"], *ends], ends, strict=False)]
        fan_walls = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            ex = wait_done(svc, svc.start_pipeline("bench", "fan", principal="bench"))
            fan_walls.append(time.perf_counter() - t0)
            assert ex["status"] == "SUCCEEDED", ex["status"]
    finally:
        pool.stop()
    backend = "PostgreSQL" if args.url and args.url.startswith("postgres") else "SQLite"
    print(f"backend: {backend}, worker threads: {args.threads}, runs: {args.runs}")
    print(
        f"linear 200 x wait(0): median overhead per stage {statistics.median(gaps):.2f} ms "
        f"(stage end to next stage end; mean {statistics.mean(gaps):.2f} ms); "
        f"median wall {statistics.median(linear_walls):.3f} s "
        f"= {1000 * statistics.median(linear_walls) / 200:.2f} ms/stage"
    )
    print(
        f"fan-out/fan-in 1 -> 50 -> 1 x wait(0): median wall {statistics.median(fan_walls):.3f} s "
        f"= {1000 * statistics.median(fan_walls) / 52:.2f} ms/stage"
    )


if __name__ == "__main__":
    main()
