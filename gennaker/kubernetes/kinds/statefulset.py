"""StatefulSet (apps/v1): a server group that scales, undoes and restarts.

Stability (clouddriver's KubernetesStatefulSetHandler): an ``OnDelete`` update strategy is always stable;
otherwise no status -> unstable; generation not observed; ``replicas`` or ``readyReplicas`` below desired;
with a ``partition``, ``updatedReplicas`` below ``replicas - partition``; without one, ``currentReplicas``
below desired or ``currentRevision`` different from ``updateRevision``. Never failed on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import (
    ManifestStatus,
    count,
    desired_replicas,
    generation_observed,
    server_group,
)


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    spec = obj.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") == "OnDelete":
        return ManifestStatus.default()
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        return ManifestStatus.none_reported()
    result = ManifestStatus.default()
    if not generation_observed(obj):
        return result.unstable("Waiting for statefulset spec update to be observed")
    desired = desired_replicas(obj)
    if count(st, "replicas") < desired:
        return result.unstable("Waiting for at least the desired replica count to be met")
    if count(st, "readyReplicas") < desired:
        return result.unstable("Waiting for all updated replicas to be ready")
    rolling = strategy.get("rollingUpdate") or {}
    partition = rolling.get("partition")
    if isinstance(partition, int) and partition > 0:
        if count(st, "updatedReplicas") < count(st, "replicas") - partition:
            return result.unstable("Waiting for partitioned roll out to finish")
        return result
    if count(st, "currentReplicas") < desired:
        return result.unstable("Waiting for all updated replicas to be scheduled")
    if st.get("updateRevision") != st.get("currentRevision"):
        return result.unstable("Waiting for the updated revision to match the current revision")
    return result


HANDLER = server_group(
    "StatefulSet", "apps", "statefulsets", status, can_scale=True, can_undo=True, can_restart=True
)
