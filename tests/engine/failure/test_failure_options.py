"""Each "if stage fails" option ends in the statuses Spinnaker gives (table-driven), and an exception
inside a task fails the stage with Orca's ``context.exception`` instead of crashing anything."""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_status

# options on the failing stage A -> (A, C downstream of A, B parallel branch, execution)
CASES: list[tuple[str, dict[str, Any], str, tuple[str, str, str, str]]] = [
    ("default failPipeline", {}, "block", ("TERMINAL", "NOT_STARTED", "CANCELED", "TERMINAL")),
    (
        "continuePipeline",
        {"continuePipeline": True, "failPipeline": False},
        "sleep",
        ("FAILED_CONTINUE", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"),
    ),
    (
        "halt this branch",
        {"failPipeline": False, "continuePipeline": False},
        "sleep",
        ("STOPPED", "NOT_STARTED", "SUCCEEDED", "SUCCEEDED"),
    ),
    (
        "completeOtherBranchesThenFail",
        {"failPipeline": False, "continuePipeline": False, "completeOtherBranchesThenFail": True},
        "sleep",
        ("STOPPED", "NOT_STARTED", "SUCCEEDED", "TERMINAL"),
    ),
]


@pytest.mark.parametrize(("label", "options", "other", "expected"), CASES, ids=[c[0] for c in CASES])
def test_failure_option(
    any_engine: Engine, label: str, options: dict[str, Any], other: str, expected: tuple[str, ...]
) -> None:
    eid = any_engine.run(
        [
            {"refId": "1", "type": "succeed"},
            {"refId": "pre", "type": "sleep", "seconds": 0.2, "requisiteStageRefIds": ["1"]},
            {"refId": "A", "type": "fail", "requisiteStageRefIds": ["pre"], **options},
            {"refId": "C", "type": "succeed", "requisiteStageRefIds": ["A"]},
            {"refId": "B", "type": other, "seconds": 0.6, "requisiteStageRefIds": ["1"]},
        ]
    )
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL", "CANCELED"})
    if other == "block":  # the other branch is being cancelled; wait for it to settle
        wait_status(any_engine.svc, eid, {ex["status"]})
        from tests.engine.teststages import wait_for

        wait_for(
            lambda: stage_by_ref(any_engine.svc.get_execution(eid) or {}, "B")["status"] != "RUNNING",
            what="B canceled",
        )
        ex = any_engine.svc.get_execution(eid) or {}
    got = (*tuple(stage_by_ref(ex, r)["status"] for r in ("A", "C", "B")), ex["status"])
    assert got == expected, label


def test_an_exception_in_a_task_fails_the_stage_with_orcas_exception_shape(any_engine: Engine) -> None:
    eid = any_engine.run([{"refId": "1", "type": "boom", "message": "kaboom: bad input"}])
    ex = wait_status(any_engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "TERMINAL"
    stage = stage_by_ref(ex, "1")
    assert stage["status"] == "TERMINAL"
    exc = stage["context"]["exception"]
    assert exc["details"]["errors"] == ["kaboom: bad input"]
    assert exc["details"]["error"] == "Unexpected Task Failure"
    assert exc["exceptionType"] == "RuntimeError"
    assert stage["tasks"][0]["status"] == "TERMINAL"


def test_an_exception_with_continue_pipeline_lets_downstream_run(engine: Engine) -> None:
    eid = engine.run(
        [
            {"refId": "1", "type": "boom", "continuePipeline": True, "failPipeline": False},
            {"refId": "2", "type": "succeed", "requisiteStageRefIds": ["1"]},
        ]
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert (ex["status"], stage_by_ref(ex, "1")["status"], stage_by_ref(ex, "2")["status"]) == (
        "SUCCEEDED",
        "FAILED_CONTINUE",
        "SUCCEEDED",
    )
