"""Stage rules shared by the handlers, each a small function named after Orca's.

- ``failure_status``: what a failed stage becomes given ``continuePipeline``/``failPipeline``
  (FAILED_CONTINUE, TERMINAL or STOPPED; ``completeOtherBranchesThenFail`` goes with failPipeline=false).
- ``determine_status``: a stage's status from its synthetic stages and tasks (first match wins).
- ``start_next``: after a stage completes successfully, start what is downstream, or continue the
  parent (synthetic), or complete the execution (top level).
- ``exception_details``: Orca's ``context.exception`` shape.
- ``ancestors``: Orca's ``StageExecution.ancestors()`` order, for context fall-through.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.engine.messages import CompleteExecution, ContinueParentStage, StartStage
from gennaker.engine.tx import Tx
from gennaker.model import ExecutionStatus
from gennaker.store.executions import StageRecord

S = ExecutionStatus


def failure_status(context: Mapping[str, Any], default: ExecutionStatus = S.TERMINAL) -> ExecutionStatus:
    """Orca's ``failureStatus``: continuePipeline → FAILED_CONTINUE; failPipeline (default true) → the
    default (TERMINAL); otherwise STOPPED (the branch halts, the pipeline decides at completion)."""
    if context.get("continuePipeline") is True:
        return S.FAILED_CONTINUE
    if context.get("failPipeline") in (None, True):
        return default
    return S.STOPPED


def is_manually_skipped(tx: Tx, stage: StageRecord) -> bool:
    """``manualSkip`` on the stage or any parent."""
    current: StageRecord | None = stage
    while current is not None:
        if current.context.get("manualSkip") is True:
            return True
        current = tx.stage(current.parent_stage_id) if current.parent_stage_id else None
    return False


def determine_status(stage: StageRecord, children: Sequence[StageRecord]) -> ExecutionStatus:
    """Orca's ``CompleteStageHandler.determineStatus``."""
    statuses = [S(c.status) for c in children] + [S(t["status"]) for t in stage.tasks]
    if stage.context.get("beforeStagePlanningFailed"):
        statuses.append(failure_status(stage.context))
    after = [S(c.status) for c in children if c.synthetic_stage_owner == "STAGE_AFTER"]
    if not statuses:
        return S.NOT_STARTED
    if S.TERMINAL in statuses:
        return failure_status(stage.context)
    if S.STOPPED in statuses:
        return S.STOPPED
    if S.CANCELED in statuses:
        return S.CANCELED
    if S.FAILED_CONTINUE in statuses:
        return S.FAILED_CONTINUE
    if all(s in (S.SUCCEEDED, S.SKIPPED) for s in statuses):
        return S.SUCCEEDED
    if S.NOT_STARTED in after:
        return S.RUNNING
    return S.TERMINAL


def start_next(tx: Tx, stage: StageRecord) -> None:
    """Orca's ``startNext``."""
    if stage.downstream_ref_ids:
        for down in tx.stages_by_ref(stage.downstream_ref_ids):
            if down.parent_stage_id == stage.parent_stage_id:
                tx.push(StartStage(tx.execution.id, down.id))
    elif stage.parent_stage_id is not None:
        tx.push(
            ContinueParentStage(
                tx.execution.id, stage.parent_stage_id, phase=stage.synthetic_stage_owner or ""
            )
        )
    else:
        tx.push(CompleteExecution(tx.execution.id))


def exception_details(
    error: str, errors: Sequence[str], *, exception_type: str, operation: str | None
) -> dict[str, Any]:
    """Orca's ``ExceptionHandler.Response`` as stored in ``context.exception``."""
    return {
        "exceptionType": exception_type,
        "operation": operation,
        "shouldRetry": False,
        "timestamp": int(time.time() * 1000),
        "details": {"error": error, "errors": list(errors)},
    }


def include_expression_summary(context: dict[str, Any]) -> None:
    """Copy the descriptions of ``expressionEvaluationSummary`` errors into
    ``context.exception.details.errors`` (Orca does this when a stage completes)."""
    summary = context.get("expressionEvaluationSummary")
    if not isinstance(summary, Mapping) or not summary:
        return
    errors = [
        str(e.get("description"))
        for entries in summary.values()
        if isinstance(entries, list)
        for e in entries
        if isinstance(e, Mapping) and e.get("level") == "ERROR"
    ]
    if not errors:
        return
    exc = dict(context.get("exception") or {})
    details = dict(exc.get("details") or {})
    merged = [
        *list(details.get("errors") or []),
        *[e for e in errors if e not in (details.get("errors") or [])],
    ]
    details["errors"] = merged
    exc["details"] = details
    context["exception"] = exc


def ancestors(stages: Sequence[StageRecord], stage: StageRecord) -> list[StageRecord]:
    """The stage itself, then its ancestors nearest first (Orca's ``ancestors()``): upstream stages by
    ``requisiteStageRefIds`` and their synthetic stages, recursively; a synthetic stage with no upstream
    continues with its parent (an after-stage first with its parent's before-stages)."""
    by_ref = {s.ref_id: s for s in stages}
    by_id = {s.id: s for s in stages}
    kids: dict[str, list[StageRecord]] = {}
    for s in stages:
        if s.parent_stage_id:
            kids.setdefault(s.parent_stage_id, []).append(s)
    out: list[StageRecord] = [stage]
    visited: set[str | None] = set()

    def walk(current: StageRecord) -> list[StageRecord]:
        visited.add(current.ref_id)
        if current.requisite_stage_ref_ids:
            previous = [
                by_ref[r] for r in current.requisite_stage_ref_ids if r in by_ref and r not in visited
            ]
            synthetic = [k for p in previous for k in kids.get(p.id, [])]
            found = [*previous, *synthetic]
            for p in previous:
                found += walk(p)
            return found
        if current.parent_stage_id and current.parent_stage_id in by_id:
            parent = by_id[current.parent_stage_id]
            if parent.ref_id in visited:
                return []
            found = []
            if current.synthetic_stage_owner == "STAGE_AFTER":
                found += [k for k in kids.get(parent.id, []) if k.synthetic_stage_owner == "STAGE_BEFORE"]
            found.append(parent)
            return found + walk(parent)
        return []

    seen: set[str] = {stage.id}
    for s in walk(stage):
        if s.id not in seen:
            seen.add(s.id)
            out.append(s)
    return out
