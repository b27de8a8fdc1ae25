"""What every Kubernetes stage shares: finding the service, reading the account, failing with a message.

Who calls it: every stage module of this package.

- ``Locate``: how a stage finds its ``KubernetesService`` (the process default for entry-point
  registrations, a given one in tests: ``register_stages(registry, service)``).
- ``guarded(task_fn)``: a task whose expected errors (``KubernetesError``, artifact errors, bad stage
  fields) end the stage TERMINAL with the error's message as ``context.exception`` (Orca's shape),
  instead of an "Unexpected Task Failure" with a stack trace in the logs; a ``DeployError`` also records
  what was applied and what was not (``deploy.applied`` / ``deploy.failed`` / ``deploy.notApplied``).
- ``account_of(task)``: the stage's ``account`` (or legacy ``credentials``), required.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from gennaker.artifacts.errors import ArtifactError
from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskFn, TaskInput, TaskResult
from gennaker.engine.stageops import exception_details
from gennaker.kubernetes.errors import DeployError, KubernetesError
from gennaker.kubernetes.service import KubernetesService, default_service
from gennaker.model.artifacts import ArtifactResolutionError

Locate = Callable[[], KubernetesService]

EXPECTED_ERRORS: tuple[type[BaseException], ...] = (KubernetesError, ArtifactError, ArtifactResolutionError)


class StageFieldError(KubernetesError, ValueError):
    """A stage field is missing or has the wrong type/value; the message names the field."""


def locator(service: KubernetesService | None) -> Locate:
    """``Locate`` for a given service, or the process default when None."""
    if service is None:
        return default_service
    return lambda: service


def registrar(
    definition: Callable[[Locate], StageDefinition],
) -> Callable[[StageRegistry, KubernetesService | None], None]:
    """A stage module's entry point: ``register(registry, service=None)`` registers ``definition`` bound to
    ``service`` (replacing what the entry points registered) or to the process default."""

    def register(registry: StageRegistry, service: KubernetesService | None = None) -> None:
        registry.register(definition(locator(service)), replace=service is not None)

    return register


def failure(task: TaskInput, error: BaseException, **context: Any) -> TaskResult:
    """TERMINAL with ``error``'s message as ``context.exception`` (plus ``context``)."""
    message = str(error) or type(error).__name__
    details = exception_details(
        message.splitlines()[0] if "\n" in message else message,
        [message],
        exception_type=type(error).__name__,
        operation=task.stage_type,
    )
    out: dict[str, Any] = {"exception": details, **context}
    if isinstance(error, DeployError):
        out.update(
            {
                "deploy.applied": error.applied,
                "deploy.failed": error.failed,
                "deploy.notApplied": error.not_applied,
            }
        )
    return TaskResult.terminal(out)


def guarded(fn: TaskFn) -> TaskFn:
    """Expected errors fail the stage with their message (see the module docstring)."""

    @functools.wraps(fn)
    def run(task: TaskInput) -> TaskResult:
        try:
            return fn(task)
        except EXPECTED_ERRORS as exc:
            return failure(task, exc)

    return run


def account_of(task: TaskInput) -> str:
    """The stage's account (``account``, or Spinnaker's legacy ``credentials``)."""
    value = task.context.get("account") or task.context.get("credentials")
    if not isinstance(value, str) or not value:
        raise StageFieldError(f"stage {task.stage_name!r} has no 'account' (the Kubernetes account to use)")
    return value


def int_field(task: TaskInput, key: str, *, default: int | None = None, minimum: int | None = None) -> int:
    """An integer stage field (numeric strings accepted, as SpEL often yields them)."""
    value = task.context.get(key, default)
    if value is None:
        raise StageFieldError(f"stage {task.stage_name!r} needs '{key}'")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError:
        raise StageFieldError(f"'{key}' must be a whole number, not {value!r}") from None
    if isinstance(value, bool):
        raise StageFieldError(f"'{key}' must be a whole number, not {value!r}")
    if minimum is not None and number < minimum:
        raise StageFieldError(f"'{key}' must be at least {minimum}, not {number}")
    return number
