"""Benchmark: time from a tag pushed to a real local registry until the docker trigger's poller reports it.

Starts ``docker-registry`` on loopback (``LocalRegistry``), runs ``poll_forever`` with a 1 s poll interval in
a thread, then pushes new tags (with the pure-Python pusher) at random moments of the poll cycle and measures,
for each, the time from the end of the push to the poll result that carries it. Prints the distribution
(the expected mean is about half the interval plus one poll) and the cost of one poll.

Run: ``.venv/bin/python benchmarks/registry_poll.py [--pushes 12] [--interval 1.0]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gennaker.triggers.docker import (
    PollResult,
    RegistryClient,
    TagPoller,
    TagPollState,
    poll_forever,
    push_image,
)
from gennaker.triggers.docker.local_registry import LocalRegistry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=12)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    rng = random.Random(7)

    with (
        LocalRegistry() as registry,
        RegistryClient(registry.url) as pusher,
        RegistryClient(registry.url) as reader,
    ):
        push_image(pusher, "bench/web", "0.0.0")
        poller = TagPoller(reader, "bench/web", tag_pattern=r"\d+\.\d+\.\d+")
        seen: dict[str, float] = {}
        lock = threading.Condition()
        stop = threading.Event()

        def on_result(result: PollResult) -> None:
            now = time.monotonic()
            with lock:
                for event in result.events:
                    seen.setdefault(event.tag, now)
                lock.notify_all()

        # Measure the cost of one poll on its own first.
        state = poller.poll(TagPollState()).state
        costs = []
        for _ in range(20):
            started = time.perf_counter()
            poller.poll(state)
            costs.append(time.perf_counter() - started)

        thread = threading.Thread(
            target=poll_forever,
            kwargs={
                "poller": poller,
                "state": state,
                "interval": args.interval,
                "on_result": on_result,
                "stop": stop,
            },
            daemon=True,
        )
        thread.start()
        latencies: list[float] = []
        try:
            for i in range(1, args.pushes + 1):
                time.sleep(rng.uniform(0, args.interval))
                tag = f"1.0.{i}"
                push_image(pusher, "bench/web", tag)
                pushed = time.monotonic()
                with lock:
                    if not lock.wait_for(lambda t=tag: t in seen, timeout=30):
                        raise SystemExit(f"tag {tag} was never reported")
                latencies.append(seen[tag] - pushed)
        finally:
            stop.set()
            thread.join(10)

    ms = sorted(x * 1000 for x in latencies)
    print(
        f"registry poll benchmark: {len(ms)} pushes, poll interval {args.interval:g} s, real docker-registry"
    )
    print(
        f"  push -> reported: mean {statistics.mean(ms):.0f} ms, median {statistics.median(ms):.0f} ms, "
        f"p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms"
    )
    print(f"  one poll (tags/list, no new tag): median {statistics.median(costs) * 1000:.1f} ms")
    print(f"  ratio mean latency / poll interval: {statistics.mean(ms) / (args.interval * 1000):.2f}")


if __name__ == "__main__":
    main()
