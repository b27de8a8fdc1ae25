"""End-to-end fixtures: sandboxes whose pods really roll out (workload controllers, scheduler and
kubelets, fast timings), the provider watching them, and the engine running pipelines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gennaker.kubernetes.service import KubernetesService
from gennaker.sandbox import SandboxCluster
from tests.kubernetes.conftest import Engine, make_engine, start_service

REASON = "needs the sandbox's workload controllers, scheduler and kubelets (branch 'controllers')"


def workload_sandbox() -> SandboxCluster:
    """A sandbox whose pods roll out fast (the test modules skip themselves, with ``REASON``, until the
    sandbox's workload controllers are on main)."""
    from gennaker.sandbox.simulation import SimulationSettings

    fast = SimulationSettings(start_delay=0.05, ready_delay=0.1, run_seconds=0.2, termination_seconds=0.05)
    return SandboxCluster(port=0, bookmark_interval=1.0, simulation=fast)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxCluster]:
    with workload_sandbox() as cluster:
        yield cluster


@pytest.fixture
def k8s(sandbox: SandboxCluster, tmp_path: Path) -> Iterator[KubernetesService]:
    service = start_service(tmp_path, {"sandbox": sandbox})
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def engine(k8s: KubernetesService, tmp_path: Path) -> Iterator[Engine]:
    e = make_engine(tmp_path, k8s)
    try:
        yield e
    finally:
        e.pool.stop()
        e.runtime.db.dispose()
