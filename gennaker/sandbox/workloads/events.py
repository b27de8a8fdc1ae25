"""core/v1 Events, as client-go's event recorder writes them, and their expiry.

Who calls it: every workload controller, the scheduler and the kubelet record what they do
(``ScalingReplicaSet``, ``SuccessfulCreate``, ``Scheduled``, ``Pulling``, ``BackOff`` ...) so that
``kubectl describe`` (events selected by ``involvedObject.*``) and ``kubectl events`` show them.

:class:`EventRecorder` writes ``{involvedObject.name}.{hex nanoseconds}`` Events with ``source``,
``reportingComponent``, ``firstTimestamp``/``lastTimestamp`` and ``count``; an event equal to one it
recorded before (same object, type, reason and message) bumps that Event's ``count`` and
``lastTimestamp`` instead, as the client-go correlator does. A recorder is used from one controller
thread. :class:`EventReaper` deletes Events older than the simulation's ``event_ttl_seconds`` (the API
server's ``--event-ttl``). Events are ordinary stored objects (persisted with the rest of the store).
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef, SystemClient
from ..errors import ApiError
from ..store import deep_copy
from .common import EVENTS, meta, parse_time, rfc3339

Obj = dict[str, Any]
NORMAL = "Normal"
WARNING = "Warning"
_CACHE_SIZE = 4096


class EventRecorder:
    """Records Events about objects as ``component`` (e.g. ``deployment-controller``, ``kubelet``)."""

    def __init__(self, client: SystemClient, component: str, host: str = "", *, enabled: bool = True) -> None:
        self.client = client
        self.component = component
        self.host = host
        self.enabled = enabled
        self._seen: OrderedDict[tuple[str, str, str, str], tuple[str, str]] = OrderedDict()

    def event(
        self,
        obj: Mapping[str, Any],
        event_type: str,
        reason: str,
        message: str,
        *,
        field_path: str = "",
        host: str | None = None,
    ) -> None:
        """Record one event about ``obj``; never raises (an event is best effort, as in client-go)."""
        if not self.enabled:
            return
        with contextlib.suppress(ApiError, KeyError):
            self._record(obj, event_type, reason, message, field_path, self.host if host is None else host)

    def _record(self, obj: Mapping[str, Any], event_type: str, reason: str, message: str, *args: str) -> None:
        field_path, host = args
        m = meta(obj)
        namespace = str(m.get("namespace") or "default")
        key = (str(m.get("uid") or m.get("name")), event_type, reason, message + "\0" + field_path)
        now = rfc3339(time.time())
        known = self._seen.get(key)
        if known is not None:
            stored = self.client.api.store.get(EVENTS, known[0], known[1])
            if stored is not None:
                updated = deep_copy(stored)
                updated["count"] = int(stored.get("count") or 1) + 1
                updated["lastTimestamp"] = now
                with contextlib.suppress(ApiError):
                    self.client.update(EVENTS, updated)
                    self._seen.move_to_end(key)
                    return
        involved: Obj = {
            "kind": obj.get("kind", ""),
            "namespace": m.get("namespace"),
            "name": m.get("name"),
            "uid": m.get("uid"),
            "apiVersion": obj.get("apiVersion", ""),
            "resourceVersion": m.get("resourceVersion"),
        }
        if field_path:
            involved["fieldPath"] = field_path
        source: Obj = {"component": self.component}
        if host:
            source["host"] = host
        name = f"{m.get('name')}.{time.time_ns():x}"
        self.client.create(
            EVENTS,
            copy=False,
            obj={
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": {k: v for k, v in involved.items() if v is not None},
                "reason": reason,
                "message": message,
                "source": source,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
                "type": event_type,
                "eventTime": None,
                "reportingComponent": self.component,
                "reportingInstance": host,
            },
        )
        self._seen[key] = (namespace, name)
        if len(self._seen) > _CACHE_SIZE:
            self._seen.popitem(last=False)


class EventReaper(Controller):
    """Deletes Events whose last occurrence is older than ``ttl_seconds``."""

    name = "event-ttl"
    primary = None
    watches = ()
    resync_seconds = 60.0
    _REF = ObjectRef(EVENTS, "", "*")

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds

    def resync_refs(self, ctx: ControllerContext) -> Iterable[ObjectRef]:
        return [self._REF]

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        cutoff = time.time() - self.ttl
        for ev in ctx.client.list_objects(EVENTS):
            last = parse_time(ev.get("lastTimestamp")) or parse_time(meta(ev).get("creationTimestamp"))
            if last is not None and last < cutoff:
                ctx.client.delete(EVENTS, str(meta(ev).get("namespace") or ""), str(meta(ev).get("name")))
