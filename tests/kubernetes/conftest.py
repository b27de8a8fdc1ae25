"""Fixtures for the Kubernetes provider's tests: real sandbox clusters, the real kubectl, the real engine.

- ``sandbox``: a sandbox cluster for the module (tests work in their own namespace, ``ns``);
- ``k8s``: a started ``KubernetesService`` with the sandbox registered as account ``sandbox`` (its own
  working directory, so kubectl's discovery cache is never shared);
- ``engine``: the engine on a SQLite file with worker threads and the Kubernetes stages bound to ``k8s``;
  ``engine.run(stages)`` saves and starts a pipeline, ``engine.wait(id)`` waits for it to finish;
- ``kubectl``: the real kubectl on the sandbox, for assertions (``tests.sandbox.conftest.Kubectl``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.kubernetes.registry import AccountRegistry
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages import register_stages
from gennaker.sandbox import SandboxCluster
from gennaker.stages import builtin_registry
from gennaker.store import Database
from tests.sandbox.conftest import Kubectl, make_kubectl

TERMINAL_STATES = {"SUCCEEDED", "TERMINAL", "CANCELED", "STOPPED", "FAILED_CONTINUE"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxCluster]:
    with SandboxCluster(port=0, bookmark_interval=1.0) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def kubectl(sandbox: SandboxCluster, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return make_kubectl(sandbox, tmp_path_factory.mktemp("kube-home"))


@pytest.fixture(scope="module")
def peer(kubectl: Kubectl) -> Kubectl:
    """The real kubectl, as a user would run it next to Gennaker (same as ``kubectl``)."""
    return kubectl


@pytest.fixture
def ns(kubectl: Kubectl) -> str:
    """A fresh namespace for one test."""
    name = "t-" + uuid.uuid4().hex[:8]
    kubectl("create", "namespace", name)
    return name


def start_service(tmp: Path, clusters: dict[str, SandboxCluster]) -> KubernetesService:
    registry = AccountRegistry()
    service = KubernetesService(registry, work_dir=tmp / "k8s-work").start()
    for name, cluster in clusters.items():
        registry.register_sandbox(cluster.kubeconfig(), name=name)
        service.ready(name, timeout_s=30)
    return service


@pytest.fixture
def k8s(sandbox: SandboxCluster, tmp_path: Path) -> Iterator[KubernetesService]:
    service = start_service(tmp_path, {"sandbox": sandbox})
    try:
        yield service
    finally:
        service.stop()


@dataclass
class Engine:
    svc: PipelineService
    runtime: EngineRuntime
    pool: WorkerPool

    def run(self, stages: list[dict[str, Any]], **config: Any) -> str:
        """Save a pipeline of ``stages`` (application ``shop``) and start it; returns the execution id."""
        body = {
            "application": "shop",
            "name": config.pop("name", "p-" + uuid.uuid4().hex[:6]),
            "stages": stages,
        }
        body.update(config)
        trigger = body.pop("trigger", None)
        self.svc.save_pipeline(body, principal="tester")
        return self.svc.start_pipeline("shop", body["name"], trigger=trigger, principal="tester")

    def wait(self, execution_id: str, timeout_s: float = 90.0) -> dict[str, Any]:
        """The execution once it finished (bounded)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self.svc.get_execution_status(execution_id)
            if status in TERMINAL_STATES:
                execution = self.svc.get_execution(execution_id)
                assert execution is not None
                return execution
            time.sleep(0.05)
        execution = self.svc.get_execution(execution_id)
        raise AssertionError(
            f"execution still {execution and execution['status']} after {timeout_s} s: {execution}"
        )

    def execute(self, stages: list[dict[str, Any]], timeout_s: float = 90.0, **config: Any) -> dict[str, Any]:
        return self.wait(self.run(stages, **config), timeout_s)


def make_engine(tmp: Path, service: KubernetesService, *, threads: int = 4) -> Engine:
    db = Database(f"sqlite:///{tmp / 'gennaker.db'}")
    db.upgrade()
    registry = builtin_registry()
    register_stages(registry, service)
    runtime = EngineRuntime(db=db, registry=registry)
    svc = PipelineService(runtime)
    svc.save_application({"name": "shop"}, principal="tester")
    return Engine(svc, runtime, WorkerPool(runtime, threads=threads).start())


@pytest.fixture
def engine(k8s: KubernetesService, tmp_path: Path) -> Iterator[Engine]:
    e = make_engine(tmp_path, k8s)
    try:
        yield e
    finally:
        e.pool.stop()
        e.runtime.db.dispose()


def stage(execution: dict[str, Any], ref: str) -> dict[str, Any]:
    """The stage with ``refId`` ``ref``."""
    return next(s for s in execution["stages"] if s.get("refId") == ref)


def error_of(execution: dict[str, Any], ref: str = "1") -> str:
    """The failure message of a stage."""
    exc = stage(execution, ref)["context"].get("exception") or {}
    return "\n".join((exc.get("details") or {}).get("errors") or [])
