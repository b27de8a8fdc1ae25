"""The real ``gennaker`` command against a real ``gennaker server`` on a loopback port: applications,
pipelines (save, list, get, execute --follow, history, restore, delete), executions (list, get, judge,
cancel, restart, skip, pause, resume), JSON output, and clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import httpx

from tests.realserver import ROOT, RealServer, gennaker_command, server_env, stage, wait_execution, wait_until


def gk(server: RealServer, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = server_env(server.home, {"GENNAKER_API": server.url, "GENNAKER_USER": "cli-user"})
    return subprocess.run(
        [gennaker_command(), *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_applications_round_trip(server: RealServer) -> None:
    r = gk(server, "application", "save", "--application-name", "clishop", "--owner-email", "t@example.com")
    assert r.returncode == 0, r.stderr
    assert "clishop saved" in r.stdout
    listed = json.loads(gk(server, "application", "list", "-o", "json").stdout)
    assert "clishop" in [a["name"] for a in listed]
    got = json.loads(gk(server, "application", "get", "clishop", "-o", "json").stdout)
    assert got["attributes"]["email"] == "t@example.com"
    assert got["attributes"]["lastModifiedBy"] == "cli-user"
    assert gk(server, "application", "delete", "clishop").returncode == 0
    r = gk(server, "application", "get", "clishop")
    assert r.returncode == 1 and "error (404)" in r.stderr


def test_pipeline_save_execute_follow_history_restore(server: RealServer, tmp_path: Path) -> None:
    pipeline = {
        "application": "cli",
        "name": "deploy",
        "parameterConfig": [{"name": "env", "required": True}],
        "stages": [
            {"refId": "1", "type": "wait", "name": "Soak", "waitTime": 0.2},
            {
                "refId": "2",
                "type": "evaluateVariables",
                "name": "Name",
                "requisiteStageRefIds": ["1"],
                "variables": [{"key": "target", "value": "web-${parameters.env}"}],
            },
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(pipeline))
    r = gk(server, "pipeline", "save", "-f", str(path))
    assert r.returncode == 0, r.stderr
    pipeline["stages"][0]["waitTime"] = 0.1
    path.write_text(json.dumps(pipeline))
    assert gk(server, "pipeline", "save", "-f", str(path)).returncode == 0
    listed = json.loads(gk(server, "pipeline", "list", "-a", "cli", "-o", "json").stdout)
    assert [p["name"] for p in listed] == ["deploy"]
    assert (
        json.loads(gk(server, "pipeline", "get", "-a", "cli", "-n", "deploy").stdout)["stages"][0]["waitTime"]
        == 0.1
    )
    # execute and follow: exit 0 and the final table shows the statuses
    r = gk(server, "pipeline", "execute", "-a", "cli", "-n", "deploy", "-p", "env=prod", "--follow")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCEEDED" in r.stdout and "Name" in r.stdout
    # a missing required parameter is a clear error
    r = gk(server, "pipeline", "execute", "-a", "cli", "-n", "deploy")
    assert r.returncode == 1 and "'env' is required" in r.stderr
    # history and restore
    history = json.loads(gk(server, "pipeline", "history", "-a", "cli", "-n", "deploy", "-o", "json").stdout)
    assert [h["version"] for h in history] == [2, 1]
    assert gk(server, "pipeline", "restore", "-a", "cli", "-n", "deploy", "--version", "1").returncode == 0
    assert (
        json.loads(gk(server, "pipeline", "get", "-a", "cli", "-n", "deploy").stdout)["stages"][0]["waitTime"]
        == 0.2
    )
    # list executions, JSON execute
    out = json.loads(
        gk(server, "pipeline", "execute", "-a", "cli", "-n", "deploy", "-p", "env=dev", "-o", "json").stdout
    )
    with httpx.Client(base_url=server.url) as api:
        assert wait_execution(api, out["id"])["status"] == "SUCCEEDED"
    rows = json.loads(gk(server, "execution", "list", "-a", "cli", "-o", "json").stdout)
    assert len(rows) == 2 and all(r["trigger"]["user"] == "cli-user" for r in rows)
    assert gk(server, "pipeline", "delete", "-a", "cli", "-n", "deploy").returncode == 0
    assert gk(server, "pipeline", "get", "-a", "cli", "-n", "deploy").returncode == 1


def test_execution_judge_restart_skip_cancel(server: RealServer, tmp_path: Path) -> None:
    pipeline = {
        "application": "cliops",
        "name": "gate",
        "stages": [
            {"refId": "1", "type": "manualJudgment", "name": "Approve", "judgmentInputs": [{"value": "go"}]},
            {"refId": "2", "type": "wait", "name": "Long", "waitTime": 300, "requisiteStageRefIds": ["1"]},
            {"refId": "3", "type": "wait", "name": "After", "waitTime": 0, "requisiteStageRefIds": ["2"]},
        ],
    }
    path = tmp_path / "gate.json"
    path.write_text(json.dumps(pipeline))
    assert gk(server, "pipeline", "save", "-f", str(path)).returncode == 0
    eid = gk(server, "pipeline", "execute", "-a", "cliops", "-n", "gate").stdout.strip()
    with httpx.Client(base_url=server.url) as api:
        wait_until(
            lambda: stage(api.get(f"/pipelines/{eid}").json(), "1")["status"] == "RUNNING", what="judgment"
        )
        r = gk(server, "execution", "judge", eid, "continue", "--input", "go")
        assert r.returncode == 0, r.stderr
        wait_until(
            lambda: stage(api.get(f"/pipelines/{eid}").json(), "2")["status"] == "RUNNING", what="long wait"
        )
        assert gk(server, "execution", "skip", eid, "--stage", "Long").returncode == 0
        ex = wait_execution(api, eid)
        assert ex["status"] == "SUCCEEDED"
        assert stage(ex, "2")["status"] == "SKIPPED"
        assert stage(ex, "1")["context"]["lastModifiedBy"] == "cli-user"
        r = gk(server, "execution", "restart", eid, "--stage", "2")
        assert r.returncode == 0, r.stderr
        wait_until(
            lambda: stage(api.get(f"/pipelines/{eid}").json(), "2")["status"] == "RUNNING", what="restarted"
        )
        assert gk(server, "execution", "cancel", eid, "--reason", "done testing").returncode == 0
        ex = wait_execution(api, eid)
        assert (ex["status"], ex["canceledBy"], ex["cancellationReason"]) == (
            "CANCELED",
            "cli-user",
            "done testing",
        )
    shown = json.loads(gk(server, "execution", "get", eid, "-o", "json").stdout)
    assert shown["id"] == eid
    r = gk(server, "execution", "judge", eid, "continue")
    assert r.returncode == 1 and "no running manualJudgment stage" in r.stderr


def test_execution_pause_and_resume(server: RealServer, tmp_path: Path) -> None:
    # given a running execution of a long wait
    pipeline = {
        "application": "clipause",
        "name": "soak",
        "stages": [
            {"refId": "1", "type": "wait", "name": "Soak", "waitTime": 120},
            {"refId": "2", "type": "wait", "name": "After", "waitTime": 0, "requisiteStageRefIds": ["1"]},
        ],
    }
    path = tmp_path / "soak.json"
    path.write_text(json.dumps(pipeline))
    assert gk(server, "pipeline", "save", "-f", str(path)).returncode == 0
    eid = gk(server, "pipeline", "execute", "-a", "clipause", "-n", "soak").stdout.strip()

    def soak(api: httpx.Client, status: str) -> dict:
        return dict(
            wait_until(
                lambda: (s := stage(api.get(f"/pipelines/{eid}").json(), "1"))["status"] == status and s,
                what=f"soak {status}",
            )
        )

    with httpx.Client(base_url=server.url) as api:
        soak(api, "RUNNING")
        # when it is paused with the CLI
        r = gk(server, "execution", "pause", eid)
        assert (r.returncode, r.stdout.strip()) == (0, f"Execution {eid} paused."), r.stderr
        # then the execution and its running stage are PAUSED
        soak(api, "PAUSED")
        assert api.get(f"/pipelines/{eid}").json()["status"] == "PAUSED"
        # and pausing again is a clear error
        r = gk(server, "execution", "pause", eid)
        assert r.returncode == 1 and "error (409)" in r.stderr and "cannot be paused" in r.stderr
        # when it is resumed with the CLI, then it runs again (and ends when the wait is cut short)
        r = gk(server, "execution", "resume", eid)
        assert (r.returncode, r.stdout.strip()) == (0, f"Execution {eid} resumed."), r.stderr
        sid = soak(api, "RUNNING")["id"]
        assert api.get(f"/pipelines/{eid}").json()["status"] == "RUNNING"
        api.patch(f"/pipelines/{eid}/stages/{sid}", json={"skipRemainingWait": True})
        ex = wait_execution(api, eid)
        assert ex["status"] == "SUCCEEDED" and ex["paused"]["pausedMs"] > 0
    # and resuming a finished execution is a clear error
    r = gk(server, "execution", "resume", eid)
    assert r.returncode == 1 and "error (409)" in r.stderr and "cannot be resumed" in r.stderr


def test_unreachable_api_is_a_clear_error(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"GENNAKER_API": "http://127.0.0.1:9"})
    r = subprocess.run(
        [gennaker_command(), "application", "list"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1 and "cannot reach the Gennaker API" in r.stderr


def _demo(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [gennaker_command(), "demo", *args],
        check=False,
        cwd=ROOT,
        env=server_env(tmp_path, env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def _deployments_after(out: str, tag: str) -> dict[str, list[str]]:
    after = out[out.index(f"After {tag}:") :]
    return {
        cells[0]: cells for cells in map(str.split, after.splitlines()) if cells[2:3] == ["deployment/web"]
    }


def test_demo_promotes_each_pushed_tag_from_staging_to_prod_after_a_canary(tmp_path: Path) -> None:
    started = time.monotonic()
    r = _demo(tmp_path, timeout_s=240)
    elapsed = time.monotonic() - started
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "Result: SUCCEEDED" in out
    assert out.count("The docker trigger started execution") == 2
    assert out.count("stage 6 Deploy to prod: SUCCEEDED") == 2
    assert out.count("prod runs exactly the image staging runs") == 2
    # first push: prod runs nothing, so no canary; second: a canary that passes, then the prod deploy
    assert out.count("stage 5 Canary in prod: SKIPPED") == 1
    assert out.count("stage 5 Canary in prod: SUCCEEDED") == 1
    assert "Canary in prod: skipped: prod ran no version yet" in out
    assert re.search(r"Canary in prod: SUCCEEDED, scores 100, 100 \(pass 75, marginal 50\)", out), out
    assert re.search(r"error rate +Pass +\d\.\d+% vs \d\.\d+%", out), out
    assert re.search(r"latency +Pass +\d+\.\d ms vs \d+\.\d ms", out), out
    assert re.search(r"report: gennaker canary report [0-9A-Z]{26} [0-9A-Z]{26}", out), out
    rows = _deployments_after(out, "1.1.0")
    assert rows["staging"][-1] == rows["prod"][-1], out
    assert re.fullmatch(r"127\.0\.0\.1:\d+/demo/web:1\.1\.0@sha256:[0-9a-f]{64}", rows["prod"][-1])
    assert rows["prod"][3] == "2/2"
    assert "still in prod" not in out
    assert not (tmp_path / "gennaker.db").exists(), "the demo must not write to the user's GENNAKER_HOME"
    # about 50 s on an idle 2-core machine: server start, two runs, a 20 s canary; generous under load
    assert elapsed < 150, f"the demo took {elapsed:.0f} s"


def test_demo_with_a_bad_canary_keeps_the_old_version_in_prod(tmp_path: Path) -> None:
    r = _demo(tmp_path, "--bad-canary", timeout_s=240)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "metrics.errorRate=0.2" in out
    assert "stage 5 Canary in prod: TERMINAL" in out
    assert out.count("stage 6 Deploy to prod: SUCCEEDED") == 1  # only 1.0.0 reached prod
    assert re.search(r"Canary in prod: TERMINAL, scores 0 ", out), out
    assert re.search(r"error rate +High +(1\d|2\d)\.\d+% vs \d\.\d+%", out), out
    rows = _deployments_after(out, "1.1.0")
    assert ":1.1.0@" in rows["staging"][-1] and ":1.0.0@" in rows["prod"][-1], out
    assert "The canary stopped 1.1.0: prod still runs the previous version" in out
    assert "Result: SUCCEEDED (the canary stopped the bad release, as announced)" in out


def test_demo_without_the_registry_binary_says_to_run_setup(tmp_path: Path) -> None:
    r = _demo(tmp_path, env={"PATH": str(Path(gennaker_command()).parent)})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "docker-registry" in r.stderr and "scripts/setup" in r.stderr


def test_classic_demo_runs_end_to_end(tmp_path: Path) -> None:
    r = _demo(tmp_path, "--classic")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Result: SUCCEEDED" in r.stdout


def test_server_refuses_a_sandbox_account_that_clashes_or_is_not_a_name(tmp_path: Path) -> None:
    for args, message in (
        (["--sandbox-account", "sandbox"], "add --no-sandbox"),
        (["--sandbox-account", "../prod"], "is not an account name"),
    ):
        r = subprocess.run(
            [gennaker_command(), "server", "--port", "9", *args],
            check=False,
            env=server_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert r.returncode == 2 and message in r.stderr, r.stdout + r.stderr
