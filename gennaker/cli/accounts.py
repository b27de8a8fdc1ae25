"""``gennaker account kubernetes|artifact|docker list|get|put|delete``: accounts through the API.

Each kind is one ``AccountKind`` entry (its API paths and table columns); the four commands are built from
it, so a new kind of account is one more entry. ``put FILE`` reads YAML or JSON: one account object or a
list of them, each sent as ``PUT <path>/<name>`` (add or replace). The API never returns secrets, so
neither does the CLI; an edited ``get -o json`` output can be put back as is (``**********`` keeps the
stored secret).

``gennaker account kubernetes put --inline-kubeconfig ~/.kube/config FILE`` sends a local kubeconfig as
the account's ``kubeconfigContents`` (``kubeconfigFile`` names a file on the *server's* disk).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from gennaker.cli.common import (
    Output,
    OutputOption,
    api_errors,
    client,
    output,
    print_table,
    read_document_file,
)

app = typer.Typer(
    help="Accounts: Kubernetes clusters, artifact accounts, Docker registries.", no_args_is_help=True
)


def _join(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_join(v)}" for k, v in value.items())
    return "" if value is None else str(value)


@dataclass(frozen=True)
class AccountKind:
    """One kind of account as the CLI sees it."""

    command: str
    title: str
    collection: str  # GET lists, <collection>/<name> reads, replaces and deletes
    columns: Sequence[tuple[str, Callable[[dict[str, Any]], Any]]]
    #: a field ``put --inline-kubeconfig PATH`` fills with a local file's content (None: no such option)
    inline_field: str | None = None

    def path(self, name: str) -> str:
        return f"{self.collection}/{name}"


KINDS = (
    AccountKind(
        "kubernetes",
        "Kubernetes accounts",
        "/credentials",
        (
            ("name", lambda a: a.get("name")),
            ("environment", lambda a: a.get("environment")),
            ("namespaces", lambda a: _join(a.get("namespaces")) or "(all)"),
            ("context", lambda a: a.get("context")),
            ("source", lambda a: a.get("source")),
            ("secrets", lambda a: _join(a.get("secretFields"))),
        ),
        inline_field="kubeconfigContents",
    ),
    AccountKind(
        "artifact",
        "Artifact accounts",
        "/artifacts/credentials",
        (
            ("name", lambda a: a.get("name")),
            ("type", lambda a: a.get("type")),
            ("artifact types", lambda a: _join(a.get("types"))),
            ("source", lambda a: a.get("source")),
            ("secrets", lambda a: _join(sorted(a.get("secrets") or {}))),
            ("error", lambda a: a.get("error")),
        ),
    ),
    AccountKind(
        "docker",
        "Docker registry accounts",
        "/dockerRegistry/accounts",
        (
            ("name", lambda a: a.get("name")),
            ("address", lambda a: a.get("address")),
            ("username", lambda a: a.get("username")),
            ("repositories", lambda a: _join(a.get("repositories"))),
            ("source", lambda a: a.get("source")),
        ),
    ),
)


def _table(kind: AccountKind, accounts: list[dict[str, Any]]) -> None:
    print_table(kind.title, [c for c, _ in kind.columns], [[f(a) for _, f in kind.columns] for a in accounts])


def _documents(file: str, what: str) -> list[dict[str, Any]]:
    data = read_document_file(file, what)
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        where = f"{file}[{i}]" if isinstance(data, list) else file
        if not isinstance(item, dict):
            typer.echo(f"error: {where}: an account must be an object with a name", err=True)
            raise typer.Exit(1)
        if not isinstance(item.get("name"), str) or not item["name"]:
            typer.echo(f"error: {where}: the account has no 'name'", err=True)
            raise typer.Exit(1)
    return items


def _group(kind: AccountKind) -> typer.Typer:
    group = typer.Typer(help=f"{kind.title}.", no_args_is_help=True)

    @group.command("list")
    def list_(ctx: typer.Context, fmt: OutputOption = Output.table) -> None:
        """List the accounts (secrets never shown)."""
        with api_errors():
            accounts = client(ctx).get(kind.collection)
        output(accounts, fmt, lambda d: _table(kind, d))

    @group.command()
    def get(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="account name")],
        fmt: OutputOption = Output.json,
    ) -> None:
        """Show one account (secrets never shown)."""
        with api_errors():
            found = client(ctx).get(kind.path(name))
        output(found, fmt, lambda d: _table(kind, [d]))

    @group.command()
    def delete(ctx: typer.Context, name: Annotated[str, typer.Argument(help="account name")]) -> None:
        """Remove an account."""
        with api_errors():
            answer = client(ctx).delete(kind.path(name))
        typer.echo(f"Account {name} deleted.")
        if isinstance(answer, dict) and answer.get("note"):
            typer.echo(f"note: {answer['note']}")

    def put(ctx: typer.Context, file: str, extra: dict[str, Any] | None = None) -> None:
        accounts = _documents(file, "account")
        with api_errors():
            c = client(ctx)
            for account in accounts:
                c.put(kind.path(account["name"]), {**account, **(extra or {})})
                typer.echo(f"Account {account['name']} saved.")

    if kind.inline_field is not None:
        field = kind.inline_field

        @group.command("put")
        def put_inline(
            ctx: typer.Context,
            file: Annotated[str, typer.Argument(help="account YAML or JSON (- for stdin); one or a list")],
            inline_kubeconfig: Annotated[
                str | None,
                typer.Option(help="a local kubeconfig file sent as the account's kubeconfigContents"),
            ] = None,
        ) -> None:
            """Add or replace accounts from a file."""
            extra = None
            if inline_kubeconfig is not None:
                try:
                    with open(inline_kubeconfig) as f:
                        extra = {field: f.read()}
                except OSError as e:
                    typer.echo(f"error: cannot read kubeconfig {inline_kubeconfig}: {e.strerror}", err=True)
                    raise typer.Exit(1) from None
            put(ctx, file, extra)

    else:

        @group.command("put")
        def put_other(
            ctx: typer.Context,
            file: Annotated[str, typer.Argument(help="account YAML or JSON (- for stdin); one or a list")],
        ) -> None:
            """Add or replace accounts from a file."""
            put(ctx, file)

    return group


for _kind in KINDS:
    app.add_typer(_group(_kind), name=_kind.command)
