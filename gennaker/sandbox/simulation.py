"""How the sandbox simulates time: kubelet delays, compressed back-offs, the clock CronJobs read.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` builds one :class:`Simulation` (settings,
clock, fault rules, application metrics) and hands it to the workload controllers, the scheduler and the
kubelet; tests and ``gennaker.sandbox.serve`` configure it.

- :class:`SimulationSettings`: sandbox-wide defaults. Every pod may override the delays with annotations
  on its template (see :data:`ANNOTATIONS`); ``time_scale`` compresses durations Kubernetes itself
  chooses (crash and image-pull back-offs of 10 s, 20 s, 40 s ... 5 min, Job retry back-offs, probes'
  ``initialDelaySeconds``) so a failing pod shows its real sequence of states in seconds.
- :class:`SandboxClock`: wall-clock time plus an offset tests can move forward (``advance``); the
  CronJob controller schedules by it, and listeners (the CronJob controller) are told when it jumps.

Nothing here persists (settings come from the constructor, the clock offset starts at zero).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PREFIX = "sandbox.gennaker.io/"

#: Pod (template) annotations the simulation reads, with what they mean.
ANNOTATIONS: dict[str, str] = {
    PREFIX + "start-delay": "seconds from scheduling until the containers run (image pull + create)",
    PREFIX + "ready-delay": "seconds from running until Ready (plus a readiness probe's initialDelaySeconds)",
    PREFIX + "run-seconds": "seconds a Job container runs before it exits (0 = exit at once)",
    PREFIX + "exit-code": "exit code of a container that fails (fault 'fail' or 'crash-loop'; default 1)",
    PREFIX + "fault": "never-ready | image-pull-backoff | crash-loop | slow-start | fail",
    PREFIX + "fault-containers": "comma-separated container names the fault applies to (default: all)",
    PREFIX + "slow-start-seconds": "seconds a 'slow-start' container takes to become Ready (default 30)",
    PREFIX + "metrics-rps": "simulated requests per second of each pod (default 10)",
    PREFIX + "metrics-error-rate": "fraction of requests that fail, 0..1 (default 0.01)",
    PREFIX + "metrics-latency-ms": "mean request latency in milliseconds (default 50)",
    PREFIX + "metrics-latency-sigma": "spread of the log-normal latency distribution (default 0.5)",
    PREFIX + "metrics-seed": "seed of the pod's metric noise (default: the pod name)",
    PREFIX + "cpu-load": "total CPU load in percent of one pod's request, shared by the ready pods (HPA)",
}


@dataclass
class SimulationSettings:
    """Sandbox-wide simulation defaults (per-pod annotations override the delays)."""

    #: scheduled -> containers running (image pull and container creation).
    start_delay: float = 0.2
    #: running -> Ready, for containers without a readiness probe delay.
    ready_delay: float = 0.5
    #: how long a Job's container runs before it exits 0.
    run_seconds: float = 1.0
    #: graceful deletion lasts min(this, the pod's grace period) before the kubelet removes the pod.
    termination_seconds: float = 0.2
    #: factor applied to Kubernetes' own durations: back-offs, probe initial delays, Job retry delays.
    time_scale: float = 0.1
    #: how long a crash-looping container runs before it exits.
    crash_run_seconds: float = 0.5
    #: default time a 'slow-start' container takes to become Ready.
    slow_start_seconds: float = 30.0
    #: whether the kubelet and scheduler record pod Events (Scheduled, Pulling, Started ...).
    pod_events: bool = True
    #: Events older than this are deleted (kube-apiserver's --event-ttl, 1 h).
    event_ttl_seconds: float = 3600.0
    #: default simulated application metrics (see :mod:`gennaker.sandbox.appmetrics`).
    metrics_rps: float = 10.0
    metrics_error_rate: float = 0.01
    metrics_latency_ms: float = 50.0
    metrics_latency_sigma: float = 0.5


class SandboxClock:
    """Wall-clock seconds plus an offset that tests move forward; listeners hear about jumps."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        """Seconds since the epoch, as the sandbox sees them."""
        return time.time() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward by ``seconds`` (never backward); returns the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
        self._notify()
        return self.now()

    def set(self, when: float) -> float:
        """Jump to ``when`` (epoch seconds) if it is in the future."""
        return self.advance(max(0.0, when - self.now()))

    def on_jump(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()


@dataclass
class Simulation:
    """Everything simulated about a sandbox: settings, clock and (set by the cluster) fault rules."""

    settings: SimulationSettings = field(default_factory=SimulationSettings)
    clock: SandboxClock = field(default_factory=SandboxClock)
    # The kubelet's fault rules (gennaker.sandbox.kubelet.faults.FaultRules); typed loosely to keep this
    # module free of kubelet imports.
    faults: Any = None


def annotation_float(annotations: Mapping[str, Any] | None, name: str, default: float) -> float:
    """A non-negative float from an annotation (``default`` when absent or malformed)."""
    raw = (annotations or {}).get(PREFIX + name)
    if raw is None:
        return default
    try:
        value = float(str(raw).strip().rstrip("s"))
    except ValueError:
        return default
    return value if value >= 0 else default


def annotation_int(annotations: Mapping[str, Any] | None, name: str, default: int) -> int:
    raw = (annotations or {}).get(PREFIX + name)
    if raw is None:
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        return default
