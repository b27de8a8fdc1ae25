"""Gate's tasks: ``POST /tasks`` with a job (``createApplication``, ``updateApplication``,
``deleteApplication``, the classic server-group jobs, or any registered stage type) runs as an
ORCHESTRATION; the answer is ``{"ref": "/tasks/<id>"}`` as Gate gives; ``GET /tasks/{id}`` follows it;
``PUT /tasks/{id}/cancel``.

Classic server-group jobs (``resizeServerGroup``, ``enableServerGroup``, ``disableServerGroup``,
``destroyServerGroup``, ``rollbackServerGroup``, ``rollingRestartManifest``) are translated into the
manifest stages that implement them (``gennaker.kubernetes.classic.actions``) before the orchestration
starts; a server group that does not exist is a 400 naming the job field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Body, Request
from pydantic import ValidationError

from gennaker.api.routers.deps import Caller, Service, get_kubernetes
from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.model import Application, ConfigValidationError, ValidationIssue

router = APIRouter(tags=["tasks"])
APPLICATION_JOBS = ("createApplication", "updateApplication", "deleteApplication")
TASK_EXAMPLE = {
    "application": "shop",
    "description": "Create Application: shop",
    "job": [{"type": "createApplication", "application": {"name": "shop", "email": "team@example.com"}}],
}


def _check_job(task: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    job = task.get("job")
    if not isinstance(job, list) or not job:
        raise InvalidRequestError("job is required: a non-empty list of stages", field="job")
    issues: list[ValidationIssue] = []
    app_name = task.get("application")
    for i, step in enumerate(job):
        if not isinstance(step, Mapping):
            issues.append(ValidationIssue(field=f"job[{i}]", message="must be an object"))
            continue
        if step.get("type") in APPLICATION_JOBS:
            app = step.get("application")
            app = {"name": app} if isinstance(app, str) else app
            try:
                model = Application.model_validate(app)
            except ValidationError as e:
                for err in e.errors():
                    path = ".".join(str(p) for p in err["loc"])
                    issues.append(
                        ValidationIssue(
                            field=f"job[{i}].application{'.' + path if path else ''}", message=err["msg"]
                        )
                    )
                continue
            app_name = app_name or model.name
    if issues:
        raise ConfigValidationError(issues)
    if not isinstance(app_name, str) or not app_name:
        raise InvalidRequestError("application is required", field="application")
    return app_name, [dict(s) for s in job]


@router.post(
    "/tasks",
    summary="Run a task (Gate's createApplication / updateApplication / deleteApplication, server-group "
    "jobs such as resizeServerGroup, or any stage type)",
)
def create_task(
    request: Request,
    service: Service,
    caller: Caller,
    task: dict[str, Any] = Body(..., examples=[TASK_EXAMPLE]),
) -> dict[str, Any]:
    application, job = _check_job(task)
    from gennaker.kubernetes.classic import actions  # the classic jobs' module is not needed to start

    if any(actions.is_classic(step) for step in job):
        try:
            job = actions.translate(get_kubernetes(request), job)
        except actions.JobError as exc:
            raise ConfigValidationError([ValidationIssue(field=exc.field, message=str(exc))]) from None
    description = task.get("description")
    execution_id = service.start_orchestration(
        application, job, name=str(description) if description else None, principal=caller.name
    )
    return {"ref": f"/tasks/{execution_id}"}


@router.get("/tasks/{task_id}", summary="A task's orchestration and its status")
def get_task(task_id: str, service: Service) -> dict[str, Any]:
    found = service.get_execution(task_id)
    if found is None or found.get("type") != "ORCHESTRATION":
        raise NotFoundError(f"no task {task_id!r}")
    return found


@router.put("/tasks/{task_id}/cancel", summary="Cancel a task")
def cancel_task(task_id: str, service: Service, caller: Caller) -> dict[str, Any]:
    get_task(task_id, service)
    service.cancel_execution(task_id, principal=caller.name)
    return {"id": task_id, "canceled": True}
