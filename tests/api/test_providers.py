"""Given a real ``gennaker server``, its providers start in the background: the API answers first, then
``/health`` reports the embedded sandbox, Kubernetes, artifacts, canary and triggers as started."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from gennaker.api.providers import Providers, ProvidersConfig, ProvidersError, require
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from tests.realserver import RealServer


def test_a_server_starts_the_embedded_sandbox_as_account_sandbox(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "home", sandbox=True).start()
    try:
        status = server.wait_providers()
        assert status["started"] == ["sandbox:sandbox", "artifacts", "kubernetes", "canary", "triggers"]
        sandbox_url = status["sandboxes"]["sandbox"]
        # the sandbox is a real API server, and its state is kept under GENNAKER_HOME
        assert httpx.get(sandbox_url + "/version", timeout=5).json()["major"] == "1"
    finally:
        server.stop()
    assert (tmp_path / "home" / "sandbox-state.json").exists()


def test_a_provider_used_before_it_started_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENNAKER_HOME", str(tmp_path))
    providers = Providers(PipelineService(EngineRuntime.create(f"sqlite:///{tmp_path}/g.db")))
    with pytest.raises(ProvidersError, match="kubernetes provider is still starting"):
        require(providers, "kubernetes")
    with pytest.raises(ProvidersError, match="runs no canary provider"):
        require(None, "canary")


def test_a_failing_provider_is_reported_and_what_started_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GENNAKER_HOME", str(tmp_path))
    settings = tmp_path / "settings.yaml"
    settings.write_text(
        "kubernetes:\n  accounts:\n    - name: broken\n      kubeconfigFile: [not, a, path]\n"
    )
    monkeypatch.setenv("GENNAKER_SETTINGS", str(settings))
    service = PipelineService(EngineRuntime.create(f"sqlite:///{tmp_path}/g.db"))
    providers = Providers(service, ProvidersConfig(sandbox_state_file=None, triggers=False))
    with pytest.raises(ProvidersError, match="broken"):
        providers.start()
    assert providers.sandboxes == {} and providers.kubernetes is None
    with pytest.raises(ProvidersError, match="failed to start"):
        require(providers, "kubernetes")


def test_every_embedded_sandbox_is_a_metrics_account_of_its_own_name(tmp_path: Path) -> None:
    """A server with the primary sandbox and two extra ones (``staging``, ``prod``) registers three
    ``sandbox`` metrics accounts, each reading its own cluster's simulated pod metrics: a pod running in
    ``prod`` is in the ``prod`` account's metrics and not in ``staging``'s."""
    server = RealServer(
        tmp_path / "home", sandbox=True, args=["--sandbox-account", "staging", "--sandbox-account", "prod"]
    ).start()
    try:
        clusters = server.wait_providers(90)["sandboxes"]
        with server.client("tester") as api:
            listed = api.get("/v2/canaries/credentials")
            assert listed.status_code == 200, listed.text
            accounts = {a["name"]: a for a in listed.json() if a["type"] == "sandbox"}
            assert sorted(accounts) == ["prod", "sandbox", "staging"]
            for name, account in accounts.items():
                assert account["source"] == "embedded"
                assert account["settings"]["baseUrl"] == f"{clusters[name]}/metrics"
            refused = api.delete("/v2/canaries/credentials/prod")
            assert refused.status_code == 400 and "cannot be changed" in refused.text

        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "only-in-prod", "labels": {"app": "probe"}},
            "spec": {"containers": [{"name": "c", "image": "registry.local/probe:1"}]},
        }
        created = httpx.post(f"{clusters['prod']}/api/v1/namespaces/default/pods", json=pod, timeout=10)
        assert created.status_code == 201, created.text

        def scraped(name: str) -> str:
            return httpx.get(accounts[name]["settings"]["baseUrl"], timeout=10).text

        deadline = time.monotonic() + 60
        while 'pod="only-in-prod"' not in scraped("prod"):
            assert time.monotonic() < deadline, "the pod never showed up in the prod account's metrics"
            time.sleep(0.5)
        assert 'pod="only-in-prod"' not in scraped("staging")
        assert 'pod="only-in-prod"' not in scraped("sandbox")
    finally:
        server.stop()
