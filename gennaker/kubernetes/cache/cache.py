"""The watch-based cache of every Kubernetes account: what stages, stability checks and views read.

Who calls it: ``KubernetesService`` owns one (started with the service); stages read it for targets and
stability; the classic view and the API read it for applications, clusters, server groups, load
balancers and instances; subscribers (waiting stages) are told about every change.

Threads: one event-loop thread runs every account's watches (``asyncio`` + ``httpx``: thousands of
watches cost coroutines, not threads); reads are plain method calls from any thread, under each index's
lock. Subscribers are called on the loop thread and must be quick (hand work to a queue).

Accounts: the cache follows the registry (``AccountRegistry.subscribe``): an added account starts
watching at once (its first stage finds a warm cache), a change of connection or scope replaces its
cache, a removed one stops and is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.cache.account import AccountCache, AccountHealth, CacheEvent
from gennaker.kubernetes.cache.index import ObjectIndex
from gennaker.kubernetes.errors import AccountUnreachableError, KubernetesError
from gennaker.kubernetes.kinds import KindHandler
from gennaker.kubernetes.kubeconfig import ClusterEndpoint
from gennaker.kubernetes.registry import AccountChange, AccountRegistry

log = logging.getLogger(__name__)

Subscriber = Callable[[CacheEvent], None]
EndpointFactory = Callable[[KubernetesAccount], ClusterEndpoint]


class Subscription:
    """A subscriber's handle: ``close()`` stops the calls."""

    def __init__(self, cache: KubernetesCache, callback: Subscriber, account: str | None) -> None:
        self._cache = cache
        self.callback = callback
        self.account = account

    def close(self) -> None:
        self._cache._unsubscribe(self)


class KubernetesCache:
    """See the module docstring. ``endpoint_for`` builds an account's HTTP endpoint (the service's
    connection pool provides it, so kubectl and the cache share one working directory per account)."""

    def __init__(self, registry: AccountRegistry, endpoint_for: EndpointFactory) -> None:
        self.registry = registry
        self._endpoint_for = endpoint_for
        self._accounts: dict[str, AccountCache] = {}
        self._subscribers: list[Subscription] = []
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._unsubscribe_registry: Callable[[], None] | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> KubernetesCache:
        if self._thread is not None:
            return self
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="gennaker-k8s-cache", daemon=True)
        self._thread.start()
        ready.wait()
        self._unsubscribe_registry = self.registry.subscribe(self._on_account_change)
        for account in self.registry.accounts():
            self._start_account(account)
        return self

    def stop(self) -> None:
        if self._unsubscribe_registry is not None:
            self._unsubscribe_registry()
        with self._lock:
            caches = list(self._accounts.values())
            self._accounts.clear()
        for cache in caches:
            cache.stop()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None

    def _start_account(self, account: KubernetesAccount) -> None:
        assert self._loop is not None
        try:
            endpoint = self._endpoint_for(account)
        except KubernetesError as exc:
            log.error("cannot watch account %s: %s", account.name, exc)
            return
        cache = AccountCache(account, endpoint, self._loop, self._emit)
        with self._lock:
            old = self._accounts.get(account.name)
            self._accounts[account.name] = cache
        if old is not None:
            old.stop()
        cache.start()

    def _on_account_change(self, change: AccountChange) -> None:
        if change.action == "removed":
            with self._lock:
                old = self._accounts.pop(change.name, None)
            if old is not None:
                old.stop()
            return
        assert change.account is not None
        with self._lock:
            current = self._accounts.get(change.name)
        if current is not None and current.account.identity() == change.account.identity():
            current.account = change.account
            return
        self._start_account(change.account)

    # ------------------------------------------------------------ subscribers

    def subscribe(self, callback: Subscriber, account: str | None = None) -> Subscription:
        """Call ``callback(event)`` for every change (of ``account`` only, when given)."""
        sub = Subscription(self, callback, account)
        with self._lock:
            self._subscribers.append(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

    def _emit(self, event: CacheEvent) -> None:
        with self._lock:
            subs = [s for s in self._subscribers if s.account is None or s.account == event.account]
        for sub in subs:
            try:
                sub.callback(event)
            except Exception:
                log.exception("cache subscriber failed")

    # ------------------------------------------------------------ per-account access

    def account(self, name: str) -> AccountCache:
        """The cache of account ``name`` (the account must be registered)."""
        self.registry.get(name)
        with self._lock:
            cache = self._accounts.get(name)
        if cache is None:
            raise KubernetesError(
                f"account {name} is not being watched (its configuration could not be used)"
            )
        return cache

    def index(self, name: str) -> ObjectIndex:
        return self.account(name).index

    def ready(self, name: str, timeout_s: float = 10.0) -> AccountCache:
        """The account's cache once it has listed everything; ``AccountUnreachableError`` when the cluster
        cannot be reached (or has not answered within ``timeout_s``)."""
        cache = self.account(name)
        if cache.wait_synced(timeout_s):
            return cache
        reason = cache.health.error or f"its cache has not synchronised within {timeout_s:.0f} s"
        raise AccountUnreachableError(name, reason)

    def health(self, name: str | None = None) -> list[AccountHealth]:
        with self._lock:
            caches = [c for n, c in sorted(self._accounts.items()) if name is None or n == name]
        return [c.health for c in caches]

    def ensure_kind(self, account: str, handler: KindHandler) -> None:
        self.account(account).ensure_kind(handler)

    def observe(self, account: str, obj: dict[str, Any]) -> None:
        self.account(account).observe(obj)

    def forget(self, account: str, kind: str, namespace: str, name: str) -> None:
        self.account(account).forget(kind, namespace, name)

    # ------------------------------------------------------------ reads

    def get(self, account: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.index(account).get(kind, namespace, name)

    def select(
        self,
        account: str,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        app: str | None = None,
        cluster: str | None = None,
    ) -> list[dict[str, Any]]:
        return self.index(account).select(kind=kind, namespace=namespace, app=app, cluster=cluster)

    def accounts(self) -> list[str]:
        with self._lock:
            return sorted(self._accounts)

    def applications(self) -> list[str]:
        """Every application any account's objects carry (moniker annotation)."""
        found: set[str] = set()
        for name in self.accounts():
            found.update(self.index(name).applications())
        return sorted(found)

    def application_objects(self, app: str, kind: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(account, object)`` for every object of ``app`` (of ``kind`` when given), in every account."""
        out: list[tuple[str, dict[str, Any]]] = []
        for name in self.accounts():
            out += [(name, obj) for obj in self.index(name).select(app=app, kind=kind)]
        return out
