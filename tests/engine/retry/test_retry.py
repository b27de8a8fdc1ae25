"""Retryable tasks are re-run after their backoff instead of failing the stage."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_status


def test_retryable_task_succeeds_after_transient_failures(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "flaky", "failures": 2}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["status"] == "SUCCEEDED"
    assert stage_by_ref(ex, "1")["outputs"] == {"attempts": 3}


def test_a_non_retryable_exception_is_not_retried(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "boom"}])
    assert wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})["status"] == "TERMINAL"
