"""``gennaker demo``: a real delivery pipeline end to end on a throw-away server, for a first look.

Default (the promotion demo, :mod:`gennaker.cli.demo_promotion`): starts a real Docker registry
(``docker-registry``, installed by ``scripts/setup``) on a free loopback port, then Gennaker in this process
with a temporary GENNAKER_HOME and two embedded sandbox clusters registered as Kubernetes accounts
``staging`` and ``prod``, the registry as docker registry account ``demo-registry`` polled every second.
It saves the promotion pipeline through the API, pushes image tag 1.0.0 (the docker trigger starts the
pipeline: bake the Helm chart with that tag, deploy to staging, read the image back from staging, approval,
deploy exactly that image to prod), follows the execution live, then pushes 1.1.0 to promote a new version,
and prints the staging and prod Deployments with their images. Exit 0 if every run succeeded and prod runs
staging's image; 1 with the failing stage's message otherwise; 2 when the demo cannot start (the message
says what to do).

``--classic`` runs the engine-only demo instead (:mod:`gennaker.cli.demo_classic`: wait, parallel
branches, judgment, webhook; no registry or cluster). ``--keep`` leaves the server running after the
promotion demo and prints its URL and the sandboxes' kubeconfigs.
"""

from __future__ import annotations

from typing import Annotated

import typer


def demo(
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="leave the server running afterwards (prints its URL and kubeconfigs; Ctrl-C stops)",
        ),
    ] = False,
    classic: Annotated[
        bool,
        typer.Option("--classic", help="the engine-only demo (judgment + webhook), no registry or cluster"),
    ] = False,
) -> None:
    """Run a real pipeline end to end on a throw-away server (exit 0 if it succeeds).

    By default: a push to a local Docker registry triggers a pipeline that bakes a Helm chart, deploys it to
    the sandbox account `staging`, finds the image running there and promotes exactly that image to `prod`;
    then a second tag is promoted the same way. Needs the `docker-registry` binary (scripts/setup)."""
    if classic:
        from gennaker.cli.demo_classic import run_classic

        raise typer.Exit(0 if run_classic() else 1)
    from gennaker.cli.demo_promotion import DemoFailed, run_promotion

    try:
        ok = run_promotion(keep=keep)
    except DemoFailed as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(0 if ok else 1)
