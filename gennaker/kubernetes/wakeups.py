"""Waking waiting stages when the cache sees their objects change (instead of polling every 5 s).

Who calls it: tasks that wait on the cluster (waitForManifestToStabilize, runJob's wait) ``register`` the
execution with the account and namespaces they watch and a ``wake`` callback (the engine's
``PipelineService.wake``, which re-delivers the execution's RunTask messages now); they ``unregister`` when
done. The task still returns RUNNING with a long backoff, which is only a safety net.

Threads: cache events arrive on the cache's loop thread and only mark registrations as due; one dispatcher
thread calls the ``wake`` callbacks (they write to the database). The first event wakes at once; further
events within ``min_interval_s`` (0.1 s) of a wake-up are folded into one more wake-up at the end of that
interval, so a Deployment rolling out 10 pods causes a handful of wake-ups, not hundreds, and the last
change is never missed. Registrations expire after ``ttl_s`` without a refresh, so a canceled execution
leaves nothing behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gennaker.kubernetes.cache import CacheEvent, KubernetesCache

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 0.1


@dataclass
class _Registration:
    account: str
    namespaces: frozenset[str]
    wake: Callable[[], None]
    expires: float


class WakeUps:
    """See the module docstring."""

    def __init__(
        self, cache: KubernetesCache, *, ttl_s: float = 900.0, min_interval_s: float = MIN_INTERVAL_S
    ) -> None:
        self.ttl_s = ttl_s
        self.min_interval_s = min_interval_s
        self._lock = threading.Condition()
        self._registrations: dict[str, _Registration] = {}
        self._due: dict[str, float] = {}
        self._last: dict[str, float] = {}
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
            self._due.pop(key, None)
            self._last.pop(key, None)

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
                if (event.type == "HEALTH" or event.namespace in reg.namespaces or not reg.namespaces) and (
                    key not in self._due
                ):
                    self._due[key] = max(now, self._last.get(key, 0.0) + self.min_interval_s)
                    hit = True
            if hit:
                self._lock.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stopped:
                    now = time.monotonic()
                    if self._due and min(self._due.values()) <= now:
                        break
                    wait = min(self._due.values()) - now if self._due else 30.0
                    self._lock.wait(timeout=wait)
                    now = time.monotonic()
                    for key in [k for k, r in self._registrations.items() if r.expires < now]:
                        del self._registrations[key]
                        self._due.pop(key, None)
                if self._stopped:
                    return
                now = time.monotonic()
                ready = [k for k, at in self._due.items() if at <= now]
                due = []
                for key in ready:
                    del self._due[key]
                    if key in self._registrations:
                        self._last[key] = now
                        due.append((key, self._registrations[key].wake))
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
