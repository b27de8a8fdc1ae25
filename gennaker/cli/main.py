"""Entry point of the ``gennaker`` command.

Each command group lives in its own module under ``gennaker.cli`` and is attached here, so this file
stays a table of contents. Imports of heavy modules happen inside commands to keep start-up fast.
"""

from __future__ import annotations

import typer

from gennaker import __version__

app = typer.Typer(
    name="gennaker",
    help="Continuous delivery for Kubernetes: pipelines, manifests, canary analysis, in one process.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Continuous delivery for Kubernetes: pipelines, manifests, canary analysis, in one process."""


@app.command()
def version() -> None:
    """Print Gennaker's version."""
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
