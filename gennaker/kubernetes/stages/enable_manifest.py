"""enableManifest: put the target back into its Services' traffic: their selector labels are added to its pod
template and, for a ReplicaSet, to each of its pods.

Fields: the target (static or dynamic), optional ``loadBalancers: ["service web"]`` (default: the target's
``traffic.spinnaker.io/load-balancers`` annotation). The Services are never edited. Tasks:
resolveTargetManifest, enableManifest, waitForManifestToStabilize. Outputs: ``patchedManifests``.
"""

from __future__ import annotations

from gennaker.engine.stagedef import StageDefinition
from gennaker.kubernetes.stages.common import Locate, registrar
from gennaker.kubernetes.stages.targeted import traffic_stage

STAGE_TYPE = "enableManifest"


def definition(locate: Locate) -> StageDefinition:
    return traffic_stage(
        STAGE_TYPE, locate, enable=True, description="Put a workload back into its Services' traffic."
    )


register = registrar(definition)
