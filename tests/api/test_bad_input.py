"""Every malformed request gets a 4xx whose message names what was wrong and where, and nothing stored
changes (checked through the API: configs, history, executions, audit log)."""

from __future__ import annotations

import httpx
import pytest

from tests.realserver import run_pipeline

APP = "badinput"
GOOD = {"application": APP, "name": "good", "stages": [{"refId": "1", "type": "wait", "waitTime": 0}]}


def stored(api: httpx.Client) -> tuple:
    configs = api.get(f"/applications/{APP}/pipelineConfigs").json()
    executions = api.get(f"/applications/{APP}/pipelines").json()
    audit = api.get("/audit", params={"application": APP}).json()
    return (
        sorted((c["name"], c.get("updateTs")) for c in configs),
        sorted(e["id"] for e in executions),
        len(audit),
    )


@pytest.fixture(autouse=True)
def baseline(api: httpx.Client) -> None:
    assert api.post("/pipelines", json=GOOD).status_code == 200


def rejected(api: httpx.Client, method: str, path: str, status: int, **kwargs: object) -> dict:
    before = stored(api)
    response = api.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and body["message"]
    assert stored(api) == before, "a rejected request changed stored data"
    return body


def test_malformed_json_names_the_position(api: httpx.Client) -> None:
    body = rejected(
        api,
        "POST",
        "/pipelines",
        400,
        content=b'{"application": "badinput",\n "name": "x" "stages": []}',
        headers={"Content-Type": "application/json"},
    )
    assert "malformed JSON" in body["message"]
    assert "line 2, column 14" in body["message"]


def test_body_that_is_not_an_object(api: httpx.Client) -> None:
    body = rejected(api, "POST", "/pipelines", 400, json=[1, 2])
    assert body["message"] == "the request body must be a JSON object"


def test_missing_name_is_named(api: httpx.Client) -> None:
    body = rejected(api, "POST", "/pipelines", 400, json={"application": APP, "stages": []})
    assert any(i["field"] == "name" for i in body["issues"]), body


def test_duplicate_ref_id_names_the_stage_and_field(api: httpx.Client) -> None:
    stages = [{"refId": "1", "type": "wait"}, {"refId": "1", "type": "wait", "name": "again"}]
    body = rejected(api, "POST", "/pipelines", 400, json={**GOOD, "stages": stages})
    issue = next(i for i in body["issues"] if "refId" in i["field"])
    assert issue["stage"] == "1"
    assert "duplicate" in issue["message"].lower()


def test_unknown_requisite_and_cycle(api: httpx.Client) -> None:
    stages = [{"refId": "1", "type": "wait", "requisiteStageRefIds": ["9"]}]
    body = rejected(api, "POST", "/pipelines", 400, json={**GOOD, "stages": stages})
    assert "requisiteStageRefIds" in body["message"]
    stages = [
        {"refId": "1", "type": "wait", "requisiteStageRefIds": ["2"]},
        {"refId": "2", "type": "wait", "requisiteStageRefIds": ["1"]},
    ]
    body = rejected(api, "POST", "/pipelines", 400, json={**GOOD, "stages": stages})
    assert "cycle" in body["message"].lower()


def test_unknown_stage_type_is_named(api: httpx.Client) -> None:
    stages = [{"refId": "1", "type": "deployWithMagic"}]
    body = rejected(api, "POST", "/pipelines", 400, json={**GOOD, "stages": stages})
    assert "deployWithMagic" in body["message"]
    assert body["issues"][0]["field"].endswith("type")


def test_unknown_execution_stage_and_pipeline_are_404(api: httpx.Client) -> None:
    for method, path in [
        ("GET", "/pipelines/01NOPE"),
        ("PUT", "/pipelines/01NOPE/cancel"),
        ("PUT", "/pipelines/01NOPE/pause"),
        ("GET", "/pipelines/01NOPE/events"),
        ("GET", "/pipelines/01NOPE/evaluateExpression?expression=x"),
        ("DELETE", f"/pipelines/{APP}/nosuch"),
        ("GET", f"/applications/{APP}/pipelineConfigs/nosuch"),
        ("GET", "/applications/nosuchapp"),
        ("GET", "/tasks/01NOPE"),
    ]:
        body = rejected(api, method, path, 404)
        assert "no " in body["message"], (path, body)
    body = rejected(api, "POST", f"/pipelines/{APP}/nosuch", 404, json={})
    assert "nosuch" in body["message"]


