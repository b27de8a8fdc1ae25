"""The pipeline-completion watcher: starts the pipelines whose ``pipeline`` trigger names a pipeline that just
ended with a listed status (Echo's pipeline trigger, fed by Orca's events).

Who calls it: the trigger runtime. ``on_engine_event`` is subscribed to the engine's events (it only queues
the execution id: it runs on a worker thread); the runtime's loop calls ``drain()`` and, every few seconds,
``catch_up()``, only while it holds the scheduling lease. ``catch_up`` scans the executions that ended in the
last ``lookback`` of every pipeline some pipeline trigger names, and handles those the event log does not
have yet: completions this process did not see (another process's workers, a lease handed over, a restart)
are not lost. Each completion is one event, key ``pipeline:<execution id>``; executions of pipelines no
trigger names are not logged. Nothing else is persisted here.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from gennaker.engine.clock import now_ms
from gennaker.engine.events import EngineEvent
from gennaker.engine.service import PipelineService
from gennaker.model import ExecutionStatus
from gennaker.store import executions as execution_repo
from gennaker.store import triggers as trigger_repo
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.events import DispatchResult
from gennaker.triggers.types.pipeline import completion_event

log = logging.getLogger(__name__)

COMPLETE = [s.value for s in ExecutionStatus if s.is_complete]


class CompletionWatcher:
    """Turns finished executions into ``pipeline`` trigger events."""

    def __init__(
        self,
        dispatcher: TriggerDispatcher,
        service: PipelineService,
        *,
        lookback_s: float = 600.0,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.service = service
        self.lookback_ms = int(lookback_s * 1000)
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._handled: dict[str, int] = {}
        self._lock = threading.Lock()
        self._wake = wake
        self.listening = False

    def _parents(self) -> set[str]:
        refs = self.dispatcher.index.triggers("pipeline")
        return {str(r.trigger.get("pipeline")) for r in refs if r.trigger.get("pipeline")}

    def on_engine_event(self, event: EngineEvent) -> None:
        """Engine subscriber: queue executions that just finished (quick; runs on the worker's thread)."""
        if not self.listening or event.type != "execution":
            return
        try:
            complete = ExecutionStatus(event.status).is_complete
        except ValueError:
            return
        if complete:
            self._queue.put(event.execution_id)
            if self._wake is not None:
                self._wake()

    def drain(self) -> list[DispatchResult]:
        """Handle every queued completion."""
        results: list[DispatchResult] = []
        while True:
            try:
                execution_id = self._queue.get_nowait()
            except queue.Empty:
                return results
            result = self.handle(execution_id)
            if result is not None:
                results.append(result)

    def _seen(self, execution_id: str) -> bool:
        with self._lock:
            return execution_id in self._handled

    def _mark(self, execution_id: str) -> None:
        now = now_ms()
        with self._lock:
            self._handled[execution_id] = now
            if len(self._handled) > 10_000:
                horizon = now - 2 * self.lookback_ms
                self._handled = {k: v for k, v in self._handled.items() if v >= horizon}

    def handle(self, execution_id: str) -> DispatchResult | None:
        """Dispatch one finished execution if a pipeline trigger names its pipeline and it is not logged."""
        if self._seen(execution_id):
            return None
        with self.dispatcher.db.read() as conn:
            record = execution_repo.get_execution(conn, execution_id)  # the row only: cheap
        if (
            record is None
            or record.type != "PIPELINE"
            or str(record.pipeline_config_id) not in self._parents()
        ):
            self._mark(execution_id)
            return None
        if not ExecutionStatus(record.status).is_complete:
            return None
        execution = self.service.get_execution(execution_id)
        if execution is None:
            return None
        event = completion_event(execution)
        with self.dispatcher.db.read() as conn:
            logged = trigger_repo.seen_event_keys(conn, [event.key])
        self._mark(execution_id)
        if logged:
            return None
        return self.dispatcher.dispatch(event)

    def catch_up(self) -> list[DispatchResult]:
        """Handle recently finished executions of watched pipelines that no process has logged."""
        parents = sorted(self._parents())
        if not parents:
            return []
        horizon = now_ms() - self.lookback_ms
        with self.dispatcher.db.read() as conn:
            rows = execution_repo.list_executions(
                conn, config_ids=parents, statuses=COMPLETE, execution_type="PIPELINE", limit=500
            )
            recent = [r.id for r in rows if (r.end_time or 0) >= horizon and not self._seen(r.id)]
            logged = trigger_repo.seen_event_keys(conn, [f"pipeline:{i}" for i in recent])
        results = []
        for execution_id in reversed(recent):  # oldest first
            if f"pipeline:{execution_id}" in logged:
                self._mark(execution_id)
                continue
            result = self.handle(execution_id)
            if result is not None:
                results.append(result)
        return results
