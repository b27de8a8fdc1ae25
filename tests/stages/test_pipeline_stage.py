"""The pipeline stage: a child pipeline started with parameters, the parent reflects its outcome,
cancelling the parent cancels the child, waitForCompletion false."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import DONE, stage_by_ref, wait_for, wait_status


def save_child(engine: Engine, stages: list) -> str:
    body = engine.svc.save_pipeline(
        {
            "application": "app",
            "name": "child",
            "parameterConfig": [{"name": "who", "required": True}],
            "stages": stages,
        },
        principal="tester",
    )
    return str(body["id"])


def test_child_runs_with_parameters_and_parent_gets_its_outputs(engine: Engine) -> None:
    child = save_child(
        engine,
        [
            {
                "refId": "1",
                "type": "evaluateVariables",
                "variables": [{"key": "greeting", "value": "hi ${parameters.who}"}],
            }
        ],
    )
    eid = engine.run(
        [
            {
                "refId": "1",
                "type": "pipeline",
                "application": "app",
                "pipeline": child,
                "pipelineParameters": {"who": "bob"},
            },
            {
                "refId": "2",
                "type": "evaluateVariables",
                "requisiteStageRefIds": ["1"],
                "variables": [{"key": "g", "value": "${greeting}"}],
            },
        ]
    )
    ex = wait_status(engine.svc, eid, DONE)
    assert ex["status"] == "SUCCEEDED"
    stage = stage_by_ref(ex, "1")
    child_ex = engine.svc.get_execution(stage["context"]["executionId"])
    assert child_ex["status"] == "SUCCEEDED"
    trigger = child_ex["trigger"]
    assert trigger["type"] == "pipeline"
    assert trigger["parentExecution"]["id"] == eid
    assert trigger["parentPipelineStageId"] == stage["id"]
    assert trigger["parameters"]["who"] == "bob"
    assert stage_by_ref(ex, "2")["outputs"]["g"] == "hi bob"


def test_failed_child_fails_the_parent_stage(engine: Engine) -> None:
    child = save_child(
        engine,
        [
            {
                "refId": "1",
                "type": "evaluateVariables",
                "variables": [{"key": "x", "value": "${nope.nothing}"}],
            }
        ],
    )
    eid = engine.run(
        [{"refId": "1", "type": "pipeline", "pipeline": child, "pipelineParameters": {"who": "x"}}]
    )
    ex = wait_status(engine.svc, eid, DONE)
    assert ex["status"] == "TERMINAL"
    errors = stage_by_ref(ex, "1")["context"]["exception"]["details"]["errors"]
    assert "Exception in child pipeline stage" in errors[0]


def test_missing_required_parameter_fails_with_its_name(engine: Engine) -> None:
    child = save_child(engine, [{"refId": "1", "type": "wait", "waitTime": 0}])
    eid = engine.run([{"refId": "1", "type": "pipeline", "pipeline": child}])
    ex = wait_status(engine.svc, eid, DONE)
    assert ex["status"] == "TERMINAL"
    assert "'who' is required" in str(stage_by_ref(ex, "1")["context"]["exception"])


def test_cancelling_the_parent_cancels_the_child(engine: Engine) -> None:
    child = save_child(engine, [{"refId": "1", "type": "wait", "waitTime": 300}])
    eid = engine.run(
        [{"refId": "1", "type": "pipeline", "pipeline": child, "pipelineParameters": {"who": "x"}}]
    )
    child_id = wait_for(
        lambda: stage_by_ref(engine.svc.get_execution(eid), "1")["context"].get("executionId"),
        what="child started",
    )
    wait_status(engine.svc, child_id, {"RUNNING"})
    engine.svc.cancel_execution(eid, principal="tester", reason="stop")
    wait_status(engine.svc, eid, {"CANCELED"})
    child_ex = wait_status(engine.svc, child_id, {"CANCELED"})
    assert child_ex["canceledBy"] == "tester"


def test_without_waiting_the_stage_succeeds_once_the_child_started(engine: Engine) -> None:
    child = save_child(engine, [{"refId": "1", "type": "wait", "waitTime": 300}])
    eid = engine.run(
        [
            {
                "refId": "1",
                "type": "pipeline",
                "pipeline": child,
                "waitForCompletion": False,
                "pipelineParameters": {"who": "x"},
            }
        ]
    )
    ex = wait_status(engine.svc, eid, DONE)
    assert ex["status"] == "SUCCEEDED"
    child_id = stage_by_ref(ex, "1")["context"]["executionId"]
    wait_status(engine.svc, child_id, {"RUNNING"})  # started, still running
    engine.svc.cancel_execution(child_id, principal="tester")
