"""Execution statuses with Spinnaker's meanings (Orca's ``ExecutionStatus``).

Used by every layer: the engine decides transitions with ``is_complete``/``is_halt``, the API renders the
names as they are (``"SUCCEEDED"``...), expressions compare them as strings.

- not complete: NOT_STARTED (also an execution waiting behind ``limitConcurrent``), BUFFERED, RUNNING,
  PAUSED, SUSPENDED, REDIRECT;
- complete only: SUCCEEDED, FAILED_CONTINUE (downstream proceeds), SKIPPED;
- complete and halt (nothing downstream runs): STOPPED, TERMINAL, CANCELED.
"""

from __future__ import annotations

from enum import StrEnum


class ExecutionStatus(StrEnum):
    """One of Orca's twelve statuses; the value is the name Spinnaker's JSON uses."""

    NOT_STARTED = "NOT_STARTED"
    BUFFERED = "BUFFERED"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    SUSPENDED = "SUSPENDED"
    SUCCEEDED = "SUCCEEDED"
    FAILED_CONTINUE = "FAILED_CONTINUE"
    TERMINAL = "TERMINAL"
    CANCELED = "CANCELED"
    REDIRECT = "REDIRECT"
    STOPPED = "STOPPED"
    SKIPPED = "SKIPPED"

    @property
    def is_complete(self) -> bool:
        """Nothing more will happen to this stage, task or execution (unless restarted)."""
        return self in COMPLETE

    @property
    def is_halt(self) -> bool:
        """Complete, and stages downstream of it must not run."""
        return self in HALT

    @property
    def is_successful(self) -> bool:
        """Orca's ``isSuccessful``: SUCCEEDED, STOPPED or SKIPPED."""
        return self in SUCCESSFUL

    @property
    def is_failure(self) -> bool:
        """Orca's ``isFailure``: TERMINAL, STOPPED or FAILED_CONTINUE."""
        return self in FAILURE


S = ExecutionStatus
COMPLETE: frozenset[ExecutionStatus] = frozenset(
    {S.SUCCEEDED, S.FAILED_CONTINUE, S.SKIPPED, S.STOPPED, S.TERMINAL, S.CANCELED}
)
HALT: frozenset[ExecutionStatus] = frozenset({S.STOPPED, S.TERMINAL, S.CANCELED})
SUCCESSFUL: frozenset[ExecutionStatus] = frozenset({S.SUCCEEDED, S.STOPPED, S.SKIPPED})
FAILURE: frozenset[ExecutionStatus] = frozenset({S.TERMINAL, S.STOPPED, S.FAILED_CONTINUE})
# Upstream statuses that let a downstream stage start (Orca's ``allUpstreamStagesComplete``).
CONTINUABLE: frozenset[ExecutionStatus] = frozenset({S.SUCCEEDED, S.FAILED_CONTINUE, S.SKIPPED})
