"""A lease in the database that lets exactly one process run the trigger runtime's scheduling work (cron
firings, registry and chart polling, pipeline-completion catch-up) at a time.

Who calls it: ``gennaker.triggers.runtime`` renews it on every tick (every second by default). A process
holds the lease until ``ttl`` after its last renewal: when it dies or hangs, another process takes over
within ``ttl`` (15 s by default). Correctness never depends on the lease alone: every start is also
guarded by the once-per-event key, so two processes that briefly both believe they lead start nothing
twice. Persisted: the ``trigger_leases`` row (``gennaker.store.triggers``).
"""

from __future__ import annotations

import logging

from gennaker.engine.clock import now_ms
from gennaker.store import Database
from gennaker.store import triggers as trigger_repo

log = logging.getLogger(__name__)


class Lease:
    """One named lease for one owner."""

    def __init__(self, db: Database, name: str, owner: str, *, ttl_s: float = 15.0) -> None:
        self.db = db
        self.name = name
        self.owner = owner
        self.ttl_ms = int(ttl_s * 1000)
        self.held = False

    def renew(self) -> bool:
        """Take or extend the lease; returns whether this owner holds it now."""
        try:
            with self.db.write() as conn:
                held = trigger_repo.acquire_lease(
                    conn, self.name, self.owner, now=now_ms(), ttl_ms=self.ttl_ms
                )
        except Exception:
            log.exception("renewing the %s lease failed", self.name)
            held = False
        if held != self.held:
            log.info("%s lease %s by %s", self.name, "taken" if held else "lost", self.owner)
        self.held = held
        return held

    def release(self) -> None:
        """Give the lease up so another process can take over at once."""
        if not self.held:
            return
        try:
            with self.db.write() as conn:
                trigger_repo.release_lease(conn, self.name, self.owner)
        except Exception:
            log.exception("releasing the %s lease failed", self.name)
        self.held = False

    def holder(self) -> dict[str, object] | None:
        with self.db.read() as conn:
            return trigger_repo.lease_holder(conn, self.name, now=now_ms())
