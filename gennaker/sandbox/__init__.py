"""A Kubernetes API server that runs in-process or standalone, for real kubectl and the real Kubernetes
Python client. It imports nothing from the rest of gennaker, so it can be reasoned about (and shipped) alone.

Public API:
- :class:`SandboxCluster` (``cluster.py``): start/stop, ``url``, ``write_kubeconfig``, ``controllers``;
- :func:`serve` (``cluster.py``): the standalone server (``python -m gennaker.sandbox serve``);
- :class:`Controller`, :class:`ObjectRef`, :class:`SystemClient` (``controllers.py``): the extension point
  for controllers and simulated kubelets;
- :class:`SimulationSettings` (``simulation.py``): kubelet timings; :class:`FaultRule`
  (``kubelet/faults.py``): sandbox-wide fault injection by image pattern.

Map of the package: ``apiserver`` (the read/write pipeline; ``deletion`` and ``writes`` beside it)
uses ``store`` (objects, resourceVersion, event log), ``registry`` + ``kinds/`` (per-kind data:
defaulting, validation, columns), ``schema`` (Kubernetes 1.37 schemas), ``patch/`` (JSON, merge,
strategic), ``apply`` + ``managedfields`` (server-side apply), ``fieldvalidation``, ``admission``;
``watch`` streams events; ``discovery``, ``openapi``, ``tables`` shape documents; ``web/`` is HTTP; ``gc``
and ``crd`` are core loops built on ``controllers``; ``protobuf`` decodes kubectl's protobuf bodies;
``persistence`` saves state. On top of the core: ``builtin`` registers the built-in controllers —
``workloads/`` (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, HPA, Endpoints, Events) and
``kubelet/`` (scheduler, simulated kubelets, fault injection, logs) — timed by ``simulation`` (settings,
the sandbox clock); ``appmetrics/`` simulates application metrics (``/metrics``); ``control`` serves the
``/_sandbox/faults`` and ``/_sandbox/clock`` control paths.
"""

from .cluster import SandboxCluster, serve
from .controllers import Controller, ControllerContext, ObjectRef, SystemClient
from .kubelet.faults import FaultRule
from .simulation import SimulationSettings

__all__ = [
    "Controller",
    "ControllerContext",
    "FaultRule",
    "ObjectRef",
    "SandboxCluster",
    "SimulationSettings",
    "SystemClient",
    "serve",
]
