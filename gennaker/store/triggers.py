"""Trigger persistence: the event log, once-per-event starts, trigger state, and the scheduling lease.

Who calls it: ``gennaker.triggers`` (the dispatcher, the cron scheduler, the pollers, the trigger runtime)
and, through ``gennaker.triggers.service``, the API's event-log views. Functions over a ``Connection`` so
callers compose them into one transaction.

Tables (``gennaker.store.schema``):
- ``trigger_events``: one row per event handled: ``event_key`` (the event's idempotency key), ``type``,
  ``source``, ``received_ts``, ``status`` (``received`` while handled, then ``processed``, ``rejected``
  or ``error``), ``summary``, ``payload`` (trimmed and redacted by the caller), ``outcomes`` (one entry per
  candidate pipeline: started with its execution id, or why not), ``started`` (count), ``handled_by``;
- ``trigger_starts``: primary key (``event_key``, ``pipeline_config_id``), written in the same transaction
  as the execution it names: a second start of the same pipeline for the same event fails on the key, in
  any process (``claim_start``);
- ``trigger_state``: JSON per key (``cron:...`` last firing, ``docker:...`` tags seen, ``helm:...``
  versions seen, poller status);
- ``trigger_leases``: one row per lease name; a process holds it while ``expires_ts`` is in the future.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from gennaker.store.schema import trigger_events as ev_t
from gennaker.store.schema import trigger_leases as lease_t
from gennaker.store.schema import trigger_starts as start_t
from gennaker.store.schema import trigger_state as state_t

# ---------------------------------------------------------------- the event log


def insert_event(
    conn: Connection,
    *,
    event_key: str,
    type: str,
    source: str | None,
    received_ts: int,
    summary: str | None,
    payload: Any,
    status: str = "received",
    outcomes: Sequence[Mapping[str, Any]] = (),
    handled_by: str | None = None,
) -> int:
    """Append an event to the log; returns its id."""
    result = conn.execute(
        sa.insert(ev_t)
        .values(
            event_key=event_key[:255],
            type=type,
            source=(source or "")[:255] or None,
            received_ts=received_ts,
            status=status,
            summary=summary,
            payload=payload,
            outcomes=[dict(o) for o in outcomes],
            started=sum(1 for o in outcomes if o.get("result") == "started"),
            handled_by=handled_by,
        )
        .returning(ev_t.c.id)
    )
    return int(result.scalar_one())


def finish_event(
    conn: Connection,
    event_id: int,
    *,
    status: str,
    outcomes: Sequence[Mapping[str, Any]],
    summary: str | None,
) -> None:
    """Record how an event was handled."""
    conn.execute(
        sa.update(ev_t)
        .where(ev_t.c.id == event_id)
        .values(
            status=status,
            outcomes=[dict(o) for o in outcomes],
            started=sum(1 for o in outcomes if o.get("result") == "started"),
            summary=summary,
        )
    )


def _event_json(row: Any, *, payload: bool = True) -> dict[str, Any]:
    out = {
        "id": row.id,
        "eventKey": row.event_key,
        "type": row.type,
        "source": row.source,
        "receivedTs": row.received_ts,
        "status": row.status,
        "summary": row.summary,
        "outcomes": list(row.outcomes or []),
        "started": row.started,
        "handledBy": row.handled_by,
    }
    if payload:
        out["payload"] = row.payload
    return out


def get_event(conn: Connection, event_id: int) -> dict[str, Any] | None:
    """One event of the log, or None."""
    row = conn.execute(sa.select(ev_t).where(ev_t.c.id == event_id)).first()
    return None if row is None else _event_json(row)


def list_events(
    conn: Connection,
    *,
    type: str | None = None,
    source: str | None = None,
    event_key: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
    include_payload: bool = False,
) -> list[dict[str, Any]]:
    """Events newest first, filtered by type, source and key; page with ``before_id``."""
    columns = [c for c in ev_t.c if include_payload or c.name != "payload"]
    query = sa.select(*columns).order_by(ev_t.c.id.desc()).limit(max(1, min(limit, 500)))
    if type is not None:
        query = query.where(ev_t.c.type == type)
    if source is not None:
        query = query.where(ev_t.c.source == source)
    if event_key is not None:
        query = query.where(ev_t.c.event_key == event_key)
    if before_id is not None:
        query = query.where(ev_t.c.id < before_id)
    return [_event_json(row, payload=include_payload) for row in conn.execute(query)]


def seen_event_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` have an event in the log."""
    wanted = list(keys)
    if not wanted:
        return set()
    rows = conn.execute(sa.select(ev_t.c.event_key).where(ev_t.c.event_key.in_(wanted)).distinct())
    return {r[0] for r in rows}


