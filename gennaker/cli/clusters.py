"""The classic view from the command line: ``gennaker cluster``, ``server-group``, ``load-balancer`` and
``manifest`` (``spin``-like). Reads use Gate's ``/applications/{app}/...`` and ``/manifests/...`` paths;
actions post Gate's server-group jobs to ``POST /tasks`` and wait for the task, as ``spin`` does."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from gennaker.cli.applications import task_outcome, wait_task
from gennaker.cli.common import Output, OutputOption, api_errors, client, output, print_table

cluster_app = typer.Typer(help="Clusters (the classic view of Kubernetes workloads).", no_args_is_help=True)
server_group_app = typer.Typer(
    help="Server groups: list, show, resize, enable, disable, destroy, roll back.", no_args_is_help=True
)
load_balancer_app = typer.Typer(help="Load balancers (Services and Ingresses).", no_args_is_help=True)
manifest_app = typer.Typer(help="Live Kubernetes manifests.", no_args_is_help=True)

App = Annotated[str, typer.Argument(help="application name")]
Account = Annotated[str, typer.Argument(help="Kubernetes account")]
Namespace = Annotated[str, typer.Argument(help="namespace (Spinnaker's region)")]
Name = Annotated[str, typer.Argument(help="server group, e.g. web-v001 or 'replicaSet web-v001'")]


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(p, safe="") for p in parts)


@cluster_app.command("list")
def cluster_list(ctx: typer.Context, application: App, fmt: OutputOption = Output.table) -> None:
    """List an application's clusters by account."""
    with api_errors():
        found = client(ctx).get(_path("applications", application, "clusters"))
    output(
        found,
        fmt,
        lambda d: print_table(
            f"Clusters of {application}",
            ["account", "cluster"],
            [[account, name] for account, names in sorted(d.items()) for name in names],
        ),
    )


def _sg_row(g: dict[str, Any]) -> list[Any]:
    counts = g["instanceCounts"]
    return [
        g["account"],
        g["region"],
        g["cluster"],
        g["displayName"],
        g["capacity"]["desired"],
        f"{counts['up']}/{counts['total']}",
        "yes" if g["disabled"] else "",
        ", ".join(g["buildInfo"]["images"]),
    ]


SG_COLUMNS = ["account", "namespace", "cluster", "server group", "desired", "up", "disabled", "images"]


@server_group_app.command("list")
def server_group_list(
    ctx: typer.Context,
    application: App,
    cluster: Annotated[str | None, typer.Option(help="only this cluster, e.g. 'replicaSet web'")] = None,
    fmt: OutputOption = Output.table,
) -> None:
    """List an application's server groups with their instance health."""
    with api_errors():
        groups = client(ctx).get(_path("applications", application, "serverGroups"))
    groups = [g for g in groups if cluster is None or g["cluster"] == cluster]
    output(
        groups,
        fmt,
        lambda d: print_table(f"Server groups of {application}", SG_COLUMNS, [_sg_row(g) for g in d]),
    )


@server_group_app.command("get")
def server_group_get(
    ctx: typer.Context,
    application: App,
    account: Account,
    namespace: Namespace,
    name: Name,
    fmt: OutputOption = Output.table,
) -> None:
    """Show a server group and its instances."""
    with api_errors():
        g = client(ctx).get(_path("applications", application, "serverGroups", account, namespace, name))

    def table(d: dict[str, Any]) -> None:
        print_table(d["name"], SG_COLUMNS, [_sg_row(d)])
        print_table(
            "Instances",
            ["instance", "health", "node"],
            [[i["displayName"], i["healthState"], i["zone"]] for i in d.get("instances") or []],
        )

    output(g, fmt, table)


def _run(ctx: typer.Context, application: str, job: dict[str, Any], what: str, fmt: Output) -> None:
    with api_errors():
        c = client(ctx)
        ref = c.post("/tasks", {"application": application, "description": what, "job": [job]})
        task = wait_task(c, ref["ref"], timeout_s=300)
    if fmt == Output.json:
        output(task, fmt, lambda d: None)
    task_outcome(task, what)
    if fmt != Output.json:
        typer.echo(f"{what}: done ({ref['ref']}).")


