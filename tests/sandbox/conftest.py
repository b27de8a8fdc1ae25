"""Fixtures for the sandbox tests: a running sandbox, the real kubectl pointed at it, the real Python client.

Every sandbox gets its own kubeconfig, ``KUBECACHEDIR`` and ``HOME`` (kubectl caches discovery and OpenAPI
per host:port for hours). Tests that share the module-scoped sandbox work in their own namespace
(``ns`` fixture) so they never see each other's objects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.simulation import SimulationSettings

KUBECTL = (
    str(Path(sys.executable).parent / "kubectl")
    if (Path(sys.executable).parent / "kubectl").exists()
    else (shutil.which("kubectl") or "kubectl")
)


@dataclass
class Kubectl:
    """The real kubectl binary bound to one sandbox."""

    env: dict[str, str]
    kubeconfig: Path

    def run(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [KUBECTL, *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def __call__(self, *args: str, input: str | None = None, timeout: float = 60) -> str:
        return self.run(*args, input=input, timeout=timeout).stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-o", "json").stdout)

    def fails(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        proc = self.run(*args, input=input, check=False)
        assert proc.returncode != 0, f"kubectl {' '.join(args)} unexpectedly succeeded:\n{proc.stdout}"
        return proc


def make_kubectl(cluster: SandboxCluster, home: Path) -> Kubectl:
    home.mkdir(parents=True, exist_ok=True)
    kubeconfig = cluster.write_kubeconfig(home / "kubeconfig")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "KUBECONFIG": str(kubeconfig),
        "KUBECACHEDIR": str(home / "cache"),
        "KUBECTL_EXTERNAL_DIFF": "diff -u -N",
    }
    return Kubectl(env, kubeconfig)


#: Fast simulated kubelets for the shared sandbox (tests that need other timings start their own).
FAST = SimulationSettings(start_delay=0.05, ready_delay=0.05, run_seconds=0.2, termination_seconds=0.05)


@pytest.fixture(scope="module")
def cluster() -> Iterator[SandboxCluster]:
    with SandboxCluster(port=0, bookmark_interval=1.0, simulation=FAST) as c:
        yield c


@pytest.fixture(scope="module")
def kubectl(cluster: SandboxCluster, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return make_kubectl(cluster, tmp_path_factory.mktemp("kube-home"))


@pytest.fixture
def ns(kubectl: Kubectl) -> Iterator[str]:
    """A fresh namespace for one test."""
    name = "t-" + uuid.uuid4().hex[:8]
    kubectl("create", "namespace", name)
    yield name


@pytest.fixture(scope="module")
def api_client(cluster: SandboxCluster) -> Iterator[Any]:
    from kubernetes import client

    config = client.Configuration()
    config.host = cluster.url
    with client.ApiClient(config) as c:
        yield c


@pytest.fixture
def namespace(api_client: Any) -> str:
    """A fresh namespace for one Python-client test, created through the client."""
    from kubernetes import client

    name = "py-" + uuid.uuid4().hex[:8]
    client.CoreV1Api(api_client).create_namespace({"metadata": {"name": name}})
    return name
