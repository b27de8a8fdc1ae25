"""JSON merge patch (RFC 7386): maps merge recursively, ``null`` deletes a key, anything else replaces.

Who calls it: the write path for ``application/merge-patch+json`` (``kubectl scale``, ``kubectl patch
--type merge``, custom resources). Pure: inputs are never mutated.
"""

from __future__ import annotations

from typing import Any

from ..store import deep_copy


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied as RFC 7386 says."""
    if not isinstance(patch, dict):
        return deep_copy(patch)
    result = deep_copy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
