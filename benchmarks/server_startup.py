"""Start-up and idle memory of ``gennaker server``, and the cost of launching executions through the API.

Measures, in one run on this machine:
- seconds from spawning ``gennaker server`` (fresh GENNAKER_HOME: migrations included) to its first
  successful ``GET /health`` (target: under 2 s), over ``--runs`` starts (median and worst);
- its resident memory (RSS) after start-up and a few requests (target: under 250 MB);
- ``POST /pipelines/{app}/{name}`` round trips: launches per second and median latency (one client);
- ``gennaker --help`` (CLI start-up; imports kept lazy).

Run: ``.venv/bin/python benchmarks/server_startup.py [--runs 5] [--launches 200]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

GENNAKER = str(Path(sys.executable).parent / "gennaker")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(home: str, port: int) -> tuple[subprocess.Popen[bytes], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENNAKER_")}
    env.update(GENNAKER_HOME=home, GENNAKER_LOG_LEVEL="WARNING")
    began = time.perf_counter()
    proc = subprocess.Popen(
        [GENNAKER, "server", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = began + 30
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return proc, time.perf_counter() - began
        except httpx.HTTPError:
            time.sleep(0.01)
    proc.kill()
    raise SystemExit("server did not become ready in 30 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--launches", type=int, default=200)
    args = parser.parse_args()

    began = time.perf_counter()
    subprocess.run([GENNAKER, "--help"], check=True, capture_output=True)
    print(f"gennaker --help: {time.perf_counter() - began:.2f} s")

    times = []
    for _ in range(args.runs):
        home = tempfile.mkdtemp(prefix="gennaker-bench-")
        proc, took = start(home, free_port())
        times.append(took)
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(home, ignore_errors=True)
    print(
        "start-up to first GET /health (fresh home, migrations included): "
        f"median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s over {args.runs} starts (target < 2 s)"
    )

    home = tempfile.mkdtemp(prefix="gennaker-bench-")
    port = free_port()
    proc, _ = start(home, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
            for path in ("/health", "/applications", "/openapi.json", "/applications/bench/pipelineConfigs"):
                api.get(path)
            print(f"idle RSS after start-up and a few requests: {rss_mb(proc.pid):.0f} MB (target < 250 MB)")
            api.post(
                "/pipelines",
                json={
                    "application": "bench",
                    "name": "p",
                    "limitConcurrent": False,
                    "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
                },
            )
            latencies = []
            t0 = time.perf_counter()
            for _ in range(args.launches):
                t = time.perf_counter()
                r = api.post("/pipelines/bench/p", json={"type": "manual"})
                assert r.status_code == 202, r.text
                latencies.append(time.perf_counter() - t)
            wall = time.perf_counter() - t0
            print(
                f"launch via POST /pipelines/bench/p: {args.launches / wall:.0f} launches/s, median "
                f"{statistics.median(latencies) * 1000:.1f} ms, p95 "
                f"{sorted(latencies)[int(len(latencies) * 0.95)] * 1000:.1f} ms "
                "(workers running them meanwhile)"
            )
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                running = api.get(
                    "/applications/bench/pipelines",
                    params={"statuses": "RUNNING,NOT_STARTED", "limit": 1, "expand": "false"},
                ).json()
                if not running:
                    break
                time.sleep(0.2)
            print(f"RSS after {args.launches} executions: {rss_mb(proc.pid):.0f} MB")
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
