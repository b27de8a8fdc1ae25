"""Entry point of the ``gennaker`` command.

Each command group lives in its own module under ``gennaker.cli`` and is attached here, so this file
stays a table of contents. Modules import only Typer at the top; HTTP, Rich and the engine are imported
inside commands, to keep start-up fast. Root options: ``--api`` (``GENNAKER_API``) and ``--user``
(``GENNAKER_USER``) for the client commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from gennaker import __version__
from gennaker.cli import (
    accounts,
    applications,
    canary,
    clusters,
    demo,
    executions,
    pipelines,
    sandbox_cmd,
    server_cmd,
    triggers,
)

app = typer.Typer(
    name="gennaker",
    help="Continuous delivery for Kubernetes: pipelines, manifests, canary analysis, in one process.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    api: Annotated[
        str | None,
        typer.Option("--api", envvar="GENNAKER_API", help="API URL [default: http://127.0.0.1:8084]"),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", envvar="GENNAKER_USER", help="who you are (recorded)")
    ] = None,
) -> None:
    """Continuous delivery for Kubernetes: pipelines, manifests, canary analysis, in one process."""
    ctx.obj = {"api": api, "user": user}


@app.command()
def version() -> None:
    """Print Gennaker's version."""
    typer.echo(__version__)


app.command()(server_cmd.server)
app.command()(server_cmd.worker)
app.command()(demo.demo)
app.add_typer(applications.app, name="application")
app.add_typer(pipelines.app, name="pipeline")
app.add_typer(executions.app, name="execution")
app.add_typer(accounts.app, name="account")
app.add_typer(triggers.app, name="trigger")
app.add_typer(triggers.webhook_app, name="webhook")
app.add_typer(sandbox_cmd.app, name="sandbox")
app.add_typer(canary.app, name="canary")
app.add_typer(clusters.cluster_app, name="cluster")
app.add_typer(clusters.server_group_app, name="server-group")
app.add_typer(clusters.load_balancer_app, name="load-balancer")
app.add_typer(clusters.manifest_app, name="manifest")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
