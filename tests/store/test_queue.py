"""Queue semantics: dedup, re-push while leased, leases and takeover, lost leases, SKIP LOCKED."""

from __future__ import annotations

import pytest

from gennaker.store import Database
from gennaker.store import queue as q
from gennaker.store.queue import LeaseLost


def push(db: Database, kind: str, payload: dict, at: int) -> None:
    with db.write() as conn:
        q.push(conn, kind, payload, deliver_at=at, now=0, execution_id="e1")


def claim(db: Database, owner: str, now: int, lease: int = 1000, limit: int = 1) -> list[q.QueuedMessage]:
    with db.write() as conn:
        return q.claim(conn, owner=owner, now=now, lease_ms=lease, limit=limit)


def test_identical_push_only_moves_the_delivery(db: Database) -> None:
    push(db, "startStage", {"stageId": "s"}, 500)
    push(db, "startStage", {"stageId": "s"}, 100)
    push(db, "startStage", {"stageId": "other"}, 100)
    with db.read() as conn:
        rows = q.pending(conn)
    assert [(r["payload"], r["deliver_at"]) for r in rows] == [
        ('{"stageId":"s"}', 100),
        ('{"stageId":"other"}', 100),
    ]


def test_messages_are_delivered_when_due(db: Database) -> None:
    push(db, "runTask", {"t": 1}, 1000)
    assert claim(db, "w", now=999) == []
    assert [m.payload for m in claim(db, "w", now=1000)] == [{"t": 1}]


def test_a_push_while_leased_is_delivered_again_after_the_ack(db: Database) -> None:
    push(db, "startStage", {"stageId": "join"}, 0)
    (m,) = claim(db, "w1", now=10)
    push(db, "startStage", {"stageId": "join"}, 20)  # e.g. the last parent completed meanwhile
    with db.write() as conn:
        q.ack(conn, m)
    (again,) = claim(db, "w1", now=20)
    assert again.payload == {"stageId": "join"}
    with db.write() as conn:
        q.ack(conn, again)
    with db.read() as conn:
        assert q.pending(conn) == []


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_ack(db: Database) -> None:
    push(db, "runTask", {"t": 1}, 0)
    (old,) = claim(db, "dead-worker", now=0, lease=100)
    assert claim(db, "w2", now=50) == []  # still leased
    (new,) = claim(db, "w2", now=101)
    assert new.attempts == 2
    with pytest.raises(LeaseLost), db.write() as conn:
        q.ack(conn, old)
    with db.write() as conn:
        q.ack(conn, new)


def test_heartbeat_extends_leases(db: Database) -> None:
    push(db, "runTask", {"t": 1}, 0)
    claim(db, "w1", now=0, lease=100)
    with db.write() as conn:
        assert q.extend_leases(conn, owner="w1", now=90, lease_ms=100) == 1
    assert claim(db, "w2", now=150) == []
    assert len(claim(db, "w2", now=191)) == 1


def test_release_redelivers_later(db: Database) -> None:
    push(db, "runTask", {"t": 1}, 0)
    (m,) = claim(db, "w1", now=0)
    with db.write() as conn:
        q.release(conn, m, deliver_at=500)
    assert claim(db, "w1", now=499) == []
    assert len(claim(db, "w1", now=500)) == 1


@pytest.mark.postgres
def test_concurrent_claims_on_postgres_skip_locked_rows(postgres_url: str) -> None:
    db = Database(postgres_url)
    db.upgrade()
    for i in range(2):
        push(db, "runTask", {"t": i}, 0)
    with db.engine.connect() as c1, db.engine.connect() as c2:
        t1 = c1.begin()
        first = q.claim(c1, owner="a", now=1, lease_ms=1000)
        t2 = c2.begin()
        second = q.claim(c2, owner="b", now=1, lease_ms=1000)  # does not wait for c1's lock
        assert len(first) == len(second) == 1 and first[0].id != second[0].id
        t1.commit()
        t2.commit()
    db.dispose()
