"""The state of one expression evaluation: its root, its budget (steps, deadline, sizes) and its notes.

One :class:`Env` is created per evaluated ``${...}`` (or bare expression) and passed to every compiled
node, method and helper. It is the sandbox's meter: :meth:`Env.tick` counts work and checks the deadline,
:meth:`Env.check_string` / :meth:`Env.check_size` refuse oversized results. It also remembers the first
missing map key met on the way (:attr:`Env.notes`), so a null result or a null dereference can be
explained precisely ("key 'foo' is missing from trigger.parameters").

Created by the evaluator; read by the interpreter, methods and helpers. Nothing persisted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gennaker.expressions.errors import LimitError

if TYPE_CHECKING:
    from gennaker.expressions.fetcher import UrlFetcher

_CHECK_EVERY = 256


@dataclass(frozen=True, slots=True)
class Limits:
    """The sandbox bounds of one evaluation (set on the :class:`ExpressionEvaluator`)."""

    max_steps: int = 200_000
    timeout_s: float = 2.0
    max_string_chars: int = 1_000_000
    max_collection_items: int = 100_000
    max_concatenated_chars: int = 100_000
    max_repeated_chars: int = 256
    max_fetch_bytes: int = 1_000_000
    fetch_timeout_s: float = 5.0
    max_parsed_nodes: int = 200_000
    regex_timeout_s: float = 0.25


def describe_missing(container: str, key: str, available: list[str]) -> str:
    """Explain a missing key: key 'foo' is missing from 'trigger.parameters', which has keys: a, b."""
    where = f"'{container}'" if container else "the root (the stage context, execution, trigger, parameters)"
    text = f"key '{key}' is missing from {where}"
    if available:
        shown = ", ".join(available[:12])
        more = f" and {len(available) - 12} more" if len(available) > 12 else ""
        return text + f", which has keys: {shown}{more}"
    return text + ", which is empty"


class Env:
    """Per-evaluation state shared by compiled nodes, methods and helpers."""

    __slots__ = (
        "budget",
        "current_stage_id",
        "deadline",
        "execution",
        "fetcher",
        "limits",
        "notes",
        "outer_deadline",
        "root",
        "source",
        "steps_left",
    )

    def __init__(
        self,
        *,
        root: Mapping[str, Any],
        source: str,
        limits: Limits,
        execution: Mapping[str, Any] | None = None,
        current_stage_id: str | None = None,
        fetcher: UrlFetcher | None = None,
        deadline: float | None = None,
        outer_deadline: float | None = None,
    ) -> None:
        self.root = root
        self.source = source
        self.limits = limits
        self.execution = execution
        self.current_stage_id = current_stage_id
        self.fetcher = fetcher
        self.steps_left = limits.max_steps
        self.budget = _CHECK_EVERY
        self.deadline = deadline if deadline is not None else time.monotonic() + limits.timeout_s
        # the bound of the whole evaluate_object call; waiting on the network extends ``deadline`` up to it
        self.outer_deadline = outer_deadline if outer_deadline is not None else self.deadline
        # explanations of nulls met on the way: (text of the sub-expression that was null, why)
        self.notes: list[tuple[str, str]] = []

    def tick(self, count: int = 1) -> None:
        """Count ``count`` units of work; check the step budget and the deadline now and then."""
        self.budget -= count
        if self.budget <= 0:
            self._checkpoint()

    def _checkpoint(self) -> None:
        used = _CHECK_EVERY - self.budget
        self.budget = _CHECK_EVERY
        self.steps_left -= used
        if self.steps_left < 0:
            raise LimitError(
                f"Expression needed more than {self.limits.max_steps} evaluation steps; it was stopped"
            )
        if time.monotonic() > self.deadline:
            raise LimitError(f"Expression ran longer than {self.limits.timeout_s:g}s; it was stopped")

    def remaining_time(self) -> float:
        return max(0.001, self.deadline - time.monotonic())

    def fetch_budget(self) -> float:
        """Seconds a URL fetch may take: its own limit, within the whole evaluation's bound."""
        return max(0.001, min(self.limits.fetch_timeout_s, self.outer_deadline - time.monotonic()))

    def waited(self, seconds: float) -> None:
        """Time spent waiting on the network does not count against the expression's compute time."""
        self.deadline = min(self.deadline + seconds, max(self.deadline, self.outer_deadline))

    def regex_timeout(self) -> float:
        return min(self.limits.regex_timeout_s, self.remaining_time())

    def check_string(self, text: str, what: str = "String result") -> str:
        if len(text) > self.limits.max_string_chars:
            raise LimitError(
                f"{what} too long ({len(text)} characters; the limit is {self.limits.max_string_chars})"
            )
        return text

    def check_items(self, count: int, what: str = "Collection") -> None:
        if count > self.limits.max_collection_items:
            raise LimitError(
                f"{what} too large ({count} elements; the limit is {self.limits.max_collection_items})"
            )

    def note(self, span_text: str, explanation: str) -> None:
        """Remember why the value of ``span_text`` is null (the first few only)."""
        if len(self.notes) < 8:
            self.notes.append((span_text, explanation))

    def note_missing(self, span_text: str, container: str, key: str, keys: Any) -> None:
        if len(self.notes) < 8:
            available = [str(k) for k in list(keys)[:13]] if keys is not None else []
            self.notes.append((span_text, describe_missing(container, key, available)))

    def why_null(self, span_text: str) -> str | None:
        for text, explanation in self.notes:
            if text == span_text:
                return explanation
        return None
