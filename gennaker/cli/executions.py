"""``gennaker execution get|list|watch|cancel|pause|resume|judge|restart|skip`` (``spin pipeline
execution ...`` plus the user operations on stages)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from gennaker.cli.common import Output, OutputOption, api_errors, client, output, print_json, print_table

app = typer.Typer(
    help="Executions: inspect, follow, cancel, pause, resume, judge, restart, skip.", no_args_is_help=True
)

ExecutionArg = Annotated[str, typer.Argument(help="execution id")]
StageOption = Annotated[
    str | None, typer.Option("--stage", "-s", help="stage id, refId or name (default: the running one)")
]


def find_stage(
    execution: dict[str, Any], stage: str | None, *, want_type: str | None = None
) -> dict[str, Any]:
    """The stage named by id, refId or name; by default the running stage (of ``want_type``)."""
    stages = execution.get("stages") or []
    if stage:
        for key in ("id", "refId", "name"):
            found = [s for s in stages if str(s.get(key)) == stage]
            if found:
                return found[0]
        typer.echo(f"error: execution {execution['id']} has no stage {stage!r}", err=True)
        raise typer.Exit(1)
    running = [
        s for s in stages if s["status"] == "RUNNING" and (want_type is None or s["type"] == want_type)
    ]
    if not running:
        kind = f"{want_type} " if want_type else ""
        typer.echo(
            f"error: execution {execution['id']} has no running {kind}stage; name one with --stage", err=True
        )
        raise typer.Exit(1)
    return running[0]


@app.command()
def get(ctx: typer.Context, execution_id: ExecutionArg, fmt: OutputOption = Output.table) -> None:
    """Show an execution (its stages and statuses)."""
    from gennaker.cli.watch import render

    with api_errors():
        ex = client(ctx).get(f"/pipelines/{execution_id}")
    if fmt == Output.json:
        print_json(ex)
    else:
        from rich.console import Console

        Console().print(render(ex))


@app.command("list")
def list_(
    ctx: typer.Context,
    application: Annotated[str | None, typer.Option("--application", "-a", help="application")] = None,
    config_id: Annotated[str | None, typer.Option("--id", "-i", help="pipeline config id")] = None,
    limit: Annotated[int, typer.Option("--limit", "-l", help="at most this many")] = 25,
    status: Annotated[
        str | None, typer.Option(help="comma-separated statuses, e.g. RUNNING,TERMINAL")
    ] = None,
    fmt: OutputOption = Output.table,
) -> None:
    """List executions of an application (or of one pipeline config), newest first."""
    if not application and not config_id:
        typer.echo("error: give --application or --id", err=True)
        raise typer.Exit(1)
    with api_errors():
        c = client(ctx)
        if config_id:
            rows = c.get("/executions", pipelineConfigIds=config_id, limit=limit, statuses=status)
        else:
            rows = c.get(
                f"/applications/{application}/pipelines", limit=limit, statuses=status, expand="false"
            )
    output(
        rows,
        fmt,
        lambda d: print_table(
            "Executions",
            ["id", "pipeline", "status", "started by", "build time"],
            [
                [
                    e["id"],
                    e.get("name"),
                    e["status"],
                    (e.get("trigger") or {}).get("user"),
                    e.get("buildTime"),
                ]
                for e in d
            ],
        ),
    )


@app.command()
def watch(ctx: typer.Context, execution_id: ExecutionArg, fmt: OutputOption = Output.table) -> None:
    """Follow an execution live until it ends (exit 1 unless it succeeds)."""
    from gennaker.cli.watch import watch_execution

    with api_errors():
        final = watch_execution(client(ctx), execution_id, fmt=fmt)
    raise typer.Exit(0 if final == "SUCCEEDED" else 1)


@app.command()
def cancel(
    ctx: typer.Context,
    execution_id: ExecutionArg,
    reason: Annotated[str | None, typer.Option(help="why")] = None,
) -> None:
    """Cancel an execution."""
    with api_errors():
        client(ctx).put(f"/pipelines/{execution_id}/cancel", reason=reason)
    typer.echo(f"Execution {execution_id} canceled.")


@app.command()
def pause(ctx: typer.Context, execution_id: ExecutionArg) -> None:
    """Pause a running execution."""
    with api_errors():
        client(ctx).put(f"/pipelines/{execution_id}/pause")
    typer.echo(f"Execution {execution_id} paused.")


@app.command()
def resume(ctx: typer.Context, execution_id: ExecutionArg) -> None:
    """Resume a paused execution."""
    with api_errors():
        client(ctx).put(f"/pipelines/{execution_id}/resume")
    typer.echo(f"Execution {execution_id} resumed.")


@app.command()
def judge(
    ctx: typer.Context,
    execution_id: ExecutionArg,
    decision: Annotated[str, typer.Argument(help="continue or stop")],
    stage: StageOption = None,
    judgment_input: Annotated[str | None, typer.Option("--input", help="the chosen judgment input")] = None,
) -> None:
    """Judge a manual judgment stage: continue or stop."""
    with api_errors():
        c = client(ctx)
        target = find_stage(c.get(f"/pipelines/{execution_id}"), stage, want_type="manualJudgment")
        patch: dict[str, Any] = {"judgmentStatus": decision}
        if judgment_input is not None:
            patch["judgmentInput"] = judgment_input
        c.patch(f"/pipelines/{execution_id}/stages/{target['id']}", patch)
    typer.echo(f"Stage {target['name']} judged: {decision}.")


@app.command()
def restart(
    ctx: typer.Context,
    execution_id: ExecutionArg,
    stage: Annotated[str, typer.Option("--stage", "-s", help="stage id, refId or name")],
) -> None:
    """Restart a finished stage and everything downstream of it."""
    with api_errors():
        c = client(ctx)
        target = find_stage(c.get(f"/pipelines/{execution_id}"), stage)
        c.put(f"/pipelines/{execution_id}/stages/{target['id']}/restart")
    typer.echo(f"Stage {target['name']} restarted.")


@app.command()
def skip(ctx: typer.Context, execution_id: ExecutionArg, stage: StageOption = None) -> None:
    """Skip a stage that has not finished (what follows it runs)."""
    with api_errors():
        c = client(ctx)
        target = find_stage(c.get(f"/pipelines/{execution_id}"), stage)
        c.patch(f"/pipelines/{execution_id}/stages/{target['id']}", {"manualSkip": True})
    typer.echo(f"Stage {target['name']} skipped.")
