"""``serve``: the API and (unless told otherwise) engine workers in one process, behind uvicorn.

Who calls it: ``gennaker server``. Data: ``GENNAKER_DATABASE_URL`` or the SQLite file under
``GENNAKER_HOME``; migrations run before the port opens. Providers (embedded sandbox, Kubernetes,
artifacts, canary, triggers: :mod:`gennaker.api.providers`) start on a background thread as the port
opens. Shutdown (SIGTERM/SIGINT): uvicorn stops accepting requests, open event streams get
``timeout_graceful_shutdown`` seconds, then the workers finish the messages they hold (bounded), the
providers stop and the process exits; anything unfinished is in the database and resumes at the next
start.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from types import FrameType

import uvicorn

from gennaker.api.providers import Providers, ProvidersConfig

log = logging.getLogger(__name__)


class GracefulServer(uvicorn.Server):
    """Exits with status 0 after a graceful shutdown on SIGTERM/SIGINT (plain uvicorn re-raises the
    signal once shut down, so the exit status would be -15), and runs ``after_listening`` once the port
    is open: starting the providers earlier (in the lifespan) would compete with the start-up for the
    interpreter and delay the first answer."""

    def __init__(self, config: uvicorn.Config, after_listening: Callable[[], object] | None = None) -> None:
        super().__init__(config)
        self.after_listening = after_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.after_listening is not None:
            self.after_listening()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list):
            captured.clear()


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8084  # Gate's port, so spin's default endpoint finds us


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 4,
    database_url: str | None = None,
    log_level: str = "info",
    providers_config: ProvidersConfig | None = None,
) -> None:
    """Run until SIGTERM/SIGINT. ``workers`` = 0 runs the API only (workers run elsewhere).

    ``providers_config`` says which providers to run (default: all, with the embedded ``sandbox``); they
    start on a background thread once the port is open, so the API answers at once."""
    from gennaker.api.app import create_app
    from gennaker.engine.runtime import EngineRuntime
    from gennaker.engine.service import PipelineService
    from gennaker.engine.worker import WorkerPool

    logging.basicConfig(level=os.environ.get("GENNAKER_LOG_LEVEL", log_level.upper()))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per watch and scrape is noise
    runtime = EngineRuntime.create(database_url)
    service = PipelineService(runtime)
    pool = WorkerPool(runtime, threads=workers) if workers > 0 else None
    providers = Providers(service, providers_config or ProvidersConfig())

    def startup() -> None:
        if pool is not None:
            pool.start()

    def shutdown() -> None:
        if pool is not None:
            pool.stop()
        providers.stop()

    app = create_app(
        service, on_startup=startup, on_shutdown=shutdown, worker_threads=workers, providers=providers
    )
    log.info("gennaker server on http://%s:%d (%d worker threads, %s)", host, port, workers, _where(runtime))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=3,
        lifespan="on",
    )
    server = GracefulServer(config, after_listening=providers.start_in_background)
    server.run()
    runtime.db.dispose()
    log.info("gennaker server stopped")


def _where(runtime: object) -> str:
    """The database URL without credentials, for the start-up log line."""
    url = str(getattr(getattr(runtime, "db", None), "url", ""))
    return url.rsplit("@", maxsplit=1)[-1]
