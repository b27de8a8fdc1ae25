"""Applications: Gate's ``GET /applications``, ``GET /applications/{app}`` and native create, update and
delete (``POST /applications``, ``PUT``/``DELETE /applications/{app}``). Gate's ``POST /tasks`` jobs are
in ``tasks``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query

from gennaker.api.routers.deps import Caller, Service
from gennaker.engine.errors import InvalidRequestError, NotFoundError

router = APIRouter(tags=["applications"])

APP_EXAMPLE = {
    "name": "shop",
    "email": "team@example.com",
    "description": "The shop",
    "cloudProviders": "kubernetes",
}


@router.get("/applications", summary="List applications")
def list_applications(service: Service) -> list[dict[str, Any]]:
    return service.list_applications()


@router.get("/applications/{application}", summary="One application (Gate's shape: name, attributes)")
def get_application(application: str, service: Service) -> dict[str, Any]:
    found = service.get_application(application)
    if found is None:
        raise NotFoundError(f"no application {application!r}")
    return {"name": found["name"], "attributes": found, "clusters": {}}


@router.post("/applications", summary="Create or update an application")
def create_application(
    service: Service, caller: Caller, application: dict[str, Any] = Body(..., examples=[APP_EXAMPLE])
) -> dict[str, Any]:
    return service.save_application(application, principal=caller.name)


@router.put("/applications/{application}", summary="Update an application")
def update_application(
    application: str,
    service: Service,
    caller: Caller,
    body: dict[str, Any] = Body(..., examples=[APP_EXAMPLE]),
) -> dict[str, Any]:
    name = body.get("name", application)
    if not isinstance(name, str) or name.lower() != application.lower():
        raise InvalidRequestError(
            f"the body's name {name!r} does not match the application {application!r} in the path",
            field="name",
        )
    if service.get_application(application) is None:
        raise NotFoundError(f"no application {application!r}")
    return service.save_application({**body, "name": application}, principal=caller.name)


@router.get("/audit", summary="Who changed what, newest first (Gennaker's audit log)")
def audit(
    service: Service,
    application: str | None = None,
    target_id: str | None = Query(None, alias="targetId"),
    limit: int = Query(200, ge=1, le=5000),
) -> list[dict[str, Any]]:
    entries = service.audit_log(
        application=application.lower() if application else None, target_id=target_id, limit=limit
    )
    return [
        {
            "ts": e.ts,
            "principal": e.principal,
            "action": e.action,
            "targetType": e.target_type,
            "targetId": e.target_id,
            "application": e.application,
            "details": e.details,
        }
        for e in entries
    ]


@router.delete("/applications/{application}", summary="Delete an application")
def delete_application(application: str, service: Service, caller: Caller) -> dict[str, Any]:
    if not service.delete_application(application, principal=caller.name):
        raise NotFoundError(f"no application {application!r}")
    return {"deleted": application.lower()}
