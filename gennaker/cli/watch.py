"""The live view of an execution: a stage table (graph order, synthetic stages indented under their
parent, statuses coloured, durations) redrawn from the API's event stream until the execution ends.

Who uses it: ``gennaker execution watch`` and ``gennaker pipeline execute --follow``. On a terminal it
is a Rich ``Live`` display; otherwise (scripts, CI logs) it prints one line per transition and the final
table. With ``-o json`` it prints each event as a JSON line and the final execution.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from gennaker.cli.client import GennakerClient
from gennaker.cli.common import Output

COLOURS = {
    "SUCCEEDED": "green",
    "RUNNING": "cyan",
    "NOT_STARTED": "dim",
    "TERMINAL": "bold red",
    "STOPPED": "yellow",
    "CANCELED": "magenta",
    "FAILED_CONTINUE": "yellow",
    "SKIPPED": "dim",
    "PAUSED": "blue",
}


def _duration(stage: dict[str, Any]) -> str:
    start, end = stage.get("startTime"), stage.get("endTime")
    if not start:
        return ""
    seconds = ((end or time.time() * 1000) - start) / 1000
    return f"{seconds:.1f}s"


def detail(stage: dict[str, Any]) -> str:
    """One short line of what a stage is doing or did (judgment, webhook progress, child, error)."""
    ctx = stage.get("context") or {}
    errors = ((ctx.get("exception") or {}).get("details") or {}).get("errors") or []
    text = ""
    if errors:
        text = str(errors[0])
    elif stage.get("type") == "manualJudgment":
        if ctx.get("judgmentStatus"):
            chosen = f" ({ctx['judgmentInput']})" if ctx.get("judgmentInput") else ""
            text = f"{ctx['judgmentStatus']}{chosen} by {ctx.get('lastModifiedBy')}"
        elif stage["status"] == "RUNNING":
            text = f"awaiting judgment: {ctx.get('instructions') or ''}".strip()
    elif stage.get("type") == "webhook" and isinstance(ctx.get("webhook"), dict):
        hook = ctx["webhook"]
        monitor = hook.get("monitor") or {}
        text = str(
            monitor.get("progressMessage")
            or monitor.get("error")
            or hook.get("error")
            or hook.get("statusCode")
            or ""
        )
    elif stage.get("type") == "pipeline" and ctx.get("executionId"):
        text = f"child {ctx['executionId']}"
    return text if len(text) <= 60 else text[:57] + "..."


def ordered(execution: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Top-level stages in graph order (parents before children), each followed by its synthetic stages."""
    stages = execution.get("stages") or []
    kids: dict[str, list[dict[str, Any]]] = {}
    for s in stages:
        if s.get("parentStageId"):
            kids.setdefault(s["parentStageId"], []).append(s)
    top = [s for s in stages if not s.get("parentStageId")]
    done: set[str] = set()
    order: list[dict[str, Any]] = []
    while len(order) < len(top):
        progressed = False
        for s in top:
            if s["refId"] not in done and all(r in done for r in s.get("requisiteStageRefIds") or []):
                order.append(s)
                done.add(s["refId"])
                progressed = True
        if not progressed:
            order += [s for s in top if s["refId"] not in done]
            break
    out: list[tuple[int, dict[str, Any]]] = []

    def add(stage: dict[str, Any], depth: int) -> None:
        out.append((depth, stage))
        for k in kids.get(stage["id"], []):
            add(k, depth + 1)

    for s in order:
        add(s, 0)
    return out


def render(execution: dict[str, Any]) -> Any:
    """A Rich table of the execution."""
    from rich.table import Table
    from rich.text import Text

    status = execution["status"]
    title = Text.assemble(
        f"{execution.get('application')} / {execution.get('name')}  ",
        (status, COLOURS.get(status, "")),
        f"  ({execution['id']})",
    )
    table = Table(title=title, title_justify="left")
    for col in ("ref", "stage", "type", "after", "status", "time", "detail"):
        table.add_column(col)
    for depth, s in ordered(execution):
        table.add_row(
            s.get("refId") or "",
            ("  " * depth + ("└ " if depth else "")) + str(s.get("name")),
            s.get("type"),
            ",".join(s.get("requisiteStageRefIds") or []),
            Text(s["status"], style=COLOURS.get(s["status"], "")),
            _duration(s),
            detail(s),
        )
    return table


def watch_execution(client: GennakerClient, execution_id: str, *, fmt: Output = Output.table) -> str:
    """Follow an execution until it ends; returns its final status."""
    from rich.console import Console

    console = Console()
    if fmt == Output.json:
        for kind, data in client.events(execution_id):
            sys.stdout.write(json.dumps({"event": kind, **data}) + "\n")
            sys.stdout.flush()
        final = client.get(f"/pipelines/{execution_id}")
        sys.stdout.write(json.dumps(final) + "\n")
        return str(final["status"])
    if console.is_terminal:
        from rich.live import Live

        execution = client.get(f"/pipelines/{execution_id}")
        with Live(render(execution), console=console, refresh_per_second=8) as live:
            for kind, _data in client.events(execution_id):
                if kind != "snapshot":
                    execution = client.get(f"/pipelines/{execution_id}")
                    live.update(render(execution))
            execution = client.get(f"/pipelines/{execution_id}")
            live.update(render(execution))
        return str(execution["status"])
    for kind, data in client.events(execution_id):
        if kind in ("execution", "stage"):
            what = "execution" if kind == "execution" else f"stage {data.get('refId')} {data.get('name')}"
            console.print(f"{what}: {data['status']}", highlight=False)
    execution = client.get(f"/pipelines/{execution_id}")
    console.print(render(execution))
    return str(execution["status"])