def test_missing_required_parameter_and_bad_option(api: httpx.Client) -> None:
    config = {
        **GOOD,
        "name": "params",
        "parameterConfig": [
            {
                "name": "env",
                "required": True,
                "hasOptions": True,
                "options": [{"value": "prod"}, {"value": "dev"}],
            }
        ],
    }
    assert api.post("/pipelines", json=config).status_code == 200
    body = rejected(api, "POST", f"/pipelines/{APP}/params", 400, json={"type": "manual", "parameters": {}})
    assert "'env' is required" in body["message"] and body["field"] == "parameters.env"
    body = rejected(api, "POST", f"/pipelines/{APP}/params", 400, json={"parameters": {"env": "qa"}})
    assert "not one of its options" in body["message"]
    assert api.post(f"/pipelines/{APP}/params", json={"parameters": {"env": "dev"}}).status_code == 202


def test_bad_expression_is_400_with_the_error(api: httpx.Client) -> None:
    eid = run_pipeline(api, GOOD["stages"], app=APP, name="expr")
    body = rejected(
        api, "GET", f"/pipelines/{eid}/evaluateExpression", 400, params={"expression": "${ 1 + }"}
    )
    assert body["field"] == "expression"
    assert body["detail"]
    body = rejected(
        api, "GET", f"/pipelines/{eid}/evaluateExpression", 400, params={"expression": "${nothing.here}"}
    )
    assert "nothing" in body["message"]
    ok = api.get(
        f"/pipelines/{eid}/evaluateExpression", params={"expression": "${execution.application}-${name}"}
    )
    assert ok.json()["result"] == f"{APP}-expr"
    rejected(api, "GET", f"/pipelines/{eid}/evaluateExpression", 400)  # missing query parameter


def test_bad_query_parameters_and_statuses(api: httpx.Client) -> None:
    body = rejected(api, "GET", f"/applications/{APP}/pipelines", 400, params={"limit": "many"})
    assert "'limit'" in body["message"]
    body = rejected(api, "GET", f"/applications/{APP}/pipelines", 400, params={"statuses": "RUNNING,DONE"})
    assert "'DONE'" in body["message"]


def test_bad_judgments_and_patches(api: httpx.Client) -> None:
    stages = [{"refId": "1", "type": "manualJudgment", "name": "Gate", "judgmentInputs": [{"value": "a"}]}]
    eid = run_pipeline(api, stages, app=APP, name="judge")
    from tests.realserver import wait_until

    sid = wait_until(
        lambda: next(
            (s["id"] for s in api.get(f"/pipelines/{eid}").json()["stages"] if s["status"] == "RUNNING"), None
        ),
        what="judgment running",
    )
    path = f"/pipelines/{eid}/stages/{sid}"
    assert "continue" in rejected(api, "PATCH", path, 400, json={"judgmentStatus": "maybe"})["message"]
    assert (
        "judgmentInputs"
        in rejected(api, "PATCH", path, 400, json={"judgmentStatus": "continue", "judgmentInput": "z"})[
            "message"
        ]
    )
    assert "manualSkip" in rejected(api, "PATCH", path, 400, json={"manualSkip": "yes"})["message"]
    assert rejected(api, "PATCH", f"/pipelines/{eid}/stages/nope", 404, json={"manualSkip": True})
    assert rejected(api, "PUT", f"/pipelines/{eid}/stages/{sid}/restart", 409)  # running: cannot restart
    assert rejected(api, "PUT", f"/pipelines/{eid}/resume", 409)  # not paused
    api.put(f"/pipelines/{eid}/cancel")


def test_bad_applications_and_tasks(api: httpx.Client) -> None:
    body = rejected(api, "POST", "/applications", 400, json={"name": "has space"})
    assert "name" in body["message"]
    body = rejected(api, "POST", "/tasks", 400, json={"application": "x", "job": []})
    assert body["field"] == "job"
    body = rejected(
        api,
        "POST",
        "/tasks",
        400,
        json={"job": [{"type": "createApplication", "application": {"name": "a b"}}]},
    )
    assert body["issues"][0]["field"] == "job[0].application.name"
    body = rejected(api, "POST", "/tasks", 400, json={"application": "x", "job": [{"type": "noSuchStage"}]})
    assert "noSuchStage" in body["message"]
    body = rejected(api, "PUT", "/applications/other", 400, json={"name": "different"})
    assert "does not match" in body["message"]


def test_principal_header_is_validated(api: httpx.Client) -> None:
    body = rejected(api, "POST", "/pipelines", 400, json=GOOD, headers={"X-Spinnaker-User": "bad\tname"})
    assert "X-Spinnaker-User" in body["message"]
