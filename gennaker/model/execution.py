"""Executions in Orca's JSON shape (what ``GET /pipelines/{id}`` returns).

Who uses it: the store builds these from its rows, the engine facade returns ``Execution.to_orca_json()``
to the API/CLI. Field names and nesting follow Orca's ``PipelineExecutionImpl``, ``StageExecutionImpl``
and ``TaskExecutionImpl`` serialisation; times are epoch milliseconds; ``stages`` is flat and includes
synthetic stages (``parentStageId``/``syntheticStageOwner``), ordered so before-stages precede their
parent and after-stages follow it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from gennaker.model.status import ExecutionStatus


class ExecutionType(StrEnum):
    """PIPELINE runs a config; ORCHESTRATION is an ad-hoc task (Gate's ``POST /tasks``)."""

    PIPELINE = "PIPELINE"
    ORCHESTRATION = "ORCHESTRATION"


class SyntheticStageOwner(StrEnum):
    """Where a synthetic stage runs relative to its parent."""

    STAGE_BEFORE = "STAGE_BEFORE"
    STAGE_AFTER = "STAGE_AFTER"


class _OrcaModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def to_orca_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class TaskExecution(_OrcaModel):
    """A task of a stage: ids are "1", "2"... in order."""

    id: str
    name: str
    implementing_class: str
    status: ExecutionStatus = ExecutionStatus.NOT_STARTED
    start_time: int | None = None
    end_time: int | None = None
    stage_start: bool = False
    stage_end: bool = False
    loop_start: bool = False
    loop_end: bool = False
    task_exception_details: dict[str, Any] = Field(default_factory=dict)


class StageExecution(_OrcaModel):
    """A stage of an execution (top-level or synthetic)."""

    id: str
    ref_id: str | None
    type: str
    name: str
    status: ExecutionStatus
    start_time: int | None = None
    end_time: int | None = None
    start_time_expiry: int | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    tasks: list[TaskExecution] = Field(default_factory=list)
    synthetic_stage_owner: SyntheticStageOwner | None = None
    parent_stage_id: str | None = None
    requisite_stage_ref_ids: list[str] = Field(default_factory=list)
    scheduled_time: int | None = None
    last_modified: dict[str, Any] | None = None


class PausedDetails(_OrcaModel):
    """``paused``: when the execution was last paused/resumed and the total paused milliseconds."""

    pause_time: int | None = None
    resume_time: int | None = None
    paused_ms: int = 0


class Execution(_OrcaModel):
    """A pipeline or orchestration execution."""

    type: ExecutionType
    id: str
    application: str
    name: str | None = None
    build_time: int
    start_time: int | None = None
    end_time: int | None = None
    start_time_expiry: int | None = None
    status: ExecutionStatus
    canceled: bool = False
    canceled_by: str | None = None
    cancellation_reason: str | None = None
    limit_concurrent: bool = False
    max_concurrent_executions: int = 0
    keep_waiting_pipelines: bool = False
    pipeline_config_id: str | None = None
    trigger: dict[str, Any] = Field(default_factory=dict)
    stages: list[StageExecution] = Field(default_factory=list)
    authentication: dict[str, Any] = Field(default_factory=dict)
    paused: PausedDetails | None = None
    origin: str = "api"
    description: str | None = None
    notifications: list[dict[str, Any]] = Field(default_factory=list)
    initial_config: dict[str, Any] = Field(default_factory=dict)
    system_notifications: list[dict[str, Any]] = Field(default_factory=list)
    spel_evaluator: str = "v4"
    template_variables: dict[str, Any] | None = None
    partition: str | None = None
