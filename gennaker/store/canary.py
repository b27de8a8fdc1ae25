"""Canary configs (with every saved version kept) and canary runs (one judgement each).

Who calls it: ``gennaker.canary.service.CanaryService`` (which validates configs first and writes the audit
log in the same transaction) and the ``kayentaCanary`` stage's tasks (which record one run per interval).

Configs: ``canary_configs`` holds the current body of each config (Kayenta's JSON, ``id`` inside it), the
applications it belongs to are rows of ``canary_config_applications`` (so listing by application is a
query), and each save or delete appends to ``canary_config_versions`` (a delete stores ``action='delete'``
and no body), so history survives deletion.

Runs: ``canary_runs`` rows are written when a judgement starts (``RUNNING``) and updated when it ends
(``SUCCEEDED`` with the judge result and the metric set pairs, or ``TERMINAL`` with an error). A run made
by a stage carries its ``interval_stage_id`` (unique), so a task re-run after a crash finds its run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gennaker.store.schema import canary_config_applications as app_t
from gennaker.store.schema import canary_config_versions as ver_t
from gennaker.store.schema import canary_configs as cfg_t
from gennaker.store.schema import canary_runs as run_t


@dataclass(frozen=True, slots=True)
class CanaryConfigVersion:
    """One entry of a canary config's history."""

    config_id: str
    version: int
    name: str
    action: str
    body: dict[str, Any] | None
    saved_ts: int
    saved_by: str | None


@dataclass(frozen=True, slots=True)
class CanaryConfigRow:
    """The current version of a canary config."""

    id: str
    name: str
    body: dict[str, Any]
    version: int
    created_ts: int
    updated_ts: int
    updated_by: str | None
    applications: tuple[str, ...]


@dataclass(slots=True)
class CanaryRunRecord:
    """One ``canary_runs`` row."""

    id: str
    status: str
    request: dict[str, Any]
    start_ts: int
    application: str | None = None
    execution_id: str | None = None
    stage_id: str | None = None
    interval_stage_id: str | None = None
    interval_index: int | None = None
    config_id: str | None = None
    score: float | None = None
    classification: str | None = None
    judge_result: dict[str, Any] | None = None
    metric_pairs: list[dict[str, Any]] | None = None
    error: dict[str, Any] | None = None
    end_ts: int | None = None
    created_by: str | None = None


# ---------------------------------------------------------------- configs


