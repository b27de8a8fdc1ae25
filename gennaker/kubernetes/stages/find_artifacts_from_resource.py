"""findArtifactsFromResource: the artifacts a live object uses, for later stages to bind (how an image
running in staging is promoted to production).

Fields: the target (static ``manifestName`` + ``location``, or dynamic), and the stage's own
``expectedArtifacts`` (``[{id, matchArtifact, ...}]``) bound from what was found. Outputs: ``manifest``
(the live object, Secrets without data), ``artifacts`` (its images as ``docker/image``, its ConfigMaps and
Secrets as ``kubernetes/configMap|secret``, an HPA's target, the object itself), and with
``expectedArtifacts`` also ``resolvedExpectedArtifacts`` (a later stage's ``requiredArtifactIds`` names
them). Tasks: resolveTargetManifest, findArtifactsFromResource, bindProducedArtifacts. Orca's internal
name ``findArtifactFromResource`` is accepted as an alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.artifacts.produced import artifacts_from_resource
from gennaker.engine.stagedef import StageDefinition, TaskInput
from gennaker.kubernetes.errors import TargetNotFoundError
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.artifacts import bind_produced_task
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import operation_task, resolve_task
from gennaker.kubernetes.targets import Target

STAGE_TYPE = "findArtifactsFromResource"


def run_find(
    service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if not targets:
        raise TargetNotFoundError("findArtifactsFromResource found no object to read")
    target = targets[0]
    obj = service.live_object(account, target.kind, target.namespace, target.name)
    if obj is None:
        raise TargetNotFoundError(f"{target.describe()} does not exist on account {account}")
    artifacts = [a.to_json() for a in artifacts_from_resource(obj, account)]
    return {"manifest": obj, "artifacts": artifacts}, {"manifest": obj, "artifacts": artifacts}


def definition(locate: Locate) -> StageDefinition:
    return StageDefinition(
        type=STAGE_TYPE,
        tasks=(
            resolve_task(locate, allow_label=False),
            operation_task(locate, "findArtifactsFromResource", run_find),
            bind_produced_task("artifacts"),
        ),
        aliases=("findArtifactFromResource",),
        description="Read a live object's artifacts (images, ConfigMaps, Secrets) for later stages to bind.",
    )


register = registrar(definition)
