"""Alembic migrations create exactly the tables the code declares; the fast paths of ``upgrade`` (an
empty database gets the declared tables, one at head is left alone) give the same database; settings pick
the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from gennaker.store import Database, default_database_url
from gennaker.store.database import SCHEMA_HEAD
from gennaker.store.schema import metadata


def _alembic_head() -> str:
    from alembic.config import Config

    import gennaker.store.database

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(gennaker.store.database.__file__).parent / "migrations"))
    (head,) = ScriptDirectory.from_config(cfg).get_heads()  # one head: migrations form a single chain
    return str(head)


def _fresh(request: pytest.FixtureRequest, tmp_path: Path, name: str) -> Database:
    if request.node.callspec.params.get("db") == "postgres":
        return Database(str(request.getfixturevalue("postgres_url")))
    return Database(f"sqlite:///{tmp_path / name}")


@pytest.mark.parametrize(
    "db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=False
)
def test_migrations_match_the_models(request: pytest.FixtureRequest, tmp_path: Path, db: str) -> None:
    migrated = _fresh(request, tmp_path, "migrated.db")
    migrated.migrate()  # Alembic's migrations, not upgrade()'s fast path
    with migrated.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    migrated.dispose()
    assert diff == []


def test_schema_head_is_the_newest_migration() -> None:
    assert _alembic_head() == SCHEMA_HEAD, "a new migration must move gennaker.store.database.SCHEMA_HEAD"


def test_upgrade_is_idempotent(db: Database) -> None:
    db.upgrade()
    db.upgrade()
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == _alembic_head()


def test_an_empty_database_gets_the_declared_schema_stamped_at_head(tmp_path: Path) -> None:
    fast = Database(f"sqlite:///{tmp_path / 'fast.db'}")
    fast.upgrade()
    with fast.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == _alembic_head()
    # and Alembic agrees it has nothing left to do
    fast.migrate()
    fast.dispose()


def test_a_database_at_an_older_revision_is_migrated_by_alembic(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    import gennaker.store.database

    old = Database(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(gennaker.store.database.__file__).parent / "migrations"))
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    old.upgrade()
    with old.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == _alembic_head()
    old.dispose()


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
