"""Synthetic before/after/on-failure stages: Orca's refIds, ordering, parents, and statuses."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_status


def test_before_and_after_stages_run_around_the_parent_with_orca_ref_ids(any_engine: Engine) -> None:
    eid = any_engine.run(
        [
            {
                "refId": "1",
                "type": "composite",
                "before": [{"type": "succeed", "name": "b1"}, {"type": "succeed", "name": "b2"}],
                "after": [{"type": "succeed", "name": "a1"}],
            },
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ]
    )
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    assert [s["refId"] for s in ex["stages"]] == ["1<1", "1<2", "1", "1>1", "2"]
    parent = stage_by_ref(ex, "1")
    b1, b2, a1 = (stage_by_ref(ex, r) for r in ("1<1", "1<2", "1>1"))
    assert b1["parentStageId"] == parent["id"] and b1["syntheticStageOwner"] == "STAGE_BEFORE"
    assert a1["syntheticStageOwner"] == "STAGE_AFTER"
    assert b2["requisiteStageRefIds"] == ["1<1"]
    assert b1["endTime"] <= b2["startTime"] <= parent["tasks"][0]["startTime"]
    assert parent["tasks"][0]["endTime"] <= a1["startTime"] <= a1["endTime"] <= parent["endTime"]
    assert parent["endTime"] <= stage_by_ref(ex, "2")["startTime"]


def test_parallel_before_stages_both_run(engine: Engine) -> None:
    eid = engine.run(
        [
            {
                "refId": "1",
                "type": "composite",
                "before": [
                    {"type": "sleep", "name": "p1", "context": {"seconds": 0.4}, "parallel": True},
                    {"type": "sleep", "name": "p2", "context": {"seconds": 0.4}, "parallel": True},
                ],
            }
        ]
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    assert stage_by_ref(ex, "1<2")["requisiteStageRefIds"] == []
    (s1, e1), (s2, e2) = [(s, e) for _, _, s, e in engine.recorder.intervals]
    assert max(s1, s2) < min(e1, e2)


def test_a_failing_before_stage_fails_the_parent_without_running_its_tasks(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "composite", "before": [{"type": "fail", "name": "check"}]}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "TERMINAL"
    parent = stage_by_ref(ex, "1")
    assert parent["status"] == "TERMINAL"
    assert parent["tasks"][0]["status"] == "NOT_STARTED"


def test_on_failure_stages_run_when_the_stage_fails(any_engine: Engine) -> None:
    eid = any_engine.run(
        [{"refId": "1", "type": "failWithCleanup", "onFailure": [{"type": "succeed", "name": "rollback"}]}]
    )
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "TERMINAL"
    cleanup = stage_by_ref(ex, "1>1")
    assert cleanup["name"] == "rollback" and cleanup["status"] == "SUCCEEDED"
    assert stage_by_ref(ex, "1")["status"] == "TERMINAL"
    assert cleanup["endTime"] <= stage_by_ref(ex, "1")["endTime"]


def test_a_stage_with_no_tasks_and_no_synthetic_stages_is_skipped(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "composite", "withTask": False}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert stage_by_ref(ex, "1")["status"] == "SKIPPED"
    assert ex["status"] == "SUCCEEDED"
