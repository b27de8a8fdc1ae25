"""``GET /health``: the process answers and its database is reachable (Spring's ``{"status": "UP"}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gennaker import __version__
from gennaker.api.routers.deps import Service

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and database check")
def health(service: Service, request: Request) -> JSONResponse:
    body: dict[str, Any] = {
        "status": "UP",
        "version": __version__,
        "workers": request.app.state.worker_threads,
    }
    try:
        with service.runtime.db.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        body["database"] = "UP"
    except Exception as e:
        body.update(status="DOWN", database="DOWN", error=type(e).__name__)
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
