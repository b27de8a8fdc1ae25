"""Retrying a stage's artifact fetch with the engine's backoff when the server is down, instead of failing.

Who calls it: the tasks that fetch artifacts (deployManifest's and runJobManifest's resolve task,
bakeManifest's createBakeManifest) wrap their task function with :func:`retry_transient_fetches`.

A fetch that fails for a passing reason (``ArtifactFetchError.transient``: the server could not be reached,
timed out, or answered 5xx/408/425/429) makes the task return RUNNING with a growing backoff
(``BACKOFF_MS``), so the engine runs it again later and no worker thread sleeps; each retry is logged and
recorded in the stage context (``artifactFetchRetry``: attempts so far, the last error, the next delay).
After ``len(BACKOFF_MS) + 1`` attempts the task fails with the last error plus how many attempts were made
over how long. A definitive answer (404, 401, a bad reference, too large) fails at once: asking again
would get the same answer (Orca retries every failure 10 times, 200 ms apart).

The attempt count is keyed by the task's start time, so a restarted stage starts counting again.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.engine.stagedef import TaskFn, TaskInput, TaskResult

log = logging.getLogger(__name__)

#: The waits between attempts: 4 attempts over about 7 s.
BACKOFF_MS: tuple[int, ...] = (1_000, 2_000, 4_000)
CONTEXT_KEY = "artifactFetchRetry"


def _previous(task: TaskInput) -> dict[str, Any]:
    state = task.context.own.get(CONTEXT_KEY)
    if isinstance(state, dict) and state.get("taskStartTime") == task.task_start_time:
        return state
    return {}


def retry_transient_fetches(run: TaskFn) -> TaskFn:
    """``run`` with transient ``ArtifactFetchError`` turned into RUNNING-with-backoff (see module doc)."""

    @functools.wraps(run)
    def wrapped(task: TaskInput) -> TaskResult:
        try:
            return run(task)
        except ArtifactFetchError as exc:
            if not exc.transient:
                raise
            previous = _previous(task)
            attempts = int(previous.get("attempts") or 0) + 1
            first = int(previous.get("firstFailureTime") or task.now)
            if attempts > len(BACKOFF_MS):
                took = (task.now - first) / 1000
                raise ArtifactFetchError(
                    exc.artifact,
                    exc.account,
                    f"{exc.reason} (gave up after {attempts} attempts over {took:.1f} s)",
                    status=exc.status,
                    body=exc.body_excerpt,
                    transient=True,
                ) from None
            backoff = BACKOFF_MS[attempts - 1]
            log.warning(
                "stage %s (%s): artifact fetch attempt %d failed, retrying in %d ms: %s",
                task.stage_name,
                task.stage_id,
                attempts,
                backoff,
                exc,
            )
            state = {
                "taskStartTime": task.task_start_time,
                "attempts": attempts,
                "firstFailureTime": first,
                "lastError": str(exc),
                "nextAttemptInMs": backoff,
            }
            return TaskResult.running({CONTEXT_KEY: state}, backoff_ms=backoff)

    return wrapped
