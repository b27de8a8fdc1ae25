"""Alembic migrations create exactly the tables the code declares; settings pick the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from gennaker.store import Database, default_database_url
from gennaker.store.schema import metadata


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_is_idempotent(db: Database) -> None:
    from alembic.config import Config

    import gennaker.store.database

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(gennaker.store.database.__file__).parent / "migrations"))
    (head,) = ScriptDirectory.from_config(cfg).get_heads()  # one head: migrations form a single chain
    db.upgrade()
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    db.upgrade()
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_database_location_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENNAKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("GENNAKER_HOME", str(tmp_path / "home"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'home' / 'gennaker.db'}"
    monkeypatch.setenv("GENNAKER_DATABASE_URL", "postgresql://u@h/db")
    assert default_database_url() == "postgresql+psycopg://u@h/db"
