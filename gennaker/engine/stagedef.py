"""What a stage type is, as the engine sees it: the contract between the engine and stage modules.

Who uses it: every stage module (``gennaker.stages.*`` and third-party packages) builds a
``StageDefinition`` and registers it in a ``StageRegistry``; the engine's handlers call its parts.

- ``tasks``: the ordered task list (or a function of the stage being planned). A task is a function
  ``TaskInput -> TaskResult``. Tasks must be idempotent: after a crash a task may run again.
- ``before_stages`` / ``after_stages`` / ``on_failure_stages``: synthetic stage builders (Orca's
  ``beforeStages``/``afterStages``/``onFailureStages``); refIds follow Orca (``<ref><N``, ``<ref>>N``).
- ``cancel``: called (outside any transaction, possibly more than once) when the stage ends halted
  (CANCELED/TERMINAL/STOPPED), e.g. to cancel a child pipeline.
- ``unevaluated_keys``: context keys the engine does not evaluate as expressions at stage start (the
  stage evaluates them itself, like evaluateVariables' ``variables``).
- ``prepare_for_restart``: cleans a context before a restart (manualJudgment clears the judgment).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from gennaker.model import ExecutionStatus

if TYPE_CHECKING:
    from gennaker.engine.expressions import Evaluated


class RetryableError(Exception):
    """Raised by a task to be re-run after its backoff (until its timeout) instead of failing the stage,
    when its definition says ``retryable=True``."""


@dataclass(frozen=True)
class TaskResult:
    """What a task returns: a status, context updates, outputs (visible downstream), and for RUNNING an
    optional dynamic backoff in milliseconds (Orca's ``getDynamicBackoffPeriod``)."""

    status: ExecutionStatus
    context: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    backoff_ms: int | None = None

    @classmethod
    def succeeded(
        cls, context: Mapping[str, Any] | None = None, outputs: Mapping[str, Any] | None = None
    ) -> TaskResult:
        return cls(ExecutionStatus.SUCCEEDED, context or {}, outputs or {})

    @classmethod
    def running(
        cls, context: Mapping[str, Any] | None = None, *, backoff_ms: int | None = None
    ) -> TaskResult:
        return cls(ExecutionStatus.RUNNING, context or {}, {}, backoff_ms)

    @classmethod
    def terminal(cls, context: Mapping[str, Any] | None = None) -> TaskResult:
        return cls(ExecutionStatus.TERMINAL, context or {})


class StageContext(Mapping[str, Any]):
    """A stage's context with Orca's fall-through: a key missing from the stage's own context is looked
    up in the outputs of the stage itself and then of its ancestors, nearest first. Ancestors are loaded
    lazily, only when a key falls through."""

    def __init__(
        self, own: Mapping[str, Any], ancestors_outputs: Callable[[], Sequence[Mapping[str, Any]]]
    ) -> None:
        self._own = own
        self._load = ancestors_outputs
        self._outputs: Sequence[Mapping[str, Any]] | None = None

    def _chain(self) -> Sequence[Mapping[str, Any]]:
        if self._outputs is None:
            self._outputs = self._load()
        return self._outputs

    def __getitem__(self, key: str) -> Any:
        if key in self._own:
            return self._own[key]
        for outputs in self._chain():
            if key in outputs:
                return outputs[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen = set(self._own)
        yield from self._own
        for outputs in self._chain():
            for k in outputs:
                if k not in seen:
                    seen.add(k)
                    yield k

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def own(self) -> Mapping[str, Any]:
        """The stage's own context, without fall-through."""
        return self._own


class EngineServices(Protocol):
    """What tasks may ask of the engine (implemented by ``gennaker.engine.service.PipelineService``)."""

    def start_pipeline_by_id(
        self, config_id: str, *, trigger: Mapping[str, Any] | None = None, principal: str = "anonymous"
    ) -> str: ...

    def get_execution(self, execution_id: str) -> dict[str, Any] | None: ...

    def cancel_execution(self, execution_id: str, *, principal: str, reason: str | None = None) -> None: ...

    def find_execution_by_correlation_id(self, correlation_id: str) -> str | None: ...

    def get_pipeline(self, config_id: str) -> dict[str, Any] | None: ...

    def find_pipeline(self, application: str, name: str) -> dict[str, Any] | None: ...

    def get_application(self, name: str) -> dict[str, Any] | None: ...

    def save_application(self, application: Mapping[str, Any], *, principal: str) -> dict[str, Any]: ...

    def delete_application(self, name: str, *, principal: str) -> bool: ...


@dataclass
class TaskInput:
    """What a task sees when it runs."""

    execution_id: str
    execution_type: str
    application: str
    pipeline_config_id: str | None
    trigger: Mapping[str, Any]
    stage_id: str
    ref_id: str | None
    stage_type: str
    stage_name: str
    context: StageContext
    outputs: Mapping[str, Any]
    stage_start_time: int | None
    task_id: str
    task_start_time: int | None
    now: int
    execution_json: Callable[[], dict[str, Any]]
    evaluate: Callable[[Any, Mapping[str, Any] | None], Evaluated]
    """Evaluate ``${...}`` inside a value with this stage's roots plus ``extra`` names (never raises)."""
    evaluate_expression: Callable[[str, Mapping[str, Any] | None], Any]
    """Evaluate one bare expression with this stage's roots plus ``extra``; raises ``ExpressionFailed``."""
    services: EngineServices | None = None
    principal: str = "anonymous"


@dataclass(frozen=True)
class PlanInput:
    """What a synthetic-stage or task-list builder sees: the stage being planned."""

    stage_id: str
    ref_id: str | None
    stage_type: str
    stage_name: str
    context: Mapping[str, Any]
    trigger: Mapping[str, Any]


TaskFn = Callable[[TaskInput], TaskResult]


@dataclass(frozen=True)
class TaskDefinition:
    """A task of a stage type. ``timeout_ms``/``backoff_ms`` are Orca's ``RetryableTask`` values; a task
    returning RUNNING is re-run after ``backoff_ms`` (or its result's dynamic backoff). With
    ``timeout_overridable`` a stage's ``stageTimeoutMs`` replaces ``timeout_ms``."""

    name: str
    run: TaskFn
    implementing_class: str = ""
    backoff_ms: int = 1000
    timeout_ms: int | None = None
    retryable: bool = False
    retry_on: tuple[type[BaseException], ...] = (RetryableError,)
    timeout_overridable: bool = True
    mark_successful_on_timeout: bool = False
    on_timeout: Callable[[TaskInput], Mapping[str, Any] | None] | None = None

    @property
    def class_name(self) -> str:
        if self.implementing_class:
            return self.implementing_class
        return f"{getattr(self.run, '__module__', 'gennaker')}.{getattr(self.run, '__qualname__', self.name)}"


@dataclass(frozen=True)
class SyntheticStage:
    """A synthetic stage to plan. ``parallel=False`` chains it after the previous synthetic stage of the
    same phase (Orca's ``append``); ``parallel=True`` starts it alongside the others (Orca's ``add``)."""

    type: str
    name: str
    context: Mapping[str, Any] = field(default_factory=dict)
    parallel: bool = False


PlanFn = Callable[[PlanInput], Sequence[SyntheticStage]]
CancelFn = Callable[[TaskInput], Mapping[str, Any] | None]


@dataclass(frozen=True)
class StageDefinition:
    """A stage type."""

    type: str
    tasks: Sequence[TaskDefinition] | Callable[[PlanInput], Sequence[TaskDefinition]] = ()
    before_stages: PlanFn | None = None
    after_stages: PlanFn | None = None
    on_failure_stages: PlanFn | None = None
    cancel: CancelFn | None = None
    prepare_for_restart: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    unevaluated_keys: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()
    description: str = ""

    def task_list(self, plan: PlanInput) -> Sequence[TaskDefinition]:
        return self.tasks(plan) if callable(self.tasks) else self.tasks
