"""The promotion pipeline of ``gennaker demo``: a registry push starts it, it bakes the demo Helm chart with
the pushed image, deploys to ``staging``, reads back the image staging runs, waits for a release manager's
approval and deploys exactly that image to ``prod``.

Who uses it: :mod:`gennaker.cli.demo` (the default demo) and the end-to-end test
``tests/e2e/test_promotion.py``, which run the same pipeline JSON against a real ``docker-registry``.
Everything here is plain data or reads through HTTP, so the demo and the test share it unchanged:

- :func:`chart_archive` packs the chart shipped as package data (``gennaker/cli/demo_chart``) into the
  ``.tgz`` Helm reads; the pipeline carries it inline as an ``embedded/base64`` input artifact, so the demo
  needs no chart repository;
- :func:`promotion_pipeline` is the Spinnaker pipeline JSON (docs/triggers.md, "Promotion");
- :func:`deployment_summary` reads a Deployment from a cluster's API (the sandbox's URL) for the
  kubectl-style table the demo prints.
"""

from __future__ import annotations

import base64
import io
import tarfile
import time
from pathlib import Path
from typing import Any

import httpx

CHART_DIR = Path(__file__).resolve().parent / "demo_chart"
APPLICATION = "demo"
PIPELINE = "promote-web"
REPOSITORY = "demo/web"
REGISTRY_ACCOUNT = "demo-registry"
NAMESPACE = "default"
RELEASE = "web"
TAG_PATTERN = r"\d+\.\d+\.\d+"
JUDGMENT_STAGE = "Promote to prod?"


def chart_archive(chart_dir: Path = CHART_DIR) -> bytes:
    """The chart as a ``helm package`` archive: every file under ``<chart name>/`` in a gzipped tar (fixed
    mtimes and owners, so the same chart always gives the same bytes)."""
    name = "web"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in chart_dir.rglob("*") if p.is_file()):
            if path.suffix not in (".yaml", ".yml", ".tpl", ".txt") or "__pycache__" in path.parts:
                continue
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{name}/{path.relative_to(chart_dir).as_posix()}")
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def image_name(registry_host: str) -> str:
    """The image name (no tag) pushed to the demo registry: ``127.0.0.1:<port>/demo/web``."""
    return f"{registry_host}/{REPOSITORY}"


def promotion_pipeline(registry_host: str, *, registry_account: str = REGISTRY_ACCOUNT) -> dict[str, Any]:
    """The promotion pipeline config for images of ``<registry_host>/demo/web``."""
    image = image_name(registry_host)
    chart = base64.b64encode(chart_archive()).decode()
    return {
        "application": APPLICATION,
        "name": PIPELINE,
        "limitConcurrent": True,
        "triggers": [
            {
                "type": "docker",
                "enabled": True,
                "account": registry_account,
                "registry": registry_host,
                "repository": REPOSITORY,
                "tag": TAG_PATTERN,
                "expectedArtifactIds": ["image"],
            }
        ],
        "expectedArtifacts": [
            {
                "id": "image",
                "displayName": "web image",
                "matchArtifact": {"type": "docker/image", "name": image},
            }
        ],
        "stages": [
            {
                "refId": "1",
                "type": "bakeManifest",
                "name": "Bake web chart",
                "templateRenderer": "HELM3",
                "outputName": RELEASE,
                "namespace": NAMESPACE,
                "inputArtifacts": [
                    {
                        "account": "embedded-artifact",
                        "artifact": {"type": "embedded/base64", "name": "web-chart", "reference": chart},
                    }
                ],
                "overrides": {
                    "image.repository": "${trigger.artifacts[0].name}",
                    "image.tag": "${trigger.tag}",
                },
                "evaluateOverrideExpressions": True,
                "expectedArtifacts": [
                    {"id": "baked", "matchArtifact": {"type": "embedded/base64", "name": "web-manifests"}}
                ],
            },
            {
                "refId": "2",
                "requisiteStageRefIds": ["1"],
                "type": "deployManifest",
                "name": "Deploy to staging",
                "cloudProvider": "kubernetes",
                "account": "staging",
                "source": "artifact",
                "manifestArtifactId": "baked",
                "requiredArtifactIds": ["image"],
                "moniker": {"app": APPLICATION},
            },
            {
                "refId": "3",
                "requisiteStageRefIds": ["2"],
                "type": "findArtifactsFromResource",
                "name": "Find image on staging",
                "cloudProvider": "kubernetes",
                "account": "staging",
                "location": NAMESPACE,
                "manifestName": f"deployment {RELEASE}",
                "expectedArtifacts": [
                    {"id": "staging-image", "matchArtifact": {"type": "docker/image", "name": image}}
                ],
            },
            {
                "refId": "4",
                "requisiteStageRefIds": ["3"],
                "type": "manualJudgment",
                "name": JUDGMENT_STAGE,
                "instructions": "Staging runs ${trigger.tag}. Promote it to prod?",
                "judgmentInputs": [{"value": "promote"}, {"value": "hold"}],
            },
            {
                "refId": "5",
                "requisiteStageRefIds": ["4"],
                "type": "deployManifest",
                "name": "Deploy to prod",
                "cloudProvider": "kubernetes",
                "account": "prod",
                "source": "artifact",
                "manifestArtifactId": "baked",
                "requiredArtifactIds": ["staging-image"],
                "moniker": {"app": APPLICATION},
            },
        ],
    }


