"""Execution and stage rows: the engine's state, read and written a few rows at a time.

Who calls it: the engine's handlers (inside the transaction that also acks their message and pushes the
next ones) and the facade (reads for the API). Records are plain slotted dataclasses, not ORM objects:
a handler loads the execution row and the one or two stage rows it needs, updates columns, and moves on.

Invariants: stage ``ref_id`` is unique within an execution (synthetic stages get ``<ref><N``/``<ref>>N``);
``downstream_ref_ids`` mirrors ``requisite_stage_ref_ids`` among siblings (same ``parent_stage_id``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gennaker.model import Execution, ExecutionStatus, StageExecution, TaskExecution
from gennaker.store.schema import executions as ex_t
from gennaker.store.schema import stages as st_t


@dataclass(slots=True)
class ExecutionRecord:
    """One ``executions`` row. ``body`` holds the Orca fields the engine never updates."""

    id: str
    type: str
    application: str
    pipeline_config_id: str | None
    name: str | None
    status: str
    build_time: int
    start_time: int | None = None
    end_time: int | None = None
    start_time_expiry: int | None = None
    canceled: bool = False
    canceled_by: str | None = None
    cancellation_reason: str | None = None
    limit_concurrent: bool = False
    max_concurrent_executions: int = 0
    keep_waiting_pipelines: bool = False
    waiting: bool = False
    trigger: dict[str, Any] = field(default_factory=dict)
    paused: dict[str, Any] | None = None
    pause_intervals: list[list[int]] | None = None
    body: dict[str, Any] = field(default_factory=dict)

    def paused_ms_since(self, start: int | None, now: int) -> int:
        """Milliseconds the execution spent paused between ``start`` and ``now`` (timeouts exclude them)."""
        if start is None:
            return 0
        total = 0
        for begin, end in self.pause_intervals or []:
            end_ = end if end else now
            lo, hi = max(begin, start), min(end_, now)
            if hi > lo:
                total += hi - lo
        return total


@dataclass(slots=True)
class StageRecord:
    """One ``stages`` row. ``tasks`` is a list of Orca task dicts."""

    id: str
    execution_id: str
    seq: int
    ref_id: str | None
    type: str
    name: str
    status: str
    start_time: int | None = None
    end_time: int | None = None
    start_time_expiry: int | None = None
    scheduled_time: int | None = None
    parent_stage_id: str | None = None
    synthetic_stage_owner: str | None = None
    requisite_stage_ref_ids: list[str] = field(default_factory=list)
    downstream_ref_ids: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    last_modified: dict[str, Any] | None = None
    initial_context: dict[str, Any] = field(default_factory=dict)


EXECUTION_FIELDS = [f.name for f in fields(ExecutionRecord)]
STAGE_FIELDS = [f.name for f in fields(StageRecord)]
# Columns enough to walk the graph (no JSON documents besides the ref lists).
GRAPH_FIELDS = [
    "id",
    "execution_id",
    "seq",
    "ref_id",
    "type",
    "name",
    "status",
    "start_time",
    "end_time",
    "parent_stage_id",
    "synthetic_stage_owner",
    "requisite_stage_ref_ids",
    "downstream_ref_ids",
]


# Statements built once (building and cache-keying a statement costs more than running it on SQLite).
_GET_EXECUTION = sa.select(*[ex_t.c[n] for n in EXECUTION_FIELDS]).where(ex_t.c.id == sa.bindparam("b_id"))
_GET_EXECUTION_FOR_UPDATE = _GET_EXECUTION.with_for_update()
_GET_STAGE = sa.select(*[st_t.c[n] for n in STAGE_FIELDS]).where(st_t.c.id == sa.bindparam("b_id"))
_UPDATE_STAGE = sa.update(st_t).where(st_t.c.id == sa.bindparam("b_id"))
_UPDATE_EXECUTION = sa.update(ex_t).where(ex_t.c.id == sa.bindparam("b_id"))
_GET_CHILDREN = (
    sa.select(*[st_t.c[n] for n in STAGE_FIELDS])
    .where(st_t.c.parent_stage_id == sa.bindparam("b_parent"))
    .order_by(st_t.c.seq)
)
_GET_BY_REF = sa.select(*[st_t.c[n] for n in STAGE_FIELDS]).where(
    st_t.c.execution_id == sa.bindparam("b_execution"),
    st_t.c.ref_id.in_(sa.bindparam("b_refs", expanding=True)),
)


_GET_STATUS_BY_REF = sa.select(*[st_t.c[n] for n in GRAPH_FIELDS]).where(
    st_t.c.execution_id == sa.bindparam("b_execution"),
    st_t.c.ref_id.in_(sa.bindparam("b_refs", expanding=True)),
)


def _execution(row: Any) -> ExecutionRecord:
    return ExecutionRecord(**row._mapping)


def _stage(row: Any) -> StageRecord:
    return StageRecord(**row._mapping)


def insert_execution(conn: Connection, execution: ExecutionRecord, stages: Sequence[StageRecord]) -> None:
    """Store a new execution and its planned stages."""
    conn.execute(sa.insert(ex_t), [{name: getattr(execution, name) for name in EXECUTION_FIELDS}])
    insert_stages(conn, stages)


def insert_stages(conn: Connection, stages: Sequence[StageRecord]) -> None:
    """Add stages (planned synthetic stages, or a new execution's stages)."""
    if stages:
        conn.execute(sa.insert(st_t), [{name: getattr(s, name) for name in STAGE_FIELDS} for s in stages])


def get_execution(conn: Connection, execution_id: str, *, lock: bool = False) -> ExecutionRecord | None:
    """The execution row; ``lock=True`` takes its row lock (PostgreSQL) so handlers of one execution
    serialise their short write transactions (SQLite's write lock already does)."""
    stmt = _GET_EXECUTION_FOR_UPDATE if lock and conn.dialect.name == "postgresql" else _GET_EXECUTION
    row = conn.execute(stmt, {"b_id": execution_id}).first()
    return _execution(row) if row else None


def update_execution(conn: Connection, execution_id: str, **values: Any) -> None:
    """Update columns of one execution."""
    conn.execute(_UPDATE_EXECUTION, {"b_id": execution_id, **values})


def get_stage(conn: Connection, stage_id: str) -> StageRecord | None:
    """One stage row by id."""
    row = conn.execute(_GET_STAGE, {"b_id": stage_id}).first()
    return _stage(row) if row else None


def get_stages_by_ref(conn: Connection, execution_id: str, ref_ids: Iterable[str]) -> list[StageRecord]:
    """Stages of an execution with the given refIds."""
    refs = list(ref_ids)
    if not refs:
        return []
    rows = conn.execute(_GET_BY_REF, {"b_execution": execution_id, "b_refs": refs})
    return [_stage(r) for r in rows]


def get_graph_by_ref(conn: Connection, execution_id: str, ref_ids: Sequence[str]) -> list[StageRecord]:
    """Graph columns (status, refs, parent...) of the stages with these refIds; JSON documents left empty."""
    if not ref_ids:
        return []
    rows = conn.execute(_GET_STATUS_BY_REF, {"b_execution": execution_id, "b_refs": list(ref_ids)})
    return [StageRecord(**r._mapping) for r in rows]


def get_stages(conn: Connection, execution_id: str, *, graph_only: bool = False) -> list[StageRecord]:
    """All stages of an execution in ``seq`` order; ``graph_only`` leaves the JSON documents empty."""
    names = GRAPH_FIELDS if graph_only else STAGE_FIELDS
    rows = conn.execute(
        sa.select(*[st_t.c[n] for n in names]).where(st_t.c.execution_id == execution_id).order_by(st_t.c.seq)
    )
    return [StageRecord(**r._mapping) for r in rows]


def get_children(conn: Connection, parent_stage_id: str) -> list[StageRecord]:
    """Synthetic stages of a parent, in ``seq`` order."""
    return [_stage(r) for r in conn.execute(_GET_CHILDREN, {"b_parent": parent_stage_id})]


def get_top_level_statuses(conn: Connection, execution_id: str) -> list[StageRecord]:
    """Top-level stages (graph columns plus context) for completing an execution."""
    names = [*GRAPH_FIELDS, "context"]
    rows = conn.execute(
        sa.select(*[st_t.c[n] for n in names]).where(
            st_t.c.execution_id == execution_id, st_t.c.parent_stage_id.is_(None)
        )
    )
    return [StageRecord(**r._mapping) for r in rows]


def update_stage(conn: Connection, stage_id: str, **values: Any) -> None:
    """Update columns of one stage."""
    conn.execute(_UPDATE_STAGE, {"b_id": stage_id, **values})


def delete_stages(conn: Connection, stage_ids: Sequence[str]) -> None:
    """Remove stages (synthetic stages dropped by a restart)."""
    if stage_ids:
        conn.execute(sa.delete(st_t).where(st_t.c.id.in_(list(stage_ids))))


def next_seq(conn: Connection, execution_id: str) -> int:
    """The ``seq`` for the next stage added to an execution."""
    value = conn.execute(
        sa.select(sa.func.max(st_t.c.seq)).where(st_t.c.execution_id == execution_id)
    ).scalar()
    return int(value or 0) + 1


def count_running(conn: Connection, config_id: str, *, exclude_id: str) -> int:
    """Executions of a config that are RUNNING or PAUSED (what ``limitConcurrent`` counts)."""
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(ex_t)
            .where(
                ex_t.c.pipeline_config_id == config_id,
                ex_t.c.status.in_([ExecutionStatus.RUNNING.value, ExecutionStatus.PAUSED.value]),
                ex_t.c.id != exclude_id,
            )
        ).scalar()
        or 0
    )


