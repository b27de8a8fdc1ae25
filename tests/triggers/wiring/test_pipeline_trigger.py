"""Pipeline triggers end to end: when a parent pipeline ends with a listed status the child starts with the
parent execution and its artifacts (bound to the child's expected artifacts); other statuses start nothing
and say why; a completion that happened while no trigger runtime ran is caught up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gennaker.artifacts.service import ArtifactAccountService
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.triggers.runtime import TriggerRuntime
from tests.support.engine_peer import EnginePeer, make_engine_peer
from tests.triggers.wiring.conftest import RuntimeFactory

IMAGE = {
    "type": "docker/image",
    "name": "ghcr.io/acme/web",
    "version": "3.1",
    "reference": "ghcr.io/acme/web:3.1",
}


def emit_stage(_accounts: ArtifactAccountService) -> StageDefinition:
    def emit(task: TaskInput) -> TaskResult:
        if task.context.own.get("fail"):
            return TaskResult.terminal()
        return TaskResult.succeeded(outputs={"artifacts": [IMAGE]})

    return StageDefinition(type="emitImage", tasks=(TaskDefinition("emit", emit),))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EnginePeer]:
    peer = make_engine_peer(f"sqlite:///{tmp_path / 'gennaker.db'}", stages=[emit_stage])
    try:
        yield peer
    finally:
        peer.close()


def _parent(engine: EnginePeer) -> dict[str, Any]:
    return engine.save({"name": "build", "stages": [{"refId": "1", "type": "emitImage"}]})


def _child(
    engine: EnginePeer, parent_id: str, statuses: list[str], name: str = "promote", *, image: bool = True
) -> dict[str, Any]:
    return engine.save(
        {
            "name": name,
            "triggers": [
                {
                    "type": "pipeline",
                    "application": "app",
                    "pipeline": parent_id,
                    "status": statuses,
                    "expectedArtifactIds": ["image"] if image else [],
                }
            ],
            "expectedArtifacts": [
                {"id": "image", "matchArtifact": {"type": "docker/image", "name": "ghcr.io/acme/web"}}
            ],
            "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        }
    )


def _wait_for_executions(
    engine: EnginePeer, config_id: str, count: int, timeout: float = 30.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = engine.executions(config_id)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(
        f"expected {count} execution(s) of {config_id}, found {len(engine.executions(config_id))}"
    )


def test_a_parent_that_succeeds_starts_the_child_with_its_execution_and_artifacts(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    parent = _parent(engine)
    child = _child(engine, parent["id"], ["successful"])
    runtime.start()
    parent_id = engine.svc.start_pipeline_config(parent, principal="t")
    assert engine.wait(parent_id)["status"] == "SUCCEEDED"

    (execution,) = _wait_for_executions(engine, child["id"], 1)
    execution = engine.wait(execution["id"])
    trigger = execution["trigger"]
    assert trigger["type"] == "pipeline" and trigger["parentExecution"]["id"] == parent_id
    assert trigger["parentPipelineId"] == parent_id and trigger["parentStatus"] == "SUCCEEDED"
    assert IMAGE in trigger["artifacts"]
    (resolved,) = trigger["resolvedExpectedArtifacts"]
    assert resolved["boundArtifact"]["reference"] == "ghcr.io/acme/web:3.1"
    (event,) = runtime.triggers.list_events(type="pipeline")
    assert event["eventKey"] == f"pipeline:{parent_id}" and event["started"] == 1


def test_statuses_not_listed_start_nothing_and_are_logged(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    parent = engine.save({"name": "build", "stages": [{"refId": "1", "type": "emitImage", "fail": True}]})
    on_success = _child(engine, parent["id"], ["successful"], name="on-success", image=False)
    on_failure = _child(engine, parent["id"], ["failed"], name="on-failure", image=False)
    runtime.start()
    parent_id = engine.svc.start_pipeline_config(parent, principal="t")
    assert engine.wait(parent_id)["status"] == "TERMINAL"
    (execution,) = _wait_for_executions(engine, on_failure["id"], 1)
    assert execution["trigger"]["parentStatus"] == "TERMINAL"
    assert engine.executions(on_success["id"]) == []
    (event,) = runtime.triggers.list_events(type="pipeline")
    reasons = {o["pipeline"]: o.get("reason") for o in event["outcomes"]}
    assert reasons["on-success"] == "trigger 0: the parent ended failed, the trigger wants ['successful']"


def test_a_completion_missed_while_no_runtime_ran_is_caught_up_once(
    engine: EnginePeer, make_runtime: RuntimeFactory
) -> None:
    parent = _parent(engine)
    child = _child(engine, parent["id"], ["successful"])
    parent_id = engine.svc.start_pipeline_config(parent, principal="t")
    assert engine.wait(parent_id)["status"] == "SUCCEEDED"

    first = make_runtime()
    first.start()
    _wait_for_executions(engine, child["id"], 1)
    first.stop()
    second = make_runtime()
    second.run_once()
    second.run_once()
    assert len(engine.executions(child["id"])) == 1, "a completion already handled is not handled again"
    assert len(second.triggers.list_events(type="pipeline")) == 1
