"""Through a real server: manual judgment continue/stop with #judgment downstream, the webhook stage
against a real local HTTP server (polling, retries, fail-fast, cancel endpoint), the pipeline stage
(parent/child, cancel propagation), checkPreconditions, and the SSE stream of transitions."""

from __future__ import annotations

import json

import httpx

from tests.localhttp import LocalHTTPServer, Reply
from tests.realserver import RealServer, run_pipeline, stage, wait_execution, wait_until


def running_stage(api: httpx.Client, eid: str, ref: str) -> str:
    return str(
        wait_until(
            lambda: (s := stage(api.get(f"/pipelines/{eid}").json(), ref))["status"] == "RUNNING" and s["id"],
            what=f"stage {ref} running",
        )
    )


def test_manual_judgment_continue_feeds_judgment_downstream(api: httpx.Client) -> None:
    stages = [
        {
            "refId": "1",
            "type": "manualJudgment",
            "name": "Approve",
            "judgmentInputs": [{"value": "blue"}, {"value": "green"}],
        },
        {
            "refId": "2",
            "type": "evaluateVariables",
            "requisiteStageRefIds": ["1"],
            "variables": [{"key": "color", "value": "${#judgment('Approve')}"}],
        },
    ]
    eid = run_pipeline(api, stages, app="judging", name="continue")
    sid = running_stage(api, eid, "1")
    r = api.patch(
        f"/pipelines/{eid}/stages/{sid}", json={"judgmentStatus": "Continue", "judgmentInput": "green"}
    )
    assert r.status_code == 200, r.text
    ex = wait_execution(api, eid)
    assert ex["status"] == "SUCCEEDED"
    assert stage(ex, "2")["outputs"]["color"] == "green"
    assert stage(ex, "1")["context"]["lastModifiedBy"] == "e2e-tester"


def test_manual_judgment_stop_fails_the_pipeline(api: httpx.Client) -> None:
    eid = run_pipeline(
        api, [{"refId": "1", "type": "manualJudgment", "name": "Approve"}], app="judging", name="stop"
    )
    sid = running_stage(api, eid, "1")
    api.patch(f"/pipelines/{eid}/stages/{sid}", json={"judgmentStatus": "stop"})
    ex = wait_execution(api, eid)
    assert (ex["status"], stage(ex, "1")["status"]) == ("TERMINAL", "TERMINAL")


def test_webhook_polling_retries_and_fail_fast(api: httpx.Client, http: LocalHTTPServer) -> None:
    http.sequence("POST", "/jobs", [Reply(503), Reply(202, {}, {"Location": "/jobs/1"})])
    http.sequence(
        "GET", "/jobs/1", [Reply(500), Reply(200, {"state": "RUNNING"}), Reply(200, {"state": "SUCCESS"})]
    )
    http.route("POST", "/ff", Reply(502))
    stages = [
        {
            "refId": "1",
            "type": "webhook",
            "url": http.url("/jobs"),
            "payload": {"a": 1},
            "waitForCompletion": True,
            "statusUrlResolution": "locationHeader",
            "statusJsonPath": "state",
            "successStatuses": "SUCCESS",
        },
        {
            "refId": "2",
            "type": "webhook",
            "url": http.url("/ff"),
            "failFastStatusCodes": [502],
            "requisiteStageRefIds": ["1"],
        },
    ]
    ex = wait_execution(api, run_pipeline(api, stages, app="hooks", name="poll"))
    assert stage(ex, "1")["status"] == "SUCCEEDED"
    assert len(http.hits("POST", "/jobs")) == 2 and len(http.hits("GET", "/jobs/1")) == 3
    assert stage(ex, "1")["context"]["webhook"]["monitor"]["body"] == {"state": "SUCCESS"}
    assert (stage(ex, "2")["status"], ex["status"]) == ("TERMINAL", "TERMINAL")
    assert len(http.hits("POST", "/ff")) == 1


def test_cancel_calls_the_webhook_cancel_endpoint(api: httpx.Client, http: LocalHTTPServer) -> None:
    http.route("POST", "/run", Reply(202, {}, {"Location": "/run/1"}))
    http.route("GET", "/run/1", Reply(200, {"state": "RUNNING"}))
    http.route("POST", "/run/1/cancel", Reply(200))
    stages = [
        {
            "refId": "1",
            "type": "webhook",
            "url": http.url("/run"),
            "waitForCompletion": True,
            "statusUrlResolution": "locationHeader",
            "statusJsonPath": "state",
            "successStatuses": "DONE",
            "cancelEndpoint": http.url("/run/1/cancel"),
            "cancelPayload": {"why": "user"},
        }
    ]
    eid = run_pipeline(api, stages, app="hooks", name="cancel")
    wait_until(lambda: len(http.hits("GET", "/run/1")) >= 2, what="polling")
    assert api.put(f"/pipelines/{eid}/cancel").status_code == 200
    wait_until(lambda: http.hits("POST", "/run/1/cancel"), what="cancel endpoint called")
    assert http.hits("POST", "/run/1/cancel")[0].body == {"why": "user"}
    assert wait_execution(api, eid)["status"] == "CANCELED"


