"""``create_app``: the FastAPI application over one ``PipelineService``.

Who calls it: ``gennaker.api.server.serve`` (``gennaker server``) and tests (in-process or behind a real
uvicorn on a loopback port). ``on_startup``/``on_shutdown`` let the server start and stop in-process
workers with the application's lifespan. The OpenAPI document is at ``/openapi.json`` (UI at ``/docs``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gennaker import __version__
from gennaker.api import errors
from gennaker.api.principal import HeaderPrincipalResolver, PrincipalResolver
from gennaker.api.providers import Providers
from gennaker.api.routers import (
    applications,
    artifact_accounts,
    canary,
    canary_accounts,
    classic,
    credentials,
    events,
    executions,
    health,
    pipelines,
    tasks,
    webhooks,
)
from gennaker.engine.service import PipelineService

DESCRIPTION = """Gennaker's REST API. Paths follow Spinnaker's Gate, so `spin`-style scripts work:
pipeline configs, manual triggers, executions and user operations, applications, tasks, Kubernetes,
artifact and Docker registry accounts (credentials never returned), webhooks and the trigger event log;
Kayenta's canary configs, remote judge, canary runs and reports, and metrics accounts.
Every error is a 4xx whose `message` names what was wrong and where.
The caller is taken from the `X-Spinnaker-User` or `X-Gennaker-User` header (anonymous otherwise)."""


def create_app(
    service: PipelineService,
    *,
    principal_resolver: PrincipalResolver | None = None,
    on_startup: Callable[[], object] | None = None,
    on_shutdown: Callable[[], object] | None = None,
    worker_threads: int = 0,
    providers: Providers | None = None,
) -> FastAPI:
    """The API application. ``worker_threads`` is reported by ``/health``; ``providers`` (started by the
    caller) serve the Kubernetes, canary, artifact and trigger endpoints, which answer 503 without them."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        try:
            yield
        finally:
            if on_shutdown is not None:
                on_shutdown()

    app = FastAPI(
        title="Gennaker",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.principal_resolver = principal_resolver or HeaderPrincipalResolver()
    app.state.worker_threads = worker_threads
    app.state.providers = providers
    errors.install(app)
    for module in (
        health,
        applications,
        pipelines,
        executions,
        tasks,
        events,
        canary,
        canary_accounts,
        classic,
    ):
        app.include_router(module.router)
    for module in (credentials, artifact_accounts, webhooks):
        app.include_router(module.router)
    return app
