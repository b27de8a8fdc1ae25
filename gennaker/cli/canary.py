"""``gennaker canary config|judge|report|account``: canary configs with history, the remote judge, canary
reports with plots, and metrics accounts — all through the API's Kayenta and Gate paths."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from gennaker.cli.common import (
    Output,
    OutputOption,
    api_errors,
    client,
    output,
    print_json,
    print_table,
    read_json_file,
)

app = typer.Typer(help="Canary analysis: configs, judging, reports, metrics accounts.", no_args_is_help=True)
config_app = typer.Typer(help="Canary configs (Kayenta's JSON), with history.", no_args_is_help=True)
account_app = typer.Typer(help="Metrics accounts (secrets are never shown).", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(account_app, name="account")

ConfigId = Annotated[str, typer.Argument(help="canary config id")]


def _object_file(path: str, what: str) -> dict[str, Any]:
    body = read_json_file(path, what)
    if not isinstance(body, dict):
        typer.echo(f"error: the {what} file must hold a JSON object", err=True)
        raise typer.Exit(1)
    return body


def _when(iso: Any) -> str:
    return str(iso or "").replace("T", " ").split(".")[0].rstrip("Z")


# ---------------------------------------------------------------- configs


@config_app.command("list")
def config_list(
    ctx: typer.Context,
    application: Annotated[
        list[str] | None, typer.Option("--application", "-a", help="only these applications (repeatable)")
    ] = None,
    fmt: OutputOption = Output.table,
) -> None:
    """List canary configs."""
    with api_errors():
        configs = client(ctx).get("/canaryConfig", application=application or None)
    output(
        configs,
        fmt,
        lambda d: print_table(
            "Canary configs",
            ["name", "id", "applications", "updated"],
            [[c["name"], c["id"], ", ".join(c["applications"]), _when(c["updatedTimestampIso"])] for c in d],
        ),
    )


@config_app.command("get")
def config_get(ctx: typer.Context, config_id: ConfigId) -> None:
    """Print a canary config as JSON."""
    with api_errors():
        print_json(client(ctx).get(f"/canaryConfig/{config_id}"))


@config_app.command("save")
def config_save(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="config JSON (- for stdin)")]
) -> None:
    """Create a canary config, or replace it when its ``id`` exists (every version is kept)."""
    body = _object_file(file, "canary config")
    from gennaker.cli.client import ApiError

    with api_errors():
        c = client(ctx)
        config_id = body.get("id")
        exists = False
        if isinstance(config_id, str) and config_id:
            try:
                c.get(f"/canaryConfig/{config_id}")
                exists = True
            except ApiError as e:
                if e.status != 404:
                    raise
        if exists:
            saved = c.put(f"/canaryConfig/{config_id}", body)
        else:
            saved = c.post("/canaryConfig", body)
    typer.echo(f"Canary config {body.get('name')} saved (id {saved['canaryConfigId']}).")


@config_app.command("delete")
def config_delete(ctx: typer.Context, config_id: ConfigId) -> None:
    """Delete a canary config (its history is kept)."""
    with api_errors():
        client(ctx).delete(f"/canaryConfig/{config_id}")
    typer.echo(f"Canary config {config_id} deleted.")


@config_app.command("history")
def config_history(ctx: typer.Context, config_id: ConfigId, fmt: OutputOption = Output.table) -> None:
    """Every saved version (and deletion) of a canary config, newest first."""
    with api_errors():
        versions = client(ctx).get(f"/canaryConfig/{config_id}/history")
    output(
        versions,
        fmt,
        lambda d: print_table(
            "History",
            ["version", "action", "saved", "by", "metrics"],
            [
                [
                    v["version"],
                    v["action"],
                    _when(v["savedTimestampIso"]),
                    v["savedBy"],
                    len((v.get("config") or {}).get("metrics") or []),
                ]
                for v in d
            ],
        ),
    )


@config_app.command("restore")
def config_restore(
    ctx: typer.Context,
    config_id: ConfigId,
    version: Annotated[int, typer.Option("--version", help="the version to restore")],
) -> None:
    """Save an earlier version of a canary config again as the newest one."""
    with api_errors():
        restored = client(ctx).post(f"/canaryConfig/{config_id}/history/{version}/restore")
    typer.echo(f"Canary config {restored['name']} restored to version {version}.")


# ---------------------------------------------------------------- judge


def _results_table(title: str, metrics: list[dict[str, Any]]) -> None:
    rows = []
    for m in metrics:
        stats = m.get("statistics") or (m.get("resultMetadata") or {}).get("mannWhitney") or {}
        ci = stats.get("confidenceInterval") or {}
        rows.append(
            [
                m.get("name"),
                m.get("classification"),
                _number(stats.get("uStatistic")),
                _number(stats.get("pValue")),
                f"[{_number(ci.get('low'))}, {_number(ci.get('high'))}]" if ci else "",
                _number(stats.get("estimate")),
            ]
        )
    print_table(title, ["metric", "classification", "U", "p-value", "98% CI", "estimate"], rows)


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else ""


@app.command()
def judge(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="RemoteJudge request JSON: canaryConfig, scoreThresholds, pairs")
    ],
    fmt: OutputOption = Output.table,
) -> None:
    """Judge metric set pairs with the server's judge (Kayenta's RemoteJudge-v1.0 request)."""
    body = _object_file(file, "judge request")
    with api_errors():
        result = client(ctx).post("/judge", body)

    def table(d: dict[str, Any]) -> None:
        score = d.get("score") or {}
        _results_table(f"Score {score.get('score')} ({score.get('classification')})", d.get("results") or [])

    output(result, fmt, table)


# ---------------------------------------------------------------- report


@app.command()
def report(
    ctx: typer.Context,
    execution: Annotated[str, typer.Argument(help="pipeline execution id")],
    stage: Annotated[str, typer.Argument(help="the kayentaCanary stage's id")],
    json_output: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    plot: Annotated[str | None, typer.Option("--plot", help="save the plot of this metric (by name)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="where to write the SVG plot")] = None,
    interval: Annotated[
        int | None, typer.Option("--interval", help="interval of the plot (default: the last judged)")
    ] = None,
) -> None:
    """A kayentaCanary stage's report: every interval's score and each metric's classification and
    statistics; ``--plot METRIC --out file.svg`` saves the canary vs baseline plot."""
    if (plot is None) != (out is None):
        typer.echo("error: --plot and --out go together", err=True)
        raise typer.Exit(1)
    with api_errors():
        c = client(ctx)
        data = c.get(f"/canary/reports/{execution}/{stage}")
        if plot is not None and out is not None:
            path = _plot_path(data, plot, interval)
            out.write_text(str(c.get(path)))
            typer.echo(f"Plot of {plot} written to {out}.", err=json_output)
    if json_output:
        print_json(data)
        return
    if plot is not None:
        return
    typer.echo(f"{data['stageName']} ({data['status']}): {data.get('canaryScoreMessage') or ''}")
    for i in data["intervals"]:
        if "score" not in i:
            typer.echo(f"Interval {i['index']}: {i['status']}{' — ' + i['error'] if i.get('error') else ''}")
            continue
        _results_table(f"Interval {i['index']}: score {i['score']} ({i['classification']})", i["metrics"])


def _plot_path(data: dict[str, Any], metric: str, interval: int | None) -> str:
    judged = [i for i in data["intervals"] if i.get("metrics")]
    if interval is not None:
        judged = [i for i in judged if i.get("index") == interval]
    for entry in reversed(judged):
        for m in entry["metrics"]:
            if m.get("name") == metric and m.get("plotPath"):
                return str(m["plotPath"])
    names = sorted({m.get("name") for i in data["intervals"] for m in i.get("metrics") or []})
    where = f" in interval {interval}" if interval is not None else ""
    typer.echo(f"error: no judged metric {metric!r}{where} (metrics: {', '.join(names) or 'none'})", err=True)
    raise typer.Exit(1)


# ---------------------------------------------------------------- accounts


def _accounts_table(accounts: list[dict[str, Any]]) -> None:
    print_table(
        "Metrics accounts",
        ["name", "type", "baseUrl", "secrets", "source"],
        [
            [
                a["name"],
                a.get("type"),
                (a.get("settings") or {}).get("baseUrl"),
                ", ".join(sorted(a.get("secrets") or {})),
                a.get("source"),
            ]
            for a in accounts
        ],
    )


@account_app.command("list")
def account_list(ctx: typer.Context, fmt: OutputOption = Output.table) -> None:
    """List metrics accounts (secrets redacted)."""
    with api_errors():
        accounts = client(ctx).get("/v2/canaries/credentials")
    output(accounts, fmt, _accounts_table)


@account_app.command("get")
def account_get(ctx: typer.Context, name: Annotated[str, typer.Argument(help="account name")]) -> None:
    """Print one metrics account as JSON (secrets redacted)."""
    with api_errors():
        print_json(client(ctx).get(f"/v2/canaries/credentials/{name}"))


@account_app.command("put")
def account_put(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="account JSON (- for stdin)")]
) -> None:
    """Create or replace a metrics account: name, type, settings, secrets (``**********`` keeps a secret)."""
    body = _object_file(file, "metrics account")
    with api_errors():
        saved = client(ctx).post("/v2/canaries/credentials", body)
    typer.echo(f"Metrics account {saved['name']} ({saved['type']}) saved.")


@account_app.command("delete")
def account_delete(ctx: typer.Context, name: Annotated[str, typer.Argument(help="account name")]) -> None:
    """Delete a metrics account stored through the API or the settings file."""
    with api_errors():
        client(ctx).delete(f"/v2/canaries/credentials/{name}")
    typer.echo(f"Metrics account {name} deleted.")
