"""``gennaker server`` (API + in-process workers) and ``gennaker worker`` (workers only)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from gennaker.engine.service import PipelineService

ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def server(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (Gate's 8084 by default)", envvar="GENNAKER_PORT")] = 8084,
    workers: Annotated[int, typer.Option(help="engine worker threads in this process")] = 4,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", help="API only; run `gennaker worker` elsewhere")
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="GENNAKER_DATABASE_URL", help="default: a SQLite file in GENNAKER_HOME"),
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
    no_sandbox: Annotated[
        bool, typer.Option("--no-sandbox", help="no embedded sandbox cluster (account `sandbox`)")
    ] = False,
    no_triggers: Annotated[
        bool, typer.Option("--no-triggers", help="no polling, cron or completion triggers in this process")
    ] = False,
    sandbox_account: Annotated[
        list[str] | None,
        typer.Option(
            "--sandbox-account",
            metavar="NAME",
            help="one more embedded sandbox cluster, registered as Kubernetes account NAME (repeatable; "
            "state in GENNAKER_HOME/sandbox-NAME-state.json), e.g. staging and prod",
        ),
    ] = None,
) -> None:
    """Run the API and the engine in one process (data under GENNAKER_HOME, or GENNAKER_DATABASE_URL).

    Also starts the embedded sandbox cluster (Kubernetes account and metrics account `sandbox`, its state
    kept in GENNAKER_HOME/sandbox-state.json), the Kubernetes provider, artifact accounts, canary analysis
    and triggers; `/health` reports them under `providers`. `--sandbox-account staging --sandbox-account
    prod` adds more embedded sandboxes as Kubernetes accounts of those names (the promotion demo's setup)."""
    from gennaker.api.providers import SANDBOX_ACCOUNT, ProvidersConfig, sandbox_state_file
    from gennaker.api.server import serve

    extra = list(dict.fromkeys(sandbox_account or []))
    for name in extra:
        if not ACCOUNT_NAME.fullmatch(name):
            raise typer.BadParameter(
                f"{name!r} is not an account name (letters, digits, '-', '_', '.')",
                param_hint="--sandbox-account",
            )
        if name == SANDBOX_ACCOUNT and not no_sandbox:
            raise typer.BadParameter(
                f"{name!r} is the embedded sandbox's own account; pick another name or add --no-sandbox",
                param_hint="--sandbox-account",
            )

    serve(
        host=host,
        port=port,
        workers=0 if no_workers else workers,
        database_url=database_url,
        log_level=log_level.lower(),
        providers_config=ProvidersConfig(
            sandbox=not no_sandbox,
            triggers=not no_triggers,
            extra_sandboxes={name: sandbox_state_file(name) for name in extra},
        ),
    )


def worker(
    threads: Annotated[int, typer.Option(help="worker threads", envvar="GENNAKER_WORKER_THREADS")] = 4,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="GENNAKER_DATABASE_URL", help="default: a SQLite file in GENNAKER_HOME"),
    ] = None,
    lease_ms: Annotated[
        int, typer.Option(help="message lease; a dead worker's work is taken over after it")
    ] = 10_000,
) -> None:
    """Run engine workers only (scale-out: several of these share one PostgreSQL database).

    Also starts what stages need in this process: the Kubernetes provider (the accounts stored in the
    database and the settings file; not the embedded sandbox, which belongs to a server process), artifact
    accounts and canary analysis. Triggers run in the servers."""
    import logging
    import os

    from gennaker.api.providers import Providers, ProvidersConfig
    from gennaker.engine.worker import run_worker

    def start_providers(service: PipelineService) -> Callable[[], None]:
        providers = Providers(service, ProvidersConfig(sandbox=False, triggers=False)).start()
        return providers.stop

    logging.basicConfig(level=os.environ.get("GENNAKER_LOG_LEVEL", "INFO"))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    run_worker(threads=threads, database_url=database_url, lease_ms=lease_ms, start_providers=start_providers)
