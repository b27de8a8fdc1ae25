"""Watches: the events one ``?watch=true`` request receives, in resourceVersion order.

Who calls it: the HTTP resource handler, which writes each event this module yields as one JSON line of a
chunked reply. In-process consumers (controllers) use :meth:`ObjectStore.subscribe` directly.

Start positions (as kube-apiserver):
- ``sendInitialEvents=true`` (requires ``resourceVersionMatch=NotOlderThan`` and ``allowWatchBookmarks``,
  else 422): ADDED for every current match, a BOOKMARK annotated ``k8s.io/initial-events-end: "true"``,
  then live events. This is the watch-list kubectl 1.37 ``rollout status`` and ``wait`` use.
- ``resourceVersion`` unset or ``0``: ADDED for every current match, then live events.
- ``resourceVersion=N``: every logged event newer than N, then live events; N older than the log gives one
  ERROR event (410 Expired, ``too old resource version: N (M)``) and the end of the stream.

Selectors filter events and turn transitions into what the watcher can see: an object that starts
matching arrives as ADDED, one that stops matching as DELETED. Bookmarks (with ``allowWatchBookmarks``)
carry the last resourceVersion sent. The stream ends after ``timeoutSeconds`` or when the server stops.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import errors
from .registry import ResourceType
from .selectors import FieldSelector, LabelSelector
from .store import ADDED, DELETED, MODIFIED, Event, ObjectStore, TooOld

Obj = dict[str, Any]
BOOKMARK = "BOOKMARK"
ERROR = "ERROR"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"


@dataclass
class WatchRequest:
    rt: ResourceType
    namespace: str | None
    labels: LabelSelector | None = None
    fields: FieldSelector | None = None
    resource_version: str | None = None
    resource_version_match: str | None = None
    send_initial_events: bool | None = None
    allow_bookmarks: bool = False
    timeout_seconds: float = 1800.0
    bookmark_interval: float = 10.0

    def validate(self) -> None:
        if self.send_initial_events is not None:
            errs = []
            if self.resource_version_match != "NotOlderThan":
                errs.append(
                    errors.forbidden(
                        "resourceVersionMatch",
                        "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                    )
                )
            if self.send_initial_events and not self.allow_bookmarks:
                errs.append(
                    errors.forbidden(
                        "allowWatchBookmarks",
                        "sendInitialEvents requires setting allowWatchBookmarks to true",
                    )
                )
            if errs:
                raise errors.invalid_object("ListOptions", "meta.k8s.io", "", errs)
        elif self.resource_version_match:
            raise errors.invalid_object(
                "ListOptions",
                "meta.k8s.io",
                "",
                [
                    errors.forbidden(
                        "resourceVersionMatch",
                        "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                    )
                ],
            )


class Watcher:
    """One watch's event source; iterate it for event dicts ({"type", "object"})."""

    def __init__(self, store: ObjectStore, req: WatchRequest, stop: threading.Event) -> None:
        req.validate()
        self.req = req
        self.store = store
        self.stop = stop
        self._initial: list[Obj] = []
        self._last_rv = 0
        self._expired: errors.ApiError | None = None
        with store.lock:
            self.sub = store.subscribe([req.rt.key])
            current = store.resource_version
            rv_text = req.resource_version
            if req.send_initial_events or rv_text in (None, "", "0"):
                for obj in store.list_objects(req.rt.key, req.namespace if req.rt.namespaced else None):
                    if self._matches(obj):
                        self._initial.append(self._event(ADDED, obj))
                self._last_rv = current
                if req.send_initial_events:
                    self._initial.append(self._bookmark(current, initial_end=True))
            else:
                try:
                    since = int(str(rv_text))
                except ValueError as e:
                    self.sub.close()
                    raise errors.bad_request(f"invalid resource version: {rv_text}") from e
                try:
                    for ev in store.events_since(req.rt.key, since):
                        out = self._translate(ev)
                        if out is not None:
                            self._initial.append(out)
                    self._last_rv = max(since, current)
                except TooOld as e:
                    self._expired = errors.expired(str(e))

    # -- filtering
    def _in_scope(self, obj: Obj) -> bool:
        if self.req.namespace is not None and self.req.rt.namespaced:
            return bool(obj.get("metadata", {}).get("namespace") == self.req.namespace)
        return True

    def _matches(self, obj: Obj | None) -> bool:
        if obj is None or not self._in_scope(obj):
            return False
        if self.req.labels is not None and not self.req.labels.matches(obj.get("metadata", {}).get("labels")):
            return False
        return not (self.req.fields is not None and not self.req.fields.matches(obj))

    def _translate(self, ev: Event) -> Obj | None:
        if ev.type == MODIFIED:
            was, now = self._matches(ev.old), self._matches(ev.obj)
            if was and now:
                return self._event(MODIFIED, ev.obj)
            if now:
                return self._event(ADDED, ev.obj)
            if was:
                return self._event(DELETED, ev.obj)
            return None
        if self._matches(ev.obj):
            return self._event(ev.type, ev.obj)
        return None

    def _event(self, kind: str, obj: Obj) -> Obj:
        if obj.get("apiVersion") != self.req.rt.api_version:
            obj = {**obj, "apiVersion": self.req.rt.api_version}
        return {"type": kind, "object": obj}

    def _bookmark(self, rv: int, initial_end: bool = False) -> Obj:
        meta: Obj = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {INITIAL_EVENTS_END: "true"}
        return {
            "type": BOOKMARK,
            "object": {"kind": self.req.rt.kind, "apiVersion": self.req.rt.api_version, "metadata": meta},
        }

    # -- the stream
    def __iter__(self) -> Iterator[Obj | None]:
        """Event dicts; ``None`` now and then while idle, so the transport can notice a vanished client."""
        try:
            if self._expired is not None:
                yield {"type": ERROR, "object": self._expired.status()}
                return
            yield from self._initial
            self._initial = []
            deadline = time.monotonic() + self.req.timeout_seconds
            next_bookmark = time.monotonic() + self.req.bookmark_interval
            while not self.stop.is_set():
                now = time.monotonic()
                if now >= deadline:
                    return
                wait = min(deadline - now, 0.5)
                if self.req.allow_bookmarks:
                    wait = min(wait, max(0.0, next_bookmark - now))
                ev = self.sub.get(timeout=wait)
                if ev is None:
                    if self.sub.closed:
                        return
                    if self.req.allow_bookmarks and time.monotonic() >= next_bookmark:
                        yield self._bookmark(self._last_rv)
                        next_bookmark = time.monotonic() + self.req.bookmark_interval
                    else:
                        yield None  # idle heartbeat: nothing is sent
                    continue
                if ev.rv <= self._last_rv:
                    continue
                self._last_rv = ev.rv
                out = self._translate(ev)
                if out is not None:
                    yield out
        finally:
            self.sub.close()

    def close(self) -> None:
        self.sub.close()
