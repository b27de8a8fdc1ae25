"""One process schedules at a time: the lease is held by one runtime, renewed while it lives, taken over
when its holder stops renewing (a dead process) or gives it up (a clean stop)."""

from __future__ import annotations

import time

from gennaker.triggers.lease import Lease
from tests.support.engine_peer import EnginePeer
from tests.triggers.wiring.conftest import RuntimeFactory


def test_a_lease_is_taken_over_when_its_holder_stops_renewing(engine: EnginePeer) -> None:
    db = engine.runtime.db
    first, second = Lease(db, "t", "a", ttl_s=0.5), Lease(db, "t", "b", ttl_s=0.5)
    assert first.renew() is True
    assert second.renew() is False
    assert first.renew() is True, "renewing keeps it"
    time.sleep(0.7)  # "a" died: no renewal
    assert second.renew() is True
    assert first.renew() is False
    second.release()
    assert first.renew() is True


def test_only_one_runtime_leads_and_a_clean_stop_hands_over_at_once(
    engine: EnginePeer, make_runtime: RuntimeFactory
) -> None:
    a, b = make_runtime(owner="server-a"), make_runtime(owner="server-b")
    a.run_once()
    b.run_once()
    assert (a.is_leader, b.is_leader) == (True, False)
    assert b.status()["leader"]["owner"] == "server-a"
    a.stop()
    b.run_once()
    assert b.is_leader
