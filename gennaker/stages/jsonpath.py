"""A small JsonPath reader for the webhook stage's ``statusJsonPath``, ``progressJsonPath`` and
``statusUrlJsonPath`` (Jayway JsonPath's common subset).

Supported: ``$`` root, ``.name``, ``['name']`` / ``["name"]``, ``[N]`` (negative counts from the end),
``[*]`` / ``.*`` (wildcards, which make the result a list), and a path without the leading ``$``
(``status`` means ``$.status``). ``read`` raises ``PathNotFound`` naming the path when a key is missing.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\.\.|\.(\*|[^.\[\]]+)|\[\s*(\*|-?\d+|'[^']*'|\"[^\"]*\")\s*\]")


class PathNotFound(KeyError):
    """The path names something the document does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "path not found"


class InvalidPath(ValueError):
    """The path is not JsonPath this reader understands."""


def _steps(path: str) -> list[str | int]:
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    elif text and not text.startswith((".", "[")):
        text = "." + text
    steps: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.group(0) == "..":
            raise InvalidPath(f"unsupported JsonPath {path!r} at position {pos + 1}")
        name, bracket = m.group(1), m.group(2)
        if name is not None:
            steps.append(name)
        elif bracket == "*":
            steps.append("*")
        elif bracket[0] in "'\"":
            steps.append(bracket[1:-1])
        else:
            steps.append(int(bracket))
        pos = m.end()
    return steps


def read(document: Any, path: str) -> Any:
    """The value at ``path`` in ``document``."""
    current: list[Any] = [document]
    wild = False
    for step in _steps(path):
        nxt: list[Any] = []
        for value in current:
            if step == "*":
                wild = True
                if isinstance(value, dict):
                    nxt.extend(value.values())
                elif isinstance(value, list):
                    nxt.extend(value)
                continue
            if isinstance(step, int):
                if isinstance(value, list) and -len(value) <= step < len(value):
                    nxt.append(value[step])
                elif not wild:
                    raise PathNotFound(f"no index {step} in {path!r}")
                continue
            if isinstance(value, dict) and step in value:
                nxt.append(value[step])
            elif not wild:
                raise PathNotFound(f"no property {step!r} in {path!r}")
        current = nxt
    return current if wild else current[0]
