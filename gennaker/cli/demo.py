"""``gennaker demo``: a real pipeline run end to end on a throw-away server, for a first look.

What it does: starts the API and workers in this process on a free loopback port with a temporary
GENNAKER_HOME (SQLite), serves a small job API of its own on another loopback port, saves a demo
pipeline (wait → two parallel evaluateVariables branches → a manualJudgment → a webhook that starts a
job on the demo's endpoint and polls its status), starts it through the API, judges it through the API
(as a person would with ``gennaker execution judge``), follows it live and exits 0 if it succeeded.
Everything goes through the same HTTP API the CLI uses. Later issues replace the pipeline with a
Kubernetes deploy + canary + promotion.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import typer


def demo_pipeline(job_url: str) -> dict[str, Any]:
    """The demo's pipeline config."""
    return {
        "application": "demo",
        "name": "release",
        "parameterConfig": [{"name": "version", "default": "1.0.0"}],
        "stages": [
            {"refId": "1", "type": "wait", "name": "Warm up", "waitTime": 1},
            {
                "refId": "2",
                "type": "evaluateVariables",
                "name": "Pick region",
                "requisiteStageRefIds": ["1"],
                "variables": [{"key": "region", "value": "eu-west"}],
            },
            {
                "refId": "3",
                "type": "evaluateVariables",
                "name": "Name the release",
                "requisiteStageRefIds": ["1"],
                "variables": [{"key": "release", "value": "shop-${parameters.version}"}],
            },
            {
                "refId": "4",
                "type": "manualJudgment",
                "name": "Approve",
                "requisiteStageRefIds": ["2", "3"],
                "instructions": "Ship ${release} to ${region}?",
                "judgmentInputs": [{"value": "ship"}, {"value": "hold"}],
            },
            {
                "refId": "5",
                "type": "webhook",
                "name": "Start rollout job",
                "requisiteStageRefIds": ["4"],
                "url": job_url,
                "method": "POST",
                "payload": {
                    "release": "${release}",
                    "region": "${region}",
                    "decision": "${#judgment('Approve')}",
                },
                "waitForCompletion": True,
                "statusUrlResolution": "locationHeader",
                "statusJsonPath": "$.state",
                "progressJsonPath": "$.message",
                "successStatuses": "DONE",
                "terminalStatuses": "FAILED",
            },
        ],
    }


class JobAPI:
    """The demo's local job endpoint: POST /jobs answers 202 + Location; GET /jobs/1 runs, then is DONE."""

    def __init__(self) -> None:
        self.polls = 0
        self.received: list[Any] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(
                self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.received.append(json.loads(self.rfile.read(length) or b"null"))
                self._reply(202, {"id": 1}, {"Location": "/jobs/1"})

            def do_GET(self) -> None:
                outer.polls += 1
                done = outer.polls >= 3
                self._reply(
                    200, {"state": "DONE" if done else "RUNNING", "message": f"step {outer.polls} of 3"}
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jobs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _judge_when_waiting(api: str, execution_id: str, stop: threading.Event) -> None:
    """Plays the release manager: waits for the judgment stage and continues it through the API."""
    from gennaker.cli.client import GennakerClient

    c = GennakerClient(api, user="demo-release-manager")
    try:
        while not stop.wait(0.2):
            ex = c.get(f"/pipelines/{execution_id}")
            stage = next(
                (s for s in ex["stages"] if s["type"] == "manualJudgment" and s["status"] == "RUNNING"), None
            )
            if stage is not None:
                time.sleep(1.0)  # long enough to see it waiting
                c.patch(
                    f"/pipelines/{execution_id}/stages/{stage['id']}",
                    {"judgmentStatus": "continue", "judgmentInput": "ship"},
                )
                return
            if ex["status"] not in ("RUNNING", "NOT_STARTED"):
                return
    finally:
        c.close()


def demo() -> None:
    """Run a demo pipeline end to end on a temporary server (exit 0 if it succeeds)."""
    import socket

    import uvicorn
    from rich.console import Console

    from gennaker.api.app import create_app
    from gennaker.cli.client import GennakerClient
    from gennaker.cli.watch import watch_execution
    from gennaker.engine.runtime import EngineRuntime
    from gennaker.engine.service import PipelineService
    from gennaker.engine.worker import WorkerPool

    console = Console()
    with tempfile.TemporaryDirectory(prefix="gennaker-demo-") as home:
        runtime = EngineRuntime.create(f"sqlite:///{home}/gennaker.db")
        service = PipelineService(runtime)
        pool = WorkerPool(runtime, threads=4)
        app = create_app(service, on_startup=pool.start, on_shutdown=pool.stop, worker_threads=4)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        jobs = JobAPI()
        stop = threading.Event()
        try:
            deadline = time.monotonic() + 20
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.02)
            api = f"http://127.0.0.1:{port}"
            console.print(f"Gennaker demo server on {api} (data in {home})")
            c = GennakerClient(api, user="demo")
            c.post("/applications", {"name": "demo", "email": "demo@example.com"})
            c.post("/pipelines", demo_pipeline(jobs.url))
            ref = c.post("/pipelines/demo/release", {"type": "manual", "parameters": {"version": "2.4.1"}})[
                "ref"
            ]
            execution_id = ref.rsplit("/", 1)[-1]
            console.print(
                f"Started execution {execution_id}; the demo approves the judgment through the API."
            )
            threading.Thread(target=_judge_when_waiting, args=(api, execution_id, stop), daemon=True).start()
            final = watch_execution(c, execution_id)
            webhook = next(s for s in c.get(ref)["stages"] if s["refId"] == "5")["context"].get("webhook", {})
            console.print(f"The job endpoint received: {jobs.received}")
            console.print(f"Last status poll: {webhook.get('monitor', {}).get('body')}")
            console.print(f"Result: {final}", style="bold green" if final == "SUCCEEDED" else "bold red")
            c.close()
        finally:
            stop.set()
            jobs.close()
            server.should_exit = True
            thread.join(10)
            runtime.db.dispose()
    raise typer.Exit(0 if final == "SUCCEEDED" else 1)
