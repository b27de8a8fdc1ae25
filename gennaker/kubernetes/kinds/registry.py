"""The registry of kind handlers: kind name -> ``KindHandler``.

Who calls it: everything kind-specific asks ``KINDS`` (manifest operations, stages, the cache, stability).
Lookups accept what users write: ``Deployment``, ``deployment``, ``deployments``, ``deployment.apps``,
Spinnaker's lowerCamel ``replicaSet``, and kubectl's short names (``deploy``, ``rs``, ``svc``...). A kind
nobody registered (a CRD) gets a generic handler built from what discovery says about it (``generic``):
never versioned, priority 1000, stable at once, not cached unless a deploy applied it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from gennaker.kubernetes.accounts import normalise_kind
from gennaker.kubernetes.kinds import daemonset, deployment, hpa, job, pod, replicaset, simple, statefulset
from gennaker.kubernetes.kinds.base import LOWEST_PRIORITY, KindHandler

SHORT_NAMES = {
    "deploy": "deployment",
    "rs": "replicaset",
    "sts": "statefulset",
    "ds": "daemonset",
    "po": "pod",
    "svc": "service",
    "ing": "ingress",
    "netpol": "networkpolicy",
    "cm": "configmap",
    "hpa": "horizontalpodautoscaler",
    "ns": "namespace",
    "cj": "cronjob",
    "sa": "serviceaccount",
    "pvc": "persistentvolumeclaim",
    "pv": "persistentvolume",
    "pdb": "poddisruptionbudget",
    "crd": "customresourcedefinition",
    "rc": "replicationcontroller",
}


def kind_key(kind: str) -> str:
    """The registry key of a kind name as users write it."""
    key = normalise_kind(kind)
    return SHORT_NAMES.get(key, key)


class KindRegistry:
    """Kind handlers by normalised kind name; thread-safe; unknown kinds fall back to ``generic``."""

    def __init__(self, handlers: Iterable[KindHandler] = ()) -> None:
        self._by_key: dict[str, KindHandler] = {}
        self._lock = threading.Lock()
        for h in handlers:
            self.register(h)

    def register(self, handler: KindHandler, *, replace: bool = False) -> None:
        key = kind_key(handler.kind)
        with self._lock:
            if key in self._by_key and not replace:
                raise ValueError(f"kind {handler.kind!r} is already registered")
            self._by_key[key] = handler

    def find(self, kind: str) -> KindHandler | None:
        """The handler of ``kind`` (any spelling), or None."""
        with self._lock:
            return self._by_key.get(kind_key(kind))

    def handlers(self) -> list[KindHandler]:
        with self._lock:
            return sorted(self._by_key.values(), key=lambda h: (h.priority, h.kind))

    def cached(self) -> list[KindHandler]:
        """The kinds every account's cache watches by default."""
        return [h for h in self.handlers() if h.cached]

    @staticmethod
    def generic(kind: str, api_version: str, plural: str, *, namespaced: bool = True) -> KindHandler:
        """A handler for a kind Gennaker has no rules for (a custom resource)."""
        group, _, version = api_version.rpartition("/")
        return KindHandler(kind, group, version, plural, namespaced=namespaced, priority=LOWEST_PRIORITY)


KINDS = KindRegistry(
    [
        deployment.HANDLER,
        replicaset.HANDLER,
        statefulset.HANDLER,
        daemonset.HANDLER,
        job.HANDLER,
        pod.HANDLER,
        hpa.HANDLER,
        *simple.HANDLERS,
    ]
)
