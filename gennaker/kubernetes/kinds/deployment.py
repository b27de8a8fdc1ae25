"""Deployment (apps/v1): a server group manager; scales, undoes, pauses and restarts its rollouts.

Stability (clouddriver's KubernetesDeploymentHandler, checked in this order): no status -> unstable;
Progressing=False with reason ``ProgressDeadlineExceeded`` -> failed; ``observedGeneration`` behind
``generation``; ``updatedReplicas`` below desired; more ``replicas`` than ``updatedReplicas`` (old pods
still exist); ``availableReplicas`` below desired; ``readyReplicas`` below desired. ``spec.paused`` sets
``paused``; an ``Available`` condition that is not True sets ``available`` false (stability unaffected).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import (
    ManifestStatus,
    condition,
    count,
    desired_replicas,
    first_shortfall,
    generation_observed,
    server_group,
)

CHECKS = (
    ("availableReplicas", "Waiting for all replicas to be available"),
    ("readyReplicas", "Waiting for all replicas to be ready"),
)


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        return ManifestStatus.none_reported()
    result = ManifestStatus.default()
    if (obj.get("spec") or {}).get("paused") is True:
        result = result.pause("Deployment is paused")
    available = condition(obj, "Available")
    if available is not None and available.get("status") != "True":
        result = result.unavailable(str(available.get("message") or "Deployment is not available"))
    progressing = condition(obj, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        detail = progressing.get("message")
        message = "Deployment exceeded its progress deadline" + (f": {detail}" if detail else "")
        return result.failure(message).unstable(message)
    desired = desired_replicas(obj)
    if not generation_observed(obj):
        return result.unstable("Waiting for status generation to match updated object generation")
    if count(st, "updatedReplicas") < desired:
        return result.unstable("Waiting for all replicas to be updated")
    if count(st, "replicas") > count(st, "updatedReplicas"):
        return result.unstable("Waiting for old replicas to finish termination")
    short = first_shortfall(st, desired, CHECKS)
    return result.unstable(short) if short else result


HANDLER = server_group(
    "Deployment",
    "apps",
    "deployments",
    status,
    spinnaker_kind="serverGroupManagers",
    can_scale=True,
    can_undo=True,
    can_pause=True,
    can_restart=True,
    pod_owner="current-replicaset",
)
