"""The engine's work queue: durable messages with delivery times, dedup and leases.

Who calls it: ``gennaker.engine`` (handlers push inside their own transaction; workers claim, ack,
release and heartbeat). Keiko's semantics on one SQL table:

- ``push``: a message is identified by a fingerprint of its kind and payload. Pushing a message identical
  to one already queued only moves the queued one's delivery time. If the identical message is leased
  (being handled right now) the push is remembered in ``again_at`` and the message is delivered again
  at that time once its handler acks, so a push that races with the handling is never lost.
- ``claim``: ready messages (``deliver_at <= now`` and no live lease) are leased to a worker for
  ``lease_ms``; PostgreSQL uses ``FOR UPDATE SKIP LOCKED`` so workers never block each other; SQLite
  runs the select+update inside its single write transaction (``BEGIN IMMEDIATE``), which is the same
  guarantee. A lease that expires (its worker died and stopped heartbeating) makes the message
  claimable again; ``attempts`` counts deliveries.
- ``ack`` is done in the handler's own transaction and checks the lease token: a handler whose lease was
  taken over cannot commit anything (``LeaseLost``), so a message's effects are committed at most once.
- ``extend_leases``: a worker's heartbeat pushes the expiry of every message it holds.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from gennaker.store import jsonutil
from gennaker.store.schema import queue as q_t


class LeaseLost(RuntimeError):
    """The message's lease was taken over by another worker; the handler's transaction must roll back."""


@dataclass(slots=True)
class QueuedMessage:
    """A claimed message."""

    id: int
    kind: str
    payload: dict[str, Any]
    execution_id: str | None
    lease_token: str
    attempts: int
    deliver_at: int


def fingerprint(kind: str, payload: dict[str, Any]) -> str:
    """Identity of a message for dedup: kind + canonical JSON of the payload."""
    text = kind + ":" + jsonutil.dumps(dict(sorted(payload.items())))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def push(
    conn: Connection,
    kind: str,
    payload: dict[str, Any],
    *,
    deliver_at: int,
    now: int,
    execution_id: str | None,
) -> None:
    """Queue a message (or move the identical queued one; see the module docstring)."""
    values = {
        "fingerprint": fingerprint(kind, payload),
        "kind": kind,
        "execution_id": execution_id,
        "payload": jsonutil.dumps(payload),
        "deliver_at": deliver_at,
        "attempts": 0,
        "created_ts": now,
    }
    insert: Any = (pg_dialect if conn.dialect.name == "postgresql" else sqlite_dialect).insert(q_t)
    stmt = insert.values(**values)
    ex = stmt.excluded
    leased = q_t.c.lease_token.isnot(None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[q_t.c.fingerprint],
        set_={
            "deliver_at": sa.case((leased, q_t.c.deliver_at), else_=ex.deliver_at),
            "again_at": sa.case(
                (
                    sa.and_(leased, sa.or_(q_t.c.again_at.is_(None), ex.deliver_at < q_t.c.again_at)),
                    ex.deliver_at,
                ),
                else_=q_t.c.again_at,
            ),
        },
    )
    conn.execute(stmt)


def claim(conn: Connection, *, owner: str, now: int, lease_ms: int, limit: int = 1) -> list[QueuedMessage]:
    """Lease up to ``limit`` ready messages, earliest delivery first."""
    ready = sa.and_(q_t.c.deliver_at <= now, sa.or_(q_t.c.lease_token.is_(None), q_t.c.lease_expires < now))
    select = sa.select(q_t.c.id).where(ready).order_by(q_t.c.deliver_at, q_t.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        select = select.with_for_update(skip_locked=True)
    ids = [r[0] for r in conn.execute(select)]
    if not ids:
        return []
    token = uuid.uuid4().hex
    rows = conn.execute(
        sa.update(q_t)
        .where(q_t.c.id.in_(ids))
        .values(
            lease_owner=owner, lease_token=token, lease_expires=now + lease_ms, attempts=q_t.c.attempts + 1
        )
        .returning(q_t.c.id, q_t.c.kind, q_t.c.payload, q_t.c.execution_id, q_t.c.attempts, q_t.c.deliver_at)
    )
    out = [
        QueuedMessage(
            id=r.id,
            kind=r.kind,
            payload=jsonutil.loads(r.payload),
            execution_id=r.execution_id,
            lease_token=token,
            attempts=r.attempts,
            deliver_at=r.deliver_at,
        )
        for r in rows
    ]
    out.sort(key=lambda m: (m.deliver_at, m.id))
    return out


def push_leased(
    conn: Connection,
    kind: str,
    payload: dict[str, Any],
    *,
    now: int,
    execution_id: str | None,
    owner: str,
    lease_ms: int,
) -> QueuedMessage | None:
    """Queue a message already leased to ``owner`` (the worker that produced it handles it next, with no
    claim round-trip). Returns None when an identical message already exists (then it was merged by
    ``push`` semantics and whoever claims it handles it)."""
    token = uuid.uuid4().hex
    values = {
        "fingerprint": fingerprint(kind, payload),
        "kind": kind,
        "execution_id": execution_id,
        "payload": jsonutil.dumps(payload),
        "deliver_at": now,
        "attempts": 1,
        "created_ts": now,
        "lease_owner": owner,
        "lease_token": token,
        "lease_expires": now + lease_ms,
    }
    insert: Any = (pg_dialect if conn.dialect.name == "postgresql" else sqlite_dialect).insert(q_t)
    row = conn.execute(
        insert.values(**values).on_conflict_do_nothing(index_elements=[q_t.c.fingerprint]).returning(q_t.c.id)
    ).first()
    if row is None:
        push(conn, kind, payload, deliver_at=now, now=now, execution_id=execution_id)
        return None
    return QueuedMessage(
        id=row[0],
        kind=kind,
        payload=payload,
        execution_id=execution_id,
        lease_token=token,
        attempts=1,
        deliver_at=now,
    )


def ack(conn: Connection, message: QueuedMessage) -> None:
    """Remove a handled message (or re-queue it at ``again_at`` if it was pushed again meanwhile).
    Raises ``LeaseLost`` when the lease is no longer ours."""
    deleted = conn.execute(
        sa.delete(q_t).where(
            q_t.c.id == message.id, q_t.c.lease_token == message.lease_token, q_t.c.again_at.is_(None)
        )
    ).rowcount
    if deleted == 1:
        return
    requeued = conn.execute(
        sa.update(q_t)
        .where(q_t.c.id == message.id, q_t.c.lease_token == message.lease_token)
        .values(
            deliver_at=q_t.c.again_at,
            again_at=None,
            lease_owner=None,
            lease_token=None,
            lease_expires=None,
            attempts=0,
        )
    ).rowcount
    if requeued != 1:
        raise LeaseLost(f"message {message.id} ({message.kind}) is no longer leased by this worker")


def release(conn: Connection, message: QueuedMessage, *, deliver_at: int) -> None:
    """Give a message back after its handler failed: delivered again at ``deliver_at`` (or earlier if
    pushed again meanwhile)."""
    conn.execute(
        sa.update(q_t)
        .where(q_t.c.id == message.id, q_t.c.lease_token == message.lease_token)
        .values(
            deliver_at=sa.case(
                (sa.and_(q_t.c.again_at.isnot(None), q_t.c.again_at < deliver_at), q_t.c.again_at),
                else_=deliver_at,
            ),
            again_at=None,
            lease_owner=None,
            lease_token=None,
            lease_expires=None,
        )
    )


def drop(conn: Connection, message: QueuedMessage) -> None:
    """Delete a message whatever its state (a dead message)."""
    conn.execute(sa.delete(q_t).where(q_t.c.id == message.id))


def extend_leases(conn: Connection, *, owner: str, now: int, lease_ms: int) -> int:
    """Heartbeat: push the expiry of every message ``owner`` holds. Returns how many."""
    return int(
        conn.execute(
            sa.update(q_t)
            .where(q_t.c.lease_owner == owner, q_t.c.lease_token.isnot(None))
            .values(lease_expires=now + lease_ms)
        ).rowcount
    )


def reschedule(conn: Connection, *, execution_id: str, kinds: list[str], deliver_at: int) -> None:
    """Deliver an execution's queued messages of these kinds at ``deliver_at`` (e.g. RunTask now, after
    a cancel); a leased one is delivered again right after its handler acks."""
    base = sa.and_(q_t.c.execution_id == execution_id, q_t.c.kind.in_(kinds))
    conn.execute(sa.update(q_t).where(base, q_t.c.lease_token.is_(None)).values(deliver_at=deliver_at))
    conn.execute(sa.update(q_t).where(base, q_t.c.lease_token.isnot(None)).values(again_at=deliver_at))


def next_due(conn: Connection) -> int | None:
    """The earliest time a message becomes claimable (delivery time, or lease expiry if leased)."""
    due = sa.case(
        (sa.and_(q_t.c.lease_token.isnot(None), q_t.c.lease_expires > q_t.c.deliver_at), q_t.c.lease_expires),
        else_=q_t.c.deliver_at,
    )
    value = conn.execute(sa.select(sa.func.min(due))).scalar()
    return int(value) if value is not None else None


def pending(conn: Connection, execution_id: str | None = None) -> list[dict[str, Any]]:
    """Queued messages (for tests and diagnostics)."""
    stmt = sa.select(q_t)
    if execution_id is not None:
        stmt = stmt.where(q_t.c.execution_id == execution_id)
    return [dict(r._mapping) for r in conn.execute(stmt.order_by(q_t.c.deliver_at, q_t.c.id))]
