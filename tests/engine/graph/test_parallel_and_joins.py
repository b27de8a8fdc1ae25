"""Stage graph: order, parallel branches really overlapping, joins waiting for every parent."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_status


def test_linear_stages_run_in_order(any_engine: Engine) -> None:
    eid = any_engine.run(
        [
            {"refId": "1", "type": "succeed"},
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["2"]},
        ]
    )
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    s1, s2, s3 = (stage_by_ref(ex, r) for r in "123")
    assert s1["endTime"] <= s2["startTime"] and s2["endTime"] <= s3["startTime"]
    assert [t["status"] for t in s3["tasks"]] == ["SUCCEEDED"]


def test_parallel_branches_really_run_at_the_same_time(engine: Engine) -> None:
    eid = engine.run(
        [
            {"refId": "1", "type": "succeed"},
            {"refId": "a", "type": "sleep", "seconds": 0.6, "requisiteStageRefIds": ["1"]},
            {"refId": "b", "type": "sleep", "seconds": 0.6, "requisiteStageRefIds": ["1"]},
            {"refId": "c", "type": "sleep", "seconds": 0.6, "requisiteStageRefIds": ["1"]},
        ]
    )
    assert wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})["status"] == "SUCCEEDED"
    spans = {ref: (start, end) for _, ref, start, end in engine.recorder.intervals}
    assert set(spans) == {"a", "b", "c"}
    latest_start = max(s for s, _ in spans.values())
    earliest_end = min(e for _, e in spans.values())
    assert latest_start < earliest_end, f"task invocations did not overlap: {spans}"


def test_join_waits_for_all_parents_and_starts_when_the_last_completes(any_engine: Engine) -> None:
    eid = any_engine.run(
        [
            {"refId": "1", "type": "succeed"},
            {"refId": "fast", "type": "sleep", "seconds": 0.05, "requisiteStageRefIds": ["1"]},
            {"refId": "slow", "type": "sleep", "seconds": 0.8, "requisiteStageRefIds": ["1"]},
            {"refId": "join", "type": "succeed", "requisiteStageRefIds": ["fast", "slow"]},
        ]
    )
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    join, slow, fast = (stage_by_ref(ex, r) for r in ("join", "slow", "fast"))
    assert join["startTime"] >= slow["endTime"] >= fast["endTime"]
    # event-driven: no fixed re-check delay between the last parent and the join (Orca waits up to 15 s)
    assert join["startTime"] - slow["endTime"] < 2000


def test_a_pipeline_without_stages_ends_terminal(engine: Engine) -> None:
    eid = engine.run([])
    assert wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})["status"] == "TERMINAL"
