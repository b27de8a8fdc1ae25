"""Label and field selectors: parsing the query-string forms and matching objects.

Who calls it: list and watch handlers (``labelSelector``, ``fieldSelector``), the scale subresource
(renders a LabelSelector as text), validation (a selector must match the template labels) and controllers
(``LabelSelector`` objects from specs, through :func:`from_label_selector`).

Grammar (as kube-apiserver): requirements joined by ``,``; each is ``k=v``, ``k==v``, ``k!=v``,
``k in (a,b)``, ``k notin (a,b)``, ``k`` or ``!k``. Field selectors allow ``=``, ``==`` and ``!=`` only.
Nothing here persists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, bad_request

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # = != in notin exists !exists
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        # != and notin match objects without the key too
        return not present or labels[self.key] not in self.values

    def __str__(self) -> str:
        if self.op == "exists":
            return self.key
        if self.op == "!exists":
            return "!" + self.key
        if self.op in ("=", "!="):
            return f"{self.key}{self.op}{self.values[0]}"
        return f"{self.key} {self.op} ({','.join(sorted(self.values))})"


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_SET_RE = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse a ``labelSelector`` query value; 400 BadRequest naming the bad part."""
    if not text:
        return LabelSelector()
    reqs: list[Requirement] = []
    for part in _split_top(text):
        m = _SET_RE.match(part)
        if m:
            key, op, raw = m.group(1), m.group(2), m.group(3)
            values = tuple(v.strip() for v in raw.split(",") if v.strip())
            _check_key(key, text)
            reqs.append(Requirement(key, op, values))
            continue
        for op in ("!=", "==", "="):
            if op in part:
                key, _, value = part.partition(op)
                key, value = key.strip(), value.strip()
                _check_key(key, text)
                if not re.fullmatch(_VALUE, value):
                    raise bad_request(f"unable to parse requirement: invalid label value: {value!r}")
                reqs.append(Requirement(key, "!=" if op == "!=" else "=", (value,)))
                break
        else:
            if part.startswith("!"):
                key = part[1:].strip()
                _check_key(key, text)
                reqs.append(Requirement(key, "!exists"))
            else:
                _check_key(part, text)
                reqs.append(Requirement(part, "exists"))
    return LabelSelector(tuple(reqs))


def _check_key(key: str, whole: str) -> None:
    if not re.fullmatch(_KEY, key):
        raise bad_request(f'unable to parse requirement: invalid label key "{key}" in selector "{whole}"')


def from_label_selector(sel: Mapping[str, Any] | None) -> LabelSelector:
    """A metav1.LabelSelector object (``matchLabels`` + ``matchExpressions``) as a matcher."""
    if not sel:
        return LabelSelector()
    reqs = [Requirement(k, "=", (str(v),)) for k, v in sorted((sel.get("matchLabels") or {}).items())]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}
    for expr in sel.get("matchExpressions") or []:
        op = ops.get(str(expr.get("operator")), "in")
        reqs.append(Requirement(str(expr.get("key")), op, tuple(str(v) for v in expr.get("values") or [])))
    return LabelSelector(tuple(reqs))


def label_selector_string(sel: Mapping[str, Any] | None) -> str:
    """The text form of a LabelSelector object, as the scale subresource shows it (``app=web``)."""
    return str(from_label_selector(sel))


# -- field selectors

FieldGetter = Callable[[dict[str, Any]], "str | None"]

BASE_FIELDS: dict[str, FieldGetter] = {
    "metadata.name": lambda o: o.get("metadata", {}).get("name"),
    "metadata.namespace": lambda o: o.get("metadata", {}).get("namespace"),
}


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    equal: bool
    value: str


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...]
    getters: Mapping[str, FieldGetter]

    def matches(self, obj: dict[str, Any]) -> bool:
        for r in self.requirements:
            actual = self.getters[r.field](obj) or ""
            if (str(actual) == r.value) != r.equal:
                return False
        return True

    def single_name(self) -> str | None:
        """The name an ``metadata.name=x`` selector pins, for a quick lookup."""
        for r in self.requirements:
            if r.field == "metadata.name" and r.equal:
                return r.value
        return None


def parse_field_selector(text: str | None, extra: Mapping[str, FieldGetter]) -> FieldSelector | None:
    """Parse a ``fieldSelector``; unknown fields get the API server's 400 message."""
    if not text:
        return None
    getters = dict(BASE_FIELDS)
    getters.update(extra)
    reqs: list[FieldRequirement] = []
    for part in _split_top(text):
        for op in ("!=", "==", "="):
            if op in part:
                field, _, value = part.partition(op)
                field = field.strip()
                if field not in getters:
                    known = ", ".join(f'"{k}"' for k in getters)
                    raise ApiError(
                        400, "BadRequest", f'"{field}" is not a known field selector: only {known}'
                    )
                reqs.append(FieldRequirement(field, op != "!=", value.strip()))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
    return FieldSelector(tuple(reqs), getters)
