"""The facade: launch parameters, validation, Orca JSON, listing, events, audit."""

from __future__ import annotations

import threading

import pytest

from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.engine.events import EngineEvent
from gennaker.model import ConfigValidationError
from tests.engine.conftest import Engine
from tests.engine.teststages import wait_status

PARAMS = [
    {"name": "env", "required": True, "hasOptions": True, "options": [{"value": "dev"}, {"value": "prod"}]},
    {"name": "replicas", "default": "2"},
]


def test_manual_trigger_parameters_defaults_required_options(engine: Engine) -> None:
    svc = engine.svc
    svc.save_pipeline(
        {"application": "app", "name": "p", "parameterConfig": PARAMS, "stages": []}, principal="t"
    )
    with pytest.raises(InvalidRequestError) as missing:
        svc.start_pipeline("app", "p", trigger={"parameters": {}}, principal="t")
    assert missing.value.field == "parameters.env"
    with pytest.raises(InvalidRequestError) as bad:
        svc.start_pipeline("app", "p", trigger={"parameters": {"env": "qa"}}, principal="t")
    assert "not one of its options" in bad.value.message
    eid = svc.start_pipeline(
        "app", "p", trigger={"parameters": {"env": "prod", "extra": "kept"}}, principal="hank"
    )
    ex = svc.get_execution(eid) or {}
    assert ex["trigger"]["parameters"] == {"env": "prod", "replicas": "2", "extra": "kept"}
    assert ex["trigger"]["type"] == "manual" and ex["trigger"]["user"] == "hank"
    assert ex["authentication"]["user"] == "hank"


def test_save_rejects_unknown_stage_types_and_stores_nothing(engine: Engine) -> None:
    with pytest.raises(ConfigValidationError) as e:
        engine.svc.save_pipeline(
            {"application": "app", "name": "bad", "stages": [{"refId": "1", "type": "nope"}]}, principal="t"
        )
    assert [(i.stage, i.field) for i in e.value.issues] == [("1", "stages[0].type")]
    assert engine.svc.find_pipeline("app", "bad") is None


def test_execution_json_has_orcas_shape(engine: Engine) -> None:
    eid = engine.run([{"refId": "1", "type": "wait", "waitTime": 0, "name": "Pause a bit"}])
    ex = wait_status(engine.svc, eid, {"SUCCEEDED"})
    for key in (
        "type",
        "id",
        "application",
        "name",
        "buildTime",
        "startTime",
        "endTime",
        "status",
        "canceled",
        "limitConcurrent",
        "keepWaitingPipelines",
        "trigger",
        "stages",
        "authentication",
        "pipelineConfigId",
        "origin",
        "spelEvaluator",
        "paused",
    ):
        assert key in ex, key
    assert ex["type"] == "PIPELINE"
    stage = ex["stages"][0]
    assert {
        "id",
        "refId",
        "type",
        "name",
        "status",
        "context",
        "outputs",
        "tasks",
        "requisiteStageRefIds",
        "syntheticStageOwner",
        "parentStageId",
        "startTime",
        "endTime",
    } <= set(stage)
    assert stage["name"] == "Pause a bit" and stage["context"]["waitTime"] == 0
    task = stage["tasks"][0]
    assert task["id"] == "1" and task["stageStart"] and task["stageEnd"] and task["implementingClass"]


def test_list_executions_filters(engine: Engine) -> None:
    ok = engine.run([{"refId": "1", "type": "succeed"}], name="ok")
    bad = engine.run([{"refId": "1", "type": "fail"}], name="bad")
    wait_status(engine.svc, ok, {"SUCCEEDED"})
    wait_status(engine.svc, bad, {"TERMINAL"})
    assert [e["id"] for e in engine.svc.list_executions(application="app", statuses=["terminal"])] == [bad]
    config_id = (engine.svc.find_pipeline("app", "ok") or {})["id"]
    assert [e["id"] for e in engine.svc.list_executions(pipeline_config_ids=[config_id])] == [ok]


def test_events_are_published_for_transitions(engine: Engine) -> None:
    got: list[EngineEvent] = []
    done = threading.Event()

    def on_event(e: EngineEvent) -> None:
        got.append(e)
        if e.type == "execution" and e.status == "SUCCEEDED":
            done.set()

    sub = engine.svc.subscribe(on_event)
    eid = engine.run([{"refId": "1", "type": "succeed"}])
    assert done.wait(15)
    sub.close()
    mine = [(e.type, e.status) for e in got if e.execution_id == eid]
    assert mine[0] == ("execution", "RUNNING")
    assert ("stage", "RUNNING") in mine and ("task", "RUNNING") in mine and ("task", "SUCCEEDED") in mine
    assert mine[-1] == ("execution", "SUCCEEDED")


def test_operations_on_unknown_ids(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        engine.svc.cancel_execution("nope", principal="t")
    with pytest.raises(NotFoundError):
        engine.svc.start_pipeline("app", "missing", principal="t")
    assert engine.svc.get_execution("nope") is None


def test_orchestration_runs_stages_in_order(engine: Engine) -> None:
    eid = engine.svc.start_orchestration(
        "app", [{"type": "succeed"}, {"type": "wait", "waitTime": 0}], name="adhoc", principal="t"
    )
    ex = wait_status(engine.svc, eid, {"SUCCEEDED", "TERMINAL"})
    assert ex["type"] == "ORCHESTRATION" and ex["status"] == "SUCCEEDED"
    assert ex["stages"][1]["requisiteStageRefIds"] == ["1"]


def test_disabled_pipeline_cannot_start(engine: Engine) -> None:
    engine.svc.save_pipeline(
        {"application": "app", "name": "off", "disabled": True, "stages": []}, principal="t"
    )
    with pytest.raises(InvalidRequestError):
        engine.svc.start_pipeline("app", "off", principal="t")


def test_audit_log_records_principals(engine: Engine) -> None:
    saved = engine.svc.save_pipeline({"application": "app", "name": "aud", "stages": []}, principal="ivy")
    eid = engine.svc.start_pipeline("app", "aud", principal="jack")
    wait_status(engine.svc, eid, {"TERMINAL", "SUCCEEDED"})
    engine.svc.delete_pipeline("app", "aud", principal="kim")
    actions = [(e.action, e.principal) for e in engine.svc.audit_log(application="app")]
    assert (
        ("pipeline.save", "ivy") in actions
        and ("execution.start", "jack") in actions
        and ("pipeline.delete", "kim") in actions
    )
    history = engine.svc.pipeline_history(saved["id"])
    assert [v.action for v in history] == ["delete", "save"]
