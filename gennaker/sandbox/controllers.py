"""The controller framework: reconcilers triggered by writes plus a ticker, writing as system components.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` runs a :class:`ControllerManager`; the
core's own loops (garbage collector, namespace finalizer, CRD establishment) are controllers built on
it, and so are the workload controllers and simulated kubelets added on top of the core.

Writing a controller::

    class ReplicaSetController(Controller):
        name = "replicaset"
        primary = ("apps", "replicasets")
        watches = (("apps", "replicasets"), ("", "pods"))   # events that trigger reconciles
        resync_seconds = 5.0                                # the ticker: every primary object again

        def map_event(self, event):                         # default: the object itself if primary,
            yield from super().map_event(event)             # else its controller owner of kind primary

        def reconcile(self, ctx, ref):                      # ref: ObjectRef(key, namespace, name)
            rs = ctx.client.get(ref)                        # None when gone
            ...
            ctx.client.update_status(rs_with_new_status)    # writes as kube-controller-manager

    cluster.controllers.add(ReplicaSetController())

Semantics:
- every event of a watched resource is mapped to :class:`ObjectRef` s (``map_event``); each ref is queued
  once (duplicates collapse) and reconciled ``lag_seconds`` after it was first queued (the manager's
  default lag, 0.05 s, lets clients briefly see ``observedGeneration < generation`` as on a real
  cluster); the ticker queues :meth:`Controller.resync_refs` every ``resync_seconds``;
- a reconcile may ask to run again later with ``ctx.requeue(ref, delay)`` (a pod's next simulated state
  change, a progress deadline); a ref queued for later and then queued sooner (an event) runs at the
  sooner time;
- one thread per controller: reconciles of one controller never run concurrently;
- ``reconcile`` may raise: the error is logged and the ref retried after ``retry_seconds``; a 409
  Conflict is the normal signal to re-read and retry;
- :class:`SystemClient` writes through the full API pipeline (defaulting, validation, managed fields,
  watch events) with manager ``kube-controller-manager``; ``update_status`` writes the ``status``
  subresource; :meth:`SystemClient.scale_replicas` uses the ``scale`` subresource path.
Nothing here persists (controllers are level-triggered: after a restart they reconcile what is stored).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .store import Event, Key, deep_copy

if TYPE_CHECKING:
    from .apiserver import ApiServer
    from .registry import ResourceType

log = logging.getLogger(__name__)
Obj = dict[str, Any]
SYSTEM_MANAGER = "kube-controller-manager"


@dataclass(frozen=True, order=True)
class ObjectRef:
    """What a reconcile is about: a resource key, a namespace ("" when cluster-scoped) and a name."""

    key: Key
    namespace: str
    name: str

    @classmethod
    def of(cls, key: Key, obj: Obj) -> ObjectRef:
        m = obj.get("metadata") or {}
        return cls(key, str(m.get("namespace") or ""), str(m.get("name") or ""))


class SystemClient:
    """Reads and writes as a system component (default manager ``kube-controller-manager``).

    Everything returned is the caller's own copy, except :meth:`list_objects` (shared, read-only).
    """

    def __init__(self, api: ApiServer, manager: str = SYSTEM_MANAGER) -> None:
        self.api = api
        self.manager = manager

    def resource(self, key: Key) -> ResourceType:
        rt = self.api.registry.by_key(key)
        if rt is None:
            raise KeyError(f"no resource {key}")
        return rt

    def get(self, ref: ObjectRef) -> Obj | None:
        """A private copy of the object, or None."""
        obj = self.api.store.get(ref.key, ref.namespace, ref.name)
        return deep_copy(obj) if obj is not None else None

    def list_objects(self, key: Key, namespace: str | None = None) -> list[Obj]:
        """The stored objects (shared, do not mutate: copy what you change)."""
        return self.api.store.list_objects(key, namespace)

    def list_owned(self, key: Key, owner_uid: str) -> list[Obj]:
        """The stored objects with an ownerReference to ``owner_uid`` (shared, do not mutate)."""
        return self.api.store.list_owned(key, owner_uid)

    def bind_pod(self, namespace: str, name: str, node: str) -> Obj:
        """Assign a pending pod to a node (the ``binding`` subresource: nodeName and PodScheduled)."""
        return deep_copy(self.api.bind_pod(namespace, name, node, manager=self.manager))

    def create(self, key: Key, obj: Obj, *, copy: bool = True) -> Obj:
        """Create; ``copy=False`` returns the stored object itself (read-only: for callers that only need
        its name or uid, which saves a deep copy per object on hot paths)."""
        from .apiserver import WriteOptions

        rt = self.resource(key)
        ns = str((obj.get("metadata") or {}).get("namespace") or "")
        created = self.api.create(
            rt, ns, obj, WriteOptions(manager=self.manager, field_validation="Ignore")
        ).obj
        return deep_copy(created) if copy else created

    def update(self, key: Key, obj: Obj) -> Obj:
        """PUT the main resource (409 when ``metadata.resourceVersion`` is stale)."""
        return deep_copy(self.api.system_update(self.resource(key), obj, manager=self.manager))

    def update_status(self, key: Key, obj: Obj) -> Obj:
        """PUT the ``status`` subresource (only ``status`` changes)."""
        return deep_copy(
            self.api.system_update(self.resource(key), obj, subresource="status", manager=self.manager)
        )

    def patch(
        self, key: Key, namespace: str, name: str, patch_type: str, patch: bytes, *, subresource: str = ""
    ) -> Obj:
        from .apiserver import WriteOptions

        opts = WriteOptions(manager=self.manager, field_validation="Ignore")
        result = self.api.patch(
            self.resource(key), namespace, name, patch_type, patch, opts=opts, subresource=subresource
        )
        return deep_copy(result.obj)

    def scale_replicas(self, key: Key, namespace: str, name: str, replicas: int) -> Obj:
        """Set replicas through the ``scale`` subresource; returns the Scale."""
        from .apiserver import WriteOptions

        opts = WriteOptions(manager=self.manager, field_validation="Ignore")
        rt = self.resource(key)
        return self.api.update(
            rt, namespace, name, {"spec": {"replicas": replicas}}, opts, subresource="scale"
        ).obj

    def delete(
        self,
        key: Key,
        namespace: str,
        name: str,
        propagation: str = "Background",
        *,
        grace_period: int | None = None,
        uid: str | None = None,
    ) -> Obj | None:
        """Delete (None when already gone). ``grace_period=0`` removes a terminating pod (the kubelet's
        final delete); ``uid`` is a precondition (409 if the object was replaced meanwhile)."""
        from .apiserver import WriteOptions

        options: Obj = {"propagationPolicy": propagation}
        if grace_period is not None:
            options["gracePeriodSeconds"] = grace_period
        if uid is not None:
            options["preconditions"] = {"uid": uid}
        try:
            result = self.api.delete(
                self.resource(key),
                namespace,
                name,
                options,
                WriteOptions(manager=self.manager),
            )
            return deep_copy(result.obj)
        except ApiError as e:
            if e.code == 404:
                return None
            raise


def _no_requeue(ref: ObjectRef, delay: float) -> None:
    raise RuntimeError("requeue is only available inside a running controller")


@dataclass
class ControllerContext:
    """What a reconcile gets: the API core, a system client, the manager's stop signal and ``requeue``.

    ``requeue(ref, delay)`` asks for another reconcile of ``ref`` by the same controller ``delay`` seconds
    from now (kept if something queues it sooner).
    """

    api: ApiServer
    client: SystemClient
    stop: threading.Event
    requeue: Callable[[ObjectRef, float], None] = _no_requeue


class Controller:
    """Base class of reconcilers (see the module docstring). Override ``reconcile`` at least."""

    name = "controller"
    primary: Key | None = None
    watches: tuple[Key, ...] | None = ()  # None: every resource
    resync_seconds = 5.0
    retry_seconds = 0.5
    lag_seconds: float | None = None  # None: the manager's default
    manager = SYSTEM_MANAGER

    # The kind of ``primary`` (filled in when the controller is added to a manager).
    primary_kind: str | None = None

    def setup(self, ctx: ControllerContext) -> None:
        """Called once when the controller is added, before any event (keep ``ctx.api`` for map_event)."""

    def map_event(self, event: Event) -> Iterator[ObjectRef]:
        """Refs to reconcile for an event: the object itself if primary, else its controller owner."""
        if self.primary is None:
            return
        if event.key == self.primary:
            yield ObjectRef.of(event.key, event.obj)
            return
        for ref in (event.obj.get("metadata") or {}).get("ownerReferences") or []:
            if ref.get("controller") and ref.get("kind") == self.primary_kind:
                yield ObjectRef(self.primary, event.namespace, str(ref.get("name")))

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        """Refs the ticker queues: every object of the primary resource."""
        if self.primary is None:
            return []
        return [ObjectRef.of(self.primary, o) for o in ctx.api.store.list_objects(self.primary)]

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        raise NotImplementedError


class _Runner:
    """One controller's queue and thread."""

    def __init__(self, controller: Controller, ctx: ControllerContext, default_lag: float) -> None:
        self.c = controller
        self.ctx = ctx
        self.lag = controller.lag_seconds if controller.lag_seconds is not None else default_lag
        self._heap: list[tuple[float, ObjectRef]] = []
        self._queued: dict[ObjectRef, float] = {}  # ref -> when it is due (heap entries may be stale)
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"controller-{controller.name}", daemon=True)
        self._feeder = threading.Thread(
            target=self._feed, name=f"controller-{controller.name}-events", daemon=True
        )
        self.sub = ctx.api.store.subscribe(controller.watches)
        if controller.primary is not None:
            rt = ctx.api.registry.by_key(controller.primary)
            controller.primary_kind = rt.kind if rt else None
        controller.setup(ctx)
        self.reconciles = 0

    def enqueue(self, ref: ObjectRef, delay: float | None = None) -> None:
        due = time.monotonic() + (self.lag if delay is None else max(0.0, delay))
        with self._cv:
            queued = self._queued.get(ref)
            if queued is not None and queued <= due:
                return
            self._queued[ref] = due
            heapq.heappush(self._heap, (due, ref))
            self._cv.notify()

    def start(self) -> None:
        self._thread.start()
        self._feeder.start()

    def stop(self) -> None:
        self.sub.close()
        with self._cv:
            self._cv.notify_all()
        self._thread.join(timeout=5)
        self._feeder.join(timeout=5)

    def _feed(self) -> None:
        while not self.ctx.stop.is_set():
            ev = self.sub.get(timeout=0.5)
            if ev is None:
                if self.sub.closed:
                    return
                continue
            try:
                for ref in self.c.map_event(ev):
                    self.enqueue(ref)
            except Exception:
                log.exception("controller %s: map_event failed", self.c.name)

    def _run(self) -> None:
        next_resync = time.monotonic()
        while not self.ctx.stop.is_set():
            now = time.monotonic()
            if now >= next_resync:
                try:
                    for ref in self.c.resync_refs(self.ctx):
                        self.enqueue(ref, 0.0)
                except Exception:
                    log.exception("controller %s: resync failed", self.c.name)
                next_resync = now + self.c.resync_seconds
            with self._cv:
                if not self._heap or self._heap[0][0] > time.monotonic():
                    wait = next_resync - time.monotonic()
                    if self._heap:
                        wait = min(wait, self._heap[0][0] - time.monotonic())
                    self._cv.wait(timeout=max(0.0, min(wait, 0.5)))
                    continue
                due, ref = heapq.heappop(self._heap)
                if self._queued.get(ref) != due:
                    continue  # a stale entry: the ref was moved to an earlier time (or already ran)
                del self._queued[ref]
            try:
                self.c.reconcile(self.ctx, ref)
                self.reconciles += 1
            except ApiError as e:
                if e.code != 409:
                    log.warning("controller %s: reconcile %s: %s", self.c.name, ref, e.message)
                self.enqueue(ref, self.c.retry_seconds)
            except Exception:
                log.exception("controller %s: reconcile %s failed", self.c.name, ref)
                self.enqueue(ref, self.c.retry_seconds)


