"""Per-account connections: working directory, kubectl runner, HTTP client; rebuilt when an account changes.

Who calls it: ``KubernetesService`` (``kubectl(name)``, ``client(name)``) and the cache (``endpoint`` for its
watches). One entry per account, keyed by the account's connection identity: a change of kubeconfig,
context or scope closes the old entry (its files are removed) and the next use builds a new one; a change of
anything else (permissions, timeouts) keeps the files and rebuilds only the runner.

Working directories live under ``work_dir`` (default ``$GENNAKER_HOME/kubernetes``), one per account, mode
0700: the inline kubeconfig (0600) and kubectl's discovery cache. Nothing else is persisted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.client import KubeClient
from gennaker.kubernetes.kubeconfig import AccountFiles, ClusterEndpoint
from gennaker.kubernetes.kubectl import Kubectl
from gennaker.kubernetes.registry import AccountChange, AccountRegistry


@dataclass
class _Entry:
    account: KubernetesAccount
    files: AccountFiles
    endpoint: ClusterEndpoint
    kubectl: Kubectl
    client: KubeClient

    def close(self) -> None:
        self.client.close()
        self.files.close()


class Connections:
    """See the module docstring."""

    def __init__(
        self, registry: AccountRegistry, work_dir: Path, *, kubectl_binary: str | None = None
    ) -> None:
        self.registry = registry
        self.work_dir = work_dir
        self.work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.kubectl_binary = kubectl_binary
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.RLock()
        self._unsubscribe = registry.subscribe(self._on_change)

    def _on_change(self, change: AccountChange) -> None:
        with self._lock:
            entry = self._entries.get(change.name)
            if entry is None:
                return
            if change.account is not None and change.account.identity() == entry.account.identity():
                entry.account = change.account
                entry.kubectl = self._kubectl(change.account, entry.files)
                return
            del self._entries[change.name]
        entry.close()

    def _kubectl(self, account: KubernetesAccount, files: AccountFiles) -> Kubectl:
        return Kubectl(
            account.name,
            kubeconfig=files.kubeconfig,
            context=files.context.name,
            cache_dir=files.cache_dir,
            timeout_s=account.kubectl_request_timeout_seconds,
            binary=self.kubectl_binary,
        )

    def _entry(self, account: KubernetesAccount) -> _Entry:
        with self._lock:
            entry = self._entries.get(account.name)
            if entry is not None and entry.account.identity() == account.identity():
                return entry
            if entry is not None:
                del self._entries[account.name]
                entry.close()
            files = AccountFiles(account, self.work_dir)
            endpoint = files.endpoint()
            entry = _Entry(account, files, endpoint, self._kubectl(account, files), KubeClient(endpoint))
            self._entries[account.name] = entry
            return entry

    def endpoint(self, account: KubernetesAccount) -> ClusterEndpoint:
        return self._entry(account).endpoint

    def kubectl(self, name: str) -> Kubectl:
        return self._entry(self.registry.get(name)).kubectl

    def client(self, name: str) -> KubeClient:
        return self._entry(self.registry.get(name)).client

    def default_namespace(self, name: str) -> str:
        """The namespace of the account's kubeconfig context (``default`` when it names none)."""
        return self._entry(self.registry.get(name)).endpoint.namespace

    def close(self) -> None:
        self._unsubscribe()
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
        for entry in entries:
            entry.close()
