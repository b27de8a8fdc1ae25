"""The sandbox cluster: one API server (core, HTTP, core loops, controllers) you start and stop.

Who calls it: tests and ``gennaker server`` (in-process), ``python -m gennaker.sandbox serve`` and the CLI's
``gennaker sandbox serve`` (standalone, through :func:`serve`).

    with SandboxCluster(port=0, state_file=None) as cluster:
        cluster.write_kubeconfig(path, context="sandbox")   # kubectl-usable as is
        cluster.url                                         # http://127.0.0.1:<port>
        cluster.controllers.add(MyController())             # the extension point

Several clusters may run in one process (each has its own store, registry, port and threads).

Construction wires the core loops (garbage collector, namespace finalizer, CRD controller), the built-in
workload controllers, scheduler and kubelets (:mod:`gennaker.sandbox.builtin`, ``workloads=``), their
:class:`~gennaker.sandbox.simulation.Simulation` (``simulation=``), the fault rules, the pod log
provider and the extra routes (``/_sandbox/faults``, ``/_sandbox/clock``, ``/metrics``,
``/_sandbox/metrics/query_range``).

Start-up: restore the state file if there is one (objects and resourceVersion counter), otherwise
bootstrap a fresh cluster (namespaces ``default``, ``kube-system``, ``kube-public``, ``kube-node-lease``
with their ``default`` ServiceAccounts, ``nodes`` Ready Nodes, the ``kubernetes`` Service); register
stored CRDs; start the controllers, the state saver and the HTTP transport. :meth:`stop` reverses that
and saves the state.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from . import builtin, control
from .apiserver import ApiServer
from .appmetrics.registry import AppMetrics
from .appmetrics.routes import metrics_handler, query_range_handler
from .controllers import Controller, ControllerManager
from .crd import CrdController, CrdRegistrar, register_stored_crds
from .gc import GarbageCollector, NamespaceFinalizer
from .kubelet.faults import FaultRules, parse_rule_text
from .kubelet.logs import pod_logs
from .persistence import Saver, load
from .simulation import Simulation, SimulationSettings
from .web.resources import LogProvider
from .web.router import Router
from .web.transport import HttpServer
from .web.types import Request, Response

log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class SandboxCluster:
    """A Kubernetes API server on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        port: int = 0,
        state_file: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        nodes: int = 3,
        name: str = "sandbox",
        log_size: int = 10_000,
        controller_lag: float = 0.05,
        bookmark_interval: float = 10.0,
        save_interval: float = 1.0,
        graceful_pod_deletion: bool | None = None,
        workloads: bool | Iterable[str] = True,
        simulation: SimulationSettings | Simulation | None = None,
    ) -> None:
        self.name = name
        self.api = ApiServer(log_size=log_size)
        if isinstance(simulation, Simulation):
            self.simulation = simulation
        else:
            self.simulation = Simulation(settings=simulation or SimulationSettings())
        self.faults = (
            self.simulation.faults if isinstance(self.simulation.faults, FaultRules) else FaultRules()
        )
        self.simulation.faults = self.faults
        self.crd_registrar = CrdRegistrar()
        self.api.admission.append(self.crd_registrar)
        self.controllers = ControllerManager(self.api, default_lag=controller_lag)
        self.controllers.add(GarbageCollector())
        self.controllers.add(NamespaceFinalizer())
        self.controllers.add(CrdController())
        self._stop = threading.Event()
        self._router = Router(self.api, self._stop)
        self._router.handlers.bookmark_interval = bookmark_interval
        names = None if workloads is True else ([] if workloads is False else list(workloads))
        self.workload_controllers = builtin.install(self, names)
        kubelets = "kubelet" in self.workload_controllers
        # With kubelets, deleting a scheduled pod is graceful (the kubelet finishes it), as on a cluster.
        self.api.graceful_pod_deletion = kubelets if graceful_pod_deletion is None else graceful_pod_deletion
        if kubelets:
            self.set_log_provider(pod_logs)
        control.install_routes(self)
        self.metrics = AppMetrics(self.api.store, self.simulation)
        self.add_route("/metrics", metrics_handler(self.metrics))
        self.add_route("/_sandbox/metrics/query_range", query_range_handler(self.metrics))
        self._host, self._port = host, port
        self._nodes = nodes
        self.state_file = Path(state_file) if state_file else None
        self._save_interval = save_interval
        self._saver: Saver | None = None
        self._http: HttpServer | None = None

    # -- lifecycle
    def start(self) -> SandboxCluster:
        if self._http is not None:
            return self
        state = load(self.state_file) if self.state_file else None
        if state is not None:
            self.api.store.load(state)
            register_stored_crds(self.api, self.crd_registrar)
        else:
            self.bootstrap()
        self._http = HttpServer(self._router, self._host, self._port)
        self.controllers.start()
        if self.state_file:
            self._saver = Saver(self.api.store, self.state_file, self._save_interval)
            self._saver.flush()
            self._saver.start()
        self._http.start()
        log.info("sandbox %s serving on %s", self.name, self.url)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._http is not None:
            self._http.stop()
        self.controllers.stop()
        if self._saver is not None:
            self._saver.stop()
        self._http = None

    def __enter__(self) -> SandboxCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- addresses and clients
    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the sandbox is not started")
        return self._http.port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def kubeconfig(self, context: str = "sandbox") -> dict[str, Any]:
        """A kubeconfig document for this sandbox: plain HTTP, an empty user."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {}}],
            "contexts": [
                {"name": context, "context": {"cluster": context, "user": context, "namespace": "default"}}
            ],
            "current-context": context,
            "preferences": {},
        }

    def write_kubeconfig(self, path: str | Path, context: str = "sandbox") -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(yaml.safe_dump(self.kubeconfig(context), sort_keys=False), encoding="utf-8")
        return p

    def set_log_provider(self, provider: LogProvider | None) -> None:
        """Who produces ``pods/<name>/log`` text (simulated kubelets); empty logs without one."""
        self._router.handlers.log_provider = provider

    def add_controller(self, controller: Controller) -> None:
        self.controllers.add(controller)

    def add_route(self, prefix: str, handler: Callable[[Request], Response]) -> None:
        """Serve extra HTTP paths (e.g. ``/metrics``) with ``handler(Request) -> Response``."""
        self._router.add_route(prefix, handler)

    # -- bootstrap
    def bootstrap(self) -> None:
        api = self.api
        ns_rt = api.registry.by_key(("", "namespaces"))
        node_rt = api.registry.by_key(("", "nodes"))
        svc_rt = api.registry.by_key(("", "services"))
        assert ns_rt and node_rt and svc_rt
        for ns in SYSTEM_NAMESPACES:
            api.system_create(ns_rt, "", {"metadata": {"name": ns}}, manager="kube-apiserver")
        for i in range(1, self._nodes + 1):
            node = api.system_create(node_rt, "", _node(i), manager="kubelet")
            node["status"] = _node_status(i)
            api.system_update(node_rt, node, subresource="status", manager="kubelet")
        api.system_create(
            svc_rt,
            "default",
            {
                "metadata": {
                    "name": "kubernetes",
                    "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "clusterIP": "10.96.0.1",
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                },
            },
            manager="kube-apiserver",
        )


def _node(i: int) -> dict[str, Any]:
    name = f"sandbox-node-{i}"
    return {
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                **({"node-role.kubernetes.io/control-plane": ""} if i == 1 else {}),
            },
        },
        "spec": {"podCIDR": f"10.244.{i}.0/24", "podCIDRs": [f"10.244.{i}.0/24"]},
    }


def _node_status(i: int) -> dict[str, Any]:
    from .objectmeta import now_rfc3339

    now = now_rfc3339()
    conditions = [
        {
            "type": t,
            "status": "False",
            "reason": r,
            "message": m,
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }
        for t, r, m in (
            ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        )
    ]
    conditions.append(
        {
            "type": "Ready",
            "status": "True",
            "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }
    )
    capacity = {"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {
        "capacity": capacity,
        "allocatable": capacity,
        "conditions": conditions,
        "addresses": [
            {"type": "InternalIP", "address": f"172.18.0.{i + 1}"},
            {"type": "Hostname", "address": f"sandbox-node-{i}"},
        ],
        "nodeInfo": {
            "kubeletVersion": "v1.37.1",
            "kubeProxyVersion": "v1.37.1",
            "osImage": "Gennaker Sandbox",
            "kernelVersion": "6.1.0",
            "containerRuntimeVersion": "sandbox://1.0",
            "operatingSystem": "linux",
            "architecture": "amd64",
            "machineID": "",
            "systemUUID": "",
            "bootID": "",
        },
    }


def serve(
    port: int = 0,
    *,
    kubeconfig: str | Path | None = None,
    state_file: str | Path | None = None,
    host: str = "127.0.0.1",
    context: str = "sandbox",
    nodes: int = 3,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
    simulation: SimulationSettings | None = None,
    faults: Iterable[str] = (),
    workloads: bool | Iterable[str] = True,
) -> int:
    """Run a sandbox until SIGINT/SIGTERM (or ``stop`` is set); the CLI's ``gennaker sandbox serve``.

    ``simulation`` sets the kubelet timings; ``faults`` are sandbox-wide fault rules as
    ``IMAGE_GLOB=FAULT[:EXIT_CODE]`` (a bad one raises ``FaultError`` before anything starts);
    ``workloads`` as for :class:`SandboxCluster`. Prints the URL (and the kubeconfig path when one is
    written) once serving. Returns an exit code.
    """
    rules = [parse_rule_text(text) for text in faults]
    stop = stop or threading.Event()
    cluster = SandboxCluster(
        port=port, state_file=state_file, host=host, nodes=nodes, simulation=simulation, workloads=workloads
    )
    for rule in rules:
        cluster.faults.add(rule)
    cluster.start()
    try:
        print(f"sandbox API server listening on {cluster.url}", flush=True)  # noqa: T201
        if kubeconfig:
            path = cluster.write_kubeconfig(kubeconfig, context=context)
            print(f"kubeconfig written to {path} (context {context!r})", flush=True)  # noqa: T201
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        if ready is not None:
            ready.set()
        while not stop.wait(0.5):
            pass
    finally:
        cluster.stop()
    return 0
