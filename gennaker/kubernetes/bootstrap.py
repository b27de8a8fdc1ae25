"""Starting the Kubernetes provider in a server or worker process, in one call.

Who calls it: ``gennaker server`` and ``gennaker worker`` (and ``gennaker demo``) at start, and ``stop`` at
shutdown. The surfaces start the embedded sandbox themselves (only they may import ``gennaker.sandbox``)
and pass its kubeconfig here.

    service = start_provider(runtime.db, sandbox_kubeconfig=cluster.kubeconfig())   # or None
    ...
    stop_provider(service)

What it does: loads the stored Kubernetes accounts, applies the settings file's ``kubernetes.accounts``
(a bad file raises ``SettingsError`` naming the file and the entry: the server should refuse to start),
registers the sandbox as account ``sandbox`` when given, starts watching every account, and installs the
service as the process default so the stages registered through the ``gennaker.stages`` entry points
use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gennaker.kubernetes.registry import AccountRegistry
from gennaker.kubernetes.service import ArtifactFetcher, KubernetesService, set_default_service
from gennaker.store import Database
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import Settings, load_settings


def start_provider(
    db: Database,
    *,
    sandbox_kubeconfig: Mapping[str, Any] | str | Path | None = None,
    sandbox_account: str = "sandbox",
    settings: Settings | None = None,
    box: SecretBox | None = None,
    artifact_accounts: ArtifactFetcher | None = None,
    work_dir: Path | None = None,
) -> KubernetesService:
    """A started, installed ``KubernetesService`` on ``db`` (see the module docstring)."""
    registry = AccountRegistry(db, box)
    registry.load()
    registry.apply_settings(settings if settings is not None else load_settings())
    service = KubernetesService(registry, artifact_accounts=artifact_accounts, work_dir=work_dir)
    if sandbox_kubeconfig is not None:
        registry.register_sandbox(sandbox_kubeconfig, name=sandbox_account)
    service.start()
    set_default_service(service)
    return service


def stop_provider(service: KubernetesService) -> None:
    """Stop watching, close connections, uninstall the process default."""
    set_default_service(None)
    service.stop()
