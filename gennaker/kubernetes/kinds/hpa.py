"""HorizontalPodAutoscaler (autoscaling/v2): attached to a workload after it (priority 110).

Stability (clouddriver's KubernetesHorizontalPodAutoscalerHandler): ``currentReplicas`` different from
``desiredReplicas`` -> unstable; no status yet -> unstable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import WORKLOAD_ATTACHMENT_PRIORITY, KindHandler, ManifestStatus, count


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        return ManifestStatus.none_reported()
    if count(st, "currentReplicas") != count(st, "desiredReplicas"):
        return ManifestStatus.default().unstable("Waiting for HPA to complete a scaling event")
    return ManifestStatus.default()


HANDLER = KindHandler(
    kind="HorizontalPodAutoscaler",
    group="autoscaling",
    version="v2",
    plural="horizontalpodautoscalers",
    priority=WORKLOAD_ATTACHMENT_PRIORITY,
    cached=True,
    status=status,
)
