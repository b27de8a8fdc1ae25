"""The built-in controllers every sandbox runs, by name, and how they are installed.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` (``workloads=True`` installs all of them,
a list of names installs those, ``False`` none). The registry is data: one factory per name, each given
the cluster's :class:`~gennaker.sandbox.simulation.Simulation` and fault rules.

Names: ``scheduler``, ``kubelet`` (simulated nodes), ``replicaset``, ``deployment``, ``statefulset``,
``daemonset``, ``job``, ``cronjob``, ``horizontalpodautoscaler``, ``endpoints`` (Endpoints and
EndpointSlices), ``event-ttl``. Nothing here persists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .controllers import Controller, ObjectRef
from .kubelet.faults import FaultRules
from .kubelet.kubelet import Kubelet
from .kubelet.scheduler import Scheduler
from .simulation import Simulation
from .workloads.common import CRONJOBS
from .workloads.cronjob import CronJobController
from .workloads.daemonset import DaemonSetController
from .workloads.deployment import DeploymentController
from .workloads.endpoints import EndpointsController
from .workloads.events import EventReaper
from .workloads.hpa import HorizontalPodAutoscalerController
from .workloads.job import JobController
from .workloads.replicaset import ReplicaSetController
from .workloads.statefulset import StatefulSetController

if TYPE_CHECKING:
    from .cluster import SandboxCluster

Factory = Callable[[Simulation, FaultRules], Controller]

BUILTIN: dict[str, Factory] = {
    "scheduler": lambda sim, faults: Scheduler(events=sim.settings.pod_events),
    "kubelet": Kubelet,
    "replicaset": lambda sim, faults: ReplicaSetController(),
    "deployment": lambda sim, faults: DeploymentController(),
    "statefulset": lambda sim, faults: StatefulSetController(),
    "daemonset": lambda sim, faults: DaemonSetController(),
    "job": lambda sim, faults: JobController(sim),
    "cronjob": lambda sim, faults: CronJobController(sim),
    "horizontalpodautoscaler": lambda sim, faults: HorizontalPodAutoscalerController(),
    "endpoints": lambda sim, faults: EndpointsController(),
    "event-ttl": lambda sim, faults: EventReaper(sim.settings.event_ttl_seconds),
}


def install(cluster: SandboxCluster, names: Iterable[str] | None = None) -> list[str]:
    """Add the named built-in controllers (all when ``names`` is None) to ``cluster``; returns them."""
    chosen = list(BUILTIN) if names is None else list(names)
    unknown = [n for n in chosen if n not in BUILTIN]
    if unknown:
        raise ValueError(f"unknown built-in controller(s) {', '.join(unknown)}; known: {', '.join(BUILTIN)}")
    for name in chosen:
        cluster.controllers.add(BUILTIN[name](cluster.simulation, cluster.faults))
    if "cronjob" in chosen:
        # a jump of the sandbox clock makes every CronJob look at its schedule again
        def clock_jumped() -> None:
            for cj in cluster.api.store.list_objects(CRONJOBS):
                cluster.controllers.enqueue("cronjob", ObjectRef.of(CRONJOBS, cj))

        cluster.simulation.clock.on_jump(clock_jumped)
    return chosen
