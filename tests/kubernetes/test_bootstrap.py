"""Starting the provider the way the server does: stored accounts, the settings file, the sandbox, and the
stages registered through the entry points using the installed service."""

from __future__ import annotations

import time
from pathlib import Path

from cryptography.fernet import Fernet

from gennaker.engine.registry import StageRegistry
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.kubernetes.bootstrap import start_provider, stop_provider
from gennaker.kubernetes.service import default_service
from gennaker.sandbox import SandboxCluster
from gennaker.store import Database
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import parse_settings
from tests.kubernetes.conftest import TERMINAL_STATES


def test_start_provider_like_the_server(sandbox: SandboxCluster, tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.upgrade()
    kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
    settings = parse_settings(
        f"kubernetes:\n  accounts:\n    - {{name: from-file, kubeconfigFile: {kubeconfig}}}\n"
    )
    service = start_provider(
        db,
        sandbox_kubeconfig=sandbox.kubeconfig(),
        settings=settings,
        box=SecretBox(Fernet.generate_key()),
        work_dir=tmp_path / "work",
    )
    try:
        assert default_service() is service
        assert service.accounts.names() == ["from-file", "sandbox"]
        service.ready("from-file", timeout_s=30)
        runtime = EngineRuntime(db=db, registry=StageRegistry.from_entry_points())
        pipelines = PipelineService(runtime)
        pipelines.save_application({"name": "shop"}, principal="t")
        pool = WorkerPool(runtime, threads=2).start()
        try:
            execution_id = pipelines.start_pipeline_config(
                {
                    "application": "shop",
                    "name": "p",
                    "stages": [
                        {
                            "refId": "1",
                            "type": "deployManifest",
                            "account": "from-file",
                            "manifests": [
                                {
                                    "apiVersion": "v1",
                                    "kind": "ConfigMap",
                                    "metadata": {"name": "boot", "namespace": "default"},
                                    "data": {},
                                }
                            ],
                        }
                    ],
                },
                principal="t",
            )
            deadline = time.monotonic() + 60
            while (
                pipelines.get_execution_status(execution_id) not in TERMINAL_STATES
                and time.monotonic() < deadline
            ):
                time.sleep(0.05)
            assert pipelines.get_execution_status(execution_id) == "SUCCEEDED"
        finally:
            pool.stop()
    finally:
        stop_provider(service)
        db.dispose()
