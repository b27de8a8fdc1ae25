"""The Helm trigger's watcher core against a real chart repository (charts packaged and indexed by the Helm
SDK, served over HTTP and read through a helm artifact account)."""

from __future__ import annotations

import json
from pathlib import Path

from gennaker.artifacts.accounts import AccountConfig, create_account
from gennaker.artifacts.accounts.helm import HelmChartAccount
from gennaker.triggers.helm import ChartWatchState, diff_chart_versions
from tests.support.helm_repo import index_repository, make_chart, package_chart, serve_directory
from tests.support.http_peer import HttpPeer


def _restart(state: ChartWatchState) -> ChartWatchState:
    return ChartWatchState.from_json(json.loads(json.dumps(state.to_json())))


def test_new_and_republished_versions_fire_once(peer: HttpPeer, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    package_chart(make_chart(tmp_path / "src1", "web", "1.0.0"), repo)
    index_repository(repo)
    serve_directory(peer, repo, prefix="/charts")
    account = create_account(
        AccountConfig(name="charts", type="helm", settings={"repository": f"{peer.url}/charts"})
    )
    assert isinstance(account, HelmChartAccount)

    state, events = diff_chart_versions(ChartWatchState(), account.index(), "web", account="charts")
    assert events == [] and set(state.versions) == {"1.0.0"}

    package_chart(make_chart(tmp_path / "src2", "web", "1.1.0"), repo)
    package_chart(make_chart(tmp_path / "src3", "web", "1.10.0"), repo)
    package_chart(make_chart(tmp_path / "src4", "web", "2.0.0-rc.1"), repo)
    package_chart(make_chart(tmp_path / "src5", "other", "9.0.0"), repo)
    index_repository(repo)
    state, events = diff_chart_versions(
        _restart(state), account.index(), "web", account="charts", version_pattern=r"\d+\.\d+\.\d+"
    )
    assert [(e.version, e.reason) for e in events] == [("1.1.0", "new"), ("1.10.0", "new")]
    assert events[0].artifact().to_json() == {
        "type": "helm/chart",
        "name": "web",
        "version": "1.1.0",
        "artifactAccount": "charts",
        "metadata": {"digest": events[0].digest},
    }
    # The artifact fetches the very chart that fired.
    assert account.fetch(events[0].artifact())[:2] == b"\x1f\x8b"

    # Versions seen but filtered out are recorded too: the pre-release never fires later.
    state, again = diff_chart_versions(_restart(state), account.index(), "web", account="charts")
    assert again == []

    package_chart(make_chart(tmp_path / "src6", "web", "1.1.0", image="ghcr.io/acme/web-rebuilt"), repo)
    index_repository(repo)
    _, changed = diff_chart_versions(_restart(state), account.index(), "web", account="charts")
    assert [(e.version, e.reason) for e in changed] == [("1.1.0", "digestChanged")]


def test_first_poll_can_fire_everything() -> None:
    from gennaker.artifacts.helm_index import parse_index

    index = parse_index(
        "apiVersion: v1\nentries:\n  web:\n  - {name: web, version: 0.2.0, urls: [web-0.2.0.tgz]}\n"
        "  - {name: web, version: 0.10.0, urls: [web-0.10.0.tgz]}\n",
        "http://charts.example.com",
    )
    state, events = diff_chart_versions(ChartWatchState(), index, "web", account="a", fire_on_first_poll=True)
    assert [e.version for e in events] == ["0.2.0", "0.10.0"]  # in version order
    assert state.initialized
    _, none = diff_chart_versions(state, index, "missing", account="a")
    assert none == []
