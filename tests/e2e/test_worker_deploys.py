"""Scale-out: a ``gennaker server --no-workers`` and a separate ``gennaker worker`` process sharing one
database. Given a Kubernetes account added through the server's API (pointing at a sandbox cluster started
here), when a deployManifest pipeline runs, then the worker process (which starts the Kubernetes provider
on the stored accounts itself) deploys it with the real kubectl."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from gennaker.sandbox import SandboxCluster, SimulationSettings
from tests.realserver import (
    ROOT,
    RealServer,
    gennaker_command,
    run_pipeline,
    server_env,
    stage,
    wait_execution,
)
from tests.sandbox.conftest import make_kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.slow]


def test_a_worker_process_runs_kubernetes_stages_on_the_stored_accounts(tmp_path: Path) -> None:
    simulation = SimulationSettings(start_delay=0.05, ready_delay=0.05)
    with SandboxCluster(port=0, name="cluster", simulation=simulation) as cluster:
        home = tmp_path / "home"
        server = RealServer(home, args=["--no-workers"]).start()
        worker = subprocess.Popen(
            [gennaker_command(), "worker", "--threads", "2"],
            cwd=ROOT,
            env=server_env(home),
            stdout=subprocess.DEVNULL,
            stderr=(home / "worker.log").open("wb"),
        )
        try:
            server.wait_providers()
            with server.client("ops") as api:
                account = {
                    "name": "shared",
                    "kubeconfigContents": yaml.safe_dump(cluster.kubeconfig(context="shared")),
                }
                assert api.post("/credentials", json=account).status_code == 201
                manifest = {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "scaled-out", "namespace": "default"},
                    "data": {"who": "worker"},
                }
                execution_id = run_pipeline(
                    api,
                    [
                        {
                            "refId": "1",
                            "type": "deployManifest",
                            "account": "shared",
                            "source": "text",
                            "moniker": {"app": "scale"},
                            "manifests": [manifest],
                        }
                    ],
                    app="scale",
                    name="deploy",
                )
                execution = wait_execution(api, execution_id, timeout_s=120)
            context = stage(execution, "1").get("context")
            assert execution["status"] == "SUCCEEDED", json.dumps(context, indent=1)
            kubectl = make_kubectl(cluster, tmp_path / "kube")
            deployed = kubectl.json("get", "configmap", "-n", "default", "-l", "app.kubernetes.io/name=scale")
            assert [item["metadata"]["name"] for item in deployed["items"]] == ["scaled-out-v000"]
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            server.stop()
