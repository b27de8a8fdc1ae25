"""The engine's shared parts for one process: database, stage registry, evaluator, events, wake-ups.

Who uses it: the facade (``PipelineService``) and the workers are built on one ``EngineRuntime``; the
handlers reach everything through it. Nothing here is persisted.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass, field

from gennaker.engine.events import EventBus
from gennaker.engine.expressions import StageEvaluator
from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import EngineServices
from gennaker.store import Database


class Waker:
    """Wakes idle worker threads of this process when work is enqueued (no polling for new work).

    ``generation()`` is read before looking for work and passed to ``wait``, so a notification that
    arrives between the look and the wait is not lost."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._gen = 0

    def generation(self) -> int:
        return self._gen

    def notify(self, n: int = 1) -> None:
        with self._cond:
            self._gen += 1
            self._cond.notify(n)

    def notify_all(self) -> None:
        with self._cond:
            self._gen += 1
            self._cond.notify_all()

    def wait(self, since: int, timeout_s: float) -> None:
        with self._cond:
            if self._gen == since:
                self._cond.wait(timeout_s)


def _owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class EngineRuntime:
    """Everything a handler or the facade needs, shared by the threads of one process."""

    db: Database
    registry: StageRegistry
    events: EventBus = field(default_factory=EventBus)
    evaluator: StageEvaluator = field(default_factory=StageEvaluator)
    waker: Waker = field(default_factory=Waker)
    services: EngineServices | None = None
    lease_ms: int = 10_000
    max_attempts: int = 5
    owner: str = field(default_factory=_owner_id)

    @classmethod
    def create(
        cls, database_url: str | None = None, *, registry: StageRegistry | None = None, upgrade: bool = True
    ) -> EngineRuntime:
        """A runtime on ``database_url`` (default: ``GENNAKER_DATABASE_URL`` or the SQLite file under
        ``GENNAKER_HOME``) with every installed stage plugin; runs migrations unless told not to."""
        db = Database(database_url)
        if upgrade:
            db.upgrade()
        return cls(db=db, registry=registry if registry is not None else StageRegistry.from_entry_points())
