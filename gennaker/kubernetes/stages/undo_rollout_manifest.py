"""undoRolloutManifest: roll a Deployment, StatefulSet or DaemonSet back, then wait.

Fields: the target (static or dynamic), ``numRevisionsBack`` (default 1) or an absolute ``revision``.
The revision is picked from ``kubectl rollout history`` (ascending; index ``len - numRevisionsBack - 1``;
"There are N revision(s) in total, cannot rollback M" when there are not enough), then
``kubectl rollout undo --to-revision``. A ReplicaSet fails with "<kind name> does not support undo
rollout": versioned ReplicaSets roll back with enableManifest on the older version and disableManifest on
the newer one. Because ConfigMaps and Secrets are versioned and the Deployment pins the exact versions it
was deployed with, the old template brings its old configuration back. Tasks: resolveTargetManifest,
undoRolloutManifest, waitForManifestToStabilize. Outputs: ``revision``.
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

STAGE_TYPE = "undoRolloutManifest"


def run_undo(
    service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    revision = int_field(task, "revision", minimum=1) if task.context.get("revision") is not None else None
    back = int_field(task, "numRevisionsBack", default=1, minimum=1)
    done = [
        operations.undo_rollout(service, account, t, revisions_back=back, revision=revision) for t in targets
    ]
    return {"revision": done[0] if done else None}, {"revision": done[0] if done else None}


def definition(locate: Locate) -> StageDefinition:
    return targeted_stage(
        STAGE_TYPE,
        locate,
        "undoRolloutManifest",
        run_undo,
        wait=True,
        allow_label=False,
        description="Roll a Deployment, StatefulSet or DaemonSet back to an earlier revision.",
    )


register = registrar(definition)
