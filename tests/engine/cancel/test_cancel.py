"""Cancel: running stages end CANCELED and get their cancel hook; waiting executions cancel at once."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_for, wait_status


def test_cancel_runs_the_cancel_hook_of_running_stages(any_engine: Engine) -> None:
    eng = any_engine
    eid = eng.run(
        [
            {"refId": "1", "type": "block"},
            {"refId": "2", "type": "composite", "before": [{"type": "block", "name": "inner"}]},
            {"refId": "3", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ]
    )
    wait_for(
        lambda: eng.recorder.calls.get("block:" + stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["id"]),
        what="block ran",
    )
    wait_for(
        lambda: stage_by_ref(eng.svc.get_execution(eid) or {}, "2<1")["status"] == "RUNNING",
        what="inner running",
    )
    eng.svc.cancel_execution(eid, principal="alice", reason="no longer needed")
    ex = wait_status(eng.svc, eid, {"CANCELED", "SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "CANCELED"
    assert (
        ex["canceled"] is True
        and ex["canceledBy"] == "alice"
        and ex["cancellationReason"] == "no longer needed"
    )
    wait_for(lambda: len(eng.recorder.cancels) >= 3, what="cancel hooks", timeout_s=15)
    assert sorted(ref for _, ref in eng.recorder.cancels) == ["1", "2", "2<1"]
    ex = eng.svc.get_execution(eid) or {}
    assert stage_by_ref(ex, "1")["status"] == "CANCELED"
    assert stage_by_ref(ex, "2")["status"] == "CANCELED"
    assert stage_by_ref(ex, "3")["status"] == "NOT_STARTED"
    wait_for(
        lambda: stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["context"].get("cancelHookRan"),
        what="hook result",
    )


def test_cancel_a_finished_execution_changes_nothing(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "succeed"}])
    wait_status(engine.svc, eid, {"SUCCEEDED"})
    engine.svc.cancel_execution(eid, principal="bob")
    ex = engine.svc.get_execution(eid) or {}
    assert ex["status"] == "SUCCEEDED" and ex["canceled"] is False
