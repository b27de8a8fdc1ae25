"""Pod (v1): an instance; versioned when deployed bare (``web-v000``).

Stability (clouddriver's KubernetesPodHandler): phase Pending, Failed or Unknown -> unstable. Unlike
Spinnaker, a bare Pod in phase Failed is also *failed* (it never recovers: waiting would only end at the
timeout), with the pod's reason and message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import WORKLOAD_PRIORITY, KindHandler, ManifestStatus


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        return ManifestStatus.none_reported()
    phase = st.get("phase")
    result = ManifestStatus.default()
    if phase == "Failed":
        detail = st.get("message") or st.get("reason") or "the pod failed"
        message = f"Pod failed: {detail}"
        return result.failure(message).unstable(message)
    if phase in (None, "Pending", "Unknown"):
        return result.unstable(f"Pod is {phase or 'not scheduled yet'}")
    return result


HANDLER = KindHandler(
    kind="Pod",
    group="",
    version="v1",
    plural="pods",
    versioned=True,
    priority=WORKLOAD_PRIORITY,
    spinnaker_kind="instances",
    cached=True,
    status=status,
    pod_owner="self",
)
