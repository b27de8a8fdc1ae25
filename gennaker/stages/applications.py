"""Application stages for Gate's ``POST /tasks`` jobs: ``createApplication``, ``updateApplication`` and
``deleteApplication`` (Orca's ``UpsertApplicationStage``/``DeleteApplicationStage``).

The API starts an ORCHESTRATION whose stage context is the job (``{type, application: {...}}``); the
task saves or deletes the application through the engine facade as the user who asked (recorded in the
audit log). ``updateApplication`` of an unknown application fails; ``createApplication`` of an existing
one updates it (Front50 upserts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult


class ApplicationJobError(ValueError):
    """The job's ``application`` is missing or wrong."""


def _application(task: TaskInput) -> dict[str, Any]:
    app = task.context.own.get("application")
    if isinstance(app, str):
        return {"name": app}
    if not isinstance(app, Mapping) or not app.get("name"):
        raise ApplicationJobError("the job needs application: {name, ...}")
    return dict(app)


def _services(task: TaskInput) -> Any:
    if task.services is None:
        raise ApplicationJobError("the engine facade is not available")
    return task.services


def run_upsert(task: TaskInput) -> TaskResult:
    app = _application(task)
    services = _services(task)
    if task.stage_type == "updateApplication" and services.get_application(str(app["name"])) is None:
        raise ApplicationJobError(f"application {app['name']!r} does not exist")
    saved = services.save_application(app, principal=task.principal)
    return TaskResult.succeeded({"application": saved}, {"application": saved["name"]})


def run_delete(task: TaskInput) -> TaskResult:
    app = _application(task)
    deleted = _services(task).delete_application(str(app["name"]), principal=task.principal)
    return TaskResult.succeeded({"deleted": deleted})


def _stage(type_: str, run: Any, name: str) -> StageDefinition:
    return StageDefinition(
        type=type_,
        tasks=(
            TaskDefinition(name=name, run=run, implementing_class=f"gennaker.stages.applications.{name}"),
        ),
        description=f"Gate task job: {type_}.",
    )


CREATE_APPLICATION = _stage("createApplication", run_upsert, "upsertApplication")
UPDATE_APPLICATION = _stage("updateApplication", run_upsert, "upsertApplication")
DELETE_APPLICATION = _stage("deleteApplication", run_delete, "deleteApplication")


def register(registry: StageRegistry) -> None:
    for definition in (CREATE_APPLICATION, UPDATE_APPLICATION, DELETE_APPLICATION):
        registry.register(definition)
