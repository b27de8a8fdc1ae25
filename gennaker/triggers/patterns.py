"""Regular expressions from trigger configs, matched against what arrives from outside, with a time bound.

Who calls it: the webhook payload constraints, the git trigger's branch pattern, the docker trigger's tag
pattern and the Helm watcher's version pattern. The pattern comes from a pipeline's trigger; the text comes
from a webhook body or a registry, so a catastrophically backtracking pattern could otherwise hang a server
on a crafted payload. Matching uses the ``regex`` module (close to Java's syntax, which Spinnaker's patterns
are written in) with its ``timeout``: a match that takes longer than ``MATCH_TIMEOUT`` seconds counts as no
match, and ``PatternTimeout`` tells callers that want to report it. Compiled patterns are cached (LRU).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import regex

MATCH_TIMEOUT = 0.2


class PatternTimeout(ValueError):
    """Matching a pattern took longer than ``MATCH_TIMEOUT``."""


class InvalidPattern(ValueError):
    """The pattern does not compile; the message says why."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The compiled pattern; ``InvalidPattern`` if it does not compile."""
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise InvalidPattern(f"{pattern!r} is not a valid regular expression ({exc})") from None


def _run(pattern: str, text: str, full: bool) -> bool:
    compiled = compile_pattern(pattern)
    try:
        found = (
            compiled.fullmatch(text, timeout=MATCH_TIMEOUT)
            if full
            else compiled.search(text, timeout=MATCH_TIMEOUT)
        )
    except TimeoutError:
        raise PatternTimeout(
            f"matching {pattern!r} took longer than {MATCH_TIMEOUT:g} s (a pattern that backtracks badly)"
        ) from None
    return found is not None


def full_match(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches all of ``text`` (Java's ``String.matches``)."""
    return _run(pattern, text, True)


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` is found in ``text`` (Java's ``Pattern.asPredicate``)."""
    return _run(pattern, text, False)
