"""pauseRolloutManifest: ``kubectl rollout pause`` on a Deployment (static or dynamic target). Other kinds
fail with "<kind name> does not support pausing its rollout". Tasks: resolveTargetManifest,
pauseRolloutManifest.
"""

from __future__ import annotations

from gennaker.engine.stagedef import StageDefinition
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import rollout_stage

STAGE_TYPE = "pauseRolloutManifest"


def definition(locate: Locate) -> StageDefinition:
    return rollout_stage(STAGE_TYPE, locate, "pause", "Pause a Deployment's rollout (kubectl rollout pause).")


register = registrar(definition)
