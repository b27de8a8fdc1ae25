"""Webhook triggers end to end through the real engine: source, payloadConstraints, parameters and artifacts
from the payload, a shared secret (401 and nothing started), malformed bodies (400), the event log, and a
redelivered event that starts nothing twice."""

from __future__ import annotations

import json
from typing import Any

from gennaker.triggers.runtime import TriggerRuntime
from tests.support.engine_peer import EnginePeer


def _pipeline(name: str, trigger: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "triggers": [{"type": "webhook", "enabled": True, **trigger}],
        "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        **extra,
    }


def _post(runtime: TriggerRuntime, source: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return runtime.triggers.handle_webhook(source, {"Content-Type": "application/json", **headers}, raw)


def test_payload_constraints_and_parameters(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    prod = engine.save(
        _pipeline(
            "deploy-prod",
            {"source": "shop-ci", "payloadConstraints": {"env": "^prod$", "$.build.branch": "^main$"}},
            parameterConfig=[{"name": "version", "required": True}, {"name": "region", "default": "eu"}],
        )
    )
    engine.save(
        _pipeline("deploy-staging", {"source": "shop-ci", "payloadConstraints": {"env": "^staging$"}})
    )
    engine.save(_pipeline("other-source", {"source": "billing-ci"}))

    answer = _post(
        runtime,
        "shop-ci",
        {"env": "prod", "build": {"branch": "main", "number": 42}, "parameters": {"version": "1.4.2"}},
    )

    assert answer.status == 200 and answer.body["eventProcessed"] is True
    (execution_id,) = answer.body["executionIds"]
    execution = engine.wait(execution_id)
    assert execution["pipelineConfigId"] == prod["id"] and execution["status"] == "SUCCEEDED"
    trigger = execution["trigger"]
    assert trigger["type"] == "webhook" and trigger["source"] == "shop-ci"
    assert trigger["parameters"] == {"version": "1.4.2", "region": "eu"}
    assert trigger["payload"]["build"]["number"] == 42
    assert trigger["user"] == "[anonymous]" and trigger["eventId"] == answer.body["eventId"]
    event = runtime.triggers.get_event(answer.body["logId"])
    assert event is not None and event["status"] == "processed" and event["started"] == 1
    by_pipeline = {o["pipeline"]: o for o in event["outcomes"]}
    assert set(by_pipeline) == {"deploy-prod", "deploy-staging"}, "other sources are not candidates"
    assert by_pipeline["deploy-prod"]["result"] == "started"
    assert by_pipeline["deploy-prod"]["executionId"] == execution_id
    skipped = by_pipeline["deploy-staging"]
    assert skipped["result"] == "skipped"
    assert "payload constraints not satisfied" in skipped["reason"] and "'env'" in skipped["reason"]


def test_artifacts_from_the_payload_bind_to_expected_artifacts(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    engine.save(
        _pipeline(
            "deploy",
            {"source": "registry", "expectedArtifactIds": ["image"]},
            expectedArtifacts=[
                {"id": "image", "matchArtifact": {"type": "docker/image", "name": "ghcr.io/acme/web"}}
            ],
        )
    )
    image = {
        "type": "docker/image",
        "name": "ghcr.io/acme/web",
        "version": "2.0",
        "reference": "ghcr.io/acme/web:2.0",
    }
    other = {"type": "docker/image", "name": "ghcr.io/acme/api", "reference": "ghcr.io/acme/api:1"}

    missed = _post(runtime, "registry", {"artifacts": [other]})
    assert missed.status == 200 and missed.body["executionIds"] == []
    event = runtime.triggers.get_event(missed.body["logId"])
    assert event is not None
    assert "artifact constraints not satisfied" in event["outcomes"][0]["reason"]

    hit = _post(runtime, "registry", {"artifacts": [image, other]})
    (execution_id,) = hit.body["executionIds"]
    execution = engine.wait(execution_id)
    (resolved,) = execution["trigger"]["resolvedExpectedArtifacts"]
    assert resolved["boundArtifact"]["reference"] == "ghcr.io/acme/web:2.0"


def test_shared_secret_refused_answers_401_and_starts_nothing(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    config = engine.save(_pipeline("guarded", {"source": "ci", "secret": "s3cr3t"}))

    for headers in ({}, {"X-Webhook-Secret": "wrong"}):
        answer = _post(runtime, "ci", {"x": 1}, **headers)
        assert answer.status == 401 and answer.body["eventProcessed"] is False
        assert "guarded" not in json.dumps(answer.body)
    assert engine.executions(config["id"]) == []

    ok = _post(runtime, "ci", {"x": 1}, **{"X-Webhook-Secret": "s3cr3t"})
    assert ok.status == 200 and len(ok.body["executionIds"]) == 1
    execution = engine.wait(ok.body["executionIds"][0])
    assert "secret" not in execution["trigger"], "the trigger's secret is never copied into the execution"
    assert "s3cr3t" not in json.dumps(runtime.triggers.list_events())


def test_malformed_bodies_answer_400_and_start_nothing(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    config = engine.save(_pipeline("any", {"source": "ci"}))
    cases = {
        b"{not json": "not JSON",
        b"[1, 2]": "must be a JSON object",
        b'{"parameters": [1]}': "'parameters' in the webhook body must be an object",
        b'{"artifacts": {"type": "x"}}': "'artifacts' in the webhook body must be a list",
        b'{"artifacts": [1]}': "artifacts[0] in the webhook body must be an object",
    }
    for body, message in cases.items():
        answer = _post(runtime, "ci", body)
        assert answer.status == 400, body
        assert message in answer.body["error"]
    assert engine.executions(config["id"]) == []
    rejected = runtime.triggers.list_events(type="webhook")
    assert len(rejected) == len(cases) and {e["status"] for e in rejected} == {"rejected"}


def test_a_redelivered_event_starts_nothing_twice(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    config = engine.save(_pipeline("once", {"source": "ci"}))
    first = _post(runtime, "ci", {"n": 1}, **{"Idempotency-Key": "delivery-7"})
    second = _post(runtime, "ci", {"n": 1}, **{"Idempotency-Key": "delivery-7"})
    assert len(first.body["executionIds"]) == 1 and second.body["executionIds"] == []
    assert len(engine.executions(config["id"])) == 1
    event = runtime.triggers.get_event(second.body["logId"])
    assert event is not None
    (outcome,) = event["outcomes"]
    assert outcome["result"] == "duplicate" and outcome["executionId"] == first.body["executionIds"][0]


def test_disabled_pipelines_and_triggers_say_so(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    engine.save(_pipeline("off", {"source": "ci"}, disabled=True))
    engine.save(
        {
            **_pipeline("trigger-off", {"source": "ci"}),
            "triggers": [{"type": "webhook", "source": "ci", "enabled": False}],
        }
    )
    answer = _post(runtime, "ci", {})
    assert answer.status == 200 and answer.body["executionIds"] == []
    event = runtime.triggers.get_event(answer.body["logId"])
    assert event is not None
    reasons = {o["pipeline"]: o["reason"] for o in event["outcomes"]}
    assert reasons == {"off": "the pipeline is disabled", "trigger-off": "trigger 0 is disabled"}


def test_a_launch_the_engine_refuses_is_recorded_with_the_engines_message(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    engine.save(
        _pipeline("needs-version", {"source": "ci"}, parameterConfig=[{"name": "version", "required": True}])
    )
    answer = _post(runtime, "ci", {"parameters": {}})
    event = runtime.triggers.get_event(answer.body["logId"])
    assert event is not None
    (outcome,) = event["outcomes"]
    assert outcome["result"] == "failed" and outcome["reason"] == "parameter 'version' is required"


def test_the_log_keeps_a_redacted_payload(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    engine.save(_pipeline("p", {"source": "ci"}))
    answer = _post(
        runtime, "ci", {"token": "abc", "nested": {"password": "pw", "ok": 1}}, Authorization="Bearer x"
    )
    event = runtime.triggers.get_event(answer.body["logId"])
    assert event is not None
    assert event["payload"]["body"] == {"token": "**********", "nested": {"password": "**********", "ok": 1}}
    assert "authorization" not in event["payload"]["headers"]
