"""``gennaker trigger events|event|status`` and ``gennaker webhook send``: the trigger event log, the
trigger runtime's status, and posting a webhook by hand (to try a pipeline's webhook trigger).

``webhook send SOURCE FILE`` posts the file's bytes unchanged to ``/webhooks/webhook/SOURCE`` (``--git
github|gitlab|bitbucket`` posts to ``/webhooks/git/<provider>`` instead; SOURCE is then ignored), with
``--secret`` as ``X-Webhook-Secret`` and any ``-H 'Name: value'`` headers. It prints the answer and
exits 1 when the server refused the event (400, 401).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from gennaker.cli.common import Output, OutputOption, api_errors, client, output, print_json, print_table

app = typer.Typer(help="Triggers: the event log and the trigger runtime.", no_args_is_help=True)
webhook_app = typer.Typer(help="Webhooks: send one by hand.", no_args_is_help=True)


def _outcome(event: dict[str, Any]) -> str:
    """``application/pipeline: result (reason)`` per candidate pipeline."""
    parts = []
    for o in event.get("outcomes") or []:
        reason = f" ({o['reason']})" if o.get("reason") else ""
        parts.append(f"{o.get('application')}/{o.get('pipeline')}: {o.get('result')}{reason}")
    return "; ".join(parts)


@app.command()
def events(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="how many, newest first")] = 20,
    type: Annotated[
        str | None, typer.Option("--type", help="webhook, git, docker, cron, pipeline, helm")
    ] = None,
    source: Annotated[str | None, typer.Option(help="the event's source")] = None,
    before: Annotated[int | None, typer.Option(help="page: events with an id below this")] = None,
    fmt: OutputOption = Output.table,
) -> None:
    """The trigger event log: what came in, what it started, why not."""
    with api_errors():
        found = client(ctx).get("/triggers/events", limit=limit, type=type, source=source, before=before)
    output(
        found,
        fmt,
        lambda d: print_table(
            "Trigger events",
            ["id", "type", "source", "status", "summary", "pipelines"],
            [
                [e.get("id"), e.get("type"), e.get("source"), e.get("status"), e.get("summary"), _outcome(e)]
                for e in d
            ],
        ),
    )


@app.command()
def event(ctx: typer.Context, event_id: Annotated[int, typer.Argument(help="event id")]) -> None:
    """One trigger event with its (redacted) payload and outcomes, as JSON."""
    with api_errors():
        print_json(client(ctx).get(f"/triggers/events/{event_id}"))


@app.command()
def status(ctx: typer.Context, fmt: OutputOption = Output.json) -> None:
    """The trigger runtime: which process schedules, pollers, problems, the next cron firing."""
    with api_errors():
        found = client(ctx).get("/triggers/status")
    output(
        found,
        fmt,
        lambda d: print_table(
            f"Triggers (leader {d.get('leader')}, next cron {d.get('cronNextFire')})",
            ["poller", "last success", "last error", "failures"],
            [
                [p.get("key"), p.get("lastSuccess"), p.get("lastError"), p.get("consecutiveFailures")]
                for p in d.get("pollers") or []
            ],
        ),
    )


@webhook_app.command()
def send(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="the webhook trigger's source (the path's last part)")],
    file: Annotated[str, typer.Argument(help="the payload, sent byte for byte (- for stdin)")],
    secret: Annotated[str | None, typer.Option(help="sent as X-Webhook-Secret")] = None,
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="'Name: value', repeatable")
    ] = None,
    git: Annotated[
        str | None, typer.Option(help="post a git push to /webhooks/git/<provider> instead")
    ] = None,
) -> None:
    """Post a webhook payload; print which executions it started."""
    import sys

    try:
        content = sys.stdin.buffer.read() if file == "-" else open(file, "rb").read()  # noqa: SIM115
    except OSError as e:
        typer.echo(f"error: cannot read payload file {file}: {e.strerror}", err=True)
        raise typer.Exit(1) from None
    headers = {"Content-Type": "application/json"}
    for h in header or []:
        name, sep, value = h.partition(":")
        if not sep or not name.strip():
            typer.echo(f"error: --header {h!r} must be 'Name: value'", err=True)
            raise typer.Exit(1)
        headers[name.strip()] = value.strip()
    if secret is not None:
        headers["X-Webhook-Secret"] = secret
    path = f"/webhooks/git/{git}" if git else f"/webhooks/webhook/{source}"
    from gennaker.cli.client import ApiError

    try:
        answer = client(ctx).request("POST", path, content=content, headers=headers)
    except ApiError as e:
        if isinstance(e.body, dict):
            print_json(e.body)
        body = e.body if isinstance(e.body, dict) else {}
        detail = body.get("message") or body.get("error") or e.message
        typer.echo(f"error ({e.status}): {detail}" if e.status else f"error: {e.message}", err=True)
        raise typer.Exit(1) from None
    print_json(answer)
