"""``gennaker application list|get|save|delete`` (``spin application ...``). Save and delete run Gate's
``POST /tasks`` jobs and wait for them, as spin does."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from gennaker.cli.common import Output, OutputOption, api_errors, client, output, print_table, read_json_file

app = typer.Typer(help="Applications.", no_args_is_help=True)


def wait_task(c: Any, ref: str, timeout_s: float = 60) -> dict[str, Any]:
    """Follow a task until it completes (bounded)."""
    deadline = time.monotonic() + timeout_s
    while True:
        task: dict[str, Any] = c.get(ref)
        if task["status"] in ("SUCCEEDED", "TERMINAL", "CANCELED", "STOPPED", "FAILED_CONTINUE", "SKIPPED"):
            return task
        if time.monotonic() > deadline:
            typer.echo(
                f"error: task {ref} still {task['status']} after {timeout_s:.0f}s (are workers running?)",
                err=True,
            )
            raise typer.Exit(1)
        time.sleep(0.2)


def task_outcome(task: dict[str, Any], what: str) -> None:
    if task["status"] != "SUCCEEDED":
        errors = [
            e
            for s in task.get("stages") or []
            for e in (((s.get("context") or {}).get("exception") or {}).get("details") or {}).get("errors")
            or []
        ]
        typer.echo(f"error: {what} {task['status']}: {'; '.join(errors)}", err=True)
        raise typer.Exit(1)


@app.command("list")
def list_(ctx: typer.Context, fmt: OutputOption = Output.table) -> None:
    """List applications."""
    with api_errors():
        apps = client(ctx).get("/applications")
    output(
        apps,
        fmt,
        lambda d: print_table(
            "Applications",
            ["name", "email", "description"],
            [[a.get("name"), a.get("email"), a.get("description")] for a in d],
        ),
    )


@app.command()
def get(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="application name")],
    fmt: OutputOption = Output.table,
) -> None:
    """Show an application."""
    with api_errors():
        found = client(ctx).get(f"/applications/{name}")
    output(
        found, fmt, lambda d: print_table(d["name"], ["attribute", "value"], sorted(d["attributes"].items()))
    )


@app.command()
def save(
    ctx: typer.Context,
    file: Annotated[str | None, typer.Option("--file", "-f", help="application JSON (- for stdin)")] = None,
    name: Annotated[str | None, typer.Option("--application-name", "--name", help="name")] = None,
    email: Annotated[str | None, typer.Option("--owner-email", "--email", help="owner's email")] = None,
    description: Annotated[str | None, typer.Option(help="description")] = None,
    cloud_providers: Annotated[str | None, typer.Option(help="e.g. kubernetes")] = None,
) -> None:
    """Create or update an application (from a file, or from the options)."""
    body: dict[str, Any] = read_json_file(file, "application") if file else {}
    if not isinstance(body, dict):
        typer.echo("error: the application file must hold a JSON object", err=True)
        raise typer.Exit(1)
    for key, value in (
        ("name", name),
        ("email", email),
        ("description", description),
        ("cloudProviders", cloud_providers),
    ):
        if value is not None:
            body[key] = value
    if not body.get("name"):
        typer.echo("error: an application needs a name (--application-name or name in the file)", err=True)
        raise typer.Exit(1)
    with api_errors():
        c = client(ctx)
        exists = body["name"].lower() in [a["name"] for a in c.get("/applications")]
        job = {"type": "updateApplication" if exists else "createApplication", "application": body}
        ref = c.post(
            "/tasks",
            {"application": body["name"], "description": f"Save application {body['name']}", "job": [job]},
        )
        task_outcome(wait_task(c, ref["ref"]), "saving the application")
    typer.echo(f"Application {body['name'].lower()} saved.")


@app.command()
def delete(ctx: typer.Context, name: Annotated[str, typer.Argument(help="application name")]) -> None:
    """Delete an application."""
    with api_errors():
        c = client(ctx)
        c.get(f"/applications/{name}")
        ref = c.post(
            "/tasks",
            {
                "application": name,
                "description": f"Delete application {name}",
                "job": [{"type": "deleteApplication", "application": {"name": name}}],
            },
        )
        task_outcome(wait_task(c, ref["ref"]), "deleting the application")
    typer.echo(f"Application {name.lower()} deleted.")
