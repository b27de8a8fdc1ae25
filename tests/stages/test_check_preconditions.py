"""checkPreconditions: each precondition a parallel synthetic stage; expression and stageStatus checks;
failPipeline per precondition; clusterSize says it is not supported yet."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import DONE, wait_status


def run(engine: Engine, preconditions: list, **trigger_params: str) -> dict:
    eid = engine.run(
        [
            {"refId": "1", "type": "wait", "name": "Bake", "waitTime": 0},
            {
                "refId": "2",
                "type": "checkPreconditions",
                "name": "Check",
                "requisiteStageRefIds": ["1"],
                "preconditions": preconditions,
            },
        ],
        parameterConfig=[{"name": "env", "default": "prod"}],
        trigger={"type": "manual", "parameters": trigger_params},
    )
    return wait_status(engine.svc, eid, DONE)


def synthetic(ex: dict) -> list[dict]:
    return [s for s in ex["stages"] if s.get("syntheticStageOwner") == "STAGE_BEFORE"]


def test_true_preconditions_run_in_parallel_synthetic_stages(engine: Engine) -> None:
    ex = run(
        engine,
        [
            {"type": "expression", "context": {"expression": "parameters.env == 'prod'"}},
            {"type": "expression", "context": {"expression": "${ 1 + 1 == 2 }"}},
            {"type": "stageStatus", "context": {"stageName": "Bake", "stageStatus": "SUCCEEDED"}},
        ],
    )
    assert ex["status"] == "SUCCEEDED"
    kids = synthetic(ex)
    assert [k["name"] for k in kids] == [
        "Check precondition (expression)",
        "Check precondition (expression)",
        "Check precondition (stageStatus)",
    ]
    assert all(k["requisiteStageRefIds"] == [] for k in kids)  # parallel
    assert [k["refId"] for k in kids] == ["2<1", "2<2", "2<3"]


def test_false_expression_fails_the_pipeline(engine: Engine) -> None:
    ex = run(
        engine,
        [
            {
                "type": "expression",
                "context": {"expression": "parameters.env == 'prod'", "failureMessage": "prod only"},
            }
        ],
        env="dev",
    )
    assert ex["status"] == "TERMINAL"
    [kid] = synthetic(ex)
    assert kid["status"] == "TERMINAL"
    assert kid["context"]["context"]["failureMessage"] == "prod only"


def test_fail_pipeline_false_stops_only_the_branch(engine: Engine) -> None:
    ex = run(
        engine,
        [
            {
                "type": "stageStatus",
                "context": {"stageName": "Bake", "stageStatus": "TERMINAL"},
                "failPipeline": False,
            }
        ],
    )
    assert ex["status"] == "SUCCEEDED"
    assert synthetic(ex)[0]["status"] == "STOPPED"
    assert "actually SUCCEEDED" in synthetic(ex)[0]["context"]["context"]["failureMessage"]


def test_cluster_size_is_not_supported_yet(engine: Engine) -> None:
    ex = run(engine, [{"type": "clusterSize", "context": {"cluster": "web", "expected": 2}}])
    assert ex["status"] == "TERMINAL"
    errors = synthetic(ex)[0]["context"]["exception"]["details"]["errors"]
    assert "not supported yet" in errors[0]
