"""Waking waiting stages when the cache sees their objects change (instead of polling every 5 s).

Who calls it: tasks that wait on the cluster (waitForManifestToStabilize, runJob's wait) ``register`` the
execution with the account and namespaces they watch and a ``wake`` callback (the engine's
``PipelineService.wake``, which re-delivers the execution's RunTask messages now); they ``unregister`` when
done. The task still returns RUNNING with a long backoff, which is only a safety net.

Threads: cache events arrive on the cache's loop thread and only mark registrations as due; one dispatcher
thread calls the ``wake`` callbacks (they write to the database), coalescing bursts: a Deployment rolling
out 10 pods causes a handful of wake-ups, not hundreds. Registrations expire after ``ttl_s`` without a
refresh, so a canceled execution leaves nothing behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gennaker.kubernetes.cache import CacheEvent, KubernetesCache

log = logging.getLogger(__name__)

COALESCE_S = 0.05


@dataclass
class _Registration:
    account: str
    namespaces: frozenset[str]
    wake: Callable[[], None]
    expires: float


class WakeUps:
    """See the module docstring."""

    def __init__(self, cache: KubernetesCache, *, ttl_s: float = 900.0) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Condition()
        self._registrations: dict[str, _Registration] = {}
        self._due: set[str] = set()
        self._stopped = False
        self._subscription = cache.subscribe(self._on_event)
        self._thread = threading.Thread(target=self._run, name="gennaker-k8s-wakeups", daemon=True)
        self._thread.start()

    def register(self, key: str, account: str, namespaces: Iterable[str], wake: Callable[[], None]) -> None:
        """Wake ``key`` (an execution id) when an object of ``account`` in ``namespaces`` changes, or the
        account's reachability does."""
        with self._lock:
            self._registrations[key] = _Registration(
                account, frozenset(namespaces), wake, time.monotonic() + self.ttl_s
            )

    def unregister(self, key: str) -> None:
        with self._lock:
            self._registrations.pop(key, None)
            self._due.discard(key)

    def registered(self) -> list[str]:
        with self._lock:
            return sorted(self._registrations)

    def _on_event(self, event: CacheEvent) -> None:
        now = time.monotonic()
        with self._lock:
            hit = False
            for key in [k for k, r in self._registrations.items() if r.expires < now]:
                del self._registrations[key]
            for key, reg in self._registrations.items():
                if reg.account != event.account:
                    continue
                if event.type == "HEALTH" or event.namespace in reg.namespaces or not reg.namespaces:
                    self._due.add(key)
                    hit = True
            if hit:
                self._lock.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._due and not self._stopped:
                    self._lock.wait(timeout=30)
                    now = time.monotonic()
                    for key in [k for k, r in self._registrations.items() if r.expires < now]:
                        del self._registrations[key]
                if self._stopped:
                    return
            time.sleep(COALESCE_S)
            with self._lock:
                due = [(k, self._registrations[k].wake) for k in self._due if k in self._registrations]
                self._due.clear()
            for key, wake in due:
                try:
                    wake()
                except Exception:
                    log.exception("waking %s failed", key)

    def stop(self) -> None:
        self._subscription.close()
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        self._thread.join(timeout=5)
