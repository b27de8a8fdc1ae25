"""Git push triggers end to end through the real engine, with recorded GitHub, GitLab and Bitbucket payloads:
a valid signature starts the pipeline with the push's hash, branch and artifacts; an invalid or missing one
answers 401 and starts nothing; branch patterns; pings; malformed bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gennaker.triggers.runtime import TriggerRuntime
from gennaker.triggers.webhooks.signatures import hmac_sha256_hex
from tests.support.engine_peer import EnginePeer

PAYLOADS = Path(__file__).resolve().parents[1] / "webhooks" / "payloads"
SECRET = "push-secret"


def _body(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def _pipeline(name: str, **trigger: Any) -> dict[str, Any]:
    return {
        "name": name,
        "triggers": [{"type": "git", "enabled": True, **trigger}],
        "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        "expectedArtifacts": [
            {"id": "manifest", "matchArtifact": {"type": "github/file", "name": "deploy/web.yaml"}}
        ],
    }


def _github_headers(body: bytes, secret: str | None = SECRET, delivery: str = "d-1") -> dict[str, str]:
    headers = {"X-GitHub-Event": "push", "X-GitHub-Delivery": delivery, "Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac_sha256_hex(secret, body)
    return headers


def test_a_signed_github_push_starts_the_pipeline_with_hash_branch_and_artifacts(
    engine: EnginePeer, runtime: TriggerRuntime
) -> None:
    config = engine.save(
        {
            **_pipeline(
                "on-main",
                source="github",
                project="Codertocat",
                slug="Hello-World",
                branch="ma.*",
                secret=SECRET,
            ),
            "triggers": [
                {
                    "type": "git",
                    "source": "github",
                    "project": "Codertocat",
                    "slug": "Hello-World",
                    "branch": "ma.*",
                    "secret": SECRET,
                    "expectedArtifactIds": ["manifest"],
                }
            ],
        }
    )
    engine.save(
        _pipeline(
            "on-release",
            source="github",
            project="Codertocat",
            slug="Hello-World",
            branch="release/.*",
            secret=SECRET,
        )
    )
    body = _body("github_push.json")

    answer = runtime.triggers.handle_git_push("github", _github_headers(body), body)

    assert answer.status == 200
    (execution_id,) = answer.body["executionIds"]
    execution = engine.wait(execution_id)
    assert execution["pipelineConfigId"] == config["id"]
    trigger = execution["trigger"]
    assert trigger["hash"] == "7ea8c5d7b9d4e6f0a1b2c3d4e5f60718293a4b5c" and trigger["branch"] == "main"
    assert (
        trigger["project"] == "Codertocat"
        and trigger["slug"] == "Hello-World"
        and trigger["source"] == "github"
    )
    assert "secret" not in trigger
    (resolved,) = trigger["resolvedExpectedArtifacts"]
    assert resolved["boundArtifact"]["version"] == trigger["hash"]
    assert {a["type"] for a in trigger["artifacts"]} == {"github/file", "git/repo"}
    event = runtime.triggers.get_event(answer.body["logId"])
    assert event is not None
    reasons = {o["pipeline"]: o.get("reason") for o in event["outcomes"]}
    assert reasons["on-release"] == "trigger 0: branch 'main' does not match 'release/.*'"


@pytest.mark.parametrize(
    ("signature_secret", "reason"),
    [
        ("wrong-secret", "X-Hub-Signature-256 does not match"),
        (None, "has no X-Hub-Signature-256 header"),
    ],
)
def test_a_bad_or_missing_signature_answers_401_and_starts_nothing(
    engine: EnginePeer, runtime: TriggerRuntime, signature_secret: str | None, reason: str
) -> None:
    config = engine.save(
        _pipeline("guarded", source="github", project="Codertocat", slug="Hello-World", secret=SECRET)
    )
    body = _body("github_push.json")
    answer = runtime.triggers.handle_git_push("github", _github_headers(body, signature_secret), body)
    assert answer.status == 401 and answer.body["eventProcessed"] is False
    assert engine.executions(config["id"]) == []
    event = runtime.triggers.get_event(answer.log_id or 0)
    assert event is not None
    (outcome,) = event["outcomes"]
    assert outcome["unauthorized"] is True and reason in outcome["reason"]


def test_a_body_changed_after_signing_is_refused(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    config = engine.save(
        _pipeline("guarded", source="github", project="Codertocat", slug="Hello-World", secret=SECRET)
    )
    body = _body("github_push.json")
    headers = _github_headers(body)
    tampered = body.replace(b"refs/heads/main", b"refs/heads/mainx")
    assert runtime.triggers.handle_git_push("github", headers, tampered).status == 401
    assert engine.executions(config["id"]) == []


def test_gitlab_token_and_bitbucket_signature(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    gitlab = engine.save(_pipeline("gl", source="gitlab", project="Mike", slug="Diaspora", secret=SECRET))
    bitbucket = engine.save(
        _pipeline("bb", source="bitbucket", project="acme-team", slug="acme-team/shop", secret=SECRET)
    )
    body = _body("gitlab_push.json")
    refused = runtime.triggers.handle_git_push(
        "gitlab", {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "nope"}, body
    )
    assert refused.status == 401
    accepted = runtime.triggers.handle_git_push(
        "gitlab", {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": SECRET}, body
    )
    assert accepted.status == 200 and len(accepted.body["executionIds"]) == 1
    body = _body("bitbucket_cloud_push.json")
    headers = {"X-Event-Key": "repo:push", "X-Hub-Signature": "sha256=" + hmac_sha256_hex(SECRET, body)}
    answer = runtime.triggers.handle_git_push("bitbucket", headers, body)
    assert answer.status == 200 and len(answer.body["executionIds"]) == 1
    assert len(engine.executions(gitlab["id"])) == 1 and len(engine.executions(bitbucket["id"])) == 1


def test_pings_and_malformed_pushes(engine: EnginePeer, runtime: TriggerRuntime) -> None:
    engine.save(_pipeline("any", source="github", project="Codertocat", slug="Hello-World"))
    ping = runtime.triggers.handle_git_push("github", {"X-GitHub-Event": "ping"}, _body("github_ping.json"))
    assert ping.status == 200 and ping.body == {"eventProcessed": False, "ping": True}
    for provider, headers, body, message in [
        ("github", {"X-GitHub-Event": "push"}, b"not json", "not JSON"),
        ("github", {"X-GitHub-Event": "push"}, json.dumps({"ref": "refs/heads/x"}).encode(), "has no"),
        ("github", {"X-GitHub-Event": "issues"}, b"{}", "is not a push"),
        ("svn", {}, b"{}", "unknown git provider 'svn'"),
    ]:
        answer = runtime.triggers.handle_git_push(provider, headers, body)
        assert answer.status == 400 and message in answer.body["error"], (provider, body)
    assert engine.svc.list_executions() == []
