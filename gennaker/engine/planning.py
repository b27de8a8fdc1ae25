"""Building stage rows: a new execution's stages from a pipeline config, synthetic stages, task lists.

Who uses it: the facade (launch) and the StartStage/CompleteStage handlers (synthetic stages). Orca's
conventions: stage ids are ULIDs; a config stage's context is its JSON minus ``type``, ``name``,
``refId`` and ``requisiteStageRefIds``; synthetic refIds are ``<parentRef><N`` (before) and
``<parentRef>>N`` (after), N counting that phase's synthetic stages from 1; tasks are numbered "1", "2"...
with ``stageStart`` on the first and ``stageEnd`` on the last.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from ulid import ULID

from gennaker.engine.stagedef import SyntheticStage, TaskDefinition
from gennaker.model import ExecutionStatus
from gennaker.store.executions import StageRecord

STRUCTURAL_KEYS = ("type", "name", "refId", "requisiteStageRefIds")


def new_id() -> str:
    """A new ULID string (execution and stage ids, as Orca uses)."""
    return str(ULID())


def with_downstream(stages: list[StageRecord]) -> list[StageRecord]:
    """Fill ``downstream_ref_ids`` among siblings (same parent)."""
    by_ref = {(s.parent_stage_id, s.ref_id): s for s in stages}
    for s in stages:
        s.downstream_ref_ids = []
    for s in stages:
        for parent_ref in s.requisite_stage_ref_ids:
            up = by_ref.get((s.parent_stage_id, parent_ref))
            if up is not None and s.ref_id is not None:
                up.downstream_ref_ids.append(s.ref_id)
    return stages


def stages_from_config(
    execution_id: str, config_stages: Sequence[Mapping[str, Any]], *, first_seq: int = 1
) -> list[StageRecord]:
    """Top-level stage rows for a new execution."""
    out = []
    for i, raw in enumerate(config_stages):
        context = {k: copy.deepcopy(v) for k, v in raw.items() if k not in STRUCTURAL_KEYS}
        stage_type = str(raw["type"])
        out.append(
            StageRecord(
                id=new_id(),
                execution_id=execution_id,
                seq=first_seq + i,
                ref_id=str(raw["refId"]) if raw.get("refId") is not None else str(i + 1),
                type=stage_type,
                name=str(raw.get("name") or stage_type),
                status=ExecutionStatus.NOT_STARTED.value,
                requisite_stage_ref_ids=[str(r) for r in raw.get("requisiteStageRefIds") or []],
                context=context,
                initial_context=copy.deepcopy(context),
            )
        )
    return with_downstream(out)


def synthetic_stages(
    parent: StageRecord, specs: Sequence[SyntheticStage], *, owner: str, existing: int, first_seq: int
) -> list[StageRecord]:
    """Rows for synthetic stages of ``parent``. Sequential specs are chained (each requires the previous
    one of this batch); parallel ones start together."""
    notation = "<" if owner == "STAGE_BEFORE" else ">"
    out: list[StageRecord] = []
    previous: str | None = None
    for i, spec in enumerate(specs):
        ref = f"{parent.ref_id}{notation}{existing + i + 1}"
        requisites = [previous] if (previous is not None and not spec.parallel) else []
        context = copy.deepcopy(dict(spec.context))
        out.append(
            StageRecord(
                id=new_id(),
                execution_id=parent.execution_id,
                seq=first_seq + i,
                ref_id=ref,
                type=spec.type,
                name=spec.name,
                status=ExecutionStatus.NOT_STARTED.value,
                parent_stage_id=parent.id,
                synthetic_stage_owner=owner,
                requisite_stage_ref_ids=requisites,
                context=context,
                initial_context=copy.deepcopy(context),
            )
        )
        if not spec.parallel:
            previous = ref
    return with_downstream(out)


def task_dicts(tasks: Sequence[TaskDefinition]) -> list[dict[str, Any]]:
    """Orca task JSON for a stage's task list."""
    n = len(tasks)
    return [
        {
            "id": str(i + 1),
            "name": t.name,
            "implementingClass": t.class_name,
            "status": ExecutionStatus.NOT_STARTED.value,
            "startTime": None,
            "endTime": None,
            "stageStart": i == 0,
            "stageEnd": i == n - 1,
            "loopStart": False,
            "loopEnd": False,
            "taskExceptionDetails": {},
        }
        for i, t in enumerate(tasks)
    ]
