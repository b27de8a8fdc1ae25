"""Errors raised by artifact accounts and the manifest binder.

Who raises them: the account types in ``gennaker.artifacts.accounts`` (fetching), the account registry
and factory (configuration), and ``gennaker.artifacts.binding`` (required artifacts that do not bind).
Stages turn them into the stage's failure message, so every message names what failed and why: the
artifact, the account, and the server's answer (status code and a trimmed body) when there was one.

Invariant: no message ever contains a secret. URLs are shown without user-info, and server bodies are
trimmed to ``BODY_EXCERPT_CHARS`` characters.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from gennaker.model.artifacts import Artifact

BODY_EXCERPT_CHARS = 300


def trim_body(body: bytes | str | None, limit: int = BODY_EXCERPT_CHARS) -> str:
    """A server's answer reduced to one line of at most ``limit`` characters, for error messages."""
    if body is None:
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: str) -> str:
    """``url`` with any ``user:password@`` removed, safe to show in a message or a log line."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<malformed URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def describe_artifact(artifact: Artifact) -> str:
    """``artifact.describe()`` made safe for messages: URL user-info removed, long references cut."""
    reference = artifact.reference
    if reference and "://" in reference:
        reference = safe_url(reference)
    if reference and len(reference) > 120:
        reference = reference[:100] + f"…({len(artifact.reference or '')} chars)"
    return artifact.model_copy(update={"reference": reference}).describe()


class ArtifactError(Exception):
    """Base class of everything the artifacts package raises on purpose."""


class AccountConfigError(ArtifactError, ValueError):
    """An artifact account's configuration is invalid; the message names the account and the field."""


class UnknownAccountTypeError(AccountConfigError):
    """No registered account type has this name (or serves this artifact type)."""


class ArtifactReferenceError(ArtifactError, ValueError):
    """A stage refers to artifacts wrongly (an unknown expected artifact id, a malformed
    ``requiredArtifacts`` entry, a missing manifest artifact); the message names the field."""


class AccountNotFoundError(ArtifactError, LookupError):
    """No configured account can fetch an artifact (unknown name, or none serves its type)."""


#: HTTP answers that say "not now" rather than "no": worth asking again after a while.
TRANSIENT_STATUSES = frozenset({408, 425, 429})


class ArtifactFetchError(ArtifactError):
    """An artifact could not be fetched. Carries the artifact, the account and the server's answer.

    ``transient`` says whether asking again later may succeed: the server could not be reached, timed out,
    or answered 5xx / 408 / 425 / 429. Definitive answers (404, 401, a malformed reference, a file too
    large) are not transient. Stages retry transient failures with a backoff (``gennaker.artifacts.retry``).
    """

    def __init__(
        self,
        artifact: Artifact,
        account: str,
        reason: str,
        *,
        status: int | None = None,
        body: bytes | str | None = None,
        transient: bool | None = None,
    ) -> None:
        self.artifact = artifact
        self.account = account
        self.reason = reason
        self.status = status
        self.body_excerpt = trim_body(body) if body is not None else None
        if transient is None:
            transient = status is not None and (status >= 500 or status in TRANSIENT_STATUSES)
        self.transient = transient
        described = describe_artifact(artifact)
        message = f"Could not fetch artifact {described} through account '{account}': {reason}"
        if status is not None:
            message += f" (server answered HTTP {status}"
            message += f": {self.body_excerpt})" if self.body_excerpt else ")"
        super().__init__(message)


class ArtifactTooLargeError(ArtifactFetchError):
    """The artifact is bigger than the account's ``maxBytes``."""


class ArtifactTimeoutError(ArtifactFetchError):
    """Fetching the artifact took longer than the account's ``timeoutSeconds`` (transient)."""

    def __init__(self, artifact: Artifact, account: str, reason: str) -> None:
        super().__init__(artifact, account, reason, transient=True)