def prune_events(conn: Connection, older_than_ts: int) -> int:
    """Delete log entries received before ``older_than_ts``; returns how many."""
    return int(conn.execute(sa.delete(ev_t).where(ev_t.c.received_ts < older_than_ts)).rowcount or 0)


# ---------------------------------------------------------------- once per event


def claim_start(
    conn: Connection, event_key: str, pipeline_config_id: str, execution_id: str, now: int
) -> None:
    """Record that ``event_key`` started ``pipeline_config_id``; raises ``IntegrityError`` when it already
    did (in this transaction's view, or when a concurrent transaction commits first)."""
    conn.execute(
        sa.insert(start_t).values(
            event_key=event_key[:255],
            pipeline_config_id=pipeline_config_id,
            execution_id=execution_id,
            started_ts=now,
        )
    )


def started_execution(conn: Connection, event_key: str, pipeline_config_id: str) -> str | None:
    """The execution ``event_key`` started for the pipeline, or None."""
    row = conn.execute(
        sa.select(start_t.c.execution_id).where(
            start_t.c.event_key == event_key[:255], start_t.c.pipeline_config_id == pipeline_config_id
        )
    ).first()
    return None if row is None else str(row[0])


def starts_of_event(conn: Connection, event_key: str) -> dict[str, str]:
    """pipeline config id -> execution id, for every start of ``event_key``."""
    rows = conn.execute(
        sa.select(start_t.c.pipeline_config_id, start_t.c.execution_id).where(
            start_t.c.event_key == event_key[:255]
        )
    )
    return {r[0]: r[1] for r in rows}


# ---------------------------------------------------------------- state


def get_state(conn: Connection, key: str) -> dict[str, Any] | None:
    """The JSON stored under ``key``, or None."""
    row = conn.execute(sa.select(state_t.c.value).where(state_t.c.key == key)).first()
    return None if row is None else dict(row[0] or {})


def states_with_prefix(conn: Connection, prefix: str) -> dict[str, dict[str, Any]]:
    """Every state whose key starts with ``prefix``."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        sa.select(state_t.c.key, state_t.c.value).where(state_t.c.key.like(escaped + "%", escape="\\"))
    )
    return {r[0]: dict(r[1] or {}) for r in rows}


def put_state(conn: Connection, key: str, value: Mapping[str, Any], now: int) -> None:
    """Create or replace the state under ``key``."""
    updated = conn.execute(
        sa.update(state_t).where(state_t.c.key == key).values(value=dict(value), updated_ts=now)
    ).rowcount
    if not updated:
        conn.execute(sa.insert(state_t).values(key=key, value=dict(value), updated_ts=now))


def delete_states(conn: Connection, keys: Iterable[str]) -> None:
    wanted = list(keys)
    if wanted:
        conn.execute(sa.delete(state_t).where(state_t.c.key.in_(wanted)))


# ---------------------------------------------------------------- leases


def acquire_lease(conn: Connection, name: str, owner: str, *, now: int, ttl_ms: int) -> bool:
    """Take or renew the lease ``name`` for ``owner`` until ``now + ttl_ms``; False when another owner holds
    an unexpired lease. Run it in a write transaction of its own (a lost insert race rolls it back)."""
    renewed = conn.execute(
        sa.update(lease_t)
        .where(lease_t.c.name == name, sa.or_(lease_t.c.owner == owner, lease_t.c.expires_ts < now))
        .values(
            owner=owner,
            expires_ts=now + ttl_ms,
            acquired_ts=sa.case((lease_t.c.owner == owner, lease_t.c.acquired_ts), else_=now),
        )
    ).rowcount
    if renewed:
        return True
    exists = conn.execute(sa.select(lease_t.c.name).where(lease_t.c.name == name)).first()
    if exists is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(
                sa.insert(lease_t).values(name=name, owner=owner, expires_ts=now + ttl_ms, acquired_ts=now)
            )
    except IntegrityError:
        return False
    return True


def release_lease(conn: Connection, name: str, owner: str) -> None:
    """Give the lease up (only if ``owner`` holds it)."""
    conn.execute(
        sa.update(lease_t).where(lease_t.c.name == name, lease_t.c.owner == owner).values(expires_ts=0)
    )


def lease_holder(conn: Connection, name: str, *, now: int) -> dict[str, Any] | None:
    """Who holds the lease now (``owner``, ``expiresTs``, ``acquiredTs``), or None."""
    row = conn.execute(sa.select(lease_t).where(lease_t.c.name == name)).first()
    if row is None or row.expires_ts < now:
        return None
    return {"owner": row.owner, "expiresTs": row.expires_ts, "acquiredTs": row.acquired_ts}
