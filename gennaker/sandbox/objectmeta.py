"""Small helpers for server-set object metadata: uids, timestamps, generated names, resourceVersions.

Who calls it: the write path, the garbage collector and controllers. Nothing here persists.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_random = random.SystemRandom()


def now_rfc3339() -> str:
    """The API server's timestamp format: RFC 3339, UTC, whole seconds (``2026-11-21T19:30:25Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uid() -> str:
    return str(uuid.uuid4())


def random_suffix(n: int = 5) -> str:
    return "".join(_random.choice(GENERATE_ALPHABET) for _ in range(n))


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    m = obj.get("metadata")
    if not isinstance(m, dict):
        m = obj["metadata"] = {}
    return m


def name_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def namespace_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def parse_rv(text: Any) -> int | None:
    """A resourceVersion string as an int; None when absent, empty or not a number."""
    if text is None or text == "":
        return None
    try:
        return int(str(text))
    except ValueError:
        return None