class ControllerManager:
    """Runs controllers; add them before or after :meth:`start`."""

    def __init__(self, api: ApiServer, default_lag: float = 0.05) -> None:
        self.api = api
        self.default_lag = default_lag
        self.stop_event = threading.Event()
        self._runners: dict[str, _Runner] = {}
        self._started = False
        self._lock = threading.Lock()

    def add(self, controller: Controller) -> None:
        ctx = ControllerContext(self.api, SystemClient(self.api, controller.manager), self.stop_event)
        with self._lock:
            if controller.name in self._runners:
                raise ValueError(f"a controller named {controller.name!r} is already registered")
            runner = _Runner(controller, ctx, self.default_lag)
            ctx.requeue = runner.enqueue
            self._runners[controller.name] = runner
            if self._started:
                runner.start()

    def enqueue(self, name: str, ref: ObjectRef, delay: float = 0.0) -> None:
        """Ask controller ``name`` to reconcile ``ref`` (e.g. from another controller or a test)."""
        self._runners[name].enqueue(ref, delay)

    def start(self) -> None:
        with self._lock:
            self._started = True
            for r in self._runners.values():
                r.start()

    def stop(self) -> None:
        self.stop_event.set()
        for r in list(self._runners.values()):
            r.stop()

    def names(self) -> list[str]:
        return list(self._runners)

    def get(self, name: str) -> Controller | None:
        """The controller registered as ``name`` (None if there is none)."""
        runner = self._runners.get(name)
        return runner.c if runner is not None else None


def owner_reference(owner: Obj, *, controller: bool = True, block_owner_deletion: bool = True) -> Obj:
    """An ownerReferences entry pointing at ``owner`` (what controllers put on what they create)."""
    ref: Obj = {
        "apiVersion": owner.get("apiVersion", ""),
        "kind": owner.get("kind", ""),
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }
    if controller:
        ref["controller"] = True
    if block_owner_deletion:
        ref["blockOwnerDeletion"] = True
    return ref


def controller_of(obj: Obj) -> Obj | None:
    """The ownerReferences entry with ``controller: true``, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def retry_on_conflict(fn: Callable[[], Any], attempts: int = 5) -> Any:
    """Call ``fn`` until it does not raise a 409 Conflict (re-reading is ``fn``'s job)."""
    for i in range(attempts):
        try:
            return fn()
        except ApiError as e:
            if e.code != 409 or i == attempts - 1:
                raise
    return None
