"""The worker runtime: threads that claim and handle queue messages, plus a heartbeat and (PostgreSQL)
a LISTEN thread. ``gennaker server`` starts a ``WorkerPool`` in-process; ``gennaker worker`` (or
``python -m gennaker.engine.worker``) runs workers alone.

Wake-ups: a thread with nothing due sleeps until the earliest delivery time or lease expiry in the
queue, or until woken: by a push in this process (``Waker``) or, on PostgreSQL, by
``NOTIFY gennaker_queue`` from any process. ``poll_s`` bounds the sleep only to notice pushes from other
processes where no notification exists (SQLite shared by several processes).

Leases: every message a process holds is leased for ``lease_ms``; the heartbeat extends them every
``lease_ms / 3``. A process killed with SIGKILL stops heartbeating and its messages are claimable when
their leases expire; at start a worker also frees at once the leases of dead processes on its own host.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gennaker.engine.clock import now_ms
from gennaker.engine.events import EngineEvent
from gennaker.engine.processor import EVENTS_CHANNEL, QUEUE_CHANNEL, process
from gennaker.engine.runtime import EngineRuntime
from gennaker.store import jsonutil
from gennaker.store import queue as queue_repo
from gennaker.store.queue import QueuedMessage

if TYPE_CHECKING:
    from gennaker.engine.service import PipelineService

log = logging.getLogger(__name__)


class WorkerPool:
    """N worker threads of one process sharing one ``EngineRuntime``."""

    def __init__(
        self, runtime: EngineRuntime, *, threads: int = 4, poll_s: float | None = None, chain: bool = True
    ) -> None:
        self.runtime = runtime
        self.threads = threads
        self.poll_s = poll_s if poll_s is not None else (0.5 if runtime.db.is_sqlite else 5.0)
        self.chain = chain
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ lifecycle

    def start(self) -> WorkerPool:
        """Start the threads (returns self)."""
        self._reclaim_dead_local_leases()
        self._stop.clear()
        for i in range(self.threads):
            self._spawn(self._work, f"gennaker-worker-{i}")
        self._spawn(self._heartbeat, "gennaker-heartbeat")
        if self.runtime.db.is_postgres:
            self._spawn(self._listen, "gennaker-listen")
        return self

    def _spawn(self, target: Any, name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the messages being handled are done (bounded by ``timeout_s``)."""
        self._stop.set()
        self.runtime.waker.notify_all()
        deadline = time.monotonic() + timeout_s
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads = []

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ threads

    def _work(self) -> None:
        runtime = self.runtime
        chained: QueuedMessage | None = None
        while not self._stop.is_set():
            try:
                if chained is not None:
                    message, chained = chained, None
                else:
                    claimed = self._next()
                    if claimed is None:
                        continue
                    message = claimed
                chained = process(runtime, message, chain=self.chain)
            except Exception:
                log.exception("worker loop error")
                chained = None
                self._stop.wait(0.5)

    def _next(self) -> QueuedMessage | None:
        runtime = self.runtime
        generation = runtime.waker.generation()
        with runtime.db.read() as conn:
            due = queue_repo.next_due(conn)
        now = now_ms()
        if due is None or due > now:
            wait = self.poll_s if due is None else min(self.poll_s, (due - now) / 1000)
            runtime.waker.wait(generation, max(0.0, wait))
            return None
        with runtime.db.write() as conn:
            claimed = queue_repo.claim(
                conn, owner=runtime.owner, now=now_ms(), lease_ms=runtime.lease_ms, limit=1
            )
        return claimed[0] if claimed else None

    def _heartbeat(self) -> None:
        period = max(0.05, self.runtime.lease_ms / 3000)
        while not self._stop.wait(period):
            try:
                with self.runtime.db.write() as conn:
                    queue_repo.extend_leases(
                        conn, owner=self.runtime.owner, now=now_ms(), lease_ms=self.runtime.lease_ms
                    )
            except Exception:
                log.exception("heartbeat failed")

    def _listen(self) -> None:
        import psycopg

        url = self.runtime.db.url.replace("postgresql+psycopg://", "postgresql://")
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {QUEUE_CHANNEL}")
                    conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._on_notify(note.channel, note.payload)
            except Exception:
                log.exception("LISTEN connection failed; reconnecting")
                self._stop.wait(1.0)

    def _on_notify(self, channel: str, payload: str) -> None:
        if channel == QUEUE_CHANNEL:
            self.runtime.waker.notify_all()
            return
        try:
            data = jsonutil.loads(payload)
        except ValueError:
            return
        if data.pop("owner", None) == self.runtime.owner:
            return
        self.runtime.events.publish([EngineEvent(**data)])

    def _reclaim_dead_local_leases(self) -> None:
        """Free leases held by processes of this host that no longer exist (a restart after SIGKILL
        resumes at once instead of waiting for the leases to expire)."""
        import sqlalchemy as sa

        from gennaker.store.schema import queue as q_t

        host = socket.gethostname()
        with self.runtime.db.write() as conn:
            owners = [
                r[0]
                for r in conn.execute(
                    sa.select(q_t.c.lease_owner).where(q_t.c.lease_token.isnot(None)).distinct()
                )
            ]
            dead = []
            for owner in owners:
                parts = str(owner).split(":")
                if len(parts) == 3 and parts[0] == host and parts[1].isdigit() and not _alive(int(parts[1])):
                    dead.append(owner)
            if dead:
                conn.execute(sa.update(q_t).where(q_t.c.lease_owner.in_(dead)).values(lease_expires=0))
                log.info("freed the leases of dead local workers %s", dead)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> None:
    """``python -m gennaker.engine.worker``: run workers until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="gennaker worker", description="Run Gennaker engine workers.")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GENNAKER_WORKER_THREADS", "4")))
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: GENNAKER_DATABASE_URL or the SQLite file in GENNAKER_HOME",
    )
    parser.add_argument("--lease-ms", type=int, default=int(os.environ.get("GENNAKER_LEASE_MS", "10000")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("GENNAKER_LOG_LEVEL", "INFO"))
    run_worker(threads=args.threads, database_url=args.database_url, lease_ms=args.lease_ms)


def run_worker(
    *,
    threads: int = 4,
    database_url: str | None = None,
    lease_ms: int = 10_000,
    start_providers: Callable[[PipelineService], Callable[[], None]] | None = None,
) -> None:
    """Run workers in this process until SIGTERM/SIGINT (what ``gennaker worker`` calls).

    ``start_providers`` (given by the CLI, which may import the providers; the engine may not) starts what
    the stages need in this process (Kubernetes, artifacts, canary) and returns the function that stops it.
    """
    from gennaker.engine.service import PipelineService

    runtime = EngineRuntime.create(database_url)
    runtime.lease_ms = lease_ms
    service = PipelineService(runtime)  # gives tasks (e.g. the pipeline stage) the facade as runtime.services
    stop_providers = start_providers(service) if start_providers is not None else None
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    pool = WorkerPool(runtime, threads=threads).start()
    log.info(
        "gennaker worker %s running %d threads on %s", runtime.owner, threads, runtime.db.url.split("@")[-1]
    )
    try:
        stop.wait()
    finally:
        pool.stop()
        if stop_providers is not None:
            stop_providers()


if __name__ == "__main__":
    main()
