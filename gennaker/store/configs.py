"""Applications and pipeline configs (Front50's part), with every saved version of a config kept.

Who calls it: the engine facade (which validates with ``gennaker.model`` first and writes the audit log
in the same transaction). Configs are upserted by (application, name) as ``spin pipeline save`` expects;
each save, delete and restore appends a row to ``pipeline_config_versions`` (a delete stores a row with
``action='delete'`` and no body), so history survives deletion and any version can be restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gennaker.store.schema import applications as app_t
from gennaker.store.schema import pipeline_config_versions as ver_t
from gennaker.store.schema import pipeline_configs as cfg_t


@dataclass(frozen=True, slots=True)
class ConfigVersion:
    """One entry of a config's history."""

    config_id: str
    version: int
    application: str
    name: str
    action: str
    body: dict[str, Any] | None
    saved_ts: int
    saved_by: str | None


# ---------------------------------------------------------------- applications


def get_application(conn: Connection, name: str) -> dict[str, Any] | None:
    """The application JSON, or None."""
    row = conn.execute(sa.select(app_t.c.body).where(app_t.c.name == name.lower())).first()
    return dict(row[0]) if row else None


def list_applications(conn: Connection) -> list[dict[str, Any]]:
    """Every application JSON, by name."""
    return [dict(r[0]) for r in conn.execute(sa.select(app_t.c.body).order_by(app_t.c.name))]


def upsert_application(
    conn: Connection, name: str, body: dict[str, Any], *, now: int, principal: str
) -> bool:
    """Create or replace an application; returns True when it was created."""
    name = name.lower()
    exists = conn.execute(sa.select(app_t.c.name).where(app_t.c.name == name)).first() is not None
    if exists:
        conn.execute(
            sa.update(app_t)
            .where(app_t.c.name == name)
            .values(body=body, updated_ts=now, updated_by=principal)
        )
    else:
        conn.execute(
            sa.insert(app_t).values(
                name=name, body=body, created_ts=now, updated_ts=now, updated_by=principal
            )
        )
    return not exists


def delete_application(conn: Connection, name: str) -> bool:
    """Delete an application; True if it existed."""
    return bool(conn.execute(sa.delete(app_t).where(app_t.c.name == name.lower())).rowcount)


# ---------------------------------------------------------------- pipeline configs


def get_config(conn: Connection, config_id: str) -> dict[str, Any] | None:
    """The current config JSON by id, or None."""
    row = conn.execute(sa.select(cfg_t.c.body).where(cfg_t.c.id == config_id)).first()
    return dict(row[0]) if row else None


def find_config(conn: Connection, application: str, name: str) -> dict[str, Any] | None:
    """The current config JSON by application and name, or None."""
    row = conn.execute(
        sa.select(cfg_t.c.body).where(cfg_t.c.application == application.lower(), cfg_t.c.name == name)
    ).first()
    return dict(row[0]) if row else None


def list_configs(conn: Connection, application: str) -> list[dict[str, Any]]:
    """An application's configs, ordered by ``index`` then name (as Deck shows them)."""
    rows = conn.execute(
        sa.select(cfg_t.c.body).where(cfg_t.c.application == application.lower()).order_by(cfg_t.c.name)
    )
    bodies = [dict(r[0]) for r in rows]
    return sorted(bodies, key=lambda b: (b.get("index") is None, b.get("index") or 0, b.get("name") or ""))


def all_configs(conn: Connection) -> list[dict[str, Any]]:
    """Every current config of every application (the trigger matcher's view), by id."""
    return [dict(r[0]) for r in conn.execute(sa.select(cfg_t.c.body).order_by(cfg_t.c.id))]


def configs_fingerprint(conn: Connection) -> tuple[int, int, int]:
    """(count, newest ``updated_ts``, sum of ``version``) of the current configs: changes whenever a config
    is saved, restored or deleted, in any process, so a cache of configs knows when to reload."""
    row = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.max(cfg_t.c.updated_ts), 0),
            sa.func.coalesce(sa.func.sum(cfg_t.c.version), 0),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _next_version(conn: Connection, config_id: str) -> int:
    value = conn.execute(
        sa.select(sa.func.max(ver_t.c.version)).where(ver_t.c.config_id == config_id)
    ).scalar()
    return int(value or 0) + 1


def save_config(
    conn: Connection, config_id: str, body: dict[str, Any], *, now: int, principal: str, action: str = "save"
) -> int:
    """Insert or replace the current config and append it to the history; returns the new version."""
    application = str(body["application"]).lower()
    name = str(body["name"])
    version = _next_version(conn, config_id)
    exists = conn.execute(sa.select(cfg_t.c.id).where(cfg_t.c.id == config_id)).first() is not None
    values = {
        "application": application,
        "name": name,
        "body": body,
        "version": version,
        "updated_ts": now,
        "updated_by": principal,
    }
    if exists:
        conn.execute(sa.update(cfg_t).where(cfg_t.c.id == config_id).values(**values))
    else:
        conn.execute(sa.insert(cfg_t).values(id=config_id, **values))
    conn.execute(
        sa.insert(ver_t).values(
            config_id=config_id,
            version=version,
            application=application,
            name=name,
            action=action,
            body=body,
            saved_ts=now,
            saved_by=principal,
        )
    )
    return version


def delete_config(conn: Connection, config_id: str, *, now: int, principal: str) -> bool:
    """Delete the current config (its history stays, plus a 'delete' entry). True if it existed."""
    row = conn.execute(sa.select(cfg_t.c.application, cfg_t.c.name).where(cfg_t.c.id == config_id)).first()
    if row is None:
        return False
    conn.execute(sa.delete(cfg_t).where(cfg_t.c.id == config_id))
    conn.execute(
        sa.insert(ver_t).values(
            config_id=config_id,
            version=_next_version(conn, config_id),
            application=row.application,
            name=row.name,
            action="delete",
            body=None,
            saved_ts=now,
            saved_by=principal,
        )
    )
    return True


def config_history(conn: Connection, config_id: str) -> list[ConfigVersion]:
    """Every version of a config, newest first."""
    rows = conn.execute(
        sa.select(ver_t).where(ver_t.c.config_id == config_id).order_by(ver_t.c.version.desc())
    )
    return [ConfigVersion(**r._mapping) for r in rows]


def config_version(conn: Connection, config_id: str, version: int) -> ConfigVersion | None:
    """One version of a config."""
    row = conn.execute(
        sa.select(ver_t).where(ver_t.c.config_id == config_id, ver_t.c.version == version)
    ).first()
    return ConfigVersion(**row._mapping) if row else None
