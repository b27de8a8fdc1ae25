"""Restart a stage: it and everything downstream run again; restartDetails is recorded."""

from __future__ import annotations

import pytest

from gennaker.engine.errors import ConflictError
from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_for, wait_status


def test_restart_a_failed_stage_completes_the_pipeline(any_engine: Engine) -> None:
    eng = any_engine
    eid = eng.run(
        [
            {"refId": "1", "type": "succeed"},
            {"refId": "2", "type": "failOnce", "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "succeed", "requisiteStageRefIds": ["2"]},
        ]
    )
    ex = wait_status(eng.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "TERMINAL" and stage_by_ref(ex, "3")["status"] == "NOT_STARTED"
    first_start = stage_by_ref(ex, "1")["startTime"]
    eng.svc.restart_stage(eid, stage_by_ref(ex, "2")["id"], principal="dave")
    wait_for(
        lambda: (eng.svc.get_execution(eid) or {})["status"] == "SUCCEEDED",
        what="restarted execution succeeds",
    )
    ex = eng.svc.get_execution(eid) or {}
    assert [stage_by_ref(ex, r)["status"] for r in "123"] == ["SUCCEEDED"] * 3
    details = stage_by_ref(ex, "2")["context"]["restartDetails"]
    assert details["restartedBy"] == "dave"
    assert details["previousException"]["details"]["errors"] == ["first attempt fails"]
    assert stage_by_ref(ex, "1")["startTime"] == first_start, "upstream stage must not run again"


def test_restart_resets_everything_downstream(engine: Engine) -> None:
    eid = engine.run(
        [
            {"refId": "1", "type": "succeed"},
            {
                "refId": "2",
                "type": "composite",
                "before": [{"type": "succeed", "name": "pre"}],
                "requisiteStageRefIds": ["1"],
            },
            {"refId": "3", "type": "succeed", "requisiteStageRefIds": ["2"]},
        ]
    )
    before = wait_status(engine.svc, eid, {"SUCCEEDED"})
    engine.svc.restart_stage(
        eid, stage_by_ref(before, "2<1")["id"], principal="erin"
    )  # a synthetic: its parent restarts
    wait_for(
        lambda: (
            (ex := engine.svc.get_execution(eid) or {})["status"] == "SUCCEEDED"
            and stage_by_ref(ex, "3")["startTime"] > stage_by_ref(before, "3")["startTime"]
        ),
        what="downstream ran again",
    )
    after = engine.svc.get_execution(eid) or {}
    assert stage_by_ref(after, "1")["startTime"] == stage_by_ref(before, "1")["startTime"]
    assert stage_by_ref(after, "2")["startTime"] > stage_by_ref(before, "2")["endTime"]
    assert [s["refId"] for s in after["stages"]] == ["1", "2<1", "2", "3"]
    assert stage_by_ref(after, "2<1")["id"] != stage_by_ref(before, "2<1")["id"]


def test_a_running_stage_cannot_be_restarted(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "block"}])
    wait_for(
        lambda: stage_by_ref(engine.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING", what="running"
    )
    with pytest.raises(ConflictError):
        engine.svc.restart_stage(
            eid, stage_by_ref(engine.svc.get_execution(eid) or {}, "1")["id"], principal="x"
        )
