"""Given a real ``gennaker server``, its providers start in the background: the API answers first, then
``/health`` reports the embedded sandbox, Kubernetes, artifacts, canary and triggers as started."""

from __future__ import annotations

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
