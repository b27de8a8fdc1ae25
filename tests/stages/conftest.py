"""Stage tests run the real engine (SQLite file, worker threads) with Gennaker's built-in stages, and
call real HTTP servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.conftest import Engine, make_engine
from tests.localhttp import LocalHTTPServer


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    e = make_engine(f"sqlite:///{tmp_path / 'gennaker.db'}")
    try:
        yield e
    finally:
        if e.pool is not None:
            e.pool.stop()
        e.runtime.db.dispose()


@pytest.fixture
def http() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fast_webhook_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENNAKER_WEBHOOK_RETRY_BACKOFF_MS", "50")
    monkeypatch.setenv("GENNAKER_WEBHOOK_MONITOR_BACKOFF_MS", "50")
