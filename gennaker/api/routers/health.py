"""``GET /health``: the process answers and its database is reachable (Spring's ``{"status": "UP"}``).

With providers, ``providers`` says whether they are ready, what started, the start-up error if any and
the embedded sandboxes' URLs (a provider still starting does not make the process DOWN)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gennaker import __version__
from gennaker.api.routers.deps import OptionalProviders, Service

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and database check")
def health(service: Service, providers: OptionalProviders, request: Request) -> JSONResponse:
    body: dict[str, Any] = {
        "status": "UP",
        "version": __version__,
        "workers": request.app.state.worker_threads,
    }
    if providers is not None:
        body["providers"] = providers.status()
    try:
        with service.runtime.db.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        body["database"] = "UP"
    except Exception as e:
        body.update(status="DOWN", database="DOWN", error=type(e).__name__)
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