def deployment_summary(cluster_url: str, name: str = RELEASE, namespace: str = NAMESPACE) -> dict[str, Any]:
    """``{name, namespace, ready, upToDate, available, images}`` of a live Deployment (``ready`` as
    kubectl prints it, ``2/2``), read from the cluster's API; ``{}`` when there is none."""
    answer = httpx.get(f"{cluster_url}/apis/apps/v1/namespaces/{namespace}/deployments/{name}", timeout=10)
    if answer.status_code == 404:
        return {}
    answer.raise_for_status()
    deployment = answer.json()
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return {
        "name": name,
        "namespace": namespace,
        "ready": f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}",
        "upToDate": status.get("updatedReplicas") or 0,
        "available": status.get("availableReplicas") or 0,
        "images": [str(c.get("image")) for c in containers],
    }


def failure_message(execution: dict[str, Any]) -> str:
    """The first failing stage's name and error (what the demo prints when the pipeline fails)."""
    for stage in execution.get("stages") or []:
        if stage.get("status") in ("TERMINAL", "CANCELED", "STOPPED"):
            context = stage.get("context") or {}
            details = (context.get("exception") or {}).get("details") or {}
            errors = details.get("errors") or [details.get("error") or context.get("judgmentStatus") or ""]
            return f"stage {stage.get('name')!r} ({stage.get('type')}): {'; '.join(map(str, errors))}"
    return f"execution ended {execution.get('status')}"


# ---------------------------------------------------------------- the demo run


class DemoFailed(Exception):
    """The demo could not go on; the message says why (and what to do)."""


def _first_poll_done(providers: Any) -> bool:
    status = providers.triggers.status() if providers.triggers is not None else {"pollers": []}
    return any(
        REPOSITORY in str(p.get("key")) and p.get("lastSuccessTs") and not p.get("lastError")
        for p in status["pollers"]
    )