def waiting_execution_ids(conn: Connection, config_id: str) -> list[str]:
    """Executions queued behind ``limitConcurrent``, oldest first."""
    rows = conn.execute(
        sa.select(ex_t.c.id)
        .where(
            ex_t.c.pipeline_config_id == config_id,
            ex_t.c.waiting.is_(True),
            ex_t.c.status == ExecutionStatus.NOT_STARTED.value,
        )
        .order_by(ex_t.c.build_time, ex_t.c.id)
    )
    return [r[0] for r in rows]


def list_executions(
    conn: Connection,
    *,
    application: str | None = None,
    config_ids: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    execution_type: str | None = None,
    limit: int = 100,
) -> list[ExecutionRecord]:
    """Executions newest first, filtered."""
    stmt = sa.select(*[ex_t.c[n] for n in EXECUTION_FIELDS])
    if application is not None:
        stmt = stmt.where(ex_t.c.application == application)
    if config_ids is not None:
        stmt = stmt.where(ex_t.c.pipeline_config_id.in_(list(config_ids)))
    if statuses:
        stmt = stmt.where(ex_t.c.status.in_(list(statuses)))
    if execution_type is not None:
        stmt = stmt.where(ex_t.c.type == execution_type)
    stmt = stmt.order_by(ex_t.c.build_time.desc(), ex_t.c.id.desc()).limit(limit)
    return [_execution(r) for r in conn.execute(stmt)]


