"""Skip a running stage (Orca's manualSkip): it ends SKIPPED and what follows runs."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_for, wait_status


def test_skip_a_running_stage(engine: Engine) -> None:
    eid = engine.run(
        [{"refId": "1", "type": "block"}, {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]}]
    )
    wait_for(
        lambda: stage_by_ref(engine.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING", what="running"
    )
    stage = stage_by_ref(engine.svc.get_execution(eid) or {}, "1")
    engine.svc.skip_stage(eid, stage["id"], principal="frank")
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    skipped = stage_by_ref(ex, "1")
    assert skipped["status"] == "SKIPPED" and skipped["tasks"][0]["status"] == "SKIPPED"
    assert skipped["lastModified"]["user"] == "frank"
    assert stage_by_ref(ex, "2")["status"] == "SUCCEEDED"


def test_skip_remaining_wait(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "wait", "waitTime": 3600}])
    wait_for(
        lambda: stage_by_ref(engine.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING", what="waiting"
    )
    stage = stage_by_ref(engine.svc.get_execution(eid) or {}, "1")
    engine.svc.patch_stage_context(eid, stage["id"], {"skipRemainingWait": True}, principal="gina")
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"}, timeout_s=15)
    assert ex["status"] == "SUCCEEDED"
