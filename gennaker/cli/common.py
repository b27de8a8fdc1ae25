"""What the CLI's command groups share: the client from the root options, output (JSON for scripts,
Rich tables for people), and turning ``ApiError`` into a one-line message and exit code 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from gennaker.cli.client import GennakerClient


class Output(StrEnum):
    """``-o`` values."""

    table = "table"
    json = "json"


OutputOption = Annotated[Output, typer.Option("--output", "-o", help="table for people, json for scripts")]


def client(ctx: typer.Context) -> GennakerClient:
    """A client for the API named by the root options."""
    from gennaker.cli.client import GennakerClient

    obj = ctx.find_root().obj or {}
    return GennakerClient(obj.get("api"), user=obj.get("user"))


@contextmanager
def api_errors() -> Iterator[None]:
    """Print an API error as ``error: <message>`` on stderr and exit 1."""
    from gennaker.cli.client import ApiError

    try:
        yield
    except ApiError as e:
        where = f" ({e.status})" if e.status else ""
        typer.echo(f"error{where}: {e.message}", err=True)
        raise typer.Exit(1) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r])
    Console().print(table)


def output(data: Any, fmt: Output, table: Callable[[Any], None]) -> None:
    """JSON, or the given table renderer."""
    if fmt == Output.json:
        print_json(data)
    else:
        table(data)


def read_text_file(path: str, what: str) -> str:
    """A file's text (``-`` is stdin), or a clear error naming the file."""
    try:
        return sys.stdin.read() if path == "-" else open(path).read()
    except OSError as e:
        typer.echo(f"error: cannot read {what} file {path}: {e.strerror}", err=True)
        raise typer.Exit(1) from None


def read_json_file(path: str, what: str) -> Any:
    """A JSON file's content (``-`` is stdin), or a clear error naming the file and position."""
    text = read_text_file(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        typer.echo(
            f"error: {what} file {path} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}",
            err=True,
        )
        raise typer.Exit(1) from None


def read_document_file(path: str, what: str) -> Any:
    """A YAML or JSON file's content (``-`` is stdin; JSON is YAML), or a clear error naming the file and
    the line and column."""
    import yaml

    text = read_text_file(path, what)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        typer.echo(f"error: {what} file {path} is not valid YAML or JSON{where}: {problem}", err=True)
        raise typer.Exit(1) from None
