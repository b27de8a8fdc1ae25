"""resumeRolloutManifest: ``kubectl rollout resume`` on a paused Deployment (static or dynamic target). Other
kinds fail with "<kind name> does not support resuming its rollout". Tasks: resolveTargetManifest,
resumeRolloutManifest.
"""

from __future__ import annotations

from gennaker.engine.stagedef import StageDefinition
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import rollout_stage

STAGE_TYPE = "resumeRolloutManifest"


def definition(locate: Locate) -> StageDefinition:
    return rollout_stage(
        STAGE_TYPE, locate, "resume", "Resume a Deployment's paused rollout (kubectl rollout resume)."
    )


register = registrar(definition)
