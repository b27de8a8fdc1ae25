"""End-to-end fixtures: pipelines run through the HTTP API of a real ``gennaker server`` process, deploying
with the real kubectl to sandbox clusters whose pods really roll out (workload controllers, scheduler and
kubelets, fast timings).

- ``sandbox``: a fast sandbox cluster started in the test process (overrides the parent's), so tests can
  look at it with the real kubectl (``kubectl``, ``ns`` of ``tests/kubernetes/conftest.py``) and tune it
  (log providers, faults);
- ``server``: ONE ``gennaker server --no-sandbox --no-triggers`` subprocess per module (SQLite under a
  temporary home), its providers ready;
- ``pipelines``: a :class:`Pipelines` driver over that server's API, with ``sandbox`` registered as the
  Kubernetes account ``sandbox`` the way a user adds a cluster (``POST /credentials`` with an inline
  kubeconfig, then ``GET /credentials/{name}/health`` until the account is watched and synced).

Nothing in-process reaches into the server: settings a user would set (the fail-fast grace, say) are set
through stage fields or the account's settings.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.simulation import SimulationSettings
from tests.kubernetes.conftest import TERMINAL_STATES
from tests.realserver import RealServer

FAST = SimulationSettings(start_delay=0.05, ready_delay=0.1, run_seconds=0.2, termination_seconds=0.05)

#: Bounds, generous for a loaded 2-core machine (the scenarios take seconds when idle).
EXECUTION_TIMEOUT_S = 120.0
ACCOUNT_SYNC_TIMEOUT_S = 60.0
SERVER_START_TIMEOUT_S = 90.0


def workload_sandbox() -> SandboxCluster:
    """A sandbox whose pods roll out fast."""
    return SandboxCluster(port=0, bookmark_interval=1.0, simulation=FAST)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxCluster]:
    with workload_sandbox() as cluster:
        yield cluster


class Pipelines:
    """Runs pipelines of application ``shop`` through a real server's HTTP API and waits for them, the way
    a user's script would: ``POST /pipelines`` (save), ``POST /pipelines/{app}/{name}`` (start),
    ``GET /pipelines/{id}`` (Orca's execution JSON) until the execution is complete."""

    def __init__(self, server: RealServer, client: httpx.Client, application: str = "shop") -> None:
        self.server = server
        self.client = client
        self.application = application

    def add_account(self, name: str, cluster: SandboxCluster, **settings: Any) -> dict[str, Any]:
        """Register ``cluster`` as Kubernetes account ``name`` (inline kubeconfig, plus account
        ``settings`` such as ``failFastGraceSeconds``) and wait until its watch has synced; its health."""
        kubeconfig = yaml.safe_dump(cluster.kubeconfig(context=name), sort_keys=False)
        added = self.client.post(
            "/credentials", json={"name": name, "kubeconfigContents": kubeconfig, **settings}
        )
        assert added.status_code == 201, added.text
        deadline = time.monotonic() + ACCOUNT_SYNC_TIMEOUT_S
        health: dict[str, Any] = {}
        while time.monotonic() < deadline:
            health = self.client.get(f"/credentials/{name}/health").json()
            if health.get("synced"):
                return health
            time.sleep(0.1)
        raise AssertionError(f"account {name} not synced after {ACCOUNT_SYNC_TIMEOUT_S}s: {health}")

    def run(self, stages: list[dict[str, Any]], **config: Any) -> str:
        """Save a pipeline of ``stages`` (plus pipeline ``config``; ``trigger`` is the start request's
        body) and start it; returns the execution id."""
        body: dict[str, Any] = {
            "application": self.application,
            "name": config.pop("name", "p-" + uuid.uuid4().hex[:6]),
            "stages": stages,
        }
        trigger = config.pop("trigger", None) or {"type": "manual"}
        body.update(config)
        saved = self.client.post("/pipelines", json=body)
        assert saved.status_code == 200, saved.text
        started = self.client.post(f"/pipelines/{self.application}/{body['name']}", json=trigger)
        assert started.status_code == 202, started.text
        return str(started.json()["ref"].rsplit("/", 1)[-1])

    def wait(self, execution_id: str, timeout_s: float = EXECUTION_TIMEOUT_S) -> dict[str, Any]:
        """The execution (``GET /pipelines/{id}``) once it is complete (bounded)."""
        deadline = time.monotonic() + timeout_s
        execution: dict[str, Any] = {}
        while time.monotonic() < deadline:
            got = self.client.get(f"/pipelines/{execution_id}")
            assert got.status_code == 200, got.text
            execution = got.json()
            if execution.get("status") in TERMINAL_STATES:
                return execution
            time.sleep(0.1)
        raise AssertionError(
            f"execution {execution_id} still {execution.get('status')} after {timeout_s} s: "
            f"{json.dumps(execution)[:4000]}\nserver log:\n{self.server.log.read_text()[-3000:]}"
        )

    def execute(
        self, stages: list[dict[str, Any]], timeout_s: float = EXECUTION_TIMEOUT_S, **config: Any
    ) -> dict[str, Any]:
        """Run ``stages`` and return the complete execution."""
        return self.wait(self.run(stages, **config), timeout_s)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """One real server per module, without an embedded sandbox: the clusters are the tests' own."""
    s = RealServer(Path(tmp_path_factory.mktemp("home"))).start(timeout_s=SERVER_START_TIMEOUT_S)
    try:
        s.wait_providers(timeout_s=SERVER_START_TIMEOUT_S)
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def pipelines(server: RealServer, sandbox: SandboxCluster) -> Iterator[Pipelines]:
    """The driver, with the module's ``sandbox`` registered as Kubernetes account ``sandbox``."""
    with server.client("e2e-tester") as client:
        driver = Pipelines(server, client)
        driver.add_account("sandbox", sandbox)
        yield driver
