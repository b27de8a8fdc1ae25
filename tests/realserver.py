"""A real ``gennaker server`` (or ``gennaker worker``) subprocess on a loopback port, for end-to-end
tests of the API and the CLI. Start-up is bounded; ``kill()`` is SIGKILL (a crash), ``stop()`` SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port
from tests.localhttp import LocalHTTPServer

ROOT = Path(__file__).resolve().parents[1]


def gennaker_command() -> str:
    """The installed ``gennaker`` console script of this virtualenv."""
    found = Path(sys.executable).parent / "gennaker"
    return str(found) if found.exists() else str(shutil.which("gennaker"))


def server_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENNAKER_")}
    env.update(
        GENNAKER_HOME=str(home),
        GENNAKER_WEBHOOK_RETRY_BACKOFF_MS="100",
        GENNAKER_WEBHOOK_MONITOR_BACKOFF_MS="100",
        GENNAKER_LOG_LEVEL="WARNING",
    )
    env.update(extra or {})
    return env


class RealServer:
    """One ``gennaker server`` process."""

    def __init__(
        self,
        home: Path,
        *,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        sandbox: bool = False,
    ) -> None:
        """``sandbox`` False (the default for tests that only need the engine) runs the server with
        ``--no-sandbox --no-triggers``; True runs every provider, see :meth:`wait_providers`."""
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [*(args or []), *([] if sandbox else ["--no-sandbox", "--no-triggers"])]
        self.env = server_env(home, env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / f"server-{self.port}.log"

    def start(self, timeout_s: float = 30) -> RealServer:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [gennaker_command(), "server", "--port", str(self.port), *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server not ready after {timeout_s}s:\n{self.log.read_text()[-3000:]}")

    def wait_providers(self, timeout_s: float = 60) -> dict[str, Any]:
        """Block until ``/health`` reports the providers ready; their status. Fails on a start-up error."""
        deadline = time.monotonic() + timeout_s
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = httpx.get(self.url + "/health", timeout=5).json().get("providers") or {}
            if status.get("error"):
                raise AssertionError(f"providers failed: {status['error']}")
            if status.get("ready"):
                return status
            time.sleep(0.1)
        raise AssertionError(f"providers not ready after {timeout_s}s: {status}")

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"X-Spinnaker-User": user} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_execution(
    client: httpx.Client, execution_id: str, statuses: set[str] | None = None, timeout_s: float = 60
) -> dict[str, Any]:
    """Poll ``GET /pipelines/{id}`` (bounded) until the status is one of ``statuses`` (default: complete)."""
    wanted = statuses or {"SUCCEEDED", "TERMINAL", "CANCELED", "STOPPED", "FAILED_CONTINUE", "SKIPPED"}
    deadline = time.monotonic() + timeout_s
    ex: dict[str, Any] = {}
    while time.monotonic() < deadline:
        ex = client.get(f"/pipelines/{execution_id}").json()
        if ex.get("status") in wanted:
            return ex
        time.sleep(0.05)
    raise AssertionError(f"execution {execution_id} still {ex.get('status')} after {timeout_s}s")


def wait_until(predicate: Any, timeout_s: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def run_pipeline(
    client: httpx.Client, stages: list[dict[str, Any]], *, app: str, name: str, **extra: Any
) -> str:
    """Save a pipeline through the API and start it; returns the execution id."""
    trigger = extra.pop("trigger", {"type": "manual"})
    saved = client.post("/pipelines", json={"application": app, "name": name, "stages": stages, **extra})
    assert saved.status_code == 200, saved.text
    started = client.post(f"/pipelines/{app}/{name}", json=trigger)
    assert started.status_code == 202, started.text
    return str(started.json()["ref"].rsplit("/", 1)[-1])


def stage(ex: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(s for s in ex["stages"] if s["refId"] == ref)


# ---------------------------------------------------------------- fixtures (imported by conftest files)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """One real ``gennaker server`` subprocess per test module (SQLite under a temporary home)."""
    s = RealServer(Path(tmp_path_factory.mktemp("home"))).start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def providers_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """One real ``gennaker server`` per test module with every provider (embedded sandbox, Kubernetes,
    artifacts, canary, triggers), ready."""
    s = RealServer(Path(tmp_path_factory.mktemp("home")), sandbox=True).start()
    try:
        s.wait_providers()
        yield s
    finally:
        s.stop()


@pytest.fixture
def api(server: RealServer) -> Iterator[httpx.Client]:
    """An HTTP client of the module's server, as user ``e2e-tester``."""
    with server.client("e2e-tester") as c:
        yield c


@pytest.fixture
def http() -> Iterator[LocalHTTPServer]:
    """A real HTTP server on 127.0.0.1 for webhook stages to call."""
    with LocalHTTPServer() as s:
        yield s
