"""The public face of ``gennaker.expressions``: :class:`ExpressionEvaluator`, :class:`EvaluationContext`
and :class:`EvaluationResult` (the contract agreed with the engine, see docs/expressions.md).

- :meth:`ExpressionEvaluator.evaluate_object` walks dicts, lists and strings (map keys included, as Orca
  does). A string that is exactly one ``${expr}`` becomes the expression's typed value; text mixed with
  ``${}`` becomes a string. It never raises: a failing string keeps its raw text and adds an ERROR entry
  to the summary; an expression whose value is null keeps its raw text and adds an INFO entry (Orca's
  "not found"); inside mixed text, a null part keeps its own ``${...}`` text.
- :meth:`evaluate_expression` (bare text, for ``stageEnabled`` and preconditions) and
  :meth:`evaluate_template` raise :class:`ExpressionError`.

Summary entries have Orca's ``expressionEvaluationSummary`` shape: key = the expression without ``${}``,
value = ``[{"description", "exceptionType", "level", "timestamp"}]``. Descriptions say which field failed
(its path in the evaluated object), what the expression was, the SpEL-style message and, for nulls, which
key was missing from what. Like Orca, descriptions contain no ``$``, so a stored summary is never
evaluated again.

Parsing is cached per distinct expression text (bounded LRU, thread-safe): evaluating a typical stage
context costs microseconds per expression. Every evaluation runs inside the sandbox limits of
:class:`~gennaker.expressions.state.Limits`. Nothing persisted.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gennaker.expressions.errors import EVALUATION_EXCEPTION, ExpressionError, LimitError
from gennaker.expressions.fetcher import HttpxUrlFetcher, UrlFetcher
from gennaker.expressions.interpreter import Compiled, compile_expression
from gennaker.expressions.parser import parse
from gennaker.expressions.plain import to_plain
from gennaker.expressions.state import Env, Limits
from gennaker.expressions.template import ExpressionPart, TemplatePart, split_template, summary_key

MAX_WALK_DEPTH = 200

# where a value sits in the evaluated object, built cheaply while walking and rendered only when needed:
# None for the top, else (parent path, map key or list index)
_Path = tuple[Any, Any] | None


def _render(path: _Path) -> str:
    """``manifests[0].metadata.name`` for a path."""
    parts: list[str] = []
    while path is not None:
        path, step = path
        parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    text = "".join(reversed(parts))
    return text[1:] if text.startswith(".") else text


@dataclass(frozen=True)
class EvaluationContext:
    """What an expression can see.

    ``roots``: names visible bare (the stage context's keys plus ``execution``, ``trigger``,
    ``parameters``, and whatever else the caller adds). ``execution``: Orca's execution JSON, used by
    ``#stage``, ``#stageByRefId``, ``#stageExists``, ``#currentStage``, ``#judgment`` and the artifact
    helpers. ``current_stage_id``: the stage being evaluated (``#currentStage()``).
    """

    roots: Mapping[str, Any]
    execution: Mapping[str, Any] | None = None
    current_stage_id: str | None = None


@dataclass
class EvaluationResult:
    value: Any
    summary: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when any expression failed (an ERROR entry); a null result (INFO) is not a failure."""
        return any(entry.get("level") == "ERROR" for entries in self.summary.values() for entry in entries)

    @property
    def failure_count(self) -> int:
        """Entries of every level, as Orca's ``ExpressionEvaluationSummary.getFailureCount()`` counts."""
        return sum(len(entries) for entries in self.summary.values())


class _LRU:
    """A small thread-safe LRU cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


@dataclass(frozen=True, slots=True)
class _Failure:
    error: ExpressionError


class _Walk:
    """State of one evaluate_object call: the summary being built and the shared deadline."""

    def __init__(self, ctx: EvaluationContext, deadline: float) -> None:
        self.ctx = ctx
        self.root: Mapping[str, Any] = ctx.roots if isinstance(ctx.roots, dict) else dict(ctx.roots)
        self.deadline = deadline
        self.summary: dict[str, list[dict[str, Any]]] = {}

    def add(self, key: str, level: str, description: str, exception_type: str | None) -> None:
        entries = self.summary.setdefault(key, [])
        entry = {
            "description": description.replace("$", ""),
            "exceptionType": exception_type,
            "level": level,
            "timestamp": int(time.time() * 1000),
        }
        if entry["description"] not in (e["description"] for e in entries):
            entries.append(entry)


class ExpressionEvaluator:
    """Evaluates Spinnaker ``${...}`` expressions inside a sandbox. Safe to share between threads."""

    def __init__(
        self,
        *,
        url_fetcher: UrlFetcher | None = None,
        max_steps: int = 200_000,
        max_result_bytes: int = 4_000_000,
        timeout_s: float = 2.0,
        object_timeout_s: float = 30.0,
        max_fetch_bytes: int = 1_000_000,
        fetch_timeout_s: float = 5.0,
        cache_size: int = 4096,
    ) -> None:
        self.url_fetcher: UrlFetcher = url_fetcher if url_fetcher is not None else HttpxUrlFetcher()
        self.limits = Limits(
            max_steps=max_steps,
            timeout_s=timeout_s,
            max_string_chars=max_result_bytes,
            max_fetch_bytes=max_fetch_bytes,
            fetch_timeout_s=fetch_timeout_s,
        )
        self.object_timeout_s = object_timeout_s
        self._expressions = _LRU(cache_size)
        self._templates = _LRU(cache_size)

    # ------------------------------------------------------------ compilation (cached)

    def compile(self, expression: str) -> Compiled:
        """The compiled form of one bare expression (cached); raises :class:`ExpressionError`."""
        cached = self._expressions.get(expression)
        if cached is None:
            try:
                cached = compile_expression(parse(expression), expression)
            except ExpressionError as exc:
                cached = _Failure(exc.located(expression))
            self._expressions.put(expression, cached)
        if isinstance(cached, _Failure):
            raise cached.error
        compiled: Compiled = cached
        return compiled

    def _template(self, text: str) -> list[TemplatePart]:
        cached = self._templates.get(text)
        if cached is None:
            try:
                cached = split_template(text)
            except ExpressionError as exc:
                cached = _Failure(exc.located(text))
            self._templates.put(text, cached)
        if isinstance(cached, _Failure):
            raise cached.error
        parts: list[TemplatePart] = cached
        return parts

    # ------------------------------------------------------------ evaluation of one expression

    def _run(
        self, expression: str, root: Mapping[str, Any], ctx: EvaluationContext, deadline: float | None
    ) -> tuple[Any, Env]:
        compiled = self.compile(expression)
        env = Env(
            root=root,
            source=expression,
            limits=self.limits,
            execution=ctx.execution,
            current_stage_id=ctx.current_stage_id,
            fetcher=self.url_fetcher,
            deadline=min(deadline, time.monotonic() + self.limits.timeout_s) if deadline else None,
            outer_deadline=deadline,
        )
        try:
            value = compiled(env, root)
            return to_plain(value, self.limits.max_parsed_nodes), env
        except ExpressionError as exc:
            raise exc.located(expression) from None
        except RecursionError:
            raise LimitError("Expression recursed too deeply", expression=expression) from None
        except Exception as exc:  # a defect must not escape as a Python error from user text
            raise ExpressionError(
                f"Internal error while evaluating the expression: {type(exc).__name__}: {exc}",
                expression=expression,
                exception_type=EVALUATION_EXCEPTION,
            ) from exc

    def evaluate_expression(self, expression: str, ctx: EvaluationContext) -> Any:
        """One bare expression (no ``${}``), as used by stageEnabled and expression preconditions."""
        root = ctx.roots if isinstance(ctx.roots, dict) else dict(ctx.roots)
        value, _env = self._run(expression.strip(), root, ctx, time.monotonic() + self.object_timeout_s)
        return value

    def evaluate_template(self, text: str, ctx: EvaluationContext) -> Any:
        """One string: the typed value of a lone ``${expr}``, else the text with each ``${}`` replaced
        (a part whose value is null keeps its ``${...}`` text). Raises :class:`ExpressionError`."""
        if "${" not in text:
            return text
        walk = _Walk(ctx, time.monotonic() + self.object_timeout_s)
        outcome = self._evaluate_string(text, walk, raise_errors=True)
        return outcome

    # ------------------------------------------------------------ evaluate_object

    def evaluate_object(self, value: Any, ctx: EvaluationContext) -> EvaluationResult:
        """Evaluate every ``${}`` in a JSON-like value; never raises (failures go to the summary)."""
        walk = _Walk(ctx, time.monotonic() + self.object_timeout_s)
        result = self._walk(value, walk, None, 0)
        return EvaluationResult(result, walk.summary)

    def _walk(self, value: Any, walk: _Walk, path: _Path, depth: int) -> Any:
        kind = type(value)
        if kind is str:
            if "${" not in value:
                return value
            return self._evaluate_string(value, walk, raise_errors=False, path=_render(path))
        if kind is int or kind is float or kind is bool or value is None:
            return value
        if depth > MAX_WALK_DEPTH:
            where = _render(path)
            walk.add(
                where or "(value)",
                "ERROR",
                f"Failed to evaluate [{where}] the value is nested deeper than {MAX_WALK_DEPTH} levels; "
                "it was left unevaluated",
                EVALUATION_EXCEPTION,
            )
            return value
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                child = (path, key)
                out_key = key
                if isinstance(key, str) and "${" in key:
                    new_key = self._walk(key, walk, child, depth + 1)
                    out_key = new_key if isinstance(new_key, str) else str(new_key)
                out[out_key] = self._walk(item, walk, child, depth + 1)
            return out
        if isinstance(value, list):
            return [self._walk(item, walk, (path, i), depth + 1) for i, item in enumerate(value)]
        if isinstance(value, str):
            return self._walk(str(value), walk, path, depth)
        return value

    def _evaluate_string(self, text: str, walk: _Walk, *, raise_errors: bool, path: str = "") -> Any:
        where = f"[{path}]" if path else text
        try:
            parts = self._template(text)
        except ExpressionError as exc:
            if raise_errors:
                raise
            walk.add(
                summary_key(text, None), "ERROR", f"Failed to evaluate {where} {exc}", exc.exception_type
            )
            return text
        key = summary_key(text, parts)
        if len(parts) == 1 and isinstance(parts[0], ExpressionPart):
            part = parts[0]
            try:
                value, env = self._run(part.text, walk.root, walk.ctx, walk.deadline)
            except ExpressionError as exc:
                if raise_errors:
                    raise
                walk.add(key, "ERROR", f"Failed to evaluate {where} {exc}", exc.exception_type)
                return text
            if value is None and not raise_errors:
                walk.add(key, "INFO", self._not_found(where, part.text, env), None)
                return text
            return value
        pieces: list[str] = []
        for piece in parts:
            if isinstance(piece, str):
                pieces.append(piece)
                continue
            part = piece
            try:
                value, env = self._run(part.text, walk.root, walk.ctx, walk.deadline)
            except ExpressionError as exc:
                if raise_errors:
                    raise
                walk.add(key, "ERROR", f"Failed to evaluate {where} {exc}", exc.exception_type)
                return text
            if value is None:
                walk.add(key, "INFO", self._not_found(where, part.text, env), None)
                pieces.append(part.raw)
            else:
                from gennaker.expressions.javasem import spel_to_string

                pieces.append(spel_to_string(value))
        joined = "".join(pieces)
        if len(joined) > self.limits.max_string_chars:
            error = LimitError(f"String result too long ({len(joined)} characters)")
            if raise_errors:
                raise error
            walk.add(key, "ERROR", f"Failed to evaluate {where} {error}", error.exception_type)
            return text
        return joined

    @staticmethod
    def _not_found(where: str, expression: str, env: Env) -> str:
        description = f"Failed to evaluate {where} : {expression} not found"
        why = env.why_null(expression) or (env.notes[0][1] if env.notes else None)
        if why:
            description += f" ({why})"
        else:
            description += " (its value is null)"
        return description
