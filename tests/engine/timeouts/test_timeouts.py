"""Task timeouts and ``stageTimeoutMs``, with paused time excluded."""

from __future__ import annotations

import time

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_for, wait_status


def test_a_task_timeout_fails_the_stage(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "slowTimeout", "pollMs": 60_000}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"}, timeout_s=20)
    stage = stage_by_ref(ex, "1")
    assert stage["status"] == "TERMINAL"
    assert stage["context"]["exception"]["exceptionType"] == "TimeoutException"
    # the timeout fired when due although the task asked to be polled again only after 60 s
    assert stage["endTime"] - stage["startTime"] < 15_000


def test_stage_timeout_ms_with_continue_pipeline(engine: Engine) -> None:
    eid = engine.run(
        [
            {
                "refId": "1",
                "type": "block",
                "stageTimeoutMs": 400,
                "continuePipeline": True,
                "failPipeline": False,
            },
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ]
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"}, timeout_s=20)
    assert stage_by_ref(ex, "1")["status"] == "FAILED_CONTINUE"
    assert "timed out" in stage_by_ref(ex, "1")["context"]["exception"]["details"]["errors"][0]
    assert ex["status"] == "SUCCEEDED"


def test_paused_time_does_not_count_towards_the_stage_timeout(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "block", "stageTimeoutMs": 1500, "pollMs": 100}])
    wait_for(
        lambda: stage_by_ref(engine.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING", what="running"
    )
    time.sleep(0.3)
    engine.svc.pause_execution(eid, principal="tester")
    time.sleep(2.0)  # longer than the whole timeout
    engine.svc.resume_execution(eid, principal="tester")
    time.sleep(0.3)
    ex = engine.svc.get_execution(eid) or {}
    assert ex["status"] == "RUNNING", "timed out although most of the time was paused"
    assert ex["paused"]["pausedMs"] >= 1900
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"}, timeout_s=20)
    stage = stage_by_ref(ex, "1")
    assert stage["status"] == "TERMINAL"
    assert stage["endTime"] - stage["startTime"] >= 1500 + 1900
