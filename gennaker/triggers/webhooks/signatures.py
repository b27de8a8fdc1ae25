"""Verifying that a webhook really comes from who it claims, in constant time.

Who calls it: the webhook endpoints (``POST /webhooks/git/{provider}``, ``POST /webhooks/webhook/{source}``,
later) before anything is parsed or started; a failed check answers 401 and starts nothing.

Schemes:
- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>``. The legacy
  SHA-1 ``X-Hub-Signature`` (what Echo checks) is not accepted;
- GitLab: ``X-Gitlab-Token`` carries the secret itself;
- Bitbucket (Cloud, and Server / Data Center): ``X-Hub-Signature: sha256=<hex HMAC-SHA256>``;
- generic webhooks: an optional shared secret compared with a header value (``verify_shared_secret``).
Echo's rule for git triggers is kept: a trigger with a secret rejects unsigned events, and a trigger without
one rejects signed events (they show the two sides are configured differently).

Invariants: every comparison is ``hmac.compare_digest``; reasons never contain the secret or the signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of a check, and why (safe to log and to return in a 401)."""

    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def hmac_sha256_hex(secret: str | bytes, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` keyed with ``secret`` (what GitHub and Bitbucket send)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _check_hmac(secret: str | None, body: bytes, header_value: str | None, header: str) -> SignatureCheck:
    if not secret:
        if header_value:
            return SignatureCheck(False, f"the event is signed ({header}) but the trigger has no secret")
        return SignatureCheck(True, "no secret configured and the event is unsigned")
    if not header_value:
        return SignatureCheck(False, f"the trigger has a secret but the event has no {header} header")
    scheme, _, signature = header_value.strip().partition("=")
    if scheme.lower() != "sha256" or not signature:
        return SignatureCheck(False, f"{header} must look like sha256=<hex digest>")
    if _equal(signature.lower(), hmac_sha256_hex(secret, body)):
        return SignatureCheck(True, "signature valid")
    return SignatureCheck(False, f"{header} does not match the body signed with the trigger's secret")


def verify_github(secret: str | None, body: bytes, headers: Mapping[str, str]) -> SignatureCheck:
    """GitHub's ``X-Hub-Signature-256`` over the raw body."""
    value = _header(headers, "X-Hub-Signature-256")
    if secret and not value and _header(headers, "X-Hub-Signature"):
        return SignatureCheck(
            False, "only the SHA-1 X-Hub-Signature was sent; X-Hub-Signature-256 (SHA-256) is required"
        )
    return _check_hmac(secret, body, value, "X-Hub-Signature-256")


def verify_bitbucket(secret: str | None, body: bytes, headers: Mapping[str, str]) -> SignatureCheck:
    """Bitbucket's ``X-Hub-Signature: sha256=...`` over the raw body."""
    return _check_hmac(secret, body, _header(headers, "X-Hub-Signature"), "X-Hub-Signature")


def verify_gitlab(secret: str | None, body: bytes, headers: Mapping[str, str]) -> SignatureCheck:
    """GitLab's ``X-Gitlab-Token``, which is the secret itself."""
    token = _header(headers, "X-Gitlab-Token")
    if not secret:
        if token:
            return SignatureCheck(False, "the event carries X-Gitlab-Token but the trigger has no secret")
        return SignatureCheck(True, "no secret configured and the event has no token")
    if not token:
        return SignatureCheck(False, "the trigger has a secret but the event has no X-Gitlab-Token header")
    if _equal(token, secret):
        return SignatureCheck(True, "token valid")
    return SignatureCheck(False, "X-Gitlab-Token does not match the trigger's secret")


def verify_shared_secret(expected: str | None, provided: str | None) -> SignatureCheck:
    """A generic webhook's shared secret: none configured accepts everything; else it must be equal."""
    if not expected:
        return SignatureCheck(True, "no secret configured")
    if not provided:
        return SignatureCheck(False, "the webhook has a secret but the request carries none")
    if _equal(provided, expected):
        return SignatureCheck(True, "secret valid")
    return SignatureCheck(False, "the request's secret does not match the webhook's secret")


Verifier = Callable[[str | None, bytes, Mapping[str, str]], SignatureCheck]
GIT_VERIFIERS: dict[str, Verifier] = {
    "github": verify_github,
    "gitlab": verify_gitlab,
    "bitbucket": verify_bitbucket,
}


def verify_git_push(
    provider: str, secret: str | None, body: bytes, headers: Mapping[str, str]
) -> SignatureCheck:
    """Check a git push webhook from ``provider`` (github, gitlab, bitbucket)."""
    verifier = GIT_VERIFIERS.get(provider.lower())
    if verifier is None:
        return SignatureCheck(
            False, f"unknown git provider {provider!r}; known: {', '.join(sorted(GIT_VERIFIERS))}"
        )
    return verifier(secret, body, headers)
