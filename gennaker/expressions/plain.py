"""Turning expression values back into plain JSON-like data, and JSON/YAML text in and out, with bounds.

- :func:`to_plain` copies a result into fresh dicts/lists/scalars (so results never alias the caller's
  data) and turns Java value objects into their stored form (``toString``, or epoch millis for
  ``java.util.Date``). It counts nodes and depth, so a YAML alias bomb or a huge result is refused
  instead of exhausting memory.
- :func:`to_json` writes compact JSON the way Jackson does for ``#toJson`` (``{"a":1,"b":[true,null]}``,
  doubles as ``1.0``/``1.0E10``, non-ASCII kept as is).
- :func:`load_json` / :func:`load_yaml` parse text for ``#readJson``/``#readYaml``/``#jsonFromUrl``...
  (YAML: safe loading only, timestamps stay strings).

Called by the evaluator and helpers. Pure; nothing persisted.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from gennaker.expressions.errors import ExpressionError, LimitError
from gennaker.expressions.javasem import JavaValue, JLong, java_double_to_string, java_to_string

MAX_DEPTH = 200


class _Budget:
    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise LimitError(f"Value too large (more than {self.limit} elements, counting shared references)")


def to_plain(value: Any, max_nodes: int) -> Any:
    """A fresh JSON-like copy of ``value``."""
    return _plain(value, _Budget(max_nodes), 0)


def _plain(value: Any, budget: _Budget, depth: int) -> Any:
    budget.spend()
    if value is None or isinstance(value, (str, bool, int, float)):
        return int(value) if type(value) is JLong else value
    if depth > MAX_DEPTH:
        raise LimitError(f"Value nested too deeply (more than {MAX_DEPTH} levels)")
    if isinstance(value, dict):
        return {_plain_key(k): _plain(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v, budget, depth + 1) for v in value]
    if isinstance(value, JavaValue):
        return _plain(value.to_plain(), budget, depth + 1)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if hasattr(value, "isoformat"):  # date/datetime from YAML or a caller
        return value.isoformat()
    if hasattr(value, "items"):  # another Mapping given by the caller
        return {_plain_key(k): _plain(v, budget, depth + 1) for k, v in value.items()}
    return java_to_string(value)


def _plain_key(key: Any) -> Any:
    if isinstance(key, str):
        return key
    return java_to_string(key)


def to_json(value: Any, max_chars: int, max_nodes: int) -> str:
    """Compact JSON as Jackson writes it."""
    out: list[str] = []
    size = [0]
    budget = _Budget(max_nodes)

    def emit(text: str) -> None:
        out.append(text)
        size[0] += len(text)
        if size[0] > max_chars:
            raise LimitError(f"JSON result too long (more than {max_chars} characters)")

    def write(v: Any, depth: int) -> None:
        budget.spend()
        if depth > MAX_DEPTH:
            raise LimitError(f"Value nested too deeply for JSON (more than {MAX_DEPTH} levels)")
        if v is None:
            emit("null")
        elif isinstance(v, bool):
            emit("true" if v else "false")
        elif isinstance(v, int):
            emit(str(v))
        elif isinstance(v, float):
            text = java_double_to_string(v)
            emit(f'"{text}"' if text in ("NaN", "Infinity", "-Infinity") else text)
        elif isinstance(v, str):
            emit(json.dumps(v, ensure_ascii=False))
        elif isinstance(v, dict) or (hasattr(v, "items") and not isinstance(v, JavaValue)):
            emit("{")
            first = True
            for k, item in v.items():
                if not first:
                    emit(",")
                first = False
                emit(json.dumps(_plain_key(k), ensure_ascii=False))
                emit(":")
                write(item, depth + 1)
            emit("}")
        elif isinstance(v, (list, tuple)):
            emit("[")
            for i, item in enumerate(v):
                if i:
                    emit(",")
                write(item, depth + 1)
            emit("]")
        elif isinstance(v, JavaValue):
            write(v.to_plain(), depth + 1)
        else:
            emit(json.dumps(java_to_string(v), ensure_ascii=False))

    write(value, 0)
    return "".join(out)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not valid JSON")


def load_json(text: str, max_nodes: int) -> Any:
    """Parse JSON as Jackson's ``readValue`` does (leading value only; NaN/Infinity refused)."""
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    try:
        value, _end = decoder.raw_decode(text.lstrip())
    except RecursionError:
        raise LimitError(f"JSON nested too deeply (more than {MAX_DEPTH} levels)") from None
    return to_plain(value, max_nodes)


class _Loader(yaml.SafeLoader):
    """Safe YAML loading where timestamps stay strings (JSON has no date type)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, max_nodes: int, *, all_documents: bool = False) -> Any:
    try:
        if all_documents:
            value: Any = list(yaml.load_all(text, Loader=_Loader))  # _Loader is a SafeLoader
        else:
            value = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except RecursionError:
        raise LimitError(f"YAML nested too deeply (more than {MAX_DEPTH} levels)") from None
    except yaml.YAMLError as exc:
        raise ExpressionError(f"invalid YAML: {exc}") from None
    return to_plain(value, max_nodes)


def parse_properties(text: str) -> dict[str, str]:
    """Java ``Properties.load``: ``key=value``, ``key: value`` or ``key value`` lines, ``#``/``!``
    comments, backslash continuations and escapes (``\\t``, ``\\n``, ``\\uXXXX``)."""
    result: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        while _continues(line) and i < len(lines):
            line = line[:-1] + lines[i].lstrip(" \t\f")
            i += 1
        if _continues(line):
            line = line[:-1]
        key_end = 0
        while key_end < len(line):
            ch = line[key_end]
            if ch == "\\":
                key_end += 2
                continue
            if ch in "=: \t\f":
                break
            key_end += 1
        key = line[:key_end]
        rest = line[key_end:].lstrip(" \t\f")
        if rest[:1] in ("=", ":"):
            rest = rest[1:].lstrip(" \t\f")
        result[_unescape(key)] = _unescape(rest)
    return result


def _continues(line: str) -> bool:
    count = len(line) - len(line.rstrip("\\"))
    return count % 2 == 1


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "u" and i + 6 <= len(text):
            try:
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            except ValueError:
                raise ExpressionError("Malformed \\uxxxx encoding in properties text") from None
        out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(nxt, nxt))
        i += 2
    return "".join(out)
