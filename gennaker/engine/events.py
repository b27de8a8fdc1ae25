"""Execution/stage/task transition events, for live views (server-sent events) and notifications.

Who uses it: handlers record events in their transaction (``Tx.emit``); the worker publishes them after
the commit, so a subscriber never sees a transition that was rolled back. The API subscribes with
``EventBus.subscribe`` (a callback, called on the worker's thread: it must be quick, e.g. put into a
queue) or ``EventBus.listen`` (a blocking iterator with a timeout). On PostgreSQL the worker also sends
each event with ``NOTIFY gennaker_events`` inside its transaction, and every process's listener
re-publishes them locally, so an API process sees transitions made by worker processes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EngineEvent:
    """One transition. ``type`` is "execution", "stage" or "task"."""

    type: str
    execution_id: str
    status: str
    ts: int
    application: str | None = None
    stage_id: str | None = None
    ref_id: str | None = None
    name: str | None = None
    task_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class Subscription:
    """Returned by ``subscribe``; ``close()`` stops delivery."""

    def __init__(self, bus: EventBus, callback: Callable[[EngineEvent], None]) -> None:
        self._bus = bus
        self.callback = callback

    def close(self) -> None:
        self._bus._remove(self)


class EventBus:
    """In-process fan-out of engine events."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[EngineEvent], None]) -> Subscription:
        """Call ``callback`` for every event from now on."""
        sub = Subscription(self, callback)
        with self._lock:
            self._subs = [*self._subs, sub]
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subs = [s for s in self._subs if s is not sub]

    def publish(self, events: list[EngineEvent]) -> None:
        """Deliver events to every subscriber (exceptions in a subscriber are logged, not raised)."""
        subs = self._subs
        for event in events:
            for sub in subs:
                try:
                    sub.callback(event)
                except Exception:
                    log.exception("event subscriber failed")

    def listen(
        self, *, execution_id: str | None = None, timeout_s: float = 30.0
    ) -> Iterator[EngineEvent | None]:
        """Iterate events (optionally of one execution); yields None after ``timeout_s`` without one (so
        an SSE handler can send a keep-alive or check for a closed client). Close the iterator to stop."""
        q: queue.Queue[EngineEvent] = queue.Queue()

        def put(event: EngineEvent) -> None:
            if execution_id is None or event.execution_id == execution_id:
                q.put(event)

        sub = self.subscribe(put)
        try:
            while True:
                try:
                    yield q.get(timeout=timeout_s)
                except queue.Empty:
                    yield None
        finally:
            sub.close()
