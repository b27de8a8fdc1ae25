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


class Sightings:
    """When each tag was first seen by whatever watches the registry (thread-safe)."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self._lock = threading.Condition()

    def saw(self, tag: str, at: float | None = None) -> None:
        with self._lock:
            self.seen.setdefault(tag, time.monotonic() if at is None else at)
            self._lock.notify_all()

    def wait_for(self, tag: str, timeout: float = 30.0) -> float:
        with self._lock:
            if not self._lock.wait_for(lambda: tag in self.seen, timeout=timeout):
                raise SystemExit(f"tag {tag} was never reported")
            return self.seen[tag]


def push_at_random_moments(
    pusher: RegistryClient,
    repository: str,
    pushes: int,
    interval: float,
    sightings: Sightings,
    rng: random.Random,
) -> list[float]:
    """Push tags ``1.0.<i>`` at random moments of the poll cycle; returns each push -> seen delay (s)."""
    latencies = []
    for i in range(1, pushes + 1):
        time.sleep(rng.uniform(0, interval))
        tag = f"1.0.{i}"
        push_image(pusher, repository, tag)
        pushed = time.monotonic()
        latencies.append(sightings.wait_for(tag) - pushed)
    return latencies


def describe(latencies: list[float]) -> str:
    """Mean, median, p90 and max in milliseconds."""
    ms = sorted(x * 1000 for x in latencies)
    return (
        f"mean {statistics.mean(ms):.0f} ms, median {statistics.median(ms):.0f} ms, "
        f"p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms"
    )


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
        sightings = Sightings()
        stop = threading.Event()

        def on_result(result: PollResult) -> None:
            now = time.monotonic()
            for event in result.events:
                sightings.saw(event.tag, now)

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
        try:
            latencies = push_at_random_moments(
                pusher, "bench/web", args.pushes, args.interval, sightings, rng
            )
        finally:
            stop.set()
            thread.join(10)

    print(f"registry poll benchmark: {len(latencies)} pushes, interval {args.interval:g} s, docker-registry")
    print(f"  push -> reported: {describe(latencies)}")
    print(f"  one poll (tags/list, no new tag): median {statistics.median(costs) * 1000:.1f} ms")
    print(f"  ratio mean latency / poll interval: {statistics.mean(latencies) / args.interval:.2f}")


if __name__ == "__main__":
    main()
