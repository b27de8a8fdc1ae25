"""disableManifest: take the target out of its Services' traffic: their selector labels are removed from
its pod template and, for a ReplicaSet, from each of its pods, which keep running (a rollback re-enables
them).

Fields: the target (static or dynamic), optional ``loadBalancers: ["service web"]`` (default: the target's
``traffic.spinnaker.io/load-balancers`` annotation). The Services are never edited. Tasks:
resolveTargetManifest, disableManifest, waitForManifestToStabilize. Outputs: ``patchedManifests``.
"""

from __future__ import annotations

from gennaker.engine.stagedef import StageDefinition
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import traffic_stage

STAGE_TYPE = "disableManifest"


def definition(locate: Locate) -> StageDefinition:
    return traffic_stage(
        STAGE_TYPE,
        locate,
        enable=False,
        description="Take a workload out of its Services' traffic (its pods keep running).",
    )


register = registrar(definition)
