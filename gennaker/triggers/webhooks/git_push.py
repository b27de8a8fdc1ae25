"""Git push webhooks from GitHub, GitLab and Bitbucket, parsed into one ``GitPushEvent``.

Who calls it: the ``/webhooks/git/{provider}`` endpoint (later), after ``signatures.verify_git_push``. The
event's fields are what Echo's git trigger matches on: ``source`` (github|gitlab|bitbucket), ``project``,
``slug``, ``branch`` (refs/heads/ stripped), ``hash``; ``branch_matches`` applies a trigger's branch regex.

Field mapping (Echo's ``*WebhookEventHandler``):
- GitHub ``push`` (header ``X-GitHub-Event``): project = ``repository.owner.name`` (else ``.login``), slug =
  ``repository.name``, branch = ``ref``, hash = ``after``; a ``ping`` (``hook_id``, ``zen``) is not an event;
- GitLab ``Push Hook`` / ``Tag Push Hook``: project = ``project.namespace``, slug = ``project.name``;
- Bitbucket Cloud ``repo:push`` (header ``X-Event-Key``): project = ``repository.owner.username`` (else the
  workspace slug, as newer payloads omit usernames), slug = ``repository.full_name``, branch and hash from
  ``push.changes[0]``; Bitbucket Server / Data Center ``repo:refs_changed``: project =
  ``repository.project.key``, slug = ``repository.slug``, from ``changes[0]``.
Changed files are the union of the commits' added, modified and removed files (GitHub, GitLab; Bitbucket
payloads carry none). Artifacts: one ``github/file`` per added or modified file (Echo's extractor: reference =
``repository.contents_url`` with the path, version = the commit), ``gitlab/file`` likewise through GitLab's
raw-file API (ours), and one ``git/repo`` of the repository at the pushed commit (ours).

Invariant: a payload that is not JSON, or lacks the fields an event needs, raises ``PayloadError`` (the
endpoint answers 400) naming the provider and the missing field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from gennaker.model.artifacts import Artifact
from gennaker.triggers.patterns import InvalidPattern, PatternTimeout, full_match

ZERO_SHA = re.compile(r"^0{7,}$")


class PayloadError(ValueError):
    """The webhook body is not a usable push event."""


@dataclass(frozen=True)
class GitPushEvent:
    """One push, whatever the provider."""

    source: str
    project: str
    slug: str
    branch: str
    hash: str
    action: str = "push"
    changed_files: tuple[str, ...] = ()
    deleted: bool = False
    artifacts: tuple[Artifact, ...] = field(default_factory=tuple)

    def trigger_fields(self) -> dict[str, str]:
        """The runtime trigger's fields (Echo: ``hash``, ``branch`` and the repository coordinates)."""
        return {
            "source": self.source,
            "project": self.project,
            "slug": self.slug,
            "branch": self.branch,
            "hash": self.hash,
        }


