"""Benchmark: time from a tag pushed to a real local registry until the pipeline it triggers has its first
stage RUNNING, through the whole path: the trigger runtime's docker poller (poll interval 1 s), the
dispatcher (match, once-per-event key, start), the engine (StartExecution, StartStage, RunTask).

Starts ``docker-registry`` on loopback, the real engine on a temporary SQLite file with 4 worker threads, a
pipeline with a docker trigger on ``bench/web`` (tag pattern ``\\d+\\.\\d+\\.\\d+``) whose first stage is a
``wait``, and the trigger runtime. Pushes tags at random moments of the poll cycle (the helpers of
``registry_poll.py``) and prints the distribution of push -> first stage RUNNING, next to the poller-only
figure the poll interval implies (about half the interval).

Run: ``.venv/bin/python benchmarks/docker_trigger.py [--pushes 12] [--interval 1.0]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _engine_common import engine
from cryptography.fernet import Fernet
from registry_poll import Sightings, describe, push_at_random_moments

from gennaker.artifacts.service import ArtifactAccountService
from gennaker.engine.events import EngineEvent
from gennaker.store.secrets import SecretBox
from gennaker.triggers.docker import RegistryClient, push_image
from gennaker.triggers.docker.accounts import DockerRegistryAccounts
from gennaker.triggers.docker.local_registry import LocalRegistry
from gennaker.triggers.runtime import TriggerRuntime, TriggerRuntimeConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pushes", type=int, default=12)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    rng = random.Random(11)
    svc, pool = engine(None, threads=4)
    box = SecretBox(Fernet.generate_key())
    with LocalRegistry() as registry, RegistryClient(registry.url) as pusher:
        push_image(pusher, "bench/web", "0.0.0")
        docker_accounts = DockerRegistryAccounts(svc.runtime.db, box=box)
        docker_accounts.put({"name": "local", "address": registry.url}, principal="bench")
        svc.save_pipeline(
            {
                "application": "bench",
                "name": "deploy",
                "limitConcurrent": False,
                "triggers": [
                    {"type": "docker", "account": "local", "repository": "bench/web", "tag": r"\d+\.\d+\.\d+"}
                ],
                "stages": [{"refId": "1", "type": "wait", "name": "first", "waitTime": 600}],
            },
            principal="bench",
        )
        sightings = Sightings()
        tags: dict[str, str] = {}

        def on_event(event: EngineEvent) -> None:
            if event.type == "stage" and event.status == "RUNNING" and event.ref_id == "1":
                now = time.monotonic()
                execution = svc.get_execution(event.execution_id) or {}
                tag = (execution.get("trigger") or {}).get("tag")
                if tag:
                    tags[event.execution_id] = tag
                    sightings.saw(tag, now)

        subscription = svc.subscribe(on_event)
        runtime = TriggerRuntime(
            svc,
            artifact_accounts=ArtifactAccountService(svc.runtime.db, box=box),
            docker_accounts=docker_accounts,
            config=TriggerRuntimeConfig(docker_poll_interval=args.interval, tick=0.2),
        ).start()
        deadline = time.monotonic() + 30
        while not any(p.get("lastSuccessTs") for p in runtime.status()["pollers"]):
            if time.monotonic() > deadline:
                raise SystemExit("the docker poller never polled")
            time.sleep(0.05)
        try:
            latencies = push_at_random_moments(
                pusher, "bench/web", args.pushes, args.interval, sightings, rng
            )
        finally:
            runtime.stop()
            subscription.close()
            for execution_id in list(tags):
                svc.cancel_execution(execution_id, principal="bench")
            pool.stop()
    print(f"docker trigger benchmark: {len(latencies)} pushes, poll interval {args.interval:g} s, SQLite")
    print(f"  push -> first stage RUNNING: {describe(latencies)}")
    print(f"  ratio mean latency / poll interval: {statistics.mean(latencies) / args.interval:.2f}")


if __name__ == "__main__":
    main()