def _wait(predicate: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise DemoFailed(f"timed out after {timeout_s:g} s waiting for {what}")


def summary_lines(clusters: dict[str, str]) -> tuple[list[str], bool]:
    """The kubectl-style table of the staging and prod Deployments (``kubectl get deployments -o wide``
    columns, one account per row), and whether both run the same images."""
    header = ("ACCOUNT", "NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "IMAGES")
    rows: list[tuple[str, ...]] = [header]
    found: dict[str, dict[str, Any]] = {}
    for account in ("staging", "prod"):
        found[account] = summary = deployment_summary(clusters[account])
        if summary:
            rows.append(
                (
                    account,
                    summary["namespace"],
                    f"deployment/{summary['name']}",
                    summary["ready"],
                    str(summary["upToDate"]),
                    str(summary["available"]),
                    ",".join(summary["images"]),
                )
            )
        else:
            rows.append((account, NAMESPACE, f"deployment/{RELEASE}", "-", "-", "-", "<none>"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "   ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]) for row in rows
    ]
    same = bool(found["staging"]) and found["staging"].get("images") == found["prod"].get("images")
    return lines, same


def run_promotion(*, keep: bool = False, tags: tuple[str, ...] = ("1.0.0", "1.1.0")) -> bool:
    """Run the promotion demo (see :mod:`gennaker.cli.demo`); True if every run succeeded.
    ``DemoFailed`` when something around the pipeline cannot work (no registry binary, no trigger)."""
    import shutil
    import threading

    from rich.console import Console

    from gennaker.api.providers import ProvidersConfig
    from gennaker.cli.client import GennakerClient
    from gennaker.cli.demo_server import DemoServer, judge_when_waiting
    from gennaker.cli.watch import watch_execution
    from gennaker.store.settings import Settings
    from gennaker.triggers.docker import RegistryClient, push_image
    from gennaker.triggers.docker.local_registry import REGISTRY_BINARY, LocalRegistry, LocalRegistryError

    if shutil.which(REGISTRY_BINARY) is None:
        raise DemoFailed(
            f"gennaker demo needs the `{REGISTRY_BINARY}` binary (Debian package docker-registry) to push "
            "images to; run scripts/setup, which installs it"
        )
    console = Console(soft_wrap=True)
    _stop_on_sigterm()
    try:
        registry = LocalRegistry().start()
    except LocalRegistryError as error:
        raise DemoFailed(f"could not start the local Docker registry: {error}") from None
    settings = Settings(
        {"dockerRegistry": {"accounts": [{"name": REGISTRY_ACCOUNT, "address": registry.url}]}}
    )
    config = ProvidersConfig(
        sandbox=False,
        extra_sandboxes={"staging": None, "prod": None},
        canary=False,
        settings=settings,
    )
    succeeded = True
    try:
        console.print(
            f"Docker registry on {registry.url}; starting Gennaker with sandboxes staging and prod ..."
        )
        with (
            DemoServer(providers=config, env={"GENNAKER_DOCKER_POLL_SECONDS": "1"}) as server,
            RegistryClient(registry.url) as pusher,
        ):
            providers = server.providers
            assert providers is not None
            clusters = {name: cluster.url for name, cluster in providers.sandboxes.items()}
            console.print(f"Gennaker demo server on {server.url} (data in {server.home})")
            c = GennakerClient(server.url, user="demo")
            c.post("/applications", {"name": APPLICATION, "email": "demo@example.com"})
            c.post("/pipelines", promotion_pipeline(registry.host))
            console.print(
                f"Saved pipeline {APPLICATION}/{PIPELINE}: docker trigger on {image_name(registry.host)} "
                f"(tags {TAG_PATTERN}): bake chart, deploy staging, find image, approve, deploy prod"
            )
            _wait(lambda: _first_poll_done(providers), 30, "the registry poller's first poll")
            for tag in tags:
                pushed = push_image(pusher, REPOSITORY, tag)
                console.print(
                    f"\nPushed {image_name(registry.host)}:{tag} ({pushed.digest[:19]}...)", style="bold"
                )
                execution = _wait(lambda t=tag: _triggered(c, t), 30, f"the docker trigger to start on {tag}")
                console.print(
                    f"The docker trigger started execution {execution['id']}; the demo approves the "
                    "promotion through the API."
                )
                stop = threading.Event()
                threading.Thread(
                    target=judge_when_waiting,
                    args=(server.url, execution["id"], stop),
                    kwargs={
                        "user": "demo-release-manager",
                        "judgment": {"judgmentStatus": "continue", "judgmentInput": "promote"},
                    },
                    daemon=True,
                ).start()
                try:
                    final = watch_execution(c, execution["id"])
                finally:
                    stop.set()
                if final != "SUCCEEDED":
                    ended = c.get(f"/pipelines/{execution['id']}")
                    console.print(f"Result: {final}: {failure_message(ended)}", style="bold red")
                    succeeded = False
                    break
                console.print(f"\nAfter {tag}:")
                lines, same = summary_lines(clusters)
                for line in lines:
                    console.print(line, highlight=False, soft_wrap=True)
                if same:
                    console.print("prod runs exactly the image staging runs (same digest).", style="green")
                else:
                    console.print("prod does not run the image staging runs.", style="bold red")
                succeeded = same and succeeded
            console.print(
                f"Result: {'SUCCEEDED' if succeeded else 'FAILED'}",
                style="bold green" if succeeded else "bold red",
            )
            if keep:
                _keep_running(console, server, providers)
            c.close()
    finally:
        registry.stop()
    return succeeded


def _stop_on_sigterm() -> None:
    """SIGTERM ends the demo like Ctrl-C does, so the registry process and the temporary home are cleaned
    up (Python's default for SIGTERM exits without running ``finally`` blocks)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _triggered(client: Any, tag: str) -> dict[str, Any] | None:
    executions = client.get(f"/applications/{APPLICATION}/pipelines", limit=10, expand=False)
    return next((e for e in executions if (e.get("trigger") or {}).get("tag") == tag), None)


def _keep_running(console: Any, server: Any, providers: Any) -> None:
    """``--keep``: print where everything is and wait for Ctrl-C."""
    console.print(f"\nThe server keeps running on {server.url} (Ctrl-C stops it and deletes {server.home}).")
    for name, cluster in providers.sandboxes.items():
        path = cluster.write_kubeconfig(server.home / f"kubeconfig-{name}.yaml", context=name)
        console.print(f"  {name}: kubectl --kubeconfig {path} get deployments,pods")
    console.print(f"  GENNAKER_API={server.url} gennaker execution list -a {APPLICATION}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping")
