"""Dependencies shared by the routers: the facade and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gennaker.api.principal import Principal, current_principal
from gennaker.engine.service import PipelineService


def get_service(request: Request) -> PipelineService:
    """The process's ``PipelineService`` (set by ``create_app``)."""
    service: PipelineService = request.app.state.service
    return service


Service = Annotated[PipelineService, Depends(get_service)]
Caller = Annotated[Principal, Depends(current_principal)]
