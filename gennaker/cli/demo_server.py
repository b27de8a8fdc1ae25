"""The throw-away server ``gennaker demo`` runs in its own process: API + engine workers (and, for the
promotion demo, the providers) on a free loopback port, data in a temporary GENNAKER_HOME.

Who uses it: :mod:`gennaker.cli.demo_classic` and :mod:`gennaker.cli.demo_promotion`. Everything the demos
do goes through the HTTP API at ``url`` (the same API the CLI uses); ``providers`` is only read for what the
API does not show yet (the sandboxes' URLs and kubeconfigs, the docker poller's first poll).

    with DemoServer(providers=ProvidersConfig(...)) as server:
        client = GennakerClient(server.url, user="demo")

On exit the server and providers stop, the environment variables it set are restored and the home is
deleted.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

    from gennaker.api.providers import Providers, ProvidersConfig
    from gennaker.engine.runtime import EngineRuntime


class DemoServer:
    """One in-process server on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        providers: ProvidersConfig | None = None,
        env: dict[str, str] | None = None,
        workers: int = 4,
    ) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="gennaker-demo-"))
        self.providers_config = providers
        self.providers: Providers | None = None
        self.url = ""
        self._env = {"GENNAKER_HOME": str(self.home), **(env or {})}
        self._saved_env: dict[str, str | None] = {}
        self._workers = workers
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._runtime: EngineRuntime | None = None

    def __enter__(self) -> DemoServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, timeout_s: float = 60) -> DemoServer:
        """Start the API, the workers and the providers; wait until the providers are ready."""
        import uvicorn

        from gennaker.api.app import create_app
        from gennaker.api.providers import Providers
        from gennaker.engine.runtime import EngineRuntime
        from gennaker.engine.service import PipelineService
        from gennaker.engine.worker import WorkerPool

        for key, value in self._env.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        self._runtime = runtime = EngineRuntime.create(f"sqlite:///{self.home / 'gennaker.db'}")
        service = PipelineService(runtime)
        pool = WorkerPool(runtime, threads=self._workers)
        providers = Providers(service, self.providers_config) if self.providers_config else None
        self.providers = providers

        def startup() -> None:
            if providers is not None:
                providers.start_in_background()
            pool.start()

        def shutdown() -> None:
            pool.stop()
            if providers is not None:
                providers.stop()

        app = create_app(
            service,
            on_startup=startup,
            on_shutdown=shutdown,
            worker_threads=self._workers,
            providers=providers,
        )
        port = _free_port()
        self._server = server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        self._thread = threading.Thread(target=server.run, name="gennaker-demo-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the demo server did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{port}"
        if providers is not None:
            providers.wait_ready(max(1.0, deadline + timeout_s - 20 - time.monotonic()))
        return self

    def stop(self) -> None:
        """Stop the server (and with it the workers and providers), restore the environment, delete home."""
        server, self._server = self._server, None
        if server is not None:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(20)
            self._thread = None
        if self._runtime is not None:
            self._runtime.db.dispose()
            self._runtime = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}
        shutil.rmtree(self.home, ignore_errors=True)


def judge_when_waiting(
    api: str, execution_id: str, stop: threading.Event, *, user: str, judgment: dict[str, Any]
) -> None:
    """Plays the release manager: waits for the execution's running manualJudgment stage and continues it
    through the API (``PATCH /pipelines/{id}/stages/{stageId}``), as ``gennaker execution judge`` would."""
    from gennaker.cli.client import GennakerClient

    c = GennakerClient(api, user=user)
    try:
        while not stop.wait(0.2):
            ex = c.get(f"/pipelines/{execution_id}")
            stage = next(
                (s for s in ex["stages"] if s["type"] == "manualJudgment" and s["status"] == "RUNNING"), None
            )
            if stage is not None:
                time.sleep(1.0)  # long enough to see it waiting
                c.patch(f"/pipelines/{execution_id}/stages/{stage['id']}", judgment)
                return
            if ex["status"] not in ("RUNNING", "NOT_STARTED"):
                return
    finally:
        c.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
