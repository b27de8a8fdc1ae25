"""Webhook signature checks: GitHub's X-Hub-Signature-256, GitLab's token, Bitbucket's X-Hub-Signature, and
a generic shared secret; all constant-time, with reasons that never leak the secret."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from gennaker.triggers.webhooks import (
    hmac_sha256_hex,
    verify_bitbucket,
    verify_git_push,
    verify_github,
    verify_gitlab,
    verify_shared_secret,
)

SECRET = "It's a Secret to Everybody"
BODY = (Path(__file__).parent / "payloads" / "github_push.json").read_bytes()


def test_githubs_documented_example_signature() -> None:
    # GitHub's docs: secret "It's a Secret to Everybody", payload "Hello, World!" ->
    assert hmac_sha256_hex(SECRET, b"Hello, World!") == (
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_github_signature() -> None:
    good = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert verify_github(SECRET, BODY, {"X-Hub-Signature-256": good})
    assert verify_github(SECRET, BODY, {"x-hub-signature-256": good.upper().replace("SHA256=", "sha256=")})
    tampered = verify_github(SECRET, BODY + b" ", {"X-Hub-Signature-256": good})
    assert not tampered and "does not match" in tampered.reason
    wrong_secret = "sha256=" + hmac_sha256_hex("other", BODY)
    assert not verify_github(SECRET, BODY, {"X-Hub-Signature-256": wrong_secret})
    missing = verify_github(SECRET, BODY, {})
    assert not missing and "no X-Hub-Signature-256 header" in missing.reason
    sha1_only = verify_github(
        SECRET, BODY, {"X-Hub-Signature": "sha1=" + hmac.new(SECRET.encode(), BODY, "sha1").hexdigest()}
    )
    assert not sha1_only and "SHA-256" in sha1_only.reason
    malformed = verify_github(SECRET, BODY, {"X-Hub-Signature-256": "md5=abc"})
    assert not malformed and "must look like sha256=" in malformed.reason


def test_echos_secret_rules_when_one_side_has_none() -> None:
    assert verify_github(None, BODY, {})
    signed_without_secret = verify_github(
        None, BODY, {"X-Hub-Signature-256": "sha256=" + hmac_sha256_hex("x", BODY)}
    )
    assert not signed_without_secret and "has no secret" in signed_without_secret.reason


def test_gitlab_token() -> None:
    assert verify_gitlab(SECRET, BODY, {"X-Gitlab-Token": SECRET})
    wrong = verify_gitlab(SECRET, BODY, {"X-Gitlab-Token": "guess"})
    assert not wrong and SECRET not in wrong.reason and "guess" not in wrong.reason
    assert not verify_gitlab(SECRET, BODY, {})
    assert verify_gitlab(None, BODY, {})
    assert not verify_gitlab(None, BODY, {"X-Gitlab-Token": "x"})


def test_bitbucket_signature() -> None:
    good = "sha256=" + hmac_sha256_hex(SECRET, BODY)
    assert verify_bitbucket(SECRET, BODY, {"X-Hub-Signature": good})
    assert not verify_bitbucket(SECRET, BODY, {"X-Hub-Signature": "sha256=" + "0" * 64})
    assert verify_git_push("bitbucket", SECRET, BODY, {"X-Hub-Signature": good})
    assert not verify_git_push("gitea", SECRET, BODY, {})


@pytest.mark.parametrize(
    ("expected", "provided", "ok"),
    [
        (None, None, True),
        ("", "anything", True),
        ("s3cret", "s3cret", True),
        ("s3cret", None, False),
        ("s3cret", "s3cre", False),
        ("s3cret", "s3cret ", False),
    ],
)
def test_shared_secret(expected: str | None, provided: str | None, ok: bool) -> None:
    result = verify_shared_secret(expected, provided)
    assert bool(result) is ok
    assert "s3cret" not in result.reason