def test_pipeline_stage_parent_child_and_cancel_propagation(api: httpx.Client) -> None:
    child = api.post(
        "/pipelines",
        json={
            "application": "family",
            "name": "child",
            "parameterConfig": [{"name": "secs", "default": "0"}],
            "stages": [{"refId": "1", "type": "wait", "waitTime": "${parameters.secs}"}],
        },
    ).json()
    parent = [
        {
            "refId": "1",
            "type": "pipeline",
            "application": "family",
            "pipeline": child["id"],
            "pipelineParameters": {"secs": "0"},
        }
    ]
    ex = wait_execution(api, run_pipeline(api, parent, app="family", name="parent-ok"))
    assert ex["status"] == "SUCCEEDED"
    kid = api.get(f"/pipelines/{stage(ex, '1')['context']['executionId']}").json()
    assert kid["status"] == "SUCCEEDED" and kid["trigger"]["parentExecution"]["id"] == ex["id"]
    # cancelling the parent cancels the running child
    parent[0]["pipelineParameters"] = {"secs": "300"}
    eid = run_pipeline(api, parent, app="family", name="parent-cancel")
    kid_id = wait_until(
        lambda: stage(api.get(f"/pipelines/{eid}").json(), "1")["context"].get("executionId"), what="child"
    )
    wait_execution(api, kid_id, {"RUNNING"})
    api.put(f"/pipelines/{eid}/cancel")
    assert wait_execution(api, eid)["status"] == "CANCELED"
    assert wait_execution(api, kid_id)["status"] == "CANCELED"


def test_check_preconditions_through_the_api(api: httpx.Client) -> None:
    stages = [
        {
            "refId": "1",
            "type": "checkPreconditions",
            "preconditions": [
                {"type": "expression", "context": {"expression": "trigger.parameters.go == 'yes'"}}
            ],
        }
    ]
    ok = run_pipeline(api, stages, app="pre", name="p", trigger={"parameters": {"go": "yes"}})
    no = api.post("/pipelines/pre/p", json={"parameters": {"go": "no"}}).json()["ref"].rsplit("/", 1)[-1]
    assert wait_execution(api, ok)["status"] == "SUCCEEDED"
    assert wait_execution(api, no)["status"] == "TERMINAL"


def test_sse_stream_delivers_stage_transitions(server: RealServer, api: httpx.Client) -> None:
    stages = [
        {"refId": "1", "type": "manualJudgment", "name": "Hold"},
        {"refId": "2", "type": "wait", "name": "Soak", "waitTime": 0.3, "requisiteStageRefIds": ["1"]},
    ]
    eid = run_pipeline(api, stages, app="sse", name="stream")
    sid = running_stage(api, eid, "1")
    events: list[tuple[str, dict]] = []
    with httpx.stream("GET", f"{server.url}/pipelines/{eid}/events", timeout=httpx.Timeout(30)) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                events.append((kind, json.loads(line[5:])))
                if kind == "snapshot":
                    api.patch(f"/pipelines/{eid}/stages/{sid}", json={"judgmentStatus": "continue"})
    kinds = [k for k, _ in events]
    assert kinds[0] == "snapshot" and kinds[-1] == "end"
    assert events[-1][1]["status"] == "SUCCEEDED"
    transitions = [(d.get("refId"), d["status"]) for k, d in events if k == "stage"]
    assert ("1", "SUCCEEDED") in transitions
    assert transitions.index(("2", "RUNNING")) < transitions.index(("2", "SUCCEEDED"))
    assert ("execution", "SUCCEEDED") in [(k, d["status"]) for k, d in events]


def test_skip_remaining_wait_and_manual_skip_through_patch(api: httpx.Client) -> None:
    stages = [
        {"refId": "1", "type": "wait", "name": "Long soak", "waitTime": 300},
        {"refId": "2", "type": "wait", "name": "Another", "waitTime": 300, "requisiteStageRefIds": ["1"]},
    ]
    eid = run_pipeline(api, stages, app="patching", name="waits")
    sid = running_stage(api, eid, "1")
    assert api.patch(f"/pipelines/{eid}/stages/{sid}", json={"skipRemainingWait": True}).status_code == 200
    sid2 = running_stage(api, eid, "2")
    assert api.patch(f"/pipelines/{eid}/stages/{sid2}", json={"manualSkip": True}).status_code == 200
    ex = wait_execution(api, eid, timeout_s=30)
    assert ex["status"] == "SUCCEEDED"
    assert [stage(ex, "1")["status"], stage(ex, "2")["status"]] == ["SUCCEEDED", "SKIPPED"]
    assert stage(ex, "2")["lastModified"]["user"] == "e2e-tester"
