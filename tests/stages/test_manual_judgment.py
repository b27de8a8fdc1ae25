"""Manual judgment: continue/stop, who judged, #judgment downstream, failure options, restart clears
the judgment, roles (once a role resolver exists)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gennaker.stages.manual_judgment import set_role_resolver
from tests.engine.conftest import Engine
from tests.engine.teststages import DONE, stage_by_ref, wait_for, wait_status

JUDGE = {
    "refId": "1",
    "type": "manualJudgment",
    "name": "Approve",
    "instructions": "Ship it?",
    "judgmentInputs": [{"value": "blue"}, {"value": "green"}],
}
AFTER = {
    "refId": "2",
    "type": "evaluateVariables",
    "requisiteStageRefIds": ["1"],
    "variables": [{"key": "color", "value": "${#judgment('Approve')}"}],
}


def running_judgment(engine: Engine, ex_id: str) -> str:
    stage = wait_for(
        lambda: (
            (e := engine.svc.get_execution(ex_id))
            and stage_by_ref(e, "1")["status"] == "RUNNING"
            and stage_by_ref(e, "1")
        ),
        what="judgment stage running",
    )
    return str(stage["id"])


def test_continue_succeeds_records_the_judge_and_feeds_judgment(engine: Engine) -> None:
    eid = engine.run([JUDGE, AFTER])
    sid = running_judgment(engine, eid)
    engine.svc.patch_stage_context(
        eid, sid, {"judgmentStatus": "continue", "judgmentInput": "green"}, principal="alice"
    )
    ex = wait_status(engine.svc, eid, DONE)
    assert ex["status"] == "SUCCEEDED"
    judge = stage_by_ref(ex, "1")
    assert judge["context"]["lastModifiedBy"] == "alice"
    assert judge["context"]["judgedBy"] == "alice"
    assert judge["lastModified"]["user"] == "alice"
    assert stage_by_ref(ex, "2")["outputs"]["color"] == "green"


@pytest.mark.parametrize(
    ("options", "stage_status", "pipeline_status"),
    [
        ({}, "TERMINAL", "TERMINAL"),
        ({"failPipeline": False}, "STOPPED", "SUCCEEDED"),
        ({"continuePipeline": True}, "FAILED_CONTINUE", "SUCCEEDED"),
    ],
)
def test_stop_ends_the_stage_per_its_failure_options(
    engine: Engine, options: dict, stage_status: str, pipeline_status: str
) -> None:
    eid = engine.run([{**JUDGE, **options}])
    sid = running_judgment(engine, eid)
    engine.svc.patch_stage_context(eid, sid, {"judgmentStatus": "stop"}, principal="bob")
    ex = wait_status(engine.svc, eid, DONE)
    assert (stage_by_ref(ex, "1")["status"], ex["status"]) == (stage_status, pipeline_status)


def test_restart_clears_the_judgment(engine: Engine) -> None:
    eid = engine.run([JUDGE])
    sid = running_judgment(engine, eid)
    engine.svc.patch_stage_context(eid, sid, {"judgmentStatus": "stop"}, principal="bob")
    wait_status(engine.svc, eid, DONE)
    engine.svc.restart_stage(eid, sid, principal="carol")
    sid = running_judgment(engine, eid)
    ctx = stage_by_ref(engine.svc.get_execution(eid), "1")["context"]
    assert "judgmentStatus" not in ctx
    assert ctx["restartDetails"]["restartedBy"] == "carol"
    engine.svc.patch_stage_context(eid, sid, {"judgmentStatus": "continue"}, principal="bob")
    assert wait_status(engine.svc, eid, DONE)["status"] == "SUCCEEDED"


@pytest.fixture
def roles() -> Iterator[None]:
    set_role_resolver(lambda user: frozenset({"release"}) if user == "lead" else frozenset())
    yield
    set_role_resolver(None)


def test_judgment_without_a_required_role_is_ignored(engine: Engine, roles: None) -> None:
    eid = engine.run([{**JUDGE, "selectedStageRoles": ["release"], "propagateAuthenticationContext": True}])
    sid = running_judgment(engine, eid)
    engine.svc.patch_stage_context(eid, sid, {"judgmentStatus": "continue"}, principal="intern")
    stage = wait_for(
        lambda: (
            (c := stage_by_ref(engine.svc.get_execution(eid), "1"))
            and c["context"].get("ignoredJudgments")
            and c
        ),
        what="ignored judgment recorded",
    )
    assert stage["status"] == "RUNNING"
    assert stage["context"]["ignoredJudgments"][0]["user"] == "intern"
    engine.svc.patch_stage_context(eid, sid, {"judgmentStatus": "continue"}, principal="lead")
    ex = wait_status(engine.svc, eid, DONE)
    assert ex["status"] == "SUCCEEDED"
    assert stage_by_ref(ex, "1")["outputs"]["authentication"]["user"] == "lead"
