"""The real ``gennaker canary ...`` commands against a real ``gennaker server`` with its embedded sandbox:
config save/list/get/history/restore/delete, the remote judge, metrics accounts (secrets never printed), and
the report of a real canary run with its SVG plot."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.realserver import ROOT, RealServer, gennaker_command, server_env, wait_until
from tests.support.canary import CONFIG, run_sandbox_canary


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    server = RealServer(tmp_path_factory.mktemp("cli-canary"), sandbox=True).start()
    try:
        server.wait_providers()
        yield server
    finally:
        server.stop()


def gk(server: RealServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = server_env(server.home, {"GENNAKER_API": server.url, "GENNAKER_USER": "cli-user"})
    return subprocess.run(
        [gennaker_command(), *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_canary_config_save_list_get_history_restore_delete(
    sandbox_server: RealServer, tmp_path: Path
) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(dict(CONFIG, name="cli-config", applications=["clicanary"])))
    r = gk(sandbox_server, "canary", "config", "save", str(path))
    assert r.returncode == 0, r.stderr
    config_id = r.stdout.split("(id ")[1].split(")")[0]
    stored = json.loads(gk(sandbox_server, "canary", "config", "get", config_id).stdout)
    stored["description"] = "v2"
    path.write_text(json.dumps(stored))
    assert gk(sandbox_server, "canary", "config", "save", str(path)).returncode == 0  # the id exists: PUT
    listed = json.loads(
        gk(sandbox_server, "canary", "config", "list", "-a", "clicanary", "-o", "json").stdout
    )
    assert [(c["id"], c["name"]) for c in listed] == [(config_id, "cli-config")]
    assert "cli-config" in gk(sandbox_server, "canary", "config", "list").stdout
    history = json.loads(gk(sandbox_server, "canary", "config", "history", config_id, "-o", "json").stdout)
    assert [(h["version"], h["savedBy"]) for h in history] == [(2, "cli-user"), (1, "cli-user")]
    r = gk(sandbox_server, "canary", "config", "restore", config_id, "--version", "1")
    assert r.returncode == 0 and "restored to version 1" in r.stdout, r.stderr
    assert "description" not in json.loads(gk(sandbox_server, "canary", "config", "get", config_id).stdout)
    assert gk(sandbox_server, "canary", "config", "delete", config_id).returncode == 0
    r = gk(sandbox_server, "canary", "config", "get", config_id)
    assert r.returncode == 1 and "error (404)" in r.stderr
    # an invalid config: the error names the metric and the field
    bad = json.loads(json.dumps(CONFIG))
    bad["metrics"][0]["scopeName"] = None
    path.write_text(json.dumps(dict(bad, name="cli-bad")))
    r = gk(sandbox_server, "canary", "config", "save", str(path))
    assert r.returncode == 1 and "metrics[0].scopeName (metric 'error rate')" in r.stderr


def test_canary_judge_prints_the_classification_and_statistics(
    sandbox_server: RealServer, tmp_path: Path
) -> None:
    request = {
        "canaryConfig": dict(
            CONFIG, metrics=CONFIG["metrics"][:1], classifier={"groupWeights": {"errors": 100}}
        ),
        "scoreThresholds": {"pass": 95, "marginal": 75},
        "metricSetPairList": [
            {
                "name": "error rate",
                "id": "p1",
                "tags": {},
                "values": {"control": [1.0, 1.1, 0.9, 1.0] * 5, "experiment": [5.0, 5.2, 4.9, 5.1] * 5},
            }
        ],
    }
    path = tmp_path / "judge.json"
    path.write_text(json.dumps(request))
    r = gk(sandbox_server, "canary", "judge", str(path))
    assert r.returncode == 0, r.stderr
    assert "Score 0.0 (Fail)" in r.stdout and "High" in r.stdout
    result = json.loads(gk(sandbox_server, "canary", "judge", str(path), "-o", "json").stdout)
    stats = result["results"][0]["resultMetadata"]["mannWhitney"]
    assert stats["uStatistic"] == 400.0 and stats["confidenceInterval"]["low"] > 3


def test_canary_account_put_list_get_delete_never_print_secrets(
    sandbox_server: RealServer, tmp_path: Path
) -> None:
    token = "dd-api-key-0123456789"
    path = tmp_path / "account.json"
    account = {"name": "dd", "type": "datadog", "secrets": {"apiKey": token, "applicationKey": "app-key-987"}}
    path.write_text(json.dumps(account))
    r = gk(sandbox_server, "canary", "account", "put", str(path))
    assert r.returncode == 0 and "dd (datadog) saved" in r.stdout, r.stderr
    listed = gk(sandbox_server, "canary", "account", "list", "-o", "json")
    got = gk(sandbox_server, "canary", "account", "get", "dd")
    for output in (
        r.stdout,
        listed.stdout,
        got.stdout,
        gk(sandbox_server, "canary", "account", "list").stdout,
    ):
        assert token not in output and "app-key-987" not in output
    assert json.loads(got.stdout)["secrets"] == {"apiKey": "**********", "applicationKey": "**********"}
    assert {a["name"] for a in json.loads(listed.stdout)} >= {"dd", "sandbox"}
    path.write_text(json.dumps({"name": "dd", "type": "datadog", "secrets": {"apiKey": token}}))
    r = gk(sandbox_server, "canary", "account", "put", str(path))
    assert r.returncode == 1 and "secrets.applicationKey is required" in r.stderr
    assert gk(sandbox_server, "canary", "account", "delete", "dd").returncode == 0
    r = gk(sandbox_server, "canary", "account", "get", "dd")
    assert r.returncode == 1 and "error (404)" in r.stderr


def test_canary_report_shows_the_intervals_and_saves_a_plot(
    sandbox_server: RealServer, tmp_path: Path
) -> None:
    with sandbox_server.client("cli-user") as api:
        execution_id, stage_id, _ = run_sandbox_canary(api, sandbox_server, "clirep", app="clicanary")
        wait_until(
            lambda: api.get(f"/canary/reports/{execution_id}/{stage_id}").json()["canaryScores"],
            timeout_s=15,
            what="canaryScores",
        )
    r = gk(sandbox_server, "canary", "report", execution_id, stage_id)
    assert r.returncode == 0, r.stderr
    assert "Interval 1: score 50.0 (Fail)" in r.stdout and "High" in r.stdout and "NOT_STARTED" in r.stdout
    data = json.loads(gk(sandbox_server, "canary", "report", execution_id, stage_id, "--json").stdout)
    assert data["canaryScores"] == [50.0]
    out = tmp_path / "errors.svg"
    r = gk(
        sandbox_server, "canary", "report", execution_id, stage_id, "--plot", "error rate", "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    svg = out.read_text()
    assert svg.startswith("<svg") and ">High</text>" in svg
    assert svg == httpx.get(sandbox_server.url + data["intervals"][0]["metrics"][0]["plotPath"]).text
    r = gk(sandbox_server, "canary", "report", execution_id, stage_id, "--plot", "nope", "--out", str(out))
    assert r.returncode == 1 and "no judged metric 'nope'" in r.stderr and "error rate" in r.stderr
