"""The ``wait`` stage: waits ``waitTime`` seconds (a number, or an expression evaluated when the stage
starts); ``skipRemainingWait: true`` (patched on the running stage) ends the wait at once.

One task, ``wait``: its first run records ``startTime`` in the context, later runs compare against it;
it asks to be run again exactly when the wait ends (a dynamic backoff, as Orca's WaitTask), so a wait
costs one extra queue message, not a poll loop. Re-running it after a crash continues the same wait.
"""

from __future__ import annotations

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult


class WaitTimeError(ValueError):
    """``waitTime`` is not a non-negative number of seconds."""


def wait_seconds(value: object) -> float:
    """``waitTime`` as seconds (numbers and numeric strings accepted)."""
    if isinstance(value, bool):
        raise WaitTimeError(f"waitTime must be a number of seconds, not {value!r}")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise WaitTimeError(f"waitTime must be a number of seconds, not {value!r}") from None
    if seconds < 0:
        raise WaitTimeError(f"waitTime must not be negative (got {value!r})")
    return seconds


def run_wait(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    if ctx.get("skipRemainingWait") is True:
        return TaskResult.succeeded()
    seconds = wait_seconds(ctx.get("waitTime", 0))
    started = ctx.get("startTime")
    if not isinstance(started, int):
        started = task.now
        if seconds <= 0:
            return TaskResult.succeeded({"startTime": started})
        return TaskResult.running({"startTime": started}, backoff_ms=int(seconds * 1000))
    remaining = started + int(seconds * 1000) - task.now
    if remaining <= 0:
        return TaskResult.succeeded()
    return TaskResult.running(backoff_ms=remaining)


WAIT = StageDefinition(
    type="wait",
    tasks=(
        TaskDefinition(
            name="wait",
            run=run_wait,
            implementing_class="gennaker.stages.wait.WaitTask",
            timeout_overridable=True,
        ),
    ),
    description="Wait a number of seconds (waitTime); skipRemainingWait ends it early.",
)


def register(registry: StageRegistry) -> None:
    registry.register(WAIT)
