"""Durability across processes: a worker process killed with SIGKILL mid-pipeline is replaced and the
pipeline completes with no stage run twice to completion; two worker processes on PostgreSQL share the
work and never run the same task at once."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from tests.engine.conftest import make_engine
from tests.engine.teststages import FileRecorder, wait_for, wait_status

ROOT = Path(__file__).resolve().parents[3]


def spawn(url: str, record: Path, lease_ms: int = 2000, threads: int = 2) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.worker_process", url, str(record), str(lease_ms), str(threads)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.mark.slow
def test_sigkill_mid_pipeline_then_a_new_worker_completes_it(any_url: str, tmp_path: Path) -> None:
    eng = make_engine(any_url, start=False)  # this process only launches and reads
    record = FileRecorder(str(tmp_path / "runs.jsonl"))
    eid = eng.run(
        [
            {"refId": "1", "type": "sleep", "seconds": 0.3},
            {"refId": "2", "type": "sleep", "seconds": 2.0, "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "sleep", "seconds": 0.3, "requisiteStageRefIds": ["2"]},
        ]
    )
    first = spawn(any_url, Path(record.path))
    try:
        wait_for(
            lambda: any(r["ref"] == "2" and r["event"] == "start" for r in record.read()),
            what="stage 2 started",
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first)
    assert eng.svc.get_execution_status(eid) == "RUNNING"
    second = spawn(any_url, Path(record.path))
    try:
        ex = wait_status(eng.svc, eid, {"SUCCEEDED", "TERMINAL", "CANCELED"}, timeout_s=60)
    finally:
        stop(second)
    assert ex["status"] == "SUCCEEDED"
    assert [s["status"] for s in ex["stages"]] == ["SUCCEEDED"] * 3
    runs: dict[str, list[str]] = defaultdict(list)
    for r in record.read():
        runs[r["ref"]].append(r["event"])
    assert runs["1"] == ["start", "end"], "a stage finished before the kill ran again"
    assert runs["2"] == ["start", "start", "end"], "the interrupted stage should run again exactly once"
    assert runs["3"] == ["start", "end"]
    eng.runtime.db.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_worker_processes_on_postgres_never_run_the_same_task_at_once(
    postgres_url: str, tmp_path: Path
) -> None:
    eng = make_engine(postgres_url, start=False)
    record = FileRecorder(str(tmp_path / "runs.jsonl"))
    stages = [{"refId": "0", "type": "succeed"}] + [
        {"refId": f"s{i}", "type": "sleep", "seconds": 0.9, "requisiteStageRefIds": ["0"]} for i in range(8)
    ]
    ids = [eng.run(stages, limitConcurrent=False) for _ in range(2)]
    # leases (600 ms) are shorter than each task (900 ms): only heartbeats keep them
    workers = [spawn(postgres_url, Path(record.path), lease_ms=600, threads=3) for _ in range(2)]
    try:
        for eid in ids:
            assert wait_status(eng.svc, eid, {"SUCCEEDED", "TERMINAL"}, timeout_s=90)["status"] == "SUCCEEDED"
    finally:
        for w in workers:
            stop(w)
    spans: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    starts: dict[str, list[dict]] = defaultdict(list)
    for r in record.read():
        if r["event"] == "start":
            starts[r["stage"]].append(r)
        else:
            begin = starts[r["stage"]].pop(0)
            spans[r["stage"]].append((begin["ts"], r["ts"], r["pid"]))
    assert len(spans) == 16
    for stage_id, runs in spans.items():
        runs.sort()
        for (_, end, _), (start, _, _) in itertools.pairwise(runs):
            assert start >= end, f"two invocations of the task of stage {stage_id} overlapped: {runs}"
        assert len(runs) == 1, f"stage {stage_id} ran {len(runs)} times"
    pids = {pid for runs in spans.values() for _, _, pid in runs}
    assert len(pids) == 2, "both worker processes should have taken work"
    eng.runtime.db.dispose()


@pytest.mark.slow
def test_restarting_the_process_resumes_a_waiting_stage(sqlite_url: str, tmp_path: Path) -> None:
    eng = make_engine(sqlite_url, start=False)
    eid = eng.run(
        [
            {"refId": "1", "type": "wait", "waitTime": 1},
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ]
    )
    first = spawn(sqlite_url, tmp_path / "r.jsonl")
    try:
        wait_for(
            lambda: (eng.svc.get_execution(eid) or {"stages": [{}]})["stages"][0].get("status") == "RUNNING",
            what="wait running",
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    time.sleep(0.2)
    second = spawn(sqlite_url, tmp_path / "r.jsonl")
    try:
        assert wait_status(eng.svc, eid, {"SUCCEEDED", "TERMINAL"}, timeout_s=30)["status"] == "SUCCEEDED"
    finally:
        stop(second)
    eng.runtime.db.dispose()