def branch_matches(pattern: str | None, branch: str) -> bool:
    """Echo's rule: an empty pattern matches any branch; otherwise the regex must match the whole branch."""
    if not pattern:
        return True
    try:
        return full_match(pattern, branch)
    except (InvalidPattern, PatternTimeout):
        return False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _require(provider: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{provider} push payload has no {where}")
    return value


def _changed(commits: Any) -> tuple[tuple[str, ...], list[str]]:
    """(all changed files, added-or-modified files) from a list of commits."""
    changed: dict[str, None] = {}
    touched: dict[str, None] = {}
    for commit in commits if isinstance(commits, list) else []:
        if not isinstance(commit, dict):
            continue
        for kind in ("added", "modified", "removed"):
            for path in commit.get(kind) or []:
                if isinstance(path, str):
                    changed[path] = None
                    if kind != "removed":
                        touched[path] = None
    return tuple(changed), list(touched)


def _strip_heads(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _repo_artifact(url: str | None, name: str, commit: str, branch: str) -> list[Artifact]:
    if not url:
        return []
    return [Artifact(type="git/repo", name=name, reference=url, version=commit, metadata={"branch": branch})]


def parse_github(payload: Mapping[str, Any], headers: Mapping[str, str]) -> GitPushEvent | None:
    event = (_header(headers, "X-GitHub-Event") or "push").lower()
    if event == "ping" or ("hook_id" in payload and "zen" in payload):
        return None
    if event != "push":
        raise PayloadError(f"github event {event!r} is not a push (only push events trigger pipelines)")
    repository = payload.get("repository")
    owner = _get(repository, "owner") or {}
    project = _require("github", owner.get("name") or owner.get("login"), "repository.owner.name or .login")
    slug = _require("github", _get(repository, "name"), "repository.name")
    ref = _require("github", payload.get("ref"), "ref")
    commit = _require("github", payload.get("after"), "after (the pushed commit)")
    branch = _strip_heads(ref)
    changed, touched = _changed(payload.get("commits"))
    contents_url = _get(repository, "contents_url")
    artifacts = [
        Artifact(
            type="github/file", name=path, version=commit, reference=contents_url.replace("{+path}", path)
        )
        for path in touched
        if isinstance(contents_url, str)
    ]
    artifacts += _repo_artifact(_get(repository, "clone_url"), f"{project}/{slug}", commit, branch)
    return GitPushEvent(
        "github",
        project,
        slug,
        branch,
        commit,
        "push",
        changed,
        bool(ZERO_SHA.match(commit)),
        tuple(artifacts),
    )


def parse_gitlab(payload: Mapping[str, Any], headers: Mapping[str, str]) -> GitPushEvent | None:
    kind = payload.get("object_kind")
    if kind not in ("push", "tag_push"):
        raise PayloadError(f"gitlab event {kind!r} is not a push (object_kind push or tag_push)")
    project_data = payload.get("project")
    project = _require("gitlab", _get(project_data, "namespace"), "project.namespace")
    slug = _require("gitlab", _get(project_data, "name"), "project.name")
    ref = _require("gitlab", payload.get("ref"), "ref")
    commit = _require("gitlab", payload.get("after"), "after (the pushed commit)")
    branch = _strip_heads(ref)
    changed, touched = _changed(payload.get("commits"))
    artifacts: list[Artifact] = []
    web_url, project_id = _get(project_data, "web_url"), _get(project_data, "id") or payload.get("project_id")
    if isinstance(web_url, str) and project_id is not None:
        parts = urlsplit(web_url)
        api = f"{parts.scheme}://{parts.netloc}/api/v4/projects/{project_id}/repository/files"
        artifacts = [
            Artifact(
                type="gitlab/file", name=path, version=commit, reference=f"{api}/{quote(path, safe='')}/raw"
            )
            for path in touched
        ]
    artifacts += _repo_artifact(_get(project_data, "git_http_url"), f"{project}/{slug}", commit, branch)
    return GitPushEvent(
        "gitlab",
        project,
        slug,
        branch,
        commit,
        str(kind),
        changed,
        bool(ZERO_SHA.match(commit)),
        tuple(artifacts),
    )


def parse_bitbucket(payload: Mapping[str, Any], headers: Mapping[str, str]) -> GitPushEvent | None:
    event = _header(headers, "X-Event-Key") or payload.get("eventKey") or ""
    if event == "diagnostics:ping" or (not event and not payload):
        return None
    if event == "repo:push":
        repository = payload.get("repository")
        project = _require(
            "bitbucket",
            _get(repository, "owner", "username")
            or _get(repository, "workspace", "slug")
            or _get(repository, "owner", "nickname"),
            "repository.owner.username or repository.workspace.slug",
        )
        slug = _require("bitbucket", _get(repository, "full_name"), "repository.full_name")
        changes = _get(payload, "push", "changes")
        if not isinstance(changes, list) or not changes or not isinstance(changes[0], dict):
            raise PayloadError("bitbucket push payload has no push.changes")
        change = changes[0]
        branch = str(_get(change, "new", "name") or _get(change, "old", "name") or "")
        commits = change.get("commits") or []
        commit = _get(commits[0], "hash") if commits else _get(change, "new", "target", "hash")
        commit = _require("bitbucket", commit, "push.changes[0].commits[0].hash")
        deleted = change.get("new") is None
        html = _get(repository, "links", "html", "href")
        artifacts = _repo_artifact(f"{html}.git" if isinstance(html, str) else None, slug, commit, branch)
        return GitPushEvent("bitbucket", project, slug, branch, commit, event, (), deleted, tuple(artifacts))
    if event == "repo:refs_changed":
        repository = payload.get("repository")
        project = _require("bitbucket", _get(repository, "project", "key"), "repository.project.key")
        slug = _require("bitbucket", _get(repository, "slug"), "repository.slug")
        changes = payload.get("changes")
        if not isinstance(changes, list) or not changes or not isinstance(changes[0], dict):
            raise PayloadError("bitbucket refs_changed payload has no changes")
        change = changes[0]
        commit = _require("bitbucket", change.get("toHash"), "changes[0].toHash")
        branch = _strip_heads(str(_get(change, "ref", "id") or ""))
        return GitPushEvent(
            "bitbucket", project, slug, branch, commit, event, (), bool(ZERO_SHA.match(commit)), ()
        )
    raise PayloadError(f"bitbucket event {event!r} is not a push (repo:push or repo:refs_changed)")


Parser = Callable[[Mapping[str, Any], Mapping[str, str]], GitPushEvent | None]
GIT_PARSERS: dict[str, Parser] = {
    "github": parse_github,
    "gitlab": parse_gitlab,
    "bitbucket": parse_bitbucket,
}


def parse_git_push(provider: str, body: bytes, headers: Mapping[str, str]) -> GitPushEvent | None:
    """Parse a push webhook's raw body; None for pings; ``PayloadError`` for anything unusable."""
    parser = GIT_PARSERS.get(provider.lower())
    if parser is None:
        raise PayloadError(f"unknown git provider {provider!r}; known: {', '.join(sorted(GIT_PARSERS))}")
    try:
        payload = json.loads(body or b"{}")
    except ValueError as exc:
        raise PayloadError(f"{provider} webhook body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"{provider} webhook body is not a JSON object")
    return parser(payload, headers)
