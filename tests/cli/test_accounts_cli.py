"""The real ``gennaker`` command against a real ``gennaker server`` with its providers: accounts of the three
kinds (put from YAML/JSON files, list, get, delete; secrets never printed), webhooks sent by hand, the
trigger event log and status; and ``gennaker sandbox serve`` writing a kubeconfig the real kubectl uses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from gennaker.sandbox import SandboxCluster
from tests.cli.test_commands import gk
from tests.realserver import ROOT, RealServer, gennaker_command, server_env, wait_execution, wait_until
from tests.sandbox.conftest import KUBECTL


@pytest.fixture(scope="module")
def server(providers_server: RealServer) -> RealServer:
    return providers_server


def test_kubernetes_accounts_from_a_yaml_file_with_an_inline_kubeconfig(
    server: RealServer, tmp_path: Path
) -> None:
    with SandboxCluster(port=0, name="cli-second") as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig", context="cli-second")
        account = tmp_path / "account.yaml"
        account.write_text("name: cli-second\nenvironment: qa\nnamespaces: [default]\n")

        r = gk(server, "account", "kubernetes", "put", str(account), "--inline-kubeconfig", str(kubeconfig))

        assert r.returncode == 0, r.stderr
        assert "Account cli-second saved." in r.stdout
        listed = json.loads(gk(server, "account", "kubernetes", "list", "-o", "json").stdout)
        assert {"sandbox", "cli-second"} <= {a["name"] for a in listed}
        got = gk(server, "account", "kubernetes", "get", "cli-second")
        assert json.loads(got.stdout)["environment"] == "qa"
        assert cluster.url not in got.stdout and "kubeconfigContents" not in json.loads(got.stdout)
        table = gk(server, "account", "kubernetes", "list")
        assert "cli-second" in table.stdout and "qa" in table.stdout and cluster.url not in table.stdout

        assert gk(server, "account", "kubernetes", "delete", "cli-second").returncode == 0
        gone = gk(server, "account", "kubernetes", "get", "cli-second")
        assert gone.returncode == 1 and "error (404)" in gone.stderr

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "broken", "kubeconfigFile": "/nowhere/kubeconfig"}))
    r = gk(server, "account", "kubernetes", "put", str(bad))
    assert r.returncode == 1 and "error (400)" in r.stderr and "cannot read kubeconfigFile" in r.stderr
    unnamed = tmp_path / "unnamed.yaml"
    unnamed.write_text("kubeconfigFile: /k\n")
    r = gk(server, "account", "kubernetes", "put", str(unnamed))
    assert r.returncode == 1 and "has no 'name'" in r.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [x\n")
    r = gk(server, "account", "kubernetes", "put", str(broken))
    assert r.returncode == 1 and "not valid YAML or JSON at line 2" in r.stderr


def test_artifact_and_docker_accounts_never_print_secrets(server: RealServer, tmp_path: Path) -> None:
    token = "glpat-cli-t0ken"
    accounts = tmp_path / "artifacts.yaml"
    accounts.write_text(
        yaml.safe_dump(
            [
                {"name": "gitlab-cli", "type": "gitlab", "secrets": {"token": token}},
                {
                    "name": "charts-cli",
                    "type": "helm",
                    "settings": {"repository": "http://127.0.0.1:9/charts"},
                },
            ]
        )
    )

    r = gk(server, "account", "artifact", "put", str(accounts))

    assert r.returncode == 0, r.stderr
    assert "Account gitlab-cli saved." in r.stdout and "Account charts-cli saved." in r.stdout
    listed = gk(server, "account", "artifact", "list", "-o", "json")
    assert {"embedded-artifact", "gitlab-cli", "charts-cli"} <= {a["name"] for a in json.loads(listed.stdout)}
    got = gk(server, "account", "artifact", "get", "gitlab-cli")
    assert json.loads(got.stdout)["secrets"] == {"token": "**********"}
    for out in (listed.stdout, got.stdout, gk(server, "account", "artifact", "list").stdout):
        assert token not in out
    # the printed view, put back as is, keeps the secret
    (tmp_path / "view.json").write_text(got.stdout)
    assert gk(server, "account", "artifact", "put", str(tmp_path / "view.json")).returncode == 0
    assert gk(server, "account", "artifact", "delete", "gitlab-cli").returncode == 0
    assert gk(server, "account", "artifact", "delete", "gitlab-cli").returncode == 1

    registry = tmp_path / "docker.json"
    registry.write_text(json.dumps({"name": "cli-reg", "address": "127.0.0.1:5998", "password": "pw-cli-9"}))
    assert gk(server, "account", "docker", "put", str(registry)).returncode == 0
    docker = gk(server, "account", "docker", "list", "-o", "json")
    assert json.loads(docker.stdout)[0]["address"] == "https://127.0.0.1:5998"
    assert "pw-cli-9" not in docker.stdout
    assert gk(server, "account", "docker", "delete", "cli-reg").returncode == 0
    assert json.loads(gk(server, "account", "docker", "list", "-o", "json").stdout) == []


def test_webhook_send_and_the_trigger_event_log(server: RealServer, tmp_path: Path) -> None:
    with server.client("cli-setup") as api:
        saved = api.post(
            "/pipelines",
            json={
                "application": "clihooks",
                "name": "on-hook",
                "triggers": [{"type": "webhook", "enabled": True, "source": "cli-ci", "secret": "s3"}],
                "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
            },
        )
        assert saved.status_code == 200, saved.text
        payload = tmp_path / "payload.json"
        payload.write_text(json.dumps({"parameters": {"tag": "v2"}}))

        refused = gk(server, "webhook", "send", "cli-ci", str(payload), "--secret", "nope")
        assert refused.returncode == 1 and "error (401)" in refused.stderr
        assert api.get("/applications/clihooks/pipelines").json() == []

        sent = gk(
            server, "webhook", "send", "cli-ci", str(payload), "--secret", "s3", "-H", "X-Event-Id: cli-1"
        )
        assert sent.returncode == 0, sent.stderr
        (execution_id,) = json.loads(sent.stdout)["executionIds"]
        assert wait_execution(api, execution_id)["status"] == "SUCCEEDED"

    events = json.loads(
        gk(server, "trigger", "events", "--limit", "5", "--type", "webhook", "-o", "json").stdout
    )
    assert len(events) == 2 and events[0]["started"]
    table = gk(server, "trigger", "events")
    assert table.returncode == 0 and "cli-ci" in table.stdout and "started" in table.stdout
    one = json.loads(gk(server, "trigger", "event", str(events[0]["id"])).stdout)
    assert execution_id in json.dumps(one["outcomes"])
    status = json.loads(gk(server, "trigger", "status").stdout)
    assert "leader" in status and "pollers" in status
    bad_header = gk(server, "webhook", "send", "cli-ci", str(payload), "-H", "no-colon")
    assert bad_header.returncode == 1 and "must be 'Name: value'" in bad_header.stderr


def _serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [gennaker_command(), "sandbox", "serve", *args],
        cwd=ROOT,
        env=server_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _kubectl(kubeconfig: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECACHEDIR": str(home / "cache")}
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    return out


def test_sandbox_serve_writes_a_kubeconfig_kubectl_uses_and_keeps_state(tmp_path: Path) -> None:
    kubeconfig, state = tmp_path / "kube" / "config", tmp_path / "state.json"
    (tmp_path / "kube").mkdir()

    proc = _serve(tmp_path, "--kubeconfig", str(kubeconfig), "--state-file", str(state), "--nodes", "2")
    try:
        wait_until(lambda: kubeconfig.exists() or proc.poll() is not None, 30, "the kubeconfig")
        assert proc.poll() is None
        nodes = _kubectl(kubeconfig, tmp_path, "get", "nodes")
        assert nodes.returncode == 0, nodes.stderr
        assert nodes.stdout.count(" Ready ") == 2
        server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        assert httpx.get(server + "/version", timeout=5).json()["major"] == "1"
        created = _kubectl(kubeconfig, tmp_path, "create", "configmap", "kept", "--from-literal=a=1")
        assert created.returncode == 0, created.stderr
    finally:
        out = _stop(proc)
    assert "sandbox API server listening on http://127.0.0.1:" in out and "kubeconfig written to" in out

    # restarted on the same state file, the object is still there
    kubeconfig.unlink()
    proc = _serve(tmp_path, "--kubeconfig", str(kubeconfig), "--state-file", str(state))
    try:
        wait_until(lambda: kubeconfig.exists() or proc.poll() is not None, 30, "the kubeconfig")
        kept = _kubectl(kubeconfig, tmp_path, "get", "configmap", "kept", "-o", "jsonpath={.data.a}")
        assert kept.returncode == 0 and kept.stdout == "1", kept.stderr
    finally:
        _stop(proc)

    bad = subprocess.run(
        [gennaker_command(), "sandbox", "serve", "--fault", "no-equals-sign"],
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert bad.returncode == 2 and "--fault" in bad.stderr
