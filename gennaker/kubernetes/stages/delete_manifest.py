"""deleteManifest: delete static, dynamic or label targets (Spinnaker's stage JSON).

Fields: the target (``manifestName`` + ``location``; ``cluster`` + ``criteria`` + ``kind`` + ``app``;
``kinds`` + ``labelSelectors``), ``options: {cascading, gracePeriodSeconds, orphanDependents}``
(``cascading`` false -> ``--cascade=orphan``, true -> background, or a policy name). Always
``--ignore-not-found``, so deleting what is already gone succeeds. Tasks: resolveTargetManifest,
deleteManifest. Outputs: ``manifestNamesByNamespace``, ``deletedManifests``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.engine.stagedef import StageDefinition, TaskInput
from gennaker.kubernetes import operations
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import targeted_stage
from gennaker.kubernetes.targets import Target

STAGE_TYPE = "deleteManifest"


def run_delete(
    service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    options = task.context.get("options")
    deleted = operations.delete(
        service, account, targets, options=options if isinstance(options, Mapping) else None
    )
    return {"deletedManifests": deleted}, {"deletedManifests": deleted}


def definition(locate: Locate) -> StageDefinition:
    return targeted_stage(
        STAGE_TYPE,
        locate,
        "deleteManifest",
        run_delete,
        wait=False,
        description="Delete Kubernetes objects (static, dynamic or label target).",
    )


register = registrar(definition)
