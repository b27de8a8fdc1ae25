"""``gennaker demo --classic``: the engine's own stages end to end on a throw-away server, no cluster.

What it does: starts the API and workers in this process on a free loopback port with a temporary
GENNAKER_HOME (SQLite, :class:`gennaker.cli.demo_server.DemoServer`), serves a small job API of its own on
another loopback port, saves a demo
pipeline (wait → two parallel evaluateVariables branches → a manualJudgment → a webhook that starts a
job on the demo's endpoint and polls its status), starts it through the API, judges it through the API
(as a person would with ``gennaker execution judge``), follows it live and exits 0 if it succeeded.
Everything goes through the same HTTP API the CLI uses. The default ``gennaker demo`` is the promotion
demo (:mod:`gennaker.cli.demo_promotion`).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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


def run_classic() -> bool:
    """Run the classic demo; True if the execution succeeded."""
    from rich.console import Console

    from gennaker.cli.client import GennakerClient
    from gennaker.cli.demo_server import DemoServer, judge_when_waiting
    from gennaker.cli.watch import watch_execution

    console = Console()
    jobs = JobAPI()
    stop = threading.Event()
    try:
        with DemoServer() as server:
            console.print(f"Gennaker demo server on {server.url} (data in {server.home})")
            c = GennakerClient(server.url, user="demo")
            c.post("/applications", {"name": "demo", "email": "demo@example.com"})
            c.post("/pipelines", demo_pipeline(jobs.url))
            ref = c.post("/pipelines/demo/release", {"type": "manual", "parameters": {"version": "2.4.1"}})[
                "ref"
            ]
            execution_id = ref.rsplit("/", 1)[-1]
            console.print(
                f"Started execution {execution_id}; the demo approves the judgment through the API."
            )
            threading.Thread(
                target=judge_when_waiting,
                args=(server.url, execution_id, stop),
                kwargs={
                    "user": "demo-release-manager",
                    "judgment": {"judgmentStatus": "continue", "judgmentInput": "ship"},
                },
                daemon=True,
            ).start()
            final = watch_execution(c, execution_id)
            webhook = next(s for s in c.get(ref)["stages"] if s["refId"] == "5")["context"].get("webhook", {})
            console.print(f"The job endpoint received: {jobs.received}")
            console.print(f"Last status poll: {webhook.get('monitor', {}).get('body')}")
            console.print(f"Result: {final}", style="bold green" if final == "SUCCEEDED" else "bold red")
            c.close()
    finally:
        stop.set()
        jobs.close()
    return final == "SUCCEEDED"
