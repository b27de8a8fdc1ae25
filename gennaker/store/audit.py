"""The audit log: who changed what, written in the same transaction as the change.

Who calls it: the engine facade for every write (saves, deletes, restores, starts, cancels, judgments,
restarts...). ``principal`` is the user name the API resolved ("anonymous" until authentication).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gennaker.store.schema import audit_log as a_t


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record."""

    id: int
    ts: int
    principal: str
    action: str
    target_type: str
    target_id: str
    application: str | None
    details: dict[str, Any] | None


def record(
    conn: Connection,
    *,
    principal: str,
    action: str,
    target_type: str,
    target_id: str,
    application: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an entry."""
    conn.execute(
        sa.insert(a_t).values(
            ts=int(time.time() * 1000),
            principal=principal,
            action=action,
            target_type=target_type,
            target_id=target_id,
            application=application,
            details=details,
        )
    )


def entries(
    conn: Connection,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    application: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Newest first, filtered."""
    stmt = sa.select(a_t)
    if target_type is not None:
        stmt = stmt.where(a_t.c.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(a_t.c.target_id == target_id)
    if application is not None:
        stmt = stmt.where(a_t.c.application == application)
    rows = conn.execute(stmt.order_by(a_t.c.id.desc()).limit(limit))
    return [AuditEntry(**r._mapping) for r in rows]
