"""Expressions in the engine (Spinnaker v4): evaluated when a stage starts, stageEnabled, the summary,
failOnFailedExpressions, evaluateVariables feeding ``${key}`` downstream, and waitTime as an expression.
These use the real ``gennaker.expressions`` evaluator."""

from __future__ import annotations

import pytest

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_status


def test_context_is_evaluated_when_the_stage_starts(engine: Engine) -> None:
    eid = engine.run(
        [
            {"refId": "1", "type": "succeed", "emit": {"image": "app:7"}},
            {
                "refId": "2",
                "type": "succeed",
                "requisiteStageRefIds": ["1"],
                "target": "${parameters.env}-${image}",
                "count": "${#toInt('3')}",
                "who": "${trigger.user}",
            },
        ],
        parameterConfig=[{"name": "env", "default": "dev"}],
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    ctx = stage_by_ref(ex, "2")["context"]
    assert (ctx["target"], ctx["count"], ctx["who"]) == ("dev-app:7", 3, "tester")
    assert "expressionEvaluationSummary" not in ctx


def test_a_failed_expression_stays_raw_and_is_summarised(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "succeed", "x": "${nope.missing}"}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    stage = stage_by_ref(ex, "1")
    assert ex["status"] == "SUCCEEDED"
    assert stage["context"]["x"] == "${nope.missing}"
    summary = stage["context"]["expressionEvaluationSummary"]
    ((key, entries),) = summary.items()
    assert "nope.missing" in key and entries[0]["level"] == "ERROR"
    assert stage["context"]["exception"]["details"]["errors"], "errors are copied into context.exception"


def test_fail_on_failed_expressions(engine: Engine) -> None:
    eid = engine.run(
        [{"refId": "1", "type": "succeed", "x": "${nope.missing}", "failOnFailedExpressions": True}]
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    stage = stage_by_ref(ex, "1")
    assert (ex["status"], stage["status"]) == ("TERMINAL", "TERMINAL")
    assert all(t["status"] == "NOT_STARTED" for t in stage["tasks"]), "no task may run"
    assert stage["context"]["exception"]["details"]["errors"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("parameters.go == 'yes'", "SUCCEEDED"),
        ("parameters.go == 'no'", "SKIPPED"),
        ("'maybe'", "SKIPPED"),
        ("nope.x", "SKIPPED"),
    ],
)
def test_stage_enabled(engine: Engine, expression: str, expected: str) -> None:
    eid = engine.run(
        [
            {
                "refId": "1",
                "type": "succeed",
                "stageEnabled": {"type": "expression", "expression": expression},
            },
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ],
        trigger={"parameters": {"go": "yes"}},
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert stage_by_ref(ex, "1")["status"] == expected
    assert stage_by_ref(ex, "2")["status"] == "SUCCEEDED"
    assert ex["status"] == "SUCCEEDED"


def test_evaluate_variables_in_order_and_downstream(any_engine: Engine) -> None:
    eid = any_engine.run(
        [
            {
                "refId": "1",
                "type": "evaluateVariables",
                "variables": [
                    {"key": "region", "value": "${parameters.region}"},
                    {"key": "cluster", "value": "web-${region}"},
                    {"key": "replicas", "value": "${#toInt('2') + 1}"},
                ],
            },
            {"refId": "2", "type": "wait", "waitTime": "${replicas - 3}", "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "succeed", "where": "${cluster}", "requisiteStageRefIds": ["2"]},
        ],
        trigger={"parameters": {"region": "eu"}},
    )
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED", ex
    assert stage_by_ref(ex, "1")["outputs"] == {"region": "eu", "cluster": "web-eu", "replicas": 3}
    assert stage_by_ref(ex, "2")["context"]["waitTime"] == 0
    assert stage_by_ref(ex, "3")["context"]["where"] == "web-eu"


def test_evaluate_variables_failure_names_the_key(engine: Engine) -> None:
    eid = engine.run(
        [{"refId": "1", "type": "evaluateVariables", "variables": [{"key": "bad", "value": "${nope.x}"}]}]
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    stage = stage_by_ref(ex, "1")
    assert stage["status"] == "TERMINAL"
    assert stage["context"]["exception"]["details"]["errors"][0].startswith("bad: ")


def test_stage_helper_sees_the_execution(engine: Engine) -> None:
    eid = engine.run(
        [
            {"refId": "1", "type": "succeed", "name": "Build", "emit": {"tag": "v1"}},
            {
                "refId": "2",
                "type": "succeed",
                "requisiteStageRefIds": ["1"],
                "t": "${#stage('Build')['outputs']['tag']}",
            },
        ]
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert stage_by_ref(ex, "2")["context"]["t"] == "v1"
