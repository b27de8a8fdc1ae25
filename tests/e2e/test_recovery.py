"""Durability through the real command: SIGKILL of ``gennaker server`` mid-pipeline, then a new server
on the same data completes the pipeline with no stage run twice to completion; and on PostgreSQL an
API-only server with two ``gennaker worker`` processes never runs the same task twice at once."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.localhttp import LocalHTTPServer, Reply, Request
from tests.realserver import (
    ROOT,
    RealServer,
    gennaker_command,
    run_pipeline,
    server_env,
    stage,
    wait_execution,
    wait_until,
)


@pytest.mark.slow
@pytest.mark.e2e
def test_sigkill_of_the_server_mid_pipeline_then_restart_completes_it(
    tmp_path: Path, http: LocalHTTPServer
) -> None:
    # given a pipeline: quick webhook → long-running job (polled) → final webhook
    release = threading.Event()
    http.route("POST", "/first", Reply(200))
    http.route("POST", "/job", Reply(202, {}, {"Location": "/job/1"}))
    http.route("GET", "/job/1", lambda _r: Reply(200, {"s": "DONE" if release.is_set() else "RUNNING"}))
    http.route("POST", "/last", Reply(200))
    stages = [
        {"refId": "1", "type": "webhook", "url": http.url("/first")},
        {
            "refId": "2",
            "type": "webhook",
            "url": http.url("/job"),
            "requisiteStageRefIds": ["1"],
            "waitForCompletion": True,
            "statusUrlResolution": "locationHeader",
            "statusJsonPath": "s",
            "successStatuses": "DONE",
        },
        {"refId": "3", "type": "webhook", "url": http.url("/last"), "requisiteStageRefIds": ["2"]},
    ]
    first = RealServer(tmp_path / "home").start()
    try:
        with first.client("ops") as api:
            eid = run_pipeline(api, stages, app="crash", name="p")
            wait_until(lambda: len(http.hits("GET", "/job/1")) >= 2, what="the job is being polled")
        # when the server is killed with SIGKILL in the middle
        first.kill()
    finally:
        first.stop()
    polls_before = len(http.hits("GET", "/job/1"))
    release.set()
    # and a new server starts on the same data
    second = RealServer(tmp_path / "home").start()
    try:
        with second.client("ops") as api:
            ex = wait_execution(api, eid, timeout_s=60)
    finally:
        second.stop()
    # then the pipeline completes, and no finished stage ran again
    assert ex["status"] == "SUCCEEDED", ex
    assert [stage(ex, r)["status"] for r in "123"] == ["SUCCEEDED"] * 3
    assert len(http.hits("POST", "/first")) == 1
    assert len(http.hits("POST", "/job")) == 1, "the completed request task was not re-run"
    assert len(http.hits("POST", "/last")) == 1
    assert len(http.hits("GET", "/job/1")) > polls_before  # monitoring resumed


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.postgres
def test_two_worker_processes_on_postgres_never_run_a_task_at_once(
    tmp_path: Path, http: LocalHTTPServer, postgres_url: str
) -> None:
    # given an endpoint that takes 0.2 s and records overlapping calls per stage
    active: dict[str, int] = {}
    overlaps: list[str] = []
    lock = threading.Lock()

    def slow(req: Request) -> Reply:
        key = str(req.body["stage"]) + ":" + str(req.body["execution"])
        with lock:
            active[key] = active.get(key, 0) + 1
            if active[key] > 1:
                overlaps.append(key)
        time.sleep(0.2)
        with lock:
            active[key] -= 1
        return Reply(200)

    http.route("POST", "/work", slow)
    env = {"GENNAKER_DATABASE_URL": postgres_url}
    server = RealServer(tmp_path / "home", args=["--no-workers"], env=env).start()
    workers = [
        subprocess.Popen(
            [gennaker_command(), "worker", "--threads", "3", "--lease-ms", "3000"],
            cwd=ROOT,
            env=server_env(tmp_path / "home", env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        with server.client("ops") as api:
            stages = [
                {
                    "refId": str(i),
                    "type": "webhook",
                    "url": http.url("/work"),
                    "payload": {"stage": i, "execution": "${execution.id}"},
                }
                for i in range(6)
            ]
            ids = [run_pipeline(api, stages, app="scale", name="wide") for _ in range(4)]
            results = [wait_execution(api, eid, timeout_s=90) for eid in ids]
        # then every execution succeeded, each task ran exactly once, never twice at the same time
        assert [r["status"] for r in results] == ["SUCCEEDED"] * 4
        assert overlaps == []
        assert len(http.hits("POST", "/work")) == 24
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(15)
            except subprocess.TimeoutExpired:
                w.kill()
        server.stop()


@pytest.mark.e2e
def test_sigterm_stops_the_server_gracefully_and_a_restart_resumes_waits(tmp_path: Path) -> None:
    # given a server running a pipeline with a 3 s wait
    first = RealServer(tmp_path / "home").start()
    with first.client() as api:
        eid = run_pipeline(api, [{"refId": "1", "type": "wait", "waitTime": 3}], app="term", name="p")
        wait_until(
            lambda: stage(api.get(f"/pipelines/{eid}").json(), "1")["status"] == "RUNNING", what="waiting"
        )
    # when it gets SIGTERM, it exits 0 promptly
    assert first.proc is not None
    began = time.monotonic()
    first.stop()
    assert first.proc.returncode == 0
    assert time.monotonic() - began < 10
    # then a new server finishes the wait where it was
    second = RealServer(tmp_path / "home").start()
    try:
        with second.client() as api:
            ex = wait_execution(api, eid, timeout_s=30)
        assert ex["status"] == "SUCCEEDED"
        assert stage(ex, "1")["endTime"] - stage(ex, "1")["startTime"] >= 3000
    finally:
        second.stop()
