"""End-to-end fixtures: a sandbox whose pods really roll out (workload controllers, scheduler and kubelets,
fast timings). The provider (``k8s``) and the engine (``engine``) of ``tests/kubernetes/conftest.py`` use it,
since this ``sandbox`` overrides the parent's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.simulation import SimulationSettings

FAST = SimulationSettings(start_delay=0.05, ready_delay=0.1, run_seconds=0.2, termination_seconds=0.05)


def workload_sandbox() -> SandboxCluster:
    """A sandbox whose pods roll out fast."""
    return SandboxCluster(port=0, bookmark_interval=1.0, simulation=FAST)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxCluster]:
    with workload_sandbox() as cluster:
        yield cluster
