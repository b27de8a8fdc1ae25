"""``gennaker sandbox serve``: a standalone sandbox Kubernetes API server (the same
:func:`gennaker.sandbox.cluster.serve` that ``python -m gennaker.sandbox serve`` runs).

It writes a kubeconfig kubectl uses as is (``--kubeconfig``), keeps its objects across restarts with
``--state-file``, and takes sandbox-wide fault rules (``--fault 'registry.local/bad:*=never-ready'``,
repeatable). Runs until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="The sandbox cluster: a Kubernetes API server for rehearsals and tests.", no_args_is_help=True
)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (0: a free one)")] = 0,
    kubeconfig: Annotated[
        Path | None, typer.Option(help="write a kubeconfig for this sandbox to PATH")
    ] = None,
    state_file: Annotated[Path | None, typer.Option(help="keep objects in PATH across restarts")] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(help="sandbox-wide fault rule IMAGE_GLOB=FAULT[:EXIT_CODE], repeatable"),
    ] = None,
    context: Annotated[str, typer.Option(help="context name in the kubeconfig")] = "sandbox",
    nodes: Annotated[int, typer.Option(help="number of simulated nodes")] = 3,
    ready_delay: Annotated[
        float | None, typer.Option(help="seconds from running to Ready (default 0.5)")
    ] = None,
) -> None:
    """Run a sandbox Kubernetes API server until interrupted."""
    from gennaker.sandbox.cluster import serve as serve_sandbox
    from gennaker.sandbox.kubelet.faults import FaultError, parse_rule_text
    from gennaker.sandbox.simulation import SimulationSettings

    for text in fault or []:
        try:
            parse_rule_text(text)
        except FaultError as e:
            raise typer.BadParameter(str(e), param_hint="--fault") from None
    simulation = SimulationSettings(ready_delay=ready_delay) if ready_delay is not None else None
    code = serve_sandbox(
        port=port,
        kubeconfig=kubeconfig,
        state_file=state_file,
        context=context,
        nodes=nodes,
        simulation=simulation,
        faults=fault or (),
    )
    raise typer.Exit(code)