def running_execution_ids(conn: Connection) -> list[str]:
    """Executions not complete (used by the recovery check at start)."""
    rows = conn.execute(
        sa.select(ex_t.c.id).where(
            ex_t.c.status.in_([ExecutionStatus.RUNNING.value, ExecutionStatus.PAUSED.value])
        )
    )
    return [r[0] for r in rows]


# ---------------------------------------------------------------- rendering


def ordered_stages(stages: Sequence[StageRecord]) -> list[StageRecord]:
    """Orca's display order: each top-level stage preceded by its before-stages and followed by its
    after-stages (recursively), top-level stages in the order they were planned."""
    children: dict[str | None, list[StageRecord]] = {}
    for s in sorted(stages, key=lambda s: s.seq):
        children.setdefault(s.parent_stage_id, []).append(s)
    out: list[StageRecord] = []

    def emit(stage: StageRecord) -> None:
        kids = children.get(stage.id, [])
        for k in kids:
            if k.synthetic_stage_owner == "STAGE_BEFORE":
                emit(k)
        out.append(stage)
        for k in kids:
            if k.synthetic_stage_owner != "STAGE_BEFORE":
                emit(k)

    for top in children.get(None, []):
        emit(top)
    return out


def to_model(execution: ExecutionRecord, stages: Sequence[StageRecord]) -> Execution:
    """The execution in Orca's shape."""
    body = execution.body
    paused = execution.paused
    return Execution(
        type=execution.type,  # type: ignore[arg-type]
        id=execution.id,
        application=execution.application,
        name=execution.name,
        build_time=execution.build_time,
        start_time=execution.start_time,
        end_time=execution.end_time,
        start_time_expiry=execution.start_time_expiry,
        status=ExecutionStatus(execution.status),
        canceled=execution.canceled,
        canceled_by=execution.canceled_by,
        cancellation_reason=execution.cancellation_reason,
        limit_concurrent=execution.limit_concurrent,
        max_concurrent_executions=execution.max_concurrent_executions,
        keep_waiting_pipelines=execution.keep_waiting_pipelines,
        pipeline_config_id=execution.pipeline_config_id,
        trigger=execution.trigger,
        stages=[stage_model(s) for s in ordered_stages(stages)],
        authentication=body.get("authentication") or {},
        paused=paused,  # type: ignore[arg-type]
        origin=body.get("origin") or "api",
        description=body.get("description"),
        notifications=body.get("notifications") or [],
        initial_config=body.get("initialConfig") or {},
        system_notifications=body.get("systemNotifications") or [],
        spel_evaluator=body.get("spelEvaluator") or "v4",
        template_variables=body.get("templateVariables"),
        partition=body.get("partition"),
    )


def stage_model(s: StageRecord) -> StageExecution:
    """One stage in Orca's shape."""
    return StageExecution(
        id=s.id,
        ref_id=s.ref_id,
        type=s.type,
        name=s.name,
        status=ExecutionStatus(s.status),
        start_time=s.start_time,
        end_time=s.end_time,
        start_time_expiry=s.start_time_expiry,
        context=s.context,
        outputs=s.outputs,
        tasks=[TaskExecution.model_validate(t) for t in s.tasks],
        synthetic_stage_owner=s.synthetic_stage_owner,  # type: ignore[arg-type]
        parent_stage_id=s.parent_stage_id,
        requisite_stage_ref_ids=s.requisite_stage_ref_ids,
        scheduled_time=s.scheduled_time,
        last_modified=s.last_modified,
    )
