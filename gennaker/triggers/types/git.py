"""The ``git`` trigger: push webhooks from GitHub, GitLab and Bitbucket (``POST /webhooks/git/{provider}``).

Trigger JSON (Echo's)::

    {"type": "git", "enabled": true, "source": "github", "project": "acme", "slug": "shop",
     "branch": "release/.*", "secret": "...", "expectedArtifactIds": ["manifest"]}

Who calls it: ``TriggerService.handle_git_push`` builds the event with ``git_push_event`` (parsing by
``gennaker.triggers.webhooks.git_push``: a body that is no push raises ``PayloadError``, answer 400; a
ping is no event). Matching (Echo's ``GitEventHandler``): ``source`` equals the provider (``stash`` is
accepted for Bitbucket), ``project`` and ``slug`` equal the push's (case-insensitive); the signature is
checked with the trigger's ``secret`` (``verify_git_push``: GitHub ``X-Hub-Signature-256``, GitLab
``X-Gitlab-Token``, Bitbucket ``X-Hub-Signature``; a failure is unauthorized, 401 when nothing started);
``branch`` is a regex matching the whole branch (empty: any); a push that deletes the branch starts
nothing. Runtime trigger: ``hash``, ``branch``, ``project``, ``slug``, ``source``, ``action``, and the
push's artifacts (changed files as ``github/file``/``gitlab/file``, the repository as ``git/repo``).
Event key: the provider's delivery id (``X-GitHub-Delivery``, ``X-Gitlab-Event-UUID``,
``X-Request-UUID``), else ``<provider>:<project>/<slug>:<branch>@<hash>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.triggers.events import TriggerEvent, header, logged_headers
from gennaker.triggers.registry import Check
from gennaker.triggers.webhooks.git_push import GitPushEvent, branch_matches
from gennaker.triggers.webhooks.signatures import verify_git_push

DELIVERY_HEADERS = ("X-GitHub-Delivery", "X-Gitlab-Event-UUID", "X-Request-UUID")
SOURCE_ALIASES = {"stash": "bitbucket"}


@dataclass(frozen=True)
class GitData:
    push: GitPushEvent
    provider: str
    body: bytes
    headers: Mapping[str, str]


def git_push_event(
    provider: str, push: GitPushEvent, headers: Mapping[str, str], body: bytes, payload: Any
) -> TriggerEvent:
    """The event for one parsed push."""
    delivery = next((header(headers, h) for h in DELIVERY_HEADERS if header(headers, h)), None)
    coordinates = f"{push.project}/{push.slug}"
    key = (
        f"git:{provider}:{delivery}"
        if delivery
        else f"git:{provider}:{coordinates}:{push.branch}@{push.hash}"
    )
    return TriggerEvent(
        type="git",
        key=key,
        source=f"{provider}:{coordinates}",
        summary=f"{provider} push to {coordinates} {push.branch} @ {push.hash[:12]}",
        data=GitData(push, provider, body, dict(headers)),
        artifacts=list(push.artifacts),
        payload={"headers": logged_headers(headers), "body": payload},
    )


def _same(a: Any, b: str) -> bool:
    return isinstance(a, str) and a.lower() == b.lower()


class GitTrigger:
    type = "git"
    secret_keys = frozenset({"secret"})

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool:
        data: GitData = event.data
        source = str(trigger.get("source") or "").lower()
        return (
            SOURCE_ALIASES.get(source, source) == data.provider
            and _same(trigger.get("project"), data.push.project)
            and _same(trigger.get("slug"), data.push.slug)
        )

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check:
        data: GitData = event.data
        secret = trigger.get("secret")
        verified = verify_git_push(
            data.provider, secret if isinstance(secret, str) else None, data.body, data.headers
        )
        if not verified:
            return Check.failed(f"signature invalid: {verified.reason}", unauthorized=True)
        if data.push.deleted:
            return Check.failed(f"the push deleted branch {data.push.branch!r}")
        pattern = trigger.get("branch")
        if not branch_matches(pattern if isinstance(pattern, str) else None, data.push.branch):
            return Check.failed(f"branch {data.push.branch!r} does not match {pattern!r}")
        return Check.passed()

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]:
        data: GitData = event.data
        return {**data.push.trigger_fields(), "action": data.push.action}


TRIGGER_TYPE = GitTrigger()
