"""Wall-clock milliseconds, the unit of every time the engine stores (as Orca does)."""

from __future__ import annotations

import time


def now_ms() -> int:
    """Current time in epoch milliseconds."""
    return time.time_ns() // 1_000_000
