"""Fixtures for trigger tests: a real HTTP peer on loopback, started per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_peer import HttpPeer, running_peer


@pytest.fixture
def peer() -> Iterator[HttpPeer]:
    with running_peer() as server:
        yield server
