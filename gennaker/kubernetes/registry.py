"""The Kubernetes account registry: which accounts exist, persisted, changeable at run time.

Who calls it: the server at start (``load()``, ``apply_settings()``, ``register_sandbox()`` when it runs an
embedded sandbox), the API's account routes (``put``, ``remove``, ``public_json``), and the provider itself
(``KubernetesService`` resolves a stage's ``account`` with ``get``; the cache and the connection pool
``subscribe`` and rebuild what a change touches).

Persistence: accounts of kind ``kubernetes`` in the shared ``accounts`` table (``gennaker.store.accounts``):
plain settings apart, ``kubeconfigContents`` encrypted. Accounts from the settings file carry source
``settings`` and are re-applied at every start; API ones carry ``api``. The embedded sandbox account is
*ephemeral*: kept in memory only (its port changes at every start), listed like the others.

Several processes (scale-out on PostgreSQL) see each other's changes: ``get`` of an unknown name reloads
from the store once, and every lookup reloads when the last load is older than ``refresh_s``.

Invariants: a bad account (validation) changes nothing; listeners run after the change, outside the lock,
in the calling thread, and must be quick; credentials never leave through ``public_json``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gennaker.kubernetes.accounts import KIND, KubernetesAccount
from gennaker.kubernetes.errors import AccountConfigError, UnknownAccountError
from gennaker.store import Database
from gennaker.store import accounts as store
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import Settings, SettingsError, apply_settings_accounts, load_settings

log = logging.getLogger(__name__)

SETTINGS_SECTION = "kubernetes"
EPHEMERAL = "sandbox"


@dataclass(frozen=True)
class AccountChange:
    """What changed: ``added``, ``changed`` or ``removed``; ``account`` is None for ``removed``."""

    action: str
    name: str
    account: KubernetesAccount | None
    previous: KubernetesAccount | None = None


Listener = Callable[[AccountChange], None]


class AccountRegistry:
    """Kubernetes accounts by name (see the module docstring)."""

    def __init__(
        self, db: Database | None = None, box: SecretBox | None = None, *, refresh_s: float = 5.0
    ) -> None:
        self.db = db
        self._box = box if box is not None or db is None else SecretBox()
        self.refresh_s = refresh_s
        self._lock = threading.RLock()
        self._accounts: dict[str, KubernetesAccount] = {}
        self._ephemeral: set[str] = set()
        self._listeners: list[Listener] = []
        self._loaded_at = 0.0

    # ------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every change; returns the unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, changes: list[AccountChange]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for change in changes:
            for listener in listeners:
                try:
                    listener(change)
                except Exception:
                    log.exception("account listener failed on %s %s", change.action, change.name)

    def _swap(self, updated: dict[str, KubernetesAccount]) -> list[AccountChange]:
        """Replace the persisted accounts by ``updated`` (ephemeral ones stay); the changes made."""
        changes: list[AccountChange] = []
        with self._lock:
            for name, account in updated.items():
                if name in self._ephemeral:
                    continue
                old = self._accounts.get(name)
                if old is None:
                    changes.append(AccountChange("added", name, account))
                elif old != account or old.source != account.source:
                    changes.append(AccountChange("changed", name, account, old))
                self._accounts[name] = account
            for name in [n for n in self._accounts if n not in updated and n not in self._ephemeral]:
                changes.append(AccountChange("removed", name, None, self._accounts.pop(name)))
            self._loaded_at = time.monotonic()
        return changes

    # ------------------------------------------------------------ loading

    def load(self) -> list[AccountChange]:
        """(Re)read the stored accounts; listeners hear what changed."""
        if self.db is None:
            return []
        assert self._box is not None
        with self.db.read() as conn:
            records = store.list_accounts(conn, self._box, KIND)
        updated: dict[str, KubernetesAccount] = {}
        for record in records:
            try:
                updated[record.name] = KubernetesAccount.from_record(record)
            except AccountConfigError as exc:
                log.error("stored Kubernetes account %s is invalid and is ignored: %s", record.name, exc)
        changes = self._swap(updated)
        self._notify(changes)
        return changes

    def _refresh_if_stale(self) -> None:
        if self.db is not None and time.monotonic() - self._loaded_at > self.refresh_s:
            self.load()

    def apply_settings(self, settings: Settings | None = None, *, principal: str = "settings") -> list[str]:
        """Apply the settings file's ``kubernetes.accounts`` (default: ``load_settings()``): every entry is
        validated first (a bad one raises ``SettingsError`` naming it, and nothing is applied), then the
        stored settings accounts are made equal to the file. Returns the names in the file."""
        settings = settings if settings is not None else load_settings()
        parsed: list[KubernetesAccount] = []
        for i, entry in enumerate(settings.accounts(SETTINGS_SECTION)):
            try:
                parsed.append(KubernetesAccount.parse(entry, source="settings"))
            except AccountConfigError as exc:
                raise SettingsError(f"{settings.where()}: {SETTINGS_SECTION}.accounts[{i}]: {exc}") from None
        if self.db is None:
            changes = self._swap(
                {
                    **{n: a for n, a in self._accounts.items() if a.source != "settings"},
                    **{a.name: a for a in parsed},
                }
            )
            self._notify(changes)
            return [a.name for a in parsed]
        assert self._box is not None
        with self.db.write() as conn:
            apply_settings_accounts(
                conn, self._box, KIND, [a.to_record() for a in parsed], principal=principal
            )
        self.load()
        return [a.name for a in parsed]

    # ------------------------------------------------------------ changes

    def put(
        self,
        data: Mapping[str, Any] | KubernetesAccount,
        *,
        principal: str = "anonymous",
        source: str = "api",
    ) -> KubernetesAccount:
        """Add or replace an account (validated first; a bad one raises ``AccountConfigError``)."""
        if isinstance(data, KubernetesAccount):
            account = data.model_copy(update={"source": source})
        else:
            account = KubernetesAccount.parse(data, source=source)
        with self._lock:
            if account.name in self._ephemeral:
                raise AccountConfigError(
                    f"account '{account.name}' is the embedded sandbox's and cannot be changed"
                )
        if self.db is not None:
            assert self._box is not None
            with self.db.write() as conn:
                store.put_account(conn, self._box, account.to_record(), principal=principal)
        with self._lock:
            old = self._accounts.get(account.name)
            self._accounts[account.name] = account
        change = AccountChange("changed" if old else "added", account.name, account, old)
        self._notify([change])
        return account

    def remove(self, name: str, *, principal: str = "anonymous") -> bool:
        """Remove an account; False when there was none. A settings-file account comes back at the next
        start unless it is removed from the file too."""
        removed = False
        if self.db is not None and name not in self._ephemeral:
            with self.db.write() as conn:
                removed = store.delete_account(conn, KIND, name, principal=principal)
        with self._lock:
            old = self._accounts.pop(name, None)
            self._ephemeral.discard(name)
        if old is not None:
            self._notify([AccountChange("removed", name, None, old)])
        return removed or old is not None

    def register_sandbox(
        self, kubeconfig: Mapping[str, Any] | str | Path, *, name: str = "sandbox", context: str | None = None
    ) -> KubernetesAccount:
        """Register an embedded sandbox cluster (started by the server or CLI, which pass its kubeconfig:
        a dict from ``SandboxCluster.kubeconfig()``, YAML text, or a file path) as an ephemeral account."""
        if isinstance(kubeconfig, Path):
            text = kubeconfig.read_text(encoding="utf-8")
        elif isinstance(kubeconfig, str):
            text = kubeconfig
        else:
            text = yaml.safe_dump(dict(kubeconfig), sort_keys=False)
        account = KubernetesAccount.parse(
            {"name": name, "kubeconfigContents": text, "context": context, "environment": "sandbox"},
            source=EPHEMERAL,
        )
        with self._lock:
            old = self._accounts.get(name)
            if old is not None and name not in self._ephemeral:
                raise AccountConfigError(
                    f"an account named '{name}' already exists; the sandbox needs another name"
                )
            self._accounts[name] = account
            self._ephemeral.add(name)
        self._notify([AccountChange("changed" if old else "added", name, account, old)])
        return account

    # ------------------------------------------------------------ lookups

    def get(self, name: str) -> KubernetesAccount:
        """The account ``name``; ``UnknownAccountError`` (listing the known ones) when there is none."""
        self._refresh_if_stale()
        with self._lock:
            account = self._accounts.get(name)
        if account is None and self.db is not None:
            self.load()
            with self._lock:
                account = self._accounts.get(name)
        if account is None:
            raise UnknownAccountError(name, self.names())
        return account

    def find(self, name: str) -> KubernetesAccount | None:
        """The account, or None (no store reload)."""
        with self._lock:
            return self._accounts.get(name)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._accounts)

    def accounts(self) -> list[KubernetesAccount]:
        self._refresh_if_stale()
        with self._lock:
            return [self._accounts[n] for n in sorted(self._accounts)]

    def public_json(self) -> list[dict[str, Any]]:
        """Every account as the API shows it (Clouddriver's ``/credentials``): no kubeconfig contents."""
        return [a.public_json() for a in self.accounts()]
