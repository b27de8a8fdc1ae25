"""One account's cache: its index, its watchers, and whether its cluster is reachable.

Who calls it: ``cache.KubernetesCache`` creates one per account (and replaces it when the account's
connection or scope changes). Its watchers run on the cache's event loop; its reads are thread-safe.

What it watches: every cached kind of the kind registry (``KINDS.cached()``) minus the account's
``omitKinds``, plus kinds added later with ``ensure_kind`` (what a deploy applied). With a namespace
allow-list, one watch per kind and namespace (cluster-scoped kinds are then not watched); otherwise one
cluster-wide watch per kind, and objects in ``omitNamespaces`` are dropped.

Health: ``reachable`` is None until the first answer, then True/False; ``error`` says why not; ``synced``
once every watcher has listed once. Unserved kinds (404/403) are listed in ``unserved`` and do not make the
account unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.cache.index import ObjectIndex
from gennaker.kubernetes.cache.watch import KindWatcher
from gennaker.kubernetes.kinds import KINDS, KindHandler
from gennaker.kubernetes.kubeconfig import ClusterEndpoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheEvent:
    """A change seen by the cache. ``type``: ADDED, MODIFIED, DELETED for objects; HEALTH when the
    account's reachability changed (``obj`` is None then)."""

    account: str
    type: str
    kind: str
    namespace: str
    name: str
    obj: dict[str, Any] | None = None


@dataclass
class AccountHealth:
    """The cache's view of an account."""

    account: str
    reachable: bool | None = None
    error: str | None = None
    synced: bool = False
    unserved: dict[str, str] = field(default_factory=dict)
    since: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "reachable": self.reachable,
            "error": self.error,
            "synced": self.synced,
            "unservedKinds": dict(self.unserved),
            "since": int(self.since * 1000),
        }


Emit = Callable[[CacheEvent], None]


class AccountCache:
    """See the module docstring."""

    def __init__(
        self,
        account: KubernetesAccount,
        endpoint: ClusterEndpoint,
        loop: asyncio.AbstractEventLoop,
        emit: Emit,
    ) -> None:
        self.account = account
        self.name = account.name
        self.endpoint = endpoint
        self.index = ObjectIndex()
        self.health = AccountHealth(account.name)
        self._loop = loop
        self._emit = emit
        self._watchers: dict[tuple[str, str | None], KindWatcher] = {}
        self._tasks: dict[tuple[str, str | None], asyncio.Task[None]] = {}
        self._http: httpx.AsyncClient | None = None
        self._synced = threading.Event()
        self._changed = threading.Condition()
        self._stopped = False

    # ------------------------------------------------------------ lifecycle (called from any thread)

    def start(self) -> None:
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)

    def stop(self) -> None:
        self._stopped = True
        if self._loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
            except Exception:
                log.exception("stopping the cache of %s", self.name)
        with self._changed:
            self._changed.notify_all()

    def ensure_kind(self, handler: KindHandler) -> None:
        """Watch ``handler``'s kind too (a deploy applied one that is not watched yet)."""
        if self.account.kind_omitted(handler.kind) or self._stopped:
            return
        if any(key[0] == handler.kind for key in self._watchers):
            return
        asyncio.run_coroutine_threadsafe(self._add(handler), self._loop).result(timeout=30)

    async def _start(self) -> None:
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(30.0), **self.endpoint.httpx_options())
        for handler in KINDS.cached():
            await self._add(handler)

    async def _add(self, handler: KindHandler) -> None:
        if self.account.kind_omitted(handler.kind) or self._http is None:
            return
        if handler.namespaced and self.account.namespaces:
            scopes: list[str | None] = list(self.account.namespaces)
        elif not handler.namespaced and self.account.namespaces:
            return
        else:
            scopes = [None]
        for scope in scopes:
            key = (handler.kind, scope)
            if key in self._watchers:
                continue
            watcher = KindWatcher(
                self.endpoint,
                self._http,
                handler,
                scope,
                self.index,
                self._on_event,
                self._on_state,
                keep=self._keep,
            )
            self._watchers[key] = watcher
            self._tasks[key] = asyncio.get_running_loop().create_task(watcher.run())
        if not all(w.synced for w in self._watchers.values()):
            self._synced.clear()
            self.health.synced = False

    async def _stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()

    # ------------------------------------------------------------ events (on the loop thread)

    def _keep(self, obj: dict[str, Any]) -> bool:
        namespace = (obj.get("metadata") or {}).get("namespace")
        return not namespace or self.account.namespace_allowed(str(namespace))

    def _on_event(self, event_type: str, obj: dict[str, Any]) -> None:
        metadata = obj.get("metadata") or {}
        self._emit(
            CacheEvent(
                self.name,
                event_type,
                str(obj.get("kind") or ""),
                str(metadata.get("namespace") or ""),
                str(metadata.get("name") or ""),
                obj,
            )
        )
        with self._changed:
            self._changed.notify_all()

    def _on_state(self, watcher: KindWatcher, state: str, error: str | None) -> None:
        health = self.health
        before = (health.reachable, health.error)
        if state == "unreachable":
            health.reachable, health.error = False, error
        elif state == "unserved":
            health.unserved[watcher.scope] = error or ""
            if health.reachable is None:
                health.reachable = True
        elif state == "synced":
            health.unserved.pop(watcher.scope, None)
            if health.reachable is not True:
                health.reachable, health.error = True, None
        elif state == "error":
            health.error = error
        if all(w.synced for w in self._watchers.values()):
            health.synced = True
            self._synced.set()
        if (health.reachable, health.error) != before:
            health.since = time.time()
            self._emit(CacheEvent(self.name, "HEALTH", "", "", ""))
        with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------ reads (any thread)

    def wait_synced(self, timeout_s: float) -> bool:
        """Block until every watcher listed once, or the account is known unreachable; True if synced."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not self._synced.is_set() and not self._stopped:
                if self.health.reachable is False:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
        return self._synced.is_set()

    def observe(self, obj: dict[str, Any]) -> None:
        """Write-through: an object kubectl just returned (newer wins over what the watch delivered)."""
        if not self._keep(obj):
            return
        changed = self.index.upsert(obj, only_newer=True)
        if changed is not None:
            self._loop.call_soon_threadsafe(self._on_event, *changed)

    def forget(self, kind: str, namespace: str, name: str) -> None:
        """Write-through of a deletion."""
        old = self.index.delete(kind, namespace, name)
        if old is not None:
            self._loop.call_soon_threadsafe(self._on_event, "DELETED", old)

    def watched_kinds(self) -> list[str]:
        return sorted({k for k, _ in self._watchers})
