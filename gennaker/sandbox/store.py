"""The object store: every object in memory, one global resourceVersion counter, a bounded event log.

Who calls it: the API operations (``apiserver``) are the only writers; watch handlers, the garbage
collector, the CRD loop and controllers read it and subscribe to its changes.

Model:
- objects live in ``{(group, plural): {(namespace, name): object}}``; an object is a JSON-shaped dict.
  **Stored objects are never mutated in place**: a write stores a new dict. Readers that want to change
  what they got must copy it first (:func:`deep_copy`); ``get``/``list`` return the stored dicts.
- ``resourceVersion`` is one counter for the whole store, bumped by every committed write. Each write
  appends an :class:`Event` to a bounded log (``log_size`` entries), from which watches resume;
  a watch from a version older than the log's start gets 410 Expired.
- :meth:`subscribe` returns a :class:`Subscription`: a queue fed, under the store lock and therefore in
  resourceVersion order, with every event of the chosen resources. Watch handlers and controllers read
  their queue from their own thread; a subscription never blocks a writer.
- two indexes are kept up to date by :meth:`commit`: objects per namespace (so a namespaced list does not
  sort every object of the resource) and objects per owner uid (:meth:`list_owned`: a controller finds its
  ReplicaSets, Pods or Jobs without scanning all of them).

Persistence is :mod:`gennaker.sandbox.persistence`'s job: it snapshots :meth:`dump` and restores with
:meth:`load` (objects and counter; the event log starts empty after a restart).
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str]  # (group, plural)

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"


def deep_copy(value: Any) -> Any:
    """A copy of JSON-shaped data (dicts, lists, scalars), much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


@dataclass(frozen=True)
class Event:
    """One committed change. ``obj`` is the new state (the last state for DELETED), ``old`` the previous."""

    type: str
    key: Key
    rv: int
    obj: Obj
    old: Obj | None

    @property
    def namespace(self) -> str:
        return str(self.obj.get("metadata", {}).get("namespace") or "")


class TooOld(Exception):
    """A watch asked for events older than the log keeps."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


class Subscription:
    """A queue of events for some resources (or all, when ``keys`` is None)."""

    def __init__(self, store: ObjectStore, keys: frozenset[Key] | None) -> None:
        self._store = store
        self.keys = keys
        self._queue: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self.closed = False

    def _offer(self, event: Event) -> None:
        if self.keys is None or event.key in self.keys:
            self._queue.put(event)

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or None on timeout or after :meth:`close`."""
        if self.closed:
            return None
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._store._unsubscribe(self)
            self._queue.put(None)