def _applications(conn: Connection, config_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    if not config_ids:
        return {}
    rows = conn.execute(
        sa.select(app_t.c.config_id, app_t.c.application)
        .where(app_t.c.config_id.in_(list(config_ids)))
        .order_by(app_t.c.application)
    )
    out: dict[str, list[str]] = {}
    for config_id, application in rows:
        out.setdefault(config_id, []).append(application)
    return {k: tuple(v) for k, v in out.items()}


def _row(row: Any, applications: tuple[str, ...]) -> CanaryConfigRow:
    return CanaryConfigRow(
        id=row.id,
        name=row.name,
        body=dict(row.body),
        version=row.version,
        created_ts=row.created_ts,
        updated_ts=row.updated_ts,
        updated_by=row.updated_by,
        applications=applications,
    )


def get_config(conn: Connection, config_id: str) -> CanaryConfigRow | None:
    """The current version of a config by id, or None."""
    row = conn.execute(sa.select(cfg_t).where(cfg_t.c.id == config_id)).first()
    if row is None:
        return None
    return _row(row, _applications(conn, [config_id]).get(config_id, ()))


def find_configs_by_name(
    conn: Connection, name: str, application: str | None = None
) -> list[CanaryConfigRow]:
    """Configs with this name (in ``application`` when given), oldest first."""
    stmt = sa.select(cfg_t).where(cfg_t.c.name == name)
    if application is not None:
        stmt = stmt.where(
            cfg_t.c.id.in_(sa.select(app_t.c.config_id).where(app_t.c.application == application.lower()))
        )
    rows = list(conn.execute(stmt.order_by(cfg_t.c.created_ts, cfg_t.c.id)))
    apps = _applications(conn, [r.id for r in rows])
    return [_row(r, apps.get(r.id, ())) for r in rows]


def list_configs(conn: Connection, applications: Sequence[str] | None = None) -> list[CanaryConfigRow]:
    """Every config, or those belonging to any of ``applications``, by name."""
    stmt = sa.select(cfg_t)
    if applications:
        wanted = [a.lower() for a in applications]
        stmt = stmt.where(cfg_t.c.id.in_(sa.select(app_t.c.config_id).where(app_t.c.application.in_(wanted))))
    rows = list(conn.execute(stmt.order_by(cfg_t.c.name, cfg_t.c.id)))
    apps = _applications(conn, [r.id for r in rows])
    return [_row(r, apps.get(r.id, ())) for r in rows]


def _next_version(conn: Connection, config_id: str) -> int:
    value = conn.execute(
        sa.select(sa.func.max(ver_t.c.version)).where(ver_t.c.config_id == config_id)
    ).scalar()
    return int(value or 0) + 1


def save_config(
    conn: Connection,
    config_id: str,
    body: dict[str, Any],
    applications: Sequence[str],
    *,
    now: int,
    principal: str,
) -> int:
    """Insert or replace the current config, its applications, and append it to the history. Returns the new
    version number."""
    name = str(body["name"])
    version = _next_version(conn, config_id)
    existing = conn.execute(sa.select(cfg_t.c.created_ts).where(cfg_t.c.id == config_id)).first()
    values = {"name": name, "body": body, "version": version, "updated_ts": now, "updated_by": principal}
    if existing is not None:
        conn.execute(sa.update(cfg_t).where(cfg_t.c.id == config_id).values(**values))
    else:
        conn.execute(sa.insert(cfg_t).values(id=config_id, created_ts=now, **values))
    conn.execute(sa.delete(app_t).where(app_t.c.config_id == config_id))
    unique = sorted({a.lower() for a in applications})
    if unique:
        conn.execute(sa.insert(app_t), [{"config_id": config_id, "application": a} for a in unique])
    conn.execute(
        sa.insert(ver_t).values(
            config_id=config_id,
            version=version,
            name=name,
            action="save",
            body=body,
            saved_ts=now,
            saved_by=principal,
        )
    )
    return version


def delete_config(conn: Connection, config_id: str, *, now: int, principal: str) -> bool:
    """Delete the current config (its history stays, plus a 'delete' entry). True if it existed."""
    row = conn.execute(sa.select(cfg_t.c.name).where(cfg_t.c.id == config_id)).first()
    if row is None:
        return False
    conn.execute(sa.delete(cfg_t).where(cfg_t.c.id == config_id))
    conn.execute(sa.delete(app_t).where(app_t.c.config_id == config_id))
    conn.execute(
        sa.insert(ver_t).values(
            config_id=config_id,
            version=_next_version(conn, config_id),
            name=row.name,
            action="delete",
            body=None,
            saved_ts=now,
            saved_by=principal,
        )
    )
    return True


def config_history(conn: Connection, config_id: str) -> list[CanaryConfigVersion]:
    """Every version of a config, newest first."""
    rows = conn.execute(
        sa.select(ver_t).where(ver_t.c.config_id == config_id).order_by(ver_t.c.version.desc())
    )
    return [CanaryConfigVersion(**r._mapping) for r in rows]


def config_version(conn: Connection, config_id: str, version: int) -> CanaryConfigVersion | None:
    """One version of a config, or None."""
    row = conn.execute(
        sa.select(ver_t).where(ver_t.c.config_id == config_id, ver_t.c.version == version)
    ).first()
    return CanaryConfigVersion(**row._mapping) if row else None


# ---------------------------------------------------------------- runs

_RUN_COLUMNS = tuple(c.name for c in run_t.columns)


def _run(row: Any) -> CanaryRunRecord:
    return CanaryRunRecord(**{k: row._mapping[k] for k in _RUN_COLUMNS})


def insert_run(conn: Connection, run: CanaryRunRecord) -> None:
    """Record a new run."""
    conn.execute(sa.insert(run_t).values(**{k: getattr(run, k) for k in _RUN_COLUMNS}))


def update_run(conn: Connection, run_id: str, **values: Any) -> None:
    """Change columns of a run."""
    unknown = set(values) - set(_RUN_COLUMNS)
    if unknown:
        raise ValueError(f"unknown canary run columns: {sorted(unknown)}")
    conn.execute(sa.update(run_t).where(run_t.c.id == run_id).values(**values))


def get_run(conn: Connection, run_id: str) -> CanaryRunRecord | None:
    row = conn.execute(sa.select(run_t).where(run_t.c.id == run_id)).first()
    return _run(row) if row else None


def run_for_interval_stage(conn: Connection, interval_stage_id: str) -> CanaryRunRecord | None:
    """The run a stage's interval made, if any."""
    row = conn.execute(sa.select(run_t).where(run_t.c.interval_stage_id == interval_stage_id)).first()
    return _run(row) if row else None


def runs_of_stage(conn: Connection, execution_id: str, stage_id: str) -> list[CanaryRunRecord]:
    """Every run of one ``kayentaCanary`` stage, by interval."""
    rows = conn.execute(
        sa.select(run_t)
        .where(run_t.c.execution_id == execution_id, run_t.c.stage_id == stage_id)
        .order_by(run_t.c.interval_index, run_t.c.start_ts)
    )
    return [_run(r) for r in rows]
