"""helm/chart from a real chart repository (charts packaged and indexed by the Helm SDK, served over HTTP),
and from a real OCI registry (docker-registry) through the Helm SDK."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gennaker.artifacts.accounts import AccountConfig, create_account
from gennaker.artifacts.accounts.helm import HelmChartAccount
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.model.artifacts import Artifact
from gennaker.triggers.docker.local_registry import LocalRegistry
from tests.support.helm_repo import index_repository, make_chart, package_chart, serve_directory
from tests.support.http_peer import HttpPeer, running_peer

VERSIONS = ["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1"]


@pytest.fixture(scope="module")
def chart_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("helm")
    repo = root / "repo"
    for version in VERSIONS:
        package_chart(make_chart(root, "web", version), repo)
    package_chart(make_chart(root, "worker", "0.3.1"), repo)
    index_repository(repo)  # relative URLs, as `helm repo index` writes without --url
    return repo


def _chart_version(tgz: bytes) -> str:
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/Chart.yaml"))
        return str(yaml.safe_load(archive.extractfile(member).read())["version"])  # type: ignore[union-attr]


def _account(peer: HttpPeer, prefix: str = "/charts", **settings: object) -> HelmChartAccount:
    account = create_account(
        AccountConfig(
            name="charts",
            type="helm",
            settings={"repository": f"{peer.url}{prefix}", "username": "ci", **settings},
            secrets={"password": "pw"},
        )
    )
    assert isinstance(account, HelmChartAccount)
    return account


def test_fetches_a_version_and_picks_the_latest_stable_in_semver_order(
    peer: HttpPeer, chart_repo: Path
) -> None:
    serve_directory(peer, chart_repo, prefix="/charts", basic=("ci", "pw"))
    account = _account(peer)
    assert _chart_version(account.fetch(Artifact(type="helm/chart", name="web", version="1.2.0"))) == "1.2.0"
    # 1.10.0 > 1.2.0 (semver, not string order); 2.0.0-rc.1 is a pre-release and is skipped.
    assert _chart_version(account.fetch(Artifact(type="helm/chart", name="web"))) == "1.10.0"
    assert account.names() == ["web", "worker"]
    assert account.versions("web") == ["2.0.0-rc.1", "1.10.0", "1.2.0", "1.0.0"]
    index = account.fetch(Artifact(type="helm/index", name="index.yaml"))
    assert "worker" in yaml.safe_load(index)["entries"]


def test_unknown_chart_or_version_lists_what_exists(peer: HttpPeer, chart_repo: Path) -> None:
    serve_directory(peer, chart_repo, prefix="/charts", basic=("ci", "pw"))
    account = _account(peer)
    with pytest.raises(
        ArtifactFetchError, match=r"no version '9.9.9' \(versions: 2.0.0-rc.1, 1.10.0, 1.2.0, 1.0.0\)"
    ):
        account.fetch(Artifact(type="helm/chart", name="web", version="9.9.9"))
    with pytest.raises(ArtifactFetchError, match=r"no chart named 'api' \(charts: web, worker\)"):
        account.fetch(Artifact(type="helm/chart", name="api"))


def test_wrong_credentials_report_the_repository_answer(peer: HttpPeer, chart_repo: Path) -> None:
    serve_directory(peer, chart_repo, prefix="/charts", basic=("ci", "other"))
    with pytest.raises(
        ArtifactFetchError, match=r"could not read the chart index .*/charts/index.yaml.*HTTP 401"
    ):
        _account(peer).fetch(Artifact(type="helm/chart", name="web"))


def test_archive_digest_is_checked_against_the_index(
    peer: HttpPeer, chart_repo: Path, tmp_path: Path
) -> None:
    tampered = tmp_path / "repo"
    tampered.mkdir()
    for item in chart_repo.iterdir():
        (tampered / item.name).write_bytes(item.read_bytes())
    (tampered / "web-1.0.0.tgz").write_bytes((chart_repo / "web-1.2.0.tgz").read_bytes())
    serve_directory(peer, tampered, prefix="/charts", basic=("ci", "pw"))
    with pytest.raises(ArtifactFetchError, match=r"has sha256 .* but the index says"):
        _account(peer).fetch(Artifact(type="helm/chart", name="web", version="1.0.0"))
    unchecked = _account(peer, verifyDigest=False)
    content = unchecked.fetch(Artifact(type="helm/chart", name="web", version="1.0.0"))
    assert (
        hashlib.sha256(content).hexdigest()
        == hashlib.sha256((chart_repo / "web-1.2.0.tgz").read_bytes()).hexdigest()
    )


def test_credentials_only_go_to_the_repository_origin(chart_repo: Path, tmp_path: Path) -> None:
    with running_peer() as index_host, running_peer() as blob_host:
        serve_directory(blob_host, chart_repo, prefix="/blobs")
        absolute = tmp_path / "absolute"
        absolute.mkdir()
        for item in chart_repo.glob("*.tgz"):
            (absolute / item.name).write_bytes(item.read_bytes())
        index_repository(absolute, base_url=f"{blob_host.url}/blobs")
        serve_directory(index_host, absolute, prefix="/charts", basic=("ci", "pw"))
        account = _account(index_host)
        assert _chart_version(account.fetch(Artifact(type="helm/chart", name="worker"))) == "0.3.1"
        assert blob_host.requests[-1].header("authorization") is None
        passing = _account(index_host, passCredentials=True)
        passing.fetch(Artifact(type="helm/chart", name="worker"))
        assert (
            blob_host.requests[-1].header(
                "authorization",
            )
            is not None
        )


@pytest.fixture(scope="module")
def oci_registry(chart_repo: Path) -> Iterator[LocalRegistry]:
    import helm_python

    with LocalRegistry() as registry:
        for name in ("web-1.0.0.tgz", "web-1.10.0.tgz"):
            helm_python.push(str(chart_repo / name), f"oci://{registry.host}/charts", plain_http=True)
        yield registry


def test_oci_charts_are_pulled_through_the_helm_sdk(oci_registry: LocalRegistry) -> None:
    account = create_account(
        AccountConfig(
            name="oci",
            type="helm",
            settings={"repository": f"oci://{oci_registry.host}/charts", "plainHttp": True},
        )
    )
    assert isinstance(account, HelmChartAccount)
    assert _chart_version(account.fetch(Artifact(type="helm/chart", name="web", version="1.0.0"))) == "1.0.0"
    assert _chart_version(account.fetch(Artifact(type="helm/chart", name="web"))) == "1.10.0"
    assert account.versions("web") == ["1.10.0", "1.0.0"]
    with pytest.raises(ArtifactFetchError, match=r"account 'oci': pulling .*/charts/web:3.0.0 failed"):
        account.fetch(Artifact(type="helm/chart", name="web", version="3.0.0"))
    with pytest.raises(ArtifactFetchError, match=r"an OCI registry has no index.yaml"):
        account.fetch(Artifact(type="helm/index", name="index.yaml"))


def test_oci_charts_from_a_registry_with_basic_auth(chart_repo: Path, tmp_path: Path) -> None:
    import bcrypt
    import helm_python

    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"charts:{bcrypt.hashpw(b'chart-pass', bcrypt.gensalt(rounds=4)).decode()}\n")
    with LocalRegistry(htpasswd_file=htpasswd) as registry:
        with helm_python.RegistryClient(plain_http=True, credentials_file=tmp_path / "creds.json") as client:
            client.login(registry.host, "charts", "chart-pass", plain_http=True)
            client.push(str(chart_repo / "worker-0.3.1.tgz"), f"oci://{registry.host}/private")

        def account(password: str) -> HelmChartAccount:
            made = create_account(
                AccountConfig(
                    name="private-oci",
                    type="helm",
                    settings={
                        "repository": f"oci://{registry.host}/private",
                        "plainHttp": True,
                        "username": "charts",
                    },
                    secrets={"password": password},
                )
            )
            assert isinstance(made, HelmChartAccount)
            return made

        assert (
            _chart_version(account("chart-pass").fetch(Artifact(type="helm/chart", name="worker"))) == "0.3.1"
        )
        with pytest.raises(ArtifactFetchError) as info:
            account("wrong").fetch(Artifact(type="helm/chart", name="worker", version="0.3.1"))
        assert "account 'private-oci'" in str(info.value)
        assert "wrong" not in str(info.value).replace("wrong username", "")
