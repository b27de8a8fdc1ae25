"""JSON encoding used for every JSON column and queue payload (compact, UTF-8, keys kept in order)."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    """Compact JSON text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """Parse JSON text."""
    return json.loads(text)
