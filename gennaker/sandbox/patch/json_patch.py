"""JSON patch (RFC 6902): ``add``, ``remove``, ``replace``, ``move``, ``copy`` and ``test`` operations on
JSON pointers (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``; ``-`` appends to a list).

Who calls it: the write path for ``application/json-patch+json`` (``kubectl rollout undo``, kubectl's
managed-fields migration, ``kubectl patch --type json``). Pure: the document is copied first; a failed
operation leaves nothing half-applied. Errors use the wording of the Go library the API server uses.
"""

from __future__ import annotations

from typing import Any

from ..store import deep_copy
from . import PatchError


def _parse_pointer(pointer: Any) -> list[str]:
    if not isinstance(pointer, str):
        raise PatchError(f"invalid JSON pointer: {pointer!r}", 400)
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f'JSON pointer must be empty or start with a "/": {pointer!r}', 400)
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _index(container: list[Any], token: str, pointer: str, allow_end: bool) -> int:
    if token == "-" and allow_end:  # noqa: S105 - a JSON pointer token, not a secret
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError(f"invalid array index {token!r} in {pointer}")
    idx = int(token)
    limit = len(container) + (1 if allow_end else 0)
    if idx >= limit:
        raise PatchError(f"Unable to access invalid index: {idx}: {pointer}")
    return idx


def _parent(doc: Any, tokens: list[str], pointer: str) -> Any:
    cur = doc
    for token in tokens[:-1]:
        if isinstance(cur, dict):
            if token not in cur:
                raise PatchError(f"doc is missing path: {pointer!r}: missing value")
            cur = cur[token]
        elif isinstance(cur, list):
            cur = cur[_index(cur, token, pointer, False)]
        else:
            raise PatchError(f"doc is missing path: {pointer!r}: missing value")
    return cur


def _get(doc: Any, pointer: str) -> Any:
    tokens = _parse_pointer(pointer)
    if not tokens:
        return doc
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"doc is missing path: {pointer!r}: missing value")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, pointer, False)]
    raise PatchError(f"doc is missing path: {pointer!r}: missing value")


def _add(doc: Any, pointer: str, value: Any) -> Any:
    tokens = _parse_pointer(pointer)
    if not tokens:
        return value
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, pointer, True), value)
    else:
        raise PatchError(f"add operation does not apply: doc is missing path: {pointer!r}: missing value")
    return doc


def _remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    tokens = _parse_pointer(pointer)
    if not tokens:
        raise PatchError("unable to remove the whole document")
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(
                f"remove operation does not apply: doc is missing path: {pointer!r}: missing value"
            )
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, pointer, False))
    raise PatchError(f"remove operation does not apply: doc is missing path: {pointer!r}: missing value")


def json_patch(document: Any, operations: Any) -> Any:
    """``document`` with every operation applied in order; PatchError names the failing operation."""
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch", 400)
    doc = deep_copy(document)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError('json patch operation must be an object with an "op"', 400)
        kind, path = op.get("op"), str(op.get("path", ""))
        if not isinstance(op.get("path"), str):
            raise PatchError(f"{kind} operation missing path", 400)
        if kind == "add":
            if "value" not in op:
                raise PatchError("add operation missing value", 400)
            doc = _add(doc, path, deep_copy(op["value"]))
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            if "value" not in op:
                raise PatchError("replace operation missing value", 400)
            tokens = _parse_pointer(path)
            if not tokens:
                doc = deep_copy(op["value"])
                continue
            try:
                _get(doc, path)
            except PatchError as e:
                raise PatchError(
                    f"replace operation does not apply: doc is missing key: {path}: missing value"
                ) from e
            doc, _ = _remove(doc, path)
            doc = _add(doc, path, deep_copy(op["value"]))
        elif kind == "move":
            source = str(op.get("from", ""))
            if isinstance(path, str) and isinstance(source, str) and path.startswith(source + "/"):
                raise PatchError(f"move operation cannot move {source} into its own child {path}")
            doc, value = _remove(doc, source)
            doc = _add(doc, path, value)
        elif kind == "copy":
            value = deep_copy(_get(doc, str(op.get("from", ""))))
            doc = _add(doc, path, value)
        elif kind == "test":
            actual = _get(doc, path)
            if actual != op.get("value"):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}", 400)
    return doc
