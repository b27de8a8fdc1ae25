"""The engine's side of the expressions contract (``gennaker.expressions``, see the contract doc).

Who uses it: the StartStage handler (evaluates a stage's context when it starts: Spinnaker's v4
behaviour, and ``stageEnabled``) and tasks that evaluate on their own (evaluateVariables). Only this
module imports ``gennaker.expressions``; it does so lazily, so pipelines without ``${`` never pay for it.

Roots: Orca's ``ContextParameterProcessor``: ``execution``, ``trigger``, ``parameters`` (= the trigger's),
then the stage's own context, then (fall-through) the outputs of the stage and its ancestors.
"""

from __future__ import annotations

import importlib
import threading
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def _contract(name: str) -> Any:
    """A name exported by ``gennaker.expressions`` (imported on first use)."""
    return getattr(importlib.import_module("gennaker.expressions"), name)


class ExpressionFailed(Exception):
    """A bare expression (stageEnabled, preconditions) could not be evaluated."""


def contains_expression(value: Any, skip: frozenset[str] = frozenset()) -> bool:
    """True if any string inside ``value`` holds ``${`` (keys in ``skip`` ignored at the top level)."""
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, Mapping):
        return any(contains_expression(v) for k, v in value.items() if k not in skip)
    if isinstance(value, list | tuple):
        return any(contains_expression(v) for v in value)
    return False


@dataclass
class Evaluated:
    """Result of evaluating a value: the value and Orca's ``expressionEvaluationSummary`` entries."""

    value: Any
    summary: dict[str, list[dict[str, Any]]]

    @property
    def failed(self) -> bool:
        return any(e.get("level") == "ERROR" for entries in self.summary.values() for e in entries)


def build_roots(
    *,
    context: Mapping[str, Any],
    execution: Mapping[str, Any],
    trigger: Mapping[str, Any],
    ancestors_outputs: Sequence[Mapping[str, Any]] = (),
    extra: Mapping[str, Any] | None = None,
) -> Mapping[str, Any]:
    """The names an expression sees bare."""
    params = trigger.get("parameters") if isinstance(trigger.get("parameters"), Mapping) else {}
    specials = {"execution": execution, "trigger": trigger, "parameters": params or {}}
    maps: list[Mapping[str, Any]] = [dict(extra or {}), specials, context, *ancestors_outputs]
    return ChainMap(*maps)  # type: ignore[arg-type]


class StageEvaluator:
    """Evaluates stage contexts and bare expressions through ``gennaker.expressions``."""

    def __init__(self, factory: Callable[[], Any] | None = None) -> None:
        self._factory = factory
        self._evaluator: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._evaluator is None:
            with self._lock:
                if self._evaluator is None:
                    if self._factory is not None:
                        self._evaluator = self._factory()
                    else:
                        self._evaluator = _contract("ExpressionEvaluator")()
        return self._evaluator

    def _ctx(
        self, roots: Mapping[str, Any], execution: Mapping[str, Any] | None, stage_id: str | None
    ) -> Any:
        return _contract("EvaluationContext")(roots=roots, execution=execution, current_stage_id=stage_id)

    def evaluate_object(
        self, value: Any, roots: Mapping[str, Any], execution: Mapping[str, Any] | None, stage_id: str | None
    ) -> Evaluated:
        """Evaluate every ``${...}`` inside ``value``; failures stay raw and are summarised (never raises)."""
        result = self._get().evaluate_object(value, self._ctx(roots, execution, stage_id))
        return Evaluated(result.value, dict(result.summary))

    def evaluate_expression(
        self,
        expression: str,
        roots: Mapping[str, Any],
        execution: Mapping[str, Any] | None,
        stage_id: str | None,
    ) -> Any:
        """Evaluate one bare expression (no ``${}``); raises ``ExpressionFailed``."""
        expression_error: type[Exception] = _contract("ExpressionError")
        try:
            return self._get().evaluate_expression(expression, self._ctx(roots, execution, stage_id))
        except expression_error as e:
            raise ExpressionFailed(str(e)) from e
        except Exception as e:  # the evaluator must never take the engine down
            raise ExpressionFailed(f"{type(e).__name__}: {e}") from e
