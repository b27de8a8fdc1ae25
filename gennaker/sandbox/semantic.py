"""Semantic equality, as Go's ``apiequality.Semantic.DeepEqual`` sees JSON-shaped objects.

Who calls it: the write path (does a write change ``spec``, so ``generation`` moves? is an update a
no-op that keeps the resourceVersion?) and controllers (is this ReplicaSet's template the Deployment's?
``rollout undo`` depends on that answer).

A Go struct cannot tell an absent field from a zero-length one: ``null``, ``{}`` and ``[]`` decode to the
same nil value. So both sides are normalised by dropping those recursively, then compared. ``0``, ``""``
and ``false`` are kept: in the API types that matter here they are pointers or required values, and
dropping them would hide real changes (``replicas: 0``). Nothing here persists.
"""

from __future__ import annotations

from typing import Any


def normalize(value: Any) -> Any:
    """``value`` without nulls, empty maps and empty lists (recursively); None if nothing remains."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            n = normalize(v)
            if n is not None:
                out[k] = n
        return out or None
    if isinstance(value, list):
        items = [normalize(v) for v in value]
        # A list keeps its positions: an emptied item stays as an empty map so indexes still line up.
        if not items:
            return None
        return [{} if i is None else i for i in items]
    return value


def equal(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are semantically the same API value."""
    return bool(normalize(a) == normalize(b))
