"""DaemonSet (apps/v1): a server group that undoes and restarts (it cannot scale).

Stability (clouddriver's KubernetesDaemonSetHandler): no status -> unstable; generation not observed; an
update strategy other than RollingUpdate is stable; otherwise ``currentNumberScheduled``,
``updatedNumberScheduled``, ``numberAvailable`` and ``numberReady`` must each reach
``desiredNumberScheduled``. Never failed on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import (
    ManifestStatus,
    count,
    first_shortfall,
    generation_observed,
    server_group,
)

CHECKS = (
    ("currentNumberScheduled", "Waiting for all replicas to be scheduled"),
    ("updatedNumberScheduled", "Waiting for all updated replicas to be scheduled"),
    ("numberAvailable", "Waiting for all replicas to be available"),
    ("numberReady", "Waiting for all replicas to be ready"),
)


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        return ManifestStatus.none_reported()
    result = ManifestStatus.default()
    if not generation_observed(obj):
        return result.unstable("Waiting for daemonset spec update to be observed")
    strategy = ((obj.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy != "RollingUpdate":
        return result
    short = first_shortfall(st, count(st, "desiredNumberScheduled"), CHECKS)
    return result.unstable(short) if short else result


HANDLER = server_group("DaemonSet", "apps", "daemonsets", status, can_undo=True, can_restart=True)
