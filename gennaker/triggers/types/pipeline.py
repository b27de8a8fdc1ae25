"""The ``pipeline`` trigger: another pipeline ended with one of the listed statuses.

Trigger JSON (Echo's)::

    {"type": "pipeline", "enabled": true, "application": "shop", "pipeline": "<parent config id>",
     "status": ["successful", "failed", "canceled"]}

Who calls it: the pipeline-completion watcher of the trigger runtime (``gennaker.triggers.completions``)
builds an event with ``completion_event`` for each PIPELINE execution that completes. Matching: the
trigger's ``pipeline`` is the parent's config id and the parent's status, named as Echo names it
(SUCCEEDED -> ``successful``, CANCELED -> ``canceled``, SUSPENDED -> ``suspended``, any other finished
status -> ``failed``), is in ``status`` (case-insensitive). Runtime trigger: ``parentExecution`` (the
parent execution's JSON), ``parentPipelineId``, ``parentPipelineName``, ``parentPipelineApplication``,
``parentStatus``, and as ``artifacts`` every artifact of the parent (its stages' outputs, then its
trigger's). Event key: ``pipeline:<parent execution id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.model.artifacts import artifacts_of_execution
from gennaker.triggers.events import TriggerEvent
from gennaker.triggers.registry import Check

STATUS_NAMES = {"SUCCEEDED": "successful", "CANCELED": "canceled", "SUSPENDED": "suspended"}


def echo_status(status: str) -> str:
    """How Echo names a finished execution's status for pipeline triggers."""
    return STATUS_NAMES.get(status.upper(), "failed")


@dataclass(frozen=True)
class CompletionData:
    execution: dict[str, Any]
    status: str


def completion_event(execution: dict[str, Any]) -> TriggerEvent:
    status = echo_status(str(execution.get("status")))
    name = f"{execution.get('application')}/{execution.get('name')}"
    return TriggerEvent(
        type="pipeline",
        key=f"pipeline:{execution.get('id')}",
        source=str(execution.get("pipelineConfigId")),
        summary=f"pipeline {name} execution {execution.get('id')} ended {execution.get('status')} ({status})",
        data=CompletionData(execution, status),
        artifacts=artifacts_of_execution(execution),
        payload={
            "executionId": execution.get("id"),
            "pipelineConfigId": execution.get("pipelineConfigId"),
            "application": execution.get("application"),
            "name": execution.get("name"),
            "status": execution.get("status"),
        },
    )


class PipelineTrigger:
    type = "pipeline"
    secret_keys: frozenset[str] = frozenset()

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool:
        data: CompletionData = event.data
        return bool(trigger.get("pipeline")) and trigger.get("pipeline") == data.execution.get(
            "pipelineConfigId"
        )

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check:
        data: CompletionData = event.data
        wanted = trigger.get("status") or []
        names = [str(s).lower() for s in wanted] if isinstance(wanted, list) else []
        if data.status not in names:
            return Check.failed(f"the parent ended {data.status}, the trigger wants {names or 'no status'}")
        return Check.passed()

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]:
        data: CompletionData = event.data
        parent = data.execution
        return {
            "parentExecution": parent,
            "parentPipelineId": parent.get("id"),
            "parentPipelineName": parent.get("name"),
            "parentPipelineApplication": parent.get("application"),
            "parentStatus": parent.get("status"),
            "isPipeline": True,
        }


TRIGGER_TYPE = PipelineTrigger()
