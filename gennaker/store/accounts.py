"""Accounts of every kind (Kubernetes clusters, artifact accounts, metric stores, Docker registries).

Who calls it: each provider's account service (``gennaker.kubernetes``, ``gennaker.artifacts``,
``gennaker.canary``, ``gennaker.triggers``) to persist accounts added through the API or loaded from the
settings file. The provider decides which of its fields are secrets; this module only keeps them apart.

Persisted (table ``accounts``, primary key ``(kind, name)``): ``type`` (the provider's account type, e.g.
``kubernetes`` or ``github/file``), ``settings`` (plain JSON, safe to show), ``secrets`` (one encrypted
token, see ``gennaker.store.secrets``; never returned by the API and never logged), ``source`` (``api`` or
``settings``: accounts from the settings file are re-applied at every start), timestamps and who changed
it. Every change writes an audit entry in the same transaction; the audit never contains secret values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gennaker.store import audit
from gennaker.store.schema import accounts as acc_t
from gennaker.store.secrets import SecretBox


@dataclass(frozen=True)
class AccountRecord:
    """One stored account. ``secrets`` holds plain values in memory only; ``repr`` hides them."""

    kind: str
    name: str
    type: str
    settings: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    source: str = "api"
    updated_ts: int = 0
    updated_by: str | None = None

    def public_json(self) -> dict[str, Any]:
        """What the API may show: settings, and the names (never the values) of the secrets."""
        return {
            "kind": self.kind,
            "name": self.name,
            "type": self.type,
            **self.settings,
            "secretFields": sorted(self.secrets),
            "source": self.source,
            "updatedTs": self.updated_ts,
            "updatedBy": self.updated_by,
        }


def _row_to_record(row: Any, box: SecretBox) -> AccountRecord:
    return AccountRecord(
        kind=row.kind,
        name=row.name,
        type=row.type,
        settings=dict(row.settings or {}),
        secrets=box.open(row.secrets),
        source=row.source,
        updated_ts=row.updated_ts,
        updated_by=row.updated_by,
    )


def put_account(conn: Connection, box: SecretBox, record: AccountRecord, *, principal: str) -> AccountRecord:
    """Create or replace the account ``(record.kind, record.name)``; returns it as stored."""
    now = int(time.time() * 1000)
    values = {
        "type": record.type,
        "settings": record.settings,
        "secrets": box.seal(record.secrets),
        "source": record.source,
        "updated_ts": now,
        "updated_by": principal,
    }
    existing = conn.execute(
        sa.select(acc_t.c.created_ts).where(acc_t.c.kind == record.kind, acc_t.c.name == record.name)
    ).first()
    if existing is None:
        conn.execute(sa.insert(acc_t).values(kind=record.kind, name=record.name, created_ts=now, **values))
        action = "account.create"
    else:
        conn.execute(
            sa.update(acc_t).where(acc_t.c.kind == record.kind, acc_t.c.name == record.name).values(**values)
        )
        action = "account.update"
    audit.record(
        conn,
        principal=principal,
        action=action,
        target_type="account",
        target_id=f"{record.kind}/{record.name}",
        details={"type": record.type, "source": record.source, "secretFields": sorted(record.secrets)},
    )
    return AccountRecord(
        kind=record.kind,
        name=record.name,
        type=record.type,
        settings=record.settings,
        secrets=dict(record.secrets),
        source=record.source,
        updated_ts=now,
        updated_by=principal,
    )


def get_account(conn: Connection, box: SecretBox, kind: str, name: str) -> AccountRecord | None:
    """The account, or None."""
    row = conn.execute(sa.select(acc_t).where(acc_t.c.kind == kind, acc_t.c.name == name)).first()
    return None if row is None else _row_to_record(row, box)


def list_accounts(conn: Connection, box: SecretBox, kind: str | None = None) -> list[AccountRecord]:
    """Every account (of one kind when ``kind`` is given), ordered by kind and name."""
    query = sa.select(acc_t).order_by(acc_t.c.kind, acc_t.c.name)
    if kind is not None:
        query = query.where(acc_t.c.kind == kind)
    return [_row_to_record(row, box) for row in conn.execute(query)]


def delete_account(conn: Connection, kind: str, name: str, *, principal: str) -> bool:
    """Remove the account; False when there was none."""
    deleted = conn.execute(sa.delete(acc_t).where(acc_t.c.kind == kind, acc_t.c.name == name)).rowcount
    if deleted:
        audit.record(
            conn,
            principal=principal,
            action="account.delete",
            target_type="account",
            target_id=f"{kind}/{name}",
        )
    return bool(deleted)


def accounts_fingerprint(conn: Connection, kind: str) -> tuple[int, int]:
    """(count, newest ``updated_ts``) of the stored accounts of ``kind``: a cheap change detector for
    services that cache accounts built from this table (a change made by any process changes it)."""
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(acc_t.c.updated_ts), 0)).where(
            acc_t.c.kind == kind
        )
    ).one()
    return int(row[0]), int(row[1])
