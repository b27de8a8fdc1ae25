"""github/file, gitlab/file and bitbucket/file against local servers playing the documented file APIs."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gennaker.artifacts.accounts import AccountConfig, ArtifactAccount, create_account
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.model.artifacts import Artifact
from tests.artifacts.scm_peers import GITHUB_INLINE_LIMIT, serve_bitbucket, serve_github, serve_gitlab
from tests.support.http_peer import HttpPeer

DEPLOY = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
DEPLOY_V2 = DEPLOY.replace(b"api", b"api-v2")
FILES = {
    "master": {"deploy/api.yaml": DEPLOY, "deploy/values.yaml": b"replicas: 2\n"},
    "release-2": {"deploy/api.yaml": DEPLOY_V2},
    "6f1e2d3c4b5a69788796a5b4c3d2e1f001122334": {"deploy/api.yaml": DEPLOY_V2},
}


def _github(peer: HttpPeer, **settings: object) -> ArtifactAccount:
    return create_account(
        AccountConfig(
            name="github-main",
            type="github",
            settings={"baseUrl": f"{peer.url}/api/v3", **settings},
            secrets={"token": "ghp_test"},
        )
    )


def _gh_artifact(peer: HttpPeer, path: str, version: str | None = None) -> Artifact:
    return Artifact(
        type="github/file",
        name=path,
        version=version,
        reference=f"{peer.url}/api/v3/repos/acme/shop/contents/{path}",
    )


def test_github_decodes_inline_content_at_a_branch_tag_or_commit(peer: HttpPeer) -> None:
    serve_github(peer, FILES, token="ghp_test", prefix="/api/v3")
    account = _github(peer)
    assert account.fetch(_gh_artifact(peer, "deploy/api.yaml")) == DEPLOY
    assert account.fetch(_gh_artifact(peer, "deploy/api.yaml", "release-2")) == DEPLOY_V2
    sha = "6f1e2d3c4b5a69788796a5b4c3d2e1f001122334"
    assert account.fetch(_gh_artifact(peer, "deploy/api.yaml", sha)) == DEPLOY_V2
    request = peer.requests[0]
    assert request.query["ref"] == ["master"]  # Spinnaker's default when version is empty
    assert request.header("authorization") == "token ghp_test"
    assert request.header("accept") == "application/vnd.github+json"


def test_github_relative_references_are_resolved_against_base_url(peer: HttpPeer) -> None:
    serve_github(peer, FILES, token="ghp_test", prefix="/api/v3")
    account = _github(peer)
    artifact = Artifact(type="github/file", reference="repos/acme/shop/contents/deploy/values.yaml")
    assert account.fetch(artifact) == b"replicas: 2\n"


def test_github_large_files_come_from_download_url_with_credentials_on_the_same_origin(
    peer: HttpPeer,
) -> None:
    big = b"# generated\n" + b"k: v\n" * (GITHUB_INLINE_LIMIT // 4)
    serve_github(peer, {"master": {"big.yaml": big}}, token="ghp_test", prefix="/api/v3")
    account = _github(peer)
    assert account.fetch(_gh_artifact(peer, "big.yaml")) == big
    assert peer.requests[-1].path == "/raw/acme/shop/master/big.yaml"
    assert peer.requests[-1].header("authorization") == "token ghp_test"


def test_github_errors_name_the_artifact_account_and_githubs_answer(peer: HttpPeer) -> None:
    serve_github(peer, FILES, token="ghp_test", prefix="/api/v3")
    account = _github(peer)
    with pytest.raises(ArtifactFetchError) as info:
        account.fetch(_gh_artifact(peer, "deploy/nope.yaml"))
    message = str(info.value)
    assert "deploy/nope.yaml" in message and "'github-main'" in message
    assert 'HTTP 404: {"message": "Not Found"' in message
    with pytest.raises(ArtifactFetchError, match="names a directory, not a file"):
        account.fetch(_gh_artifact(peer, "deploy"))
    bad = create_account(
        AccountConfig(
            name="github-main",
            type="github",
            settings={"baseUrl": f"{peer.url}/api/v3"},
            secrets={"token": "x"},
        )
    )
    with pytest.raises(ArtifactFetchError, match=r"HTTP 401: .*Bad credentials"):
        bad.fetch(_gh_artifact(peer, "deploy/api.yaml"))


def test_github_never_sends_the_token_outside_its_base_url(peer: HttpPeer) -> None:
    serve_github(peer, FILES, token="ghp_test", prefix="/api/v3")
    account = _github(peer)
    foreign = Artifact(type="github/file", reference="https://evil.example.com/repos/a/b/contents/x.yaml")
    with pytest.raises(ArtifactFetchError, match="not under the account's baseUrl"):
        account.fetch(foreign)
    other_path = Artifact(type="github/file", reference=f"{peer.url}/elsewhere/repos/a/b/contents/x.yaml")
    with pytest.raises(ArtifactFetchError, match="not under the account's baseUrl"):
        account.fetch(other_path)
    assert peer.requests == []


def test_gitlab_raw_files_with_private_token_and_ref(peer: HttpPeer) -> None:
    serve_gitlab(peer, FILES, token="glpat-test")
    account = create_account(
        AccountConfig(
            name="gitlab", type="gitlab", settings={"baseUrl": peer.url}, secrets={"token": "glpat-test"}
        )
    )
    path = quote("deploy/api.yaml", safe="")
    reference = f"{peer.url}/api/v4/projects/acme%2Fshop/repository/files/{path}/raw"
    assert account.fetch(Artifact(type="gitlab/file", reference=reference)) == DEPLOY
    assert account.fetch(Artifact(type="gitlab/file", reference=reference, version="release-2")) == DEPLOY_V2
    assert peer.requests[0].query["ref"] == ["master"]
    assert peer.requests[0].header("private-token") == "glpat-test"
    missing = reference.replace(path, quote("deploy/x.yaml", safe=""))
    with pytest.raises(
        ArtifactFetchError, match=r"account 'gitlab'.*HTTP 404: \{\"message\": \"404 File Not Found\"\}"
    ):
        account.fetch(Artifact(type="gitlab/file", reference=missing))


def test_bitbucket_raw_files_with_token_or_basic_auth(peer: HttpPeer) -> None:
    serve_bitbucket(peer, FILES, token="bb-token")
    account = create_account(
        AccountConfig(
            name="bb", type="bitbucket", settings={"baseUrl": peer.url}, secrets={"token": "bb-token"}
        )
    )
    reference = f"{peer.url}/2.0/repositories/acme/shop/src/release-2/deploy/api.yaml"
    assert account.fetch(Artifact(type="bitbucket/file", reference=reference)) == DEPLOY_V2
    assert peer.requests[0].header("authorization") == "Bearer bb-token"
    unauthorized = create_account(AccountConfig(name="bb", type="bitbucket", settings={"baseUrl": peer.url}))
    with pytest.raises(ArtifactFetchError, match="HTTP 401"):
        unauthorized.fetch(Artifact(type="bitbucket/file", reference=reference))


def test_bitbucket_basic_auth(peer: HttpPeer) -> None:
    serve_bitbucket(peer, FILES, basic=("ci-bot", "app-password"))
    account = create_account(
        AccountConfig(
            name="bb",
            type="bitbucket",
            settings={"baseUrl": peer.url, "username": "ci-bot"},
            secrets={"password": "app-password"},
        )
    )
    reference = "2.0/repositories/acme/shop/src/master/deploy/values.yaml"
    assert account.fetch(Artifact(type="bitbucket/file", reference=reference)) == b"replicas: 2\n"
    with pytest.raises(ArtifactFetchError, match=r"HTTP 404: .*No such file or directory: nope"):
        account.fetch(Artifact(type="bitbucket/file", reference="2.0/repositories/acme/shop/src/master/nope"))
