"""git/repo with the real git: a repository made in a temp dir, served by file:// and git http-backend."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from gennaker.artifacts.accounts import AccountConfig, ArtifactAccount, create_account
from gennaker.artifacts.accounts.git_repo import GitRepoAccount
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTooLargeError
from gennaker.model.artifacts import Artifact
from tests.support.git_http import git_http_server
from tests.support.git_repo import commit as _commit
from tests.support.git_repo import git as _git


@pytest.fixture
def repo(tmp_path: Path) -> dict[str, object]:
    """A repository with master, a release branch, a tag, and a chart in a sub-directory."""
    root = tmp_path / "srv" / "shop.git"
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "master")
    first = _commit(
        root,
        {
            "charts/web/Chart.yaml": "name: web\nversion: 1.0.0\n",
            "README.md": "shop\n",
            "k8s/base/cm.yaml": "a: 1\n",
        },
        "first",
    )
    _git(root, "tag", "v1.0.0")
    _git(root, "checkout", "-q", "-b", "release-2")
    release = _commit(root, {"charts/web/Chart.yaml": "name: web\nversion: 2.0.0\n"}, "release 2")
    _git(root, "checkout", "-q", "master")
    return {"path": root, "url": root.as_uri(), "first": first, "release": release}


def _account(tmp_path: Path, **settings: object) -> GitRepoAccount:
    account = create_account(
        AccountConfig(
            name="git",
            type="gitrepo",
            settings={"cacheDir": str(tmp_path / "cache"), "allowFileUrls": True, **settings},
        )
    )
    assert isinstance(account, GitRepoAccount)
    return account


def _names(tgz: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as archive:
        return {
            m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.isfile()
        }


def test_fetch_returns_a_tarball_of_the_branch_tag_or_commit(tmp_path: Path, repo: dict[str, object]) -> None:
    account = _account(tmp_path)
    url = str(repo["url"])
    master = _names(account.fetch(Artifact(type="git/repo", reference=url)))  # default: master
    assert master["charts/web/Chart.yaml"] == b"name: web\nversion: 1.0.0\n"
    assert set(master) == {"charts/web/Chart.yaml", "README.md", "k8s/base/cm.yaml"}
    release = _names(account.fetch(Artifact(type="git/repo", reference=url, version="release-2")))
    assert release["charts/web/Chart.yaml"].endswith(b"2.0.0\n")
    tagged = _names(account.fetch(Artifact(type="git/repo", reference=url, version="v1.0.0")))
    assert tagged["charts/web/Chart.yaml"].endswith(b"1.0.0\n")
    by_commit = _names(
        account.fetch(Artifact(type="git/repo", reference=url, version=str(repo["release"])[:10]))
    )
    assert by_commit["charts/web/Chart.yaml"].endswith(b"2.0.0\n")


def test_sub_path_limits_the_tree_and_keeps_repository_paths(tmp_path: Path, repo: dict[str, object]) -> None:
    account = _account(tmp_path)
    artifact = Artifact(type="git/repo", reference=str(repo["url"]), metadata={"subPath": "charts/web"})
    assert set(_names(account.fetch(artifact))) == {"charts/web/Chart.yaml"}
    out = account.checkout(artifact, tmp_path / "work")
    assert (out / "charts/web/Chart.yaml").read_text() == "name: web\nversion: 1.0.0\n"
    assert not (out / "README.md").exists()
    missing = Artifact(type="git/repo", reference=str(repo["url"]), metadata={"subPath": "charts/api"})
    with pytest.raises(
        ArtifactFetchError, match=r"subPath 'charts/api'.*pathspec 'charts/api' did not match"
    ):
        account.fetch(missing)


def test_the_mirror_is_reused_and_branches_are_refreshed(tmp_path: Path, repo: dict[str, object]) -> None:
    account = _account(tmp_path)
    url = str(repo["url"])
    account.fetch(Artifact(type="git/repo", reference=url))
    newer = _commit(Path(str(repo["path"])), {"README.md": "shop v2\n"}, "second")
    assert _names(account.fetch(Artifact(type="git/repo", reference=url)))["README.md"] == b"shop v2\n"
    assert account.commit_of(Artifact(type="git/repo", reference=url)) == newer
    mirrors = [p for p in (tmp_path / "cache" / "git").iterdir() if p.is_dir()]
    assert len(mirrors) == 1
    # A commit already in the mirror needs no network: it works with the origin gone.
    shutil.rmtree(Path(str(repo["path"])))
    kept = _names(account.fetch(Artifact(type="git/repo", reference=url, version=newer)))
    assert kept["README.md"] == b"shop v2\n"
    with pytest.raises(ArtifactFetchError, match="cannot get"):
        account.fetch(Artifact(type="git/repo", reference=url, version="master"))


def test_unknown_versions_and_repositories_are_named(tmp_path: Path, repo: dict[str, object]) -> None:
    account = _account(tmp_path)
    with pytest.raises(ArtifactFetchError, match="has no branch, tag or commit named 'nope'"):
        account.fetch(Artifact(type="git/repo", reference=str(repo["url"]), version="nope"))
    with pytest.raises(ArtifactFetchError, match=r"account 'git': cannot get .*git fetch failed"):
        account.fetch(Artifact(type="git/repo", reference=(tmp_path / "absent").as_uri()))


def test_local_repositories_and_odd_transports_are_refused_unless_allowed(
    tmp_path: Path, repo: dict[str, object]
) -> None:
    strict = _account(tmp_path, allowFileUrls=False)
    with pytest.raises(ArtifactFetchError, match="is a local repository; set allowFileUrls"):
        strict.fetch(Artifact(type="git/repo", reference=str(repo["url"])))
    with pytest.raises(ArtifactFetchError, match="is a local repository"):
        strict.fetch(Artifact(type="git/repo", reference="/etc"))
    with pytest.raises(ArtifactFetchError, match=r"transport 'ext' is not allowed"):
        strict.fetch(Artifact(type="git/repo", reference="ext://sh -c touch /tmp/pwned"))
    with pytest.raises(ArtifactFetchError, match="is not a repository URL"):
        strict.fetch(Artifact(type="git/repo", reference="--upload-pack=touch /tmp/pwned"))
    lenient = _account(tmp_path, allowFileUrls=True)
    with pytest.raises(ArtifactFetchError, match=r"transport 'ext' .remote helper syntax. is not allowed"):
        lenient.fetch(Artifact(type="git/repo", reference=f"ext::sh -c touch% {tmp_path}/pwned"))
    assert not (tmp_path / "pwned").exists()


def test_size_limit_applies_to_the_archive(tmp_path: Path, repo: dict[str, object]) -> None:
    account = create_account(
        AccountConfig(
            name="git",
            type="gitrepo",
            settings={"cacheDir": str(tmp_path / "c"), "allowFileUrls": True},
            maxBytes=64,
        )
    )
    with pytest.raises(ArtifactTooLargeError, match="more than the limit of 64"):
        account.fetch(Artifact(type="git/repo", reference=str(repo["url"])))


def test_smart_http_with_basic_auth_and_token(tmp_path: Path, repo: dict[str, object]) -> None:
    bare = tmp_path / "served"
    bare.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(repo["path"]), str(bare / "shop.git")], check=True)
    with git_http_server(bare, username="ci", password="s3cret") as base:
        url = f"{base}/shop.git"
        good: ArtifactAccount = create_account(
            AccountConfig(
                name="git",
                type="gitrepo",
                settings={"cacheDir": str(tmp_path / "c1"), "username": "ci"},
                secrets={"password": "s3cret"},
            )
        )
        tree = _names(good.fetch(Artifact(type="git/repo", reference=url, version="release-2")))
        assert tree["charts/web/Chart.yaml"].endswith(b"2.0.0\n")
        bad = create_account(
            AccountConfig(
                name="git-bad",
                type="gitrepo",
                settings={"cacheDir": str(tmp_path / "c2"), "username": "ci"},
                secrets={"password": "wrong"},
            )
        )
        with pytest.raises(ArtifactFetchError) as info:
            bad.fetch(Artifact(type="git/repo", reference=url))
        assert "Authentication failed" in str(info.value) or "401" in str(info.value)
        assert "wrong" not in str(info.value)
        # The mirror's config on disk never holds the credential.
        for config in (tmp_path / "c1").rglob("config"):
            assert "s3cret" not in config.read_text()


def test_smart_http_with_a_token_uses_the_token_user(tmp_path: Path, repo: dict[str, object]) -> None:
    bare = tmp_path / "served"
    bare.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(repo["path"]), str(bare / "shop.git")], check=True)
    with git_http_server(bare, username="token", password="glpat-123") as base:
        account = create_account(
            AccountConfig(
                name="git-token",
                type="gitrepo",
                settings={"cacheDir": str(tmp_path / "c")},
                secrets={"token": "glpat-123"},
            )
        )
        tree = _names(
            account.fetch(Artifact(type="git/repo", reference=f"{base}/shop.git", version="v1.0.0"))
        )
        assert tree["charts/web/Chart.yaml"].endswith(b"1.0.0\n")
