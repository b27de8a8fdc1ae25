"""``gennaker pipeline save|get|list|delete|execute|history|restore`` (``spin pipeline ...``)."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from gennaker.cli.common import Output, OutputOption, api_errors, client, output, print_table, read_json_file

app = typer.Typer(help="Pipeline configs: save, inspect, run, history.", no_args_is_help=True)

AppOption = Annotated[str, typer.Option("--application", "-a", help="application name")]
NameOption = Annotated[str, typer.Option("--name", "-n", help="pipeline name")]


def _when(ms: Any) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(ms) / 1000))
    except (TypeError, ValueError):
        return ""


@app.command()
def save(
    ctx: typer.Context, file: Annotated[str, typer.Option("--file", "-f", help="pipeline JSON (- for stdin)")]
) -> None:
    """Save a pipeline (upsert by application and name; every version is kept)."""
    body = read_json_file(file, "pipeline")
    if not isinstance(body, dict):
        typer.echo("error: the pipeline file must hold a JSON object", err=True)
        raise typer.Exit(1)
    with api_errors():
        saved = client(ctx).post("/pipelines", body)
    typer.echo(f"Pipeline {saved['name']} saved in {saved['application']} (id {saved['id']}).")


@app.command()
def get(ctx: typer.Context, application: AppOption, name: NameOption) -> None:
    """Print a pipeline config as JSON."""
    from gennaker.cli.common import print_json

    with api_errors():
        print_json(client(ctx).get(f"/applications/{application}/pipelineConfigs/{name}"))


@app.command("list")
def list_(ctx: typer.Context, application: AppOption, fmt: OutputOption = Output.table) -> None:
    """List an application's pipelines."""
    with api_errors():
        configs = client(ctx).get(f"/applications/{application}/pipelineConfigs")
    output(
        configs,
        fmt,
        lambda d: print_table(
            f"Pipelines of {application}",
            ["name", "id", "stages", "updated", "by"],
            [
                [
                    p["name"],
                    p["id"],
                    len(p.get("stages") or []),
                    _when(p.get("updateTs")),
                    p.get("lastModifiedBy"),
                ]
                for p in d
            ],
        ),
    )


@app.command()
def delete(ctx: typer.Context, application: AppOption, name: NameOption) -> None:
    """Delete a pipeline (its history is kept)."""
    with api_errors():
        client(ctx).delete(f"/pipelines/{application}/{name}")
    typer.echo(f"Pipeline {name} deleted from {application}.")


def _parameters(pairs: list[str], file: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if file:
        loaded = read_json_file(file, "parameters")
        if not isinstance(loaded, dict):
            typer.echo("error: the parameters file must hold a JSON object", err=True)
            raise typer.Exit(1)
        params.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            typer.echo(f"error: parameter {pair!r} must look like key=value", err=True)
            raise typer.Exit(1)
        params[key] = value
    return params


@app.command()
def execute(
    ctx: typer.Context,
    application: AppOption,
    name: NameOption,
    parameter: Annotated[list[str], typer.Option("--parameter", "-p", help="key=value (repeatable)")] = [],  # noqa: B006
    parameter_file: Annotated[
        str | None, typer.Option("--parameter-file", "-f", help="parameters JSON file")
    ] = None,
    artifacts_file: Annotated[
        str | None, typer.Option("--artifacts-file", "-t", help="artifacts JSON file (a list)")
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="watch it live until it ends; exit 1 unless it succeeds")
    ] = False,
    fmt: OutputOption = Output.table,
) -> None:
    """Start a pipeline with a manual trigger (prints the execution id)."""
    trigger: dict[str, Any] = {"type": "manual", "parameters": _parameters(parameter, parameter_file)}
    if artifacts_file:
        artifacts = read_json_file(artifacts_file, "artifacts")
        if isinstance(artifacts, dict) and isinstance(artifacts.get("artifacts"), list):
            artifacts = artifacts["artifacts"]
        if not isinstance(artifacts, list):
            typer.echo("error: the artifacts file must hold a JSON list of artifacts", err=True)
            raise typer.Exit(1)
        trigger["artifacts"] = artifacts
    with api_errors():
        c = client(ctx)
        ref = c.post(f"/pipelines/{application}/{name}", trigger)["ref"]
    execution_id = ref.rsplit("/", 1)[-1]
    if fmt == Output.json and not follow:
        output({"ref": ref, "id": execution_id}, fmt, lambda d: None)
        return
    if not follow:
        typer.echo(execution_id)
        return
    from gennaker.cli.watch import watch_execution

    final = watch_execution(c, execution_id, fmt=fmt)
    raise typer.Exit(0 if final == "SUCCEEDED" else 1)


def _config_id(c: Any, application: str | None, name: str | None, config_id: str | None) -> str:
    if config_id:
        return config_id
    if not application or not name:
        typer.echo("error: give --id, or --application and --name", err=True)
        raise typer.Exit(1)
    return str(c.get(f"/applications/{application}/pipelineConfigs/{name}")["id"])


@app.command()
def history(
    ctx: typer.Context,
    application: Annotated[str | None, typer.Option("--application", "-a")] = None,
    name: Annotated[str | None, typer.Option("--name", "-n")] = None,
    config_id: Annotated[str | None, typer.Option("--id", help="pipeline config id")] = None,
    fmt: OutputOption = Output.table,
) -> None:
    """Every saved version of a pipeline, newest first."""
    with api_errors():
        c = client(ctx)
        versions = c.get(f"/pipelines/{_config_id(c, application, name, config_id)}/history", limit=1000)
    output(
        versions,
        fmt,
        lambda d: print_table(
            "History",
            ["version", "action", "saved", "by", "stages"],
            [
                [
                    v["version"],
                    v["action"],
                    _when(v["savedTs"]),
                    v["savedBy"],
                    len((v.get("pipeline") or {}).get("stages") or []),
                ]
                for v in d
            ],
        ),
    )


@app.command()
def restore(
    ctx: typer.Context,
    version: Annotated[int, typer.Option("--version", help="the version to restore")],
    application: Annotated[str | None, typer.Option("--application", "-a")] = None,
    name: Annotated[str | None, typer.Option("--name", "-n")] = None,
    config_id: Annotated[str | None, typer.Option("--id", help="pipeline config id")] = None,
) -> None:
    """Save an earlier version of a pipeline again as the newest one."""
    with api_errors():
        c = client(ctx)
        cid = _config_id(c, application, name, config_id)
        restored = c.post(f"/pipelines/{cid}/history/{version}/restore")
    typer.echo(f"Pipeline {restored['name']} restored to version {version}.")