def _job(kind: str, account: str, namespace: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "cloudProvider": "kubernetes",
        "credentials": account,
        "region": namespace,
        "serverGroupName": name,
        **extra,
    }


@server_group_app.command()
def resize(
    ctx: typer.Context,
    application: App,
    account: Account,
    namespace: Namespace,
    name: Name,
    replicas: Annotated[int, typer.Option("--replicas", "--desired", min=0, help="new size")],
    fmt: OutputOption = Output.table,
) -> None:
    """Resize a server group (scaleManifest) and wait until it is stable."""
    capacity = {"min": replicas, "max": replicas, "desired": replicas}
    job = _job("resizeServerGroup", account, namespace, name, capacity=capacity)
    _run(ctx, application, job, f"Resize {name} to {replicas}", fmt)


def _action(kind: str, verb: str) -> Any:
    def command(
        ctx: typer.Context,
        application: App,
        account: Account,
        namespace: Namespace,
        name: Name,
        fmt: OutputOption = Output.table,
    ) -> None:
        _run(ctx, application, _job(kind, account, namespace, name), f"{verb} {name}", fmt)

    return command


server_group_app.command(
    "enable", help="Put a server group back into its load balancers' traffic (enableManifest)."
)(_action("enableServerGroup", "Enable"))
server_group_app.command(
    "disable", help="Take a server group out of its load balancers' traffic; its pods keep running."
)(_action("disableServerGroup", "Disable"))
server_group_app.command("destroy", help="Delete a server group and its pods (deleteManifest).")(
    _action("destroyServerGroup", "Destroy")
)


@server_group_app.command()
def rollback(
    ctx: typer.Context,
    application: App,
    account: Account,
    namespace: Namespace,
    name: Name,
    restore: Annotated[
        str | None, typer.Option(help="the version to restore (default: the one before NAME in its cluster)")
    ] = None,
    fmt: OutputOption = Output.table,
) -> None:
    """Roll a server group back: enable the previous version and disable NAME (a Deployment's ReplicaSet:
    undo the Deployment's rollout to the restored revision)."""
    context = {"rollbackServerGroupName": name, **({"restoreServerGroupName": restore} if restore else {})}
    job = _job(
        "rollbackServerGroup", account, namespace, name, rollbackType="EXPLICIT", rollbackContext=context
    )
    _run(ctx, application, job, f"Roll back {name}", fmt)


@load_balancer_app.command("list")
def load_balancer_list(ctx: typer.Context, application: App, fmt: OutputOption = Output.table) -> None:
    """List an application's load balancers and the server groups they front."""
    with api_errors():
        found = client(ctx).get(_path("applications", application, "loadBalancers"))
    output(
        found,
        fmt,
        lambda d: print_table(
            f"Load balancers of {application}",
            ["account", "namespace", "load balancer", "server groups"],
            [
                [
                    lb["account"],
                    lb["region"],
                    lb["name"],
                    ", ".join(
                        g["displayName"] + (" (disabled)" if g["isDisabled"] else "")
                        for g in lb["serverGroups"]
                    ),
                ]
                for lb in d
            ],
        ),
    )


@manifest_app.command("get")
def manifest_get(
    ctx: typer.Context,
    account: Account,
    namespace: Namespace,
    name: Annotated[str, typer.Argument(help="'KIND NAME', e.g. 'deployment web'")],
    fmt: OutputOption = Output.json,
) -> None:
    """Show a live manifest with its status (stable, failed, paused, available), moniker and events."""
    with api_errors():
        found = client(ctx).get(_path("manifests", account, namespace, name))

    def table(d: dict[str, Any]) -> None:
        rows = [
            [k, "yes" if v.get("state") else "no", v.get("message") or ""] for k, v in d["status"].items()
        ]
        print_table(
            f"{d['name']} in {d['location']} ({d['account']})", ["condition", "state", "message"], rows
        )

    output(found, fmt, table)
