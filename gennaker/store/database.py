"""Connection handling: one ``Database`` per process, SQLite (WAL) by default, PostgreSQL for scale-out.

Who uses it: every repository takes a ``Connection`` from ``Database.write()``/``Database.read()``; the
engine's workers and the facade create one ``Database`` and share it between threads.

Where the data lives: ``GENNAKER_DATABASE_URL`` if set, else ``sqlite:///$GENNAKER_HOME/gennaker.db``
(``GENNAKER_HOME`` defaults to ``~/.gennaker``).

Invariants:
- SQLite runs in WAL mode with ``synchronous=NORMAL``; every write transaction starts with
  ``BEGIN IMMEDIATE`` so two writers never deadlock upgrading a read lock (they queue on the busy
  timeout instead); reads use deferred transactions and never block writers.
- PostgreSQL runs at READ COMMITTED; writers that must serialise per execution lock the execution row.
- ``Database.upgrade()`` runs Alembic ``upgrade head``; the app calls it at start.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from gennaker.store import jsonutil

#: The newest migration's revision; ``tests/store/test_migrations.py`` checks it is Alembic's head, so a
#: new migration must move it.
SCHEMA_HEAD = "0004"

_MIGRATIONS = Path(__file__).parent / "migrations"


def gennaker_home() -> Path:
    """``GENNAKER_HOME`` or ``~/.gennaker``."""
    return Path(os.environ.get("GENNAKER_HOME") or Path.home() / ".gennaker").expanduser()


def default_database_url() -> str:
    """``GENNAKER_DATABASE_URL`` or a SQLite file under ``GENNAKER_HOME`` (created if missing)."""
    url = os.environ.get("GENNAKER_DATABASE_URL")
    if url:
        return normalise_url(url)
    home = gennaker_home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'gennaker.db'}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """Engines for one database URL, with write/read transaction helpers."""

    def __init__(self, url: str | None = None, *, pool_size: int = 20) -> None:
        self.url = normalise_url(url) if url else default_database_url()
        self.is_sqlite = self.url.startswith("sqlite")
        self.is_postgres = self.url.startswith("postgresql")
        self._lock = threading.Lock()
        self._write_lock: threading.Lock | None = threading.Lock() if self.is_sqlite else None
        if self.is_sqlite:
            self.engine = self._sqlite_engine(immediate=True)
            self.read_engine = self._sqlite_engine(immediate=False)
        else:
            self.engine = sa.create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                json_serializer=jsonutil.dumps,
                json_deserializer=jsonutil.loads,
            )
            self.read_engine = self.engine

    def _sqlite_engine(self, *, immediate: bool) -> Engine:
        path = self.url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            self.url,
            connect_args={"timeout": 120, "check_same_thread": False},
            pool_size=32,
            max_overflow=32,
            json_serializer=jsonutil.dumps,
            json_deserializer=jsonutil.loads,
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=120000")
            cur.close()

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql(begin)

        return engine

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on an exception.

        On SQLite the threads of this process queue on a lock for the single write slot first: SQLite's
        own busy handler sleeps in steps of up to 100 ms, which would stall threads that a lock hands
        the slot to at once (other processes still meet the busy handler)."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (never blocks writers on SQLite's WAL)."""
        with self.read_engine.connect() as conn, conn.begin():
            yield conn

    def upgrade(self) -> None:
        """Bring the schema to ``SCHEMA_HEAD`` (idempotent; safe from several processes).

        Start-up time is a feature, and Alembic alone costs over a second even with nothing to do, so:
        a database already at ``SCHEMA_HEAD`` is left alone after one query; an empty one gets the
        declared tables (``schema.metadata``, which the migrations are tested to match) and is stamped;
        anything else is migrated by Alembic."""
        if self._revision() == SCHEMA_HEAD:
            return
        with self._lock, self.engine.begin() as conn:
            if self.is_postgres:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(424242)")
            if not sa.inspect(conn).get_table_names():
                from gennaker.store.schema import metadata

                metadata.create_all(conn)
                conn.exec_driver_sql(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                )
                stamp = sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)")
                conn.execute(stamp, {"v": SCHEMA_HEAD})
                return
            self._alembic_upgrade(conn)

    def migrate(self) -> None:
        """Run Alembic's migrations up to head, whatever the database holds (tests compare the result with
        the declared schema; ``upgrade`` is what processes call)."""
        with self._lock, self.engine.begin() as conn:
            if self.is_postgres:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(424242)")
            self._alembic_upgrade(conn)

    def _alembic_upgrade(self, conn: Connection) -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")

    def _revision(self) -> str | None:
        """The stamped schema revision, or None (no ``alembic_version`` table yet)."""
        try:
            with self.read() as conn:
                value = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except sa.exc.DBAPIError:
            return None
        return str(value) if value is not None else None

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or at shutdown)."""
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
