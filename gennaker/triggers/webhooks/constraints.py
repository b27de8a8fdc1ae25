"""A webhook trigger's ``payloadConstraints``: which payloads start the pipeline (Echo's ``ArtifactMatcher``).

Who calls it: the ``/webhooks/webhook/{source}`` endpoint (later), for each enabled webhook trigger with that
``source``. Rules, from Echo (``isJsonPathConstraintInPayload``, 1.25+):
- every constraint must hold (no constraints: every payload matches);
- a key present at the top of the payload with a non-null value: the constraint's value is a regular
  expression that must be *found* in the value's string form (Echo uses ``Pattern.asPredicate()``, a partial
  match: ``"o"`` matches ``"one"``; anchor it, ``^one$``, for an exact match, or pass ``full_match=True``);
  a null constraint value only requires the key;
- any other key is a JSONPath into the payload (``$.repository.name``, ``$.commits[0].id``, ``$.items[*].x``,
  ``$['odd key']``); the value there must be a string, number or boolean, or a list of them, and the regex
  must be found in one of them; objects, lists of objects, missing paths and bad paths do not match;
- a constraint whose regex does not compile never matches (Echo logs it; we also say so in the reason);
  matching is time-bounded (``gennaker.triggers.patterns``): a pattern that backtracks badly fails;
- a list as a constraint value means "any of these regexes" (Echo turns the list into a string).
String forms follow JSON: ``true``/``false`` for booleans, ``3`` and ``2.5`` for numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gennaker.triggers.patterns import InvalidPattern, PatternTimeout, compile_pattern, search
from gennaker.triggers.patterns import full_match as patterns_full_match

_TOKEN = re.compile(
    r"""\.(?P<name>[A-Za-z_$][\w$-]*)|\.\*|\[\*\]|\[(?P<index>-?\d+)\]|\[(?P<quote>['"])(?P<key>.*?)(?P=quote)\]"""
)


class JsonPathError(ValueError):
    """A JSONPath outside the supported subset."""


def evaluate_json_path(path: str, document: Any) -> list[Any]:
    """Values at ``path`` (``$``, ``.name``, ``['name']``, ``[n]``, ``[*]`` / ``.*``) in ``document``."""
    if not path.startswith("$"):
        raise JsonPathError(f"JSONPath {path!r} must start with '$'")
    nodes = [document]
    position = 1
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            raise JsonPathError(f"JSONPath {path!r}: cannot read {path[position:]!r}")
        position = match.end()
        text = match.group(0)
        following: list[Any] = []
        for node in nodes:
            if text in (".*", "[*]"):
                if isinstance(node, dict):
                    following.extend(node.values())
                elif isinstance(node, list):
                    following.extend(node)
            elif match.group("index") is not None:
                index = int(match.group("index"))
                if isinstance(node, list) and -len(node) <= index < len(node):
                    following.append(node[index])
            else:
                key = match.group("name") if match.group("name") is not None else match.group("key")
                if isinstance(node, dict) and key in node:
                    following.append(node[key])
        nodes = following
    return nodes


def _string(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return None


def _strings(value: Any) -> list[str] | None:
    """The string forms to test: a scalar's, or each scalar of a list; None for objects."""
    single = _string(value)
    if single is not None:
        return [single]
    if isinstance(value, list):
        items = [_string(v) for v in value]
        return None if any(i is None for i in items) else [i for i in items if i is not None]
    return None


@dataclass(frozen=True)
class ConstraintResult:
    """Whether the payload satisfies the constraints, and for each failed one, why."""

    ok: bool
    failures: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


def payload_constraints_match(
    constraints: Mapping[str, Any] | None, payload: Mapping[str, Any], *, full_match: bool = False
) -> ConstraintResult:
    """Check a trigger's ``payloadConstraints`` against a webhook payload (Echo's rules, see above)."""
    failures: list[str] = []
    for key, expected in (constraints or {}).items():
        if key in payload and payload[key] is not None:
            if expected is None:
                continue
            values = _strings(payload[key])
            if values is None:
                values = [json.dumps(payload[key], sort_keys=True)]
            where = f"payload key {key!r}"
        else:
            try:
                found = evaluate_json_path(key, payload) if key.startswith("$") else []
            except JsonPathError as exc:
                failures.append(str(exc))
                continue
            if not found:
                failures.append(f"{key!r} is not in the payload")
                continue
            values = []
            for item in found:
                strings = _strings(item)
                if strings is not None:
                    values.extend(strings)
            if not values:
                failures.append(f"{key!r} is an object or a list of objects, not a value to match")
                continue
            if expected is None:
                continue
            where = f"{key!r}"
        patterns = expected if isinstance(expected, list) else [expected]
        problem = _match_any([str(p) for p in patterns], values, full_match)
        if problem is not None:
            failures.append(f"{where}: {problem}")
    return ConstraintResult(not failures, failures)


def _match_any(patterns: list[str], values: list[str], full_match: bool) -> str | None:
    for pattern in patterns:
        try:
            compile_pattern(pattern)
        except InvalidPattern as exc:
            return f"constraint {exc}; it never matches"
    for pattern in patterns:
        for value in values:
            try:
                if patterns_full_match(pattern, value) if full_match else search(pattern, value):
                    return None
            except PatternTimeout as exc:
                return f"constraint {exc}"
    shown = ", ".join(repr(v) for v in values[:5])
    return f"value {shown} does not match {' or '.join(repr(p) for p in patterns)}"
