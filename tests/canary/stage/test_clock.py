"""The stage plans its windows with the environment's clock, so a test can fix "now"."""

from __future__ import annotations

from pathlib import Path

from tests.canary.conftest import make_canary_engine
from tests.conftest import free_port

FIXED_NOW = 1_714_557_600_000  # 2024-05-01T10:00:00Z


def test_real_time_windows_are_planned_from_the_environment_clock(tmp_path: Path) -> None:
    accounts = [
        {"name": "p", "type": "prometheus", "settings": {"baseUrl": f"http://127.0.0.1:{free_port()}"}}
    ]
    for engine in make_canary_engine(tmp_path, accounts, clock=lambda: FIXED_NOW, fetch_attempts=1):
        stage = {
            "refId": "1",
            "type": "kayentaCanary",
            "canaryConfig": {
                "canaryConfigId": "any",
                "scopes": [{"controlScope": "a", "experimentScope": "b", "step": 1}],
                "lifetimeDuration": "PT0.2S",
            },
        }
        execution = engine.wait(engine.run_pipeline([stage]), timeout_s=30)
        (run,) = [s for s in execution["stages"] if s["type"] == "runCanary"]
        window = run["context"]["scopes"]["default"]["experimentScope"]
        assert (window["start"], window["end"]) == ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.200Z")
