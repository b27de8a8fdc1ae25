"""Fixtures shared by every test package.

Real peers, not mocks: PostgreSQL at 127.0.0.1:5432 (trust auth) gets a fresh database per test that asks
for one, so parallel runs and several developers on one machine never share state.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN_DSN = os.environ.get("GENNAKER_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL of a brand-new, empty PostgreSQL database, dropped after the test."""
    import psycopg

    name = "gennaker_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