class ObjectStore:
    """In-memory objects, the global resourceVersion and the event log (see the module docstring)."""

    def __init__(self, log_size: int = 10_000) -> None:
        self.lock = threading.RLock()
        self._objects: dict[Key, dict[tuple[str, str], Obj]] = {}
        self._rv = 0
        self._log: deque[Event] = deque(maxlen=log_size)
        self._log_start = 0  # events with rv > _log_start are all in the log
        self._subs: list[Subscription] = []
        self._write_listeners: list[Any] = []
        # Indexes: resource -> namespace -> names; resource -> owner uid -> (namespace, name).
        self._by_ns: dict[Key, dict[str, set[str]]] = {}
        self._by_owner: dict[Key, dict[str, set[tuple[str, str]]]] = {}

    # -- reads
    @property
    def resource_version(self) -> int:
        return self._rv

    def get(self, key: Key, namespace: str, name: str) -> Obj | None:
        bucket = self._objects.get(key)
        return None if bucket is None else bucket.get((namespace, name))

    def list_objects(self, key: Key, namespace: str | None = None) -> list[Obj]:
        """Objects of a resource sorted by (namespace, name); all namespaces when ``namespace`` is None."""
        with self.lock:
            bucket = self._objects.get(key, {})
            if namespace is None:
                return [bucket[k] for k in sorted(bucket)]
            names = self._by_ns.get(key, {}).get(namespace, ())
            return [bucket[(namespace, n)] for n in sorted(names)]

    def list_owned(self, key: Key, owner_uid: str) -> list[Obj]:
        """Objects of a resource with an ownerReference to ``owner_uid``, sorted by (namespace, name)."""
        with self.lock:
            bucket = self._objects.get(key, {})
            idents = self._by_owner.get(key, {}).get(owner_uid, ())
            return [bucket[i] for i in sorted(idents)]

    def count(self, key: Key) -> int:
        return len(self._objects.get(key, {}))

    def keys(self) -> list[Key]:
        with self.lock:
            return [k for k, v in self._objects.items() if v]

    def all_objects(self) -> Iterator[tuple[Key, Obj]]:
        with self.lock:
            items = [(k, o) for k, bucket in self._objects.items() for o in bucket.values()]
        return iter(items)

    # -- writes (callers hold no invariant but the lock; apiserver builds the new objects)
    def next_rv(self) -> int:
        return self._rv + 1

    def commit(self, event_type: str, key: Key, obj: Obj, old: Obj | None) -> Obj:
        """Store (or, for DELETED, remove) ``obj`` with a fresh resourceVersion, log and publish it.

        ``obj`` must be a new dict owned by the store from now on; its ``metadata.resourceVersion`` is set
        here. Returns the stored object.
        """
        with self.lock:
            self._rv += 1
            rv = self._rv
            obj.setdefault("metadata", {})["resourceVersion"] = str(rv)
            meta = obj["metadata"]
            ident = (str(meta.get("namespace") or ""), str(meta["name"]))
            bucket = self._objects.setdefault(key, {})
            previous = bucket.get(ident)
            if previous is not None:
                self._unindex(key, ident, previous)
            if event_type == DELETED:
                bucket.pop(ident, None)
            else:
                bucket[ident] = obj
                self._index(key, ident, obj)
            event = Event(event_type, key, rv, obj, old)
            if len(self._log) == self._log.maxlen:
                self._log_start = self._log[0].rv
            self._log.append(event)
            for sub in self._subs:
                sub._offer(event)
        return obj

    def _index(self, key: Key, ident: tuple[str, str], obj: Obj) -> None:
        self._by_ns.setdefault(key, {}).setdefault(ident[0], set()).add(ident[1])
        for ref in obj["metadata"].get("ownerReferences") or ():
            uid = ref.get("uid") if isinstance(ref, dict) else None
            if uid:
                self._by_owner.setdefault(key, {}).setdefault(str(uid), set()).add(ident)

    def _unindex(self, key: Key, ident: tuple[str, str], obj: Obj) -> None:
        names = self._by_ns.get(key, {}).get(ident[0])
        if names is not None:
            names.discard(ident[1])
            if not names:
                del self._by_ns[key][ident[0]]
        owners = self._by_owner.get(key, {})
        for ref in obj["metadata"].get("ownerReferences") or ():
            uid = str(ref.get("uid")) if isinstance(ref, dict) else ""
            held = owners.get(uid)
            if held is not None:
                held.discard(ident)
                if not held:
                    del owners[uid]

    # -- watch support
    def subscribe(self, keys: Iterable[Key] | None = None) -> Subscription:
        """A new subscription to every later event of ``keys`` (all resources when None)."""
        with self.lock:
            sub = Subscription(self, frozenset(keys) if keys is not None else None)
            self._subs.append(sub)
            return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with self.lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def events_since(self, key: Key | None, rv: int) -> list[Event]:
        """Logged events of ``key`` (all when None) newer than ``rv``; TooOld when no longer logged."""
        with self.lock:
            if rv < self._log_start:
                raise TooOld(rv, self._log_start + 1)
            return [e for e in self._log if e.rv > rv and (key is None or e.key == key)]

    @property
    def oldest_rv(self) -> int:
        """The oldest resourceVersion a watch may still resume from."""
        return self._log_start

    # -- persistence
    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                "resourceVersion": self._rv,
                "objects": [
                    {"group": k[0], "resource": k[1], "object": o}
                    for k, bucket in self._objects.items()
                    for _, o in sorted(bucket.items())
                ],
            }

    def load(self, state: dict[str, Any]) -> None:
        with self.lock:
            self._objects.clear()
            self._log.clear()
            self._by_ns.clear()
            self._by_owner.clear()
            for entry in state.get("objects", []):
                obj = entry["object"]
                meta = obj["metadata"]
                key = (str(entry["group"]), str(entry["resource"]))
                ident = (str(meta.get("namespace") or ""), str(meta["name"]))
                self._objects.setdefault(key, {})[ident] = obj
                self._index(key, ident, obj)
            self._rv = int(state.get("resourceVersion", 0))
            self._log_start = self._rv
