"""scaleManifest: ``kubectl scale --replicas`` on a Deployment, ReplicaSet or StatefulSet, then wait.

Fields: the target (static or dynamic), ``replicas``. Other kinds fail with "<kind name> does not support
scaling". Tasks: resolveTargetManifest, scaleManifest, waitForManifestToStabilize.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.engine.stagedef import StageDefinition, TaskInput
from gennaker.kubernetes import operations
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.common import Locate, int_field, registrar
from gennaker.kubernetes.stages.targeted import targeted_stage
from gennaker.kubernetes.targets import Target

STAGE_TYPE = "scaleManifest"


def run_scale(
    service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    replicas = int_field(task, "replicas", minimum=0)
    for target in targets:
        operations.scale(service, account, target, replicas)
    return {}, {}


def definition(locate: Locate) -> StageDefinition:
    return targeted_stage(
        STAGE_TYPE,
        locate,
        "scaleManifest",
        run_scale,
        wait=True,
        allow_label=False,
        description="Scale a Deployment, ReplicaSet or StatefulSet and wait until it is stable.",
    )


register = registrar(definition)
