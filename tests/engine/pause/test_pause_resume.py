"""Pause and resume."""

from __future__ import annotations

import pytest

from gennaker.engine.errors import ConflictError
from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_for, wait_status


def test_pause_marks_running_work_paused_and_resume_continues(any_engine: Engine) -> None:
    eng = any_engine
    eid = eng.run(
        [
            {"refId": "1", "type": "block", "pollMs": 200},
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ]
    )
    wait_for(
        lambda: stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING", what="running"
    )
    eng.svc.pause_execution(eid, principal="carol")
    wait_for(
        lambda: stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["status"] == "PAUSED", what="stage paused"
    )
    ex = eng.svc.get_execution(eid) or {}
    assert ex["status"] == "PAUSED" and ex["paused"]["pauseTime"]
    assert stage_by_ref(ex, "1")["tasks"][0]["status"] == "PAUSED"
    with pytest.raises(ConflictError):
        eng.svc.pause_execution(eid, principal="carol")
    eng.svc.resume_execution(eid, principal="carol")
    wait_for(
        lambda: stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING", what="resumed"
    )
    stage_id = stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["id"]
    eng.svc.patch_stage_context(eid, stage_id, {"release": True}, principal="carol")
    ex = wait_status(eng.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    assert ex["paused"]["resumeTime"] >= ex["paused"]["pauseTime"]
