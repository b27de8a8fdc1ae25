"""Instances: a pod in Spinnaker's instance shape, with health from its phase and readiness.

Who calls it: ``view`` (a server group's ``instances`` and ``instanceCounts``).

Health entries (Clouddriver's ``KubernetesHealth``): one ``kubernetes/pod`` entry from the phase and one
``kubernetes/container`` entry per container; with load balancers, one ``LoadBalancer`` entry saying
whether the pod is in their traffic (its labels carry a Service's selector). States:

- ``Up``: Running and Ready (container: ready);
- ``Starting``: Pending without a problem, or Running but not Ready yet (no restart, no waiting error);
- ``Down``: a waiting container with an error (ImagePullBackOff, CrashLoopBackOff, ...), a container that
  restarted and is not ready, phase Failed, or a pod being deleted;
- ``OutOfService``: ready, but none of its server group's load balancers selects it (disabled);
- ``Unknown``: phase Unknown or no status reported yet; a Succeeded (Job) pod.

The instance's ``healthState`` aggregates the entries as Spinnaker does: any Down -> Down, else any
OutOfService -> OutOfService, else any Starting -> Starting, else all Up -> Up, else Unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.kubernetes.manifests.traffic import selector_of

UP, DOWN, STARTING, OUT_OF_SERVICE, UNKNOWN = "Up", "Down", "Starting", "OutOfService", "Unknown"
STATES = (UP, DOWN, STARTING, OUT_OF_SERVICE, UNKNOWN)
#: waiting reasons that are not problems (the container is on its way).
STARTING_REASONS = frozenset({"ContainerCreating", "PodInitializing"})


def _container_health(status: Mapping[str, Any]) -> dict[str, Any]:
    name = str(status.get("name") or "")
    entry: dict[str, Any] = {"type": "kubernetes/container", "source": f"Container {name}"}
    state = status.get("state") or {}
    waiting = state.get("waiting") if isinstance(state, Mapping) else None
    if status.get("ready"):
        entry["state"] = UP
    elif isinstance(waiting, Mapping) and waiting.get("reason") not in (None, *STARTING_REASONS):
        entry["state"] = DOWN
        entry["description"] = str(waiting.get("message") or waiting.get("reason"))
    elif int(status.get("restartCount") or 0) > 0:
        entry["state"] = DOWN
        entry["description"] = f"restarted {status.get('restartCount')} time(s) and is not ready"
    else:
        entry["state"] = STARTING
    return entry


def _pod_health(pod: Mapping[str, Any]) -> dict[str, Any]:
    status = pod.get("status") or {}
    phase = status.get("phase")
    entry: dict[str, Any] = {"type": "kubernetes/pod", "source": "Pod"}
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        entry.update(state=DOWN, description="the pod is terminating")
    elif phase == "Running":
        entry["state"] = UP
    elif phase == "Pending":
        entry["state"] = STARTING
    elif phase == "Failed":
        entry.update(state=DOWN, description=str(status.get("message") or status.get("reason") or "failed"))
    else:
        entry["state"] = UNKNOWN
    return entry


def aggregate(states: Sequence[str]) -> str:
    """Spinnaker's aggregate of health states (see the module docstring)."""
    for state in (DOWN, OUT_OF_SERVICE, STARTING):
        if state in states:
            return state
    known = [s for s in states if s != UNKNOWN]
    return UP if known and len(known) == len(states) else UNKNOWN


def health_of(
    pod: Mapping[str, Any], load_balancers: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """The pod's health entries; ``load_balancers`` are the live Services its server group names."""
    entries = [_pod_health(pod)]
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    entries += [_container_health(s) for s in statuses if isinstance(s, Mapping)]
    if not statuses and entries[0]["state"] == UP:
        entries.append({"type": "kubernetes/container", "source": "Containers", "state": STARTING})
    if load_balancers:
        labels = (pod.get("metadata") or {}).get("labels") or {}
        names = [f"service {(s.get('metadata') or {}).get('name')}" for s in load_balancers]
        selected = any(
            sel and all(labels.get(k) == v for k, v in sel.items())
            for sel in (selector_of(s) for s in load_balancers)
        )
        entries.append(
            {"type": "LoadBalancer", "loadBalancers": names, "state": UP if selected else OUT_OF_SERVICE}
        )
    return entries


def instance(
    pod: Mapping[str, Any], account: str, load_balancers: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """A pod as Spinnaker's instance."""
    metadata = pod.get("metadata") or {}
    status = pod.get("status") or {}
    health = health_of(pod, load_balancers)
    states = [h["state"] for h in health]
    # a pod that is not ready yet is not out of service: it is starting (or down)
    if OUT_OF_SERVICE in states and any(s in (STARTING, DOWN) for s in states):
        states = [s for s in states if s != OUT_OF_SERVICE]
    name = str(metadata.get("name") or "")
    return {
        "name": f"pod {name}",
        "displayName": name,
        "id": str(metadata.get("uid") or name),
        "account": account,
        "region": str(metadata.get("namespace") or ""),
        "namespace": str(metadata.get("namespace") or ""),
        "cloudProvider": "kubernetes",
        "providerType": "kubernetes",
        "kind": "pod",
        "zone": str((pod.get("spec") or {}).get("nodeName") or ""),
        "launchTime": status.get("startTime"),
        "phase": status.get("phase"),
        "health": health,
        "healthState": aggregate(states),
        "isHealthy": aggregate(states) == UP,
    }


def counts(instances: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Spinnaker's ``instanceCounts`` of a server group."""
    out = {"total": len(instances), "up": 0, "down": 0, "starting": 0, "outOfService": 0, "unknown": 0}
    keys = {UP: "up", DOWN: "down", STARTING: "starting", OUT_OF_SERVICE: "outOfService", UNKNOWN: "unknown"}
    for inst in instances:
        out[keys[str(inst["healthState"])]] += 1
    return out
