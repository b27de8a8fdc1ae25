"""Bounded Java-style regular expressions for ``matches``, ``String.matches/replaceAll/replaceFirst/split``.

Java regex text is translated to the third-party ``regex`` module's dialect (close to Java's: possessive
quantifiers, atomic groups, ``\\p{Alpha}``, ``(?<name>...)``); the translation handles ``\\Q...\\E``,
``\\k<name>``, ``\\z`` and ``\\Z``. Every match runs with ``regex``'s ``timeout`` (a time bound enforced
inside the matching engine), so a catastrophically backtracking pattern such as ``(a|aa)+$`` against
a long input fails with a clear error instead of hanging a worker: that is our answer to ReDoS. Patterns
longer than :data:`MAX_REGEX_LENGTH` characters are refused, as SpEL does (EL1077E). Compiled patterns
are cached (bounded LRU).

Java semantics kept: ``matches`` is a full match; ``split`` drops trailing empty strings, keeps a leading
empty string only for a non-zero-width match at the start, and returns the input itself when nothing
matches; replacement strings use ``$1``/``${name}`` for groups and ``\\`` to escape, as Java does.

Called by the interpreter (``matches``) and string methods. Nothing persisted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import regex

from gennaker.expressions.errors import ExpressionError, LimitError

MAX_REGEX_LENGTH = 1000
_CACHE_SIZE = 512
_cache: OrderedDict[str, Any] = OrderedDict()
_cache_lock = threading.Lock()


def translate(java_pattern: str) -> str:
    """Java pattern syntax to the ``regex`` module's syntax."""
    out: list[str] = []
    i, n = 0, len(java_pattern)
    while i < n:
        ch = java_pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = java_pattern[i + 1]
            if nxt == "Q":
                end = java_pattern.find("\\E", i + 2)
                literal = java_pattern[i + 2 :] if end < 0 else java_pattern[i + 2 : end]
                out.append(regex.escape(literal))
                i = n if end < 0 else end + 2
                continue
            if nxt == "k" and i + 2 < n and java_pattern[i + 2] == "<":
                close = java_pattern.find(">", i + 3)
                if close > 0:
                    out.append(f"(?P={java_pattern[i + 3 : close]})")
                    i = close + 1
                    continue
            if nxt == "z":
                out.append(r"\Z")
                i += 2
                continue
            if nxt == "Z":
                out.append(r"(?=\n?\Z)")
                i += 2
                continue
            out.append(java_pattern[i : i + 2])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def compile_java(pattern: str) -> Any:
    """The compiled pattern for a Java regex (cached); EL1018E for an invalid one."""
    with _cache_lock:
        compiled = _cache.get(pattern)
        if compiled is not None:
            _cache.move_to_end(pattern)
            return compiled
    if len(pattern) > MAX_REGEX_LENGTH:
        raise LimitError(
            f"Regular expression is too long, exceeding the threshold of '{MAX_REGEX_LENGTH}' characters",
            code="EL1077E",
        )
    try:
        compiled = regex.compile(translate(pattern), regex.VERSION0)
    except (regex.error, ValueError, OverflowError) as exc:
        raise ExpressionError(f"Pattern is not valid '{pattern}': {exc}", code="EL1018E") from None
    with _cache_lock:
        _cache[pattern] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def _timed_out(pattern: str, timeout_s: float) -> LimitError:
    return LimitError(
        f"Regular expression '{pattern}' took longer than {timeout_s:g}s to match "
        "(catastrophic backtracking?); simplify the pattern",
        code="EL1072E",
    )


def full_match(pattern: str, text: str, timeout_s: float) -> bool:
    compiled = compile_java(pattern)
    try:
        return compiled.fullmatch(text, timeout=timeout_s) is not None
    except TimeoutError:
        raise _timed_out(pattern, timeout_s) from None


def split(text: str, pattern: str, limit: int, timeout_s: float) -> list[str]:
    """Java's ``String.split(regex, limit)``."""
    compiled = compile_java(pattern)
    parts: list[str] = []
    index = 0
    matched = False
    try:
        for m in compiled.finditer(text, timeout=timeout_s):
            if limit > 0 and len(parts) >= limit - 1:
                break
            if m.start() == 0 and m.end() == 0:
                continue  # a zero-width match at the beginning never yields a leading empty string
            matched = True
            parts.append(text[index : m.start()])
            index = m.end()
    except TimeoutError:
        raise _timed_out(pattern, timeout_s) from None
    if not matched:
        return [text]
    parts.append(text[index:])
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts


def _java_replacement(replacement: str, compiled: Any) -> Any:
    """A callable applying Java's replacement syntax (``$1``, ``${name}``, ``\\$``)."""
    pieces: list[tuple[str, Any]] = []  # ("text", str) or ("group", int|str)
    buf: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        ch = replacement[i]
        if ch == "\\":
            i += 1
            if i >= n:
                raise ExpressionError("character to be escaped is missing in the replacement string")
            buf.append(replacement[i])
            i += 1
        elif ch == "$":
            i += 1
            if i >= n:
                raise ExpressionError(
                    "Illegal group reference: group index is missing in the replacement string"
                )
            if replacement[i] == "{":
                close = replacement.find("}", i)
                if close < 0:
                    raise ExpressionError(
                        "named capturing group is missing trailing '}' in the replacement string"
                    )
                name = replacement[i + 1 : close]
                if name not in compiled.groupindex:
                    raise ExpressionError(f"No group with name {{{name}}}")
                if buf:
                    pieces.append(("text", "".join(buf)))
                    buf = []
                pieces.append(("group", name))
                i = close + 1
            elif replacement[i].isdigit():
                number = int(replacement[i])
                i += 1
                # Java takes more digits while the number still names an existing group
                while (
                    i < n
                    and replacement[i].isdigit()
                    and number * 10 + int(replacement[i]) <= compiled.groups
                ):
                    number = number * 10 + int(replacement[i])
                    i += 1
                if number > compiled.groups:
                    raise ExpressionError(f"No group {number}")
                if buf:
                    pieces.append(("text", "".join(buf)))
                    buf = []
                pieces.append(("group", number))
            else:
                raise ExpressionError("Illegal group reference in the replacement string")
        else:
            buf.append(ch)
            i += 1
    if buf:
        pieces.append(("text", "".join(buf)))

    def apply(match: Any) -> str:
        out = []
        for kind, value in pieces:
            if kind == "text":
                out.append(value)
            else:
                out.append(match.group(value) or "")
        return "".join(out)

    return apply


def replace(
    text: str, pattern: str, replacement: str, *, first_only: bool, timeout_s: float, max_chars: int
) -> str:
    """Java's ``replaceAll`` / ``replaceFirst``."""
    compiled = compile_java(pattern)
    apply = _java_replacement(replacement, compiled)
    out: list[str] = []
    size = 0
    index = 0
    try:
        for m in compiled.finditer(text, timeout=timeout_s):
            piece = text[index : m.start()] + apply(m)
            size += len(piece)
            if size > max_chars:
                raise LimitError(f"String result too long (more than {max_chars} characters)")
            out.append(piece)
            index = m.end()
            if first_only:
                break
    except TimeoutError:
        raise _timed_out(pattern, timeout_s) from None
    out.append(text[index:])
    if size + len(text) - index > max_chars:
        raise LimitError(f"String result too long (more than {max_chars} characters)")
    return "".join(out)
