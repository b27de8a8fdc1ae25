"""ReplicaSet (apps/v1): a server group; versioned (``web-v003``) by default; the only kind whose pods
are relabelled by enable/disable (``has_pods``).

Stability (clouddriver's KubernetesReplicaSetHandler): no status -> unstable; generation not observed;
``fullyLabeledReplicas``, ``availableReplicas`` or ``readyReplicas`` below ``spec.replicas``. Never failed
on its own (pod problems fail it through the fail-fast check).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import (
    ManifestStatus,
    desired_replicas,
    first_shortfall,
    generation_observed,
    server_group,
)

CHECKS = (
    ("fullyLabeledReplicas", "Waiting for all replicas to be fully-labeled"),
    ("availableReplicas", "Waiting for all replicas to be available"),
    ("readyReplicas", "Waiting for all replicas to be ready"),
)


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    desired = desired_replicas(obj)
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        if desired == 0:
            return ManifestStatus.default()
        return ManifestStatus.none_reported()
    result = ManifestStatus.default()
    if not generation_observed(obj):
        return result.unstable("Waiting for replicaset spec update to be observed")
    short = first_shortfall(st, desired, CHECKS)
    return result.unstable(short) if short else result


HANDLER = server_group(
    "ReplicaSet", "apps", "replicasets", status, versioned=True, can_scale=True, has_pods=True
)
