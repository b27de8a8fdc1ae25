"""Patch engines: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch.

Who calls it: the write path (``PATCH`` with ``application/json-patch+json``,
``application/merge-patch+json`` or ``application/strategic-merge-patch+json``); server-side apply lives
in :mod:`gennaker.sandbox.apply`. Every engine is a pure function: it takes the current object and the
patch, returns a new object, never mutates its inputs, and raises :class:`PatchError` (the write path turns
it into the API server's Status) for a patch it cannot apply.
"""

from __future__ import annotations


class PatchError(Exception):
    """A patch that cannot be applied; ``code`` is the HTTP status the API server answers (400 or 422)."""

    def __init__(self, message: str, code: int = 422) -> None:
        super().__init__(message)
        self.code = code
