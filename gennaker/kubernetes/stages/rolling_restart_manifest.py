"""rollingRestartManifest: ``kubectl rollout restart`` on a Deployment, StatefulSet or DaemonSet (static or
dynamic target); no wait for stability, as in Spinnaker. Other kinds fail with "<kind name> does not
support rolling restart". Tasks: resolveTargetManifest, rollingRestartManifest.
"""

from __future__ import annotations

from gennaker.engine.stagedef import StageDefinition
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import rollout_stage

STAGE_TYPE = "rollingRestartManifest"


def definition(locate: Locate) -> StageDefinition:
    return rollout_stage(
        STAGE_TYPE,
        locate,
        "restart",
        "Restart the pods of a Deployment, StatefulSet or DaemonSet (kubectl rollout restart).",
    )


register = registrar(definition)
