"""Webhooks and the trigger event log through a real ``gennaker server`` with its trigger runtime.

Given a pipeline with a webhook trigger and a shared secret: a bad secret is 401 and starts nothing, a
malformed body is 400, the right secret starts the pipeline (parameters from the body) and the event is in
``/triggers/events``. Given a pipeline with a GitHub push trigger: a bad ``X-Hub-Signature-256`` is 401, a
good one starts it. ``/triggers/status`` shows the runtime."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gennaker.triggers.webhooks.signatures import hmac_sha256_hex
from tests.realserver import RealServer, wait_execution

PAYLOADS = Path(__file__).resolve().parents[1] / "triggers" / "webhooks" / "payloads"
SECRET = "hook-s3cret"


@pytest.fixture(scope="module")
def server(providers_server: RealServer) -> RealServer:
    return providers_server


@pytest.fixture
def api(server: RealServer) -> Iterator[httpx.Client]:
    with server.client("hooks") as c:
        yield c


def _save(api: httpx.Client, name: str, trigger: dict[str, Any]) -> dict[str, Any]:
    saved = api.post(
        "/pipelines",
        json={
            "application": "hooks",
            "name": name,
            "parameterConfig": [{"name": "version", "default": "none"}],
            "triggers": [{"enabled": True, **trigger}],
            "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        },
    )
    assert saved.status_code == 200, saved.text
    result: dict[str, Any] = saved.json()
    return result


def _executions(api: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.get("/applications/hooks/pipelines", params={"expand": False}).json()
    return found


def test_a_webhook_with_a_shared_secret(server: RealServer, api: httpx.Client) -> None:
    _save(api, "on-ci", {"type": "webhook", "source": "shop-ci", "secret": SECRET})
    body = json.dumps({"parameters": {"version": "1.4.2"}, "build": 17}).encode()

    refused = api.post("/webhooks/webhook/shop-ci", content=body, headers={"X-Webhook-Secret": "wrong"})
    missing = api.post("/webhooks/webhook/shop-ci", content=body)
    malformed = api.post(
        "/webhooks/webhook/shop-ci", content=b'{"parameters": [', headers={"X-Webhook-Secret": SECRET}
    )

    assert refused.status_code == 401 and refused.json()["eventProcessed"] is False
    assert SECRET not in refused.text and "on-ci" not in refused.text
    assert missing.status_code == 401
    assert malformed.status_code == 400 and malformed.json()["eventProcessed"] is False
    assert _executions(api) == []

    accepted = api.post(
        "/webhooks/webhook/shop-ci",
        content=body,
        headers={"X-Webhook-Secret": SECRET, "Content-Type": "application/json", "X-Event-Id": "build-17"},
    )

    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    (execution_id,) = answer["executionIds"]
    execution = wait_execution(api, execution_id)
    assert execution["status"] == "SUCCEEDED"
    assert execution["trigger"]["type"] == "webhook"
    assert execution["trigger"]["parameters"]["version"] == "1.4.2"
    assert [e["id"] for e in _executions(api)] == [execution_id]
    # the same delivery again starts nothing new
    again = api.post(
        "/webhooks/webhook/shop-ci",
        content=body,
        headers={"X-Webhook-Secret": SECRET, "X-Event-Id": "build-17"},
    )
    assert again.status_code == 200 and again.json()["executionIds"] == []
    assert len(_executions(api)) == 1

    events = api.get("/triggers/events", params={"type": "webhook", "source": "shop-ci"}).json()
    statuses = [e["status"] for e in events]
    assert "rejected" in statuses and len(events) >= 4
    event = api.get(f"/triggers/events/{answer['logId']}").json()
    assert event["source"] == "shop-ci"
    assert execution_id in json.dumps(event)
    assert SECRET not in json.dumps(events) and SECRET not in json.dumps(event)
    assert api.get("/triggers/events/999999").status_code == 404
    assert len(api.get("/triggers/events", params={"limit": 1}).json()) == 1
    assert api.get("/triggers/events", params={"limit": 0}).status_code == 400


def test_a_github_push_with_a_bad_signature_is_401_and_a_good_one_starts_the_pipeline(
    server: RealServer, api: httpx.Client
) -> None:
    _save(
        api,
        "on-push",
        {"type": "git", "source": "github", "project": "Codertocat", "slug": "Hello-World", "secret": SECRET},
    )
    body = (PAYLOADS / "github_push.json").read_bytes()
    headers = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "delivery-1",
        "Content-Type": "application/json",
    }
    before = len(_executions(api))

    forged = api.post(
        "/webhooks/git/github",
        content=body,
        headers={**headers, "X-Hub-Signature-256": "sha256=" + hmac_sha256_hex("not-the-secret", body)},
    )

    assert forged.status_code == 401
    assert len(_executions(api)) == before

    signed = api.post(
        "/webhooks/git/github",
        content=body,
        headers={
            **headers,
            "X-GitHub-Delivery": "delivery-2",
            "X-Hub-Signature-256": "sha256=" + hmac_sha256_hex(SECRET, body),
        },
    )

    assert signed.status_code == 200, signed.text
    (execution_id,) = signed.json()["executionIds"]
    assert wait_execution(api, execution_id)["trigger"]["branch"] == "main"
    assert api.post("/webhooks/git/svn", content=body).status_code == 400
    not_push = api.post("/webhooks/git/github", content=b"not json", headers=headers)
    assert not_push.status_code == 400


def test_trigger_status(api: httpx.Client) -> None:
    status = api.get("/triggers/status")
    assert status.status_code == 200
    body = status.json()
    assert set(body) >= {"owner", "leader", "isLeader", "pollers", "problems", "cronNextFire"}
