"""Dependencies shared by the routers: the facade, the providers and the caller."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from gennaker.api.principal import Principal, current_principal
from gennaker.api.providers import Providers, require
from gennaker.engine.service import PipelineService

if TYPE_CHECKING:  # the providers' modules are imported when they start, not when the API does
    from gennaker.artifacts.service import ArtifactAccountService
    from gennaker.canary.service import CanaryService
    from gennaker.kubernetes.service import KubernetesService
    from gennaker.triggers.runtime import TriggerRuntime


def get_service(request: Request) -> PipelineService:
    """The process's ``PipelineService`` (set by ``create_app``)."""
    service: PipelineService = request.app.state.service
    return service


Service = Annotated[PipelineService, Depends(get_service)]
Caller = Annotated[Principal, Depends(current_principal)]


def get_providers(request: Request) -> Providers | None:
    """The process's providers (``create_app(providers=...)``), or None when it runs none."""
    providers: Providers | None = getattr(request.app.state, "providers", None)
    return providers


OptionalProviders = Annotated[Providers | None, Depends(get_providers)]


def get_kubernetes(request: Request) -> KubernetesService:
    """The started Kubernetes provider; a 503 naming why when there is none (yet)."""
    service: KubernetesService = require(get_providers(request), "kubernetes")
    return service


def get_canary(request: Request) -> CanaryService:
    """The started canary service; a 503 naming why when there is none (yet)."""
    service: CanaryService = require(get_providers(request), "canary")
    return service


def get_artifacts(request: Request) -> ArtifactAccountService:
    """The started artifact account service; a 503 naming why when there is none (yet)."""
    service: ArtifactAccountService = require(get_providers(request), "artifacts")
    return service


def get_triggers(request: Request) -> TriggerRuntime:
    """The started trigger runtime; a 503 naming why when there is none (yet)."""
    runtime: TriggerRuntime = require(get_providers(request), "triggers")
    return runtime


if TYPE_CHECKING:
    Kubernetes = Annotated[KubernetesService, Depends(get_kubernetes)]
    Canary = Annotated[CanaryService, Depends(get_canary)]
    Artifacts = Annotated[ArtifactAccountService, Depends(get_artifacts)]
    Triggers = Annotated[TriggerRuntime, Depends(get_triggers)]
else:  # FastAPI only needs the dependency; the real types are for mypy (and keep start-up fast)
    Kubernetes = Annotated[Any, Depends(get_kubernetes)]
    Canary = Annotated[Any, Depends(get_canary)]
    Artifacts = Annotated[Any, Depends(get_artifacts)]
    Triggers = Annotated[Any, Depends(get_triggers)]
