"""Git push webhooks parsed from payloads shaped as GitHub, GitLab and Bitbucket document them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gennaker.triggers.webhooks import GitPushEvent, PayloadError, branch_matches, parse_git_push

PAYLOADS = Path(__file__).parent / "payloads"


def _body(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def _parse(provider: str, name: str, **headers: str) -> GitPushEvent:
    event = parse_git_push(provider, _body(name), headers)
    assert event is not None
    return event


def test_github_push() -> None:
    event = _parse("github", "github_push.json", **{"X-GitHub-Event": "push"})
    assert event.trigger_fields() == {
        "source": "github",
        "project": "Codertocat",
        "slug": "Hello-World",
        "branch": "main",
        "hash": "7ea8c5d7b9d4e6f0a1b2c3d4e5f60718293a4b5c",
    }
    assert event.changed_files == (
        "deploy/web.yaml",
        "README.md",
        "deploy/old.yaml",
        "deploy/values-prod.yaml",
    )
    files = [a.to_json() for a in event.artifacts if a.type == "github/file"]
    assert files == [
        {
            "type": "github/file",
            "name": path,
            "version": "7ea8c5d7b9d4e6f0a1b2c3d4e5f60718293a4b5c",
            "reference": f"https://api.github.com/repos/Codertocat/Hello-World/contents/{path}",
        }
        for path in ("deploy/web.yaml", "README.md", "deploy/values-prod.yaml")
    ]
    repo = next(a for a in event.artifacts if a.type == "git/repo")
    assert repo.reference == "https://github.com/Codertocat/Hello-World.git"
    assert repo.version == event.hash and repo.metadata == {"branch": "main"}
    assert not event.deleted


def test_github_ping_is_not_an_event_and_other_events_are_refused() -> None:
    assert parse_git_push("github", _body("github_ping.json"), {"X-GitHub-Event": "ping"}) is None
    with pytest.raises(PayloadError, match="github event 'issues' is not a push"):
        parse_git_push("github", _body("github_push.json"), {"x-github-event": "issues"})


def test_github_owner_login_tags_and_deleted_branches() -> None:
    payload = json.loads(_body("github_push.json"))
    del payload["repository"]["owner"]["name"]
    payload["ref"] = "refs/tags/v1.4.2"
    payload["after"] = "0" * 40
    event = parse_git_push("github", json.dumps(payload).encode(), {})
    assert event is not None
    assert event.project == "Codertocat"  # falls back to owner.login
    assert event.branch == "refs/tags/v1.4.2"  # only refs/heads/ is stripped, as in Echo
    assert event.deleted


def test_gitlab_push() -> None:
    event = _parse("gitlab", "gitlab_push.json", **{"X-Gitlab-Event": "Push Hook"})
    assert event.trigger_fields() == {
        "source": "gitlab",
        "project": "Mike",
        "slug": "Diaspora",
        "branch": "master",
        "hash": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    }
    assert event.changed_files == (
        "CHANGELOG",
        "app/controller/application.rb",
        "k8s/web deployment.yaml",
        "old.txt",
    )
    references = [a.reference for a in event.artifacts if a.type == "gitlab/file"]
    assert references == [
        "http://example.com/api/v4/projects/15/repository/files/CHANGELOG/raw",
        "http://example.com/api/v4/projects/15/repository/files/app%2Fcontroller%2Fapplication.rb/raw",
        "http://example.com/api/v4/projects/15/repository/files/k8s%2Fweb%20deployment.yaml/raw",
    ]
    assert [a.reference for a in event.artifacts if a.type == "git/repo"] == [
        "http://example.com/mike/diaspora.git"
    ]


def test_bitbucket_cloud_push() -> None:
    event = _parse("bitbucket", "bitbucket_cloud_push.json", **{"X-Event-Key": "repo:push"})
    assert event.trigger_fields() == {
        "source": "bitbucket",
        "project": "acme-team",
        "slug": "acme-team/shop",  # Echo uses full_name as the slug for Bitbucket Cloud
        "branch": "release/1.4",
        "hash": "1e65c05c1d5171631d92438a13901ca7dae9618c",
    }
    assert event.action == "repo:push"
    assert [a.reference for a in event.artifacts] == ["https://bitbucket.org/acme-team/shop.git"]


def test_bitbucket_cloud_without_usernames_uses_the_workspace() -> None:
    payload = json.loads(_body("bitbucket_cloud_push.json"))
    del payload["repository"]["owner"]["username"]
    event = parse_git_push("bitbucket", json.dumps(payload).encode(), {"X-Event-Key": "repo:push"})
    assert event is not None and event.project == "acme-team"


def test_bitbucket_server_refs_changed() -> None:
    event = _parse("bitbucket", "bitbucket_server_refs_changed.json", **{"X-Event-Key": "repo:refs_changed"})
    assert event.trigger_fields() == {
        "source": "bitbucket",
        "project": "PROJ",
        "slug": "repository",
        "branch": "master",
        "hash": "178864a7d521b6f5e720b386b2c2b0ef8563e0dc",
    }


@pytest.mark.parametrize(
    ("provider", "body", "headers", "message"),
    [
        ("github", b"{not json", {}, "github webhook body is not JSON"),
        ("github", b"[1, 2]", {}, "is not a JSON object"),
        ("github", b'{"ref": "refs/heads/main", "after": "abc"}', {}, "no repository.owner.name or .login"),
        ("gitlab", b'{"object_kind": "merge_request"}', {}, "gitlab event 'merge_request' is not a push"),
        ("gitlab", b'{"object_kind": "push", "project": {"namespace": "a", "name": "b"}}', {}, "no ref"),
        ("bitbucket", b'{"repository": {}}', {"X-Event-Key": "pullrequest:created"}, "is not a push"),
        (
            "bitbucket",
            b'{"repository": {"full_name": "a/b", "workspace": {"slug": "a"}}, "push": {}}',
            {"X-Event-Key": "repo:push"},
            "no push.changes",
        ),
        ("svn", b"{}", {}, "unknown git provider 'svn'"),
    ],
)
def test_malformed_payloads_are_payload_errors(
    provider: str, body: bytes, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_git_push(provider, body, headers)


def test_branch_regex_must_match_the_whole_branch() -> None:
    assert branch_matches(None, "anything") and branch_matches("", "main")
    assert branch_matches("release/.*", "release/1.4")
    assert not branch_matches("main", "main-hotfix")
    assert not branch_matches("(", "main")  # an invalid pattern matches nothing, as in Echo
