"""Values flow downstream: a context key missing from a stage falls through to the outputs of the stage
and its ancestors, nearest first (Orca's StageContext)."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import wait_status


def test_ancestor_outputs_are_visible_downstream_nearest_first(engine: Engine) -> None:
    eid = engine.run(
        [
            {"refId": "1", "type": "succeed", "emit": {"image": "app:1", "region": "eu", "shared": "far"}},
            {"refId": "2", "type": "succeed", "emit": {"shared": "near"}, "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "succeed", "region": "own", "requisiteStageRefIds": ["2"]},
            {"refId": "4", "type": "succeed"},
        ]
    )
    assert wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})["status"] == "SUCCEEDED"
    seen = {s["ref"]: s["context"] for s in engine.recorder.seen}
    assert seen["3"]["image"] == "app:1"
    assert seen["3"]["shared"] == "near"
    assert seen["3"]["region"] == "own"
    assert "image" not in seen["4"]


def test_outputs_are_stored_on_the_stage(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "succeed", "emit": {"a": 1}, "setContext": {"b": 2}}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    stage = ex["stages"][0]
    assert stage["outputs"] == {"a": 1}
    assert stage["context"]["b"] == 2
