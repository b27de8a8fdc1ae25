"""``Tx``: one handler's unit of work: the locked execution, cached stage rows, and what to push/emit.

Who uses it: every handler receives a ``Tx``; the worker creates it inside a write transaction, runs the
handler, writes the pushes to the queue and acks the message in the same transaction, commits, then
publishes the events and wakes workers. So a state change and the messages it produces are committed
together or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from gennaker.engine.events import EngineEvent
from gennaker.engine.messages import Message
from gennaker.engine.runtime import EngineRuntime
from gennaker.store import executions as repo
from gennaker.store.executions import ExecutionRecord, StageRecord


class Tx:
    """State access for one handler invocation."""

    def __init__(
        self, runtime: EngineRuntime, conn: Connection, now: int, execution: ExecutionRecord
    ) -> None:
        self.runtime = runtime
        self.conn = conn
        self.now = now
        self.execution = execution
        self.pushes: list[tuple[Message, int]] = []
        self.events: list[EngineEvent] = []
        self._stages: dict[str, StageRecord] = {}

    # ------------------------------------------------------------ messages and events

    def push(self, message: Message, delay_ms: int = 0) -> None:
        """Queue ``message`` for delivery after ``delay_ms`` (committed with this transaction)."""
        self.pushes.append((message, max(0, int(delay_ms))))

    def emit_execution(self) -> None:
        ex = self.execution
        self.events.append(
            EngineEvent("execution", ex.id, ex.status, self.now, application=ex.application, name=ex.name)
        )

    def emit_stage(self, stage: StageRecord) -> None:
        self.events.append(
            EngineEvent(
                "stage",
                stage.execution_id,
                stage.status,
                self.now,
                application=self.execution.application,
                stage_id=stage.id,
                ref_id=stage.ref_id,
                name=stage.name,
            )
        )

    def emit_task(self, stage: StageRecord, task: dict[str, Any]) -> None:
        self.events.append(
            EngineEvent(
                "task",
                stage.execution_id,
                task["status"],
                self.now,
                application=self.execution.application,
                stage_id=stage.id,
                ref_id=stage.ref_id,
                name=task["name"],
                task_id=task["id"],
            )
        )

    # ------------------------------------------------------------ state

    def stage(self, stage_id: str) -> StageRecord | None:
        """A stage of this execution (cached for the transaction)."""
        s = self._stages.get(stage_id)
        if s is None:
            s = repo.get_stage(self.conn, stage_id)
            if s is None or s.execution_id != self.execution.id:
                return None
            self._stages[stage_id] = s
        return s

    def stages_by_ref(self, ref_ids: list[str]) -> list[StageRecord]:
        """Stages of this execution with these refIds (cached)."""
        found = [s for s in self._stages.values() if s.ref_id in ref_ids]
        missing = [r for r in ref_ids if r not in {s.ref_id for s in found}]
        for s in repo.get_stages_by_ref(self.conn, self.execution.id, missing):
            self._stages.setdefault(s.id, s)
            found.append(self._stages[s.id])
        return found

    def children(self, parent: StageRecord) -> list[StageRecord]:
        """Synthetic stages of ``parent`` in planning order."""
        out = []
        for s in repo.get_children(self.conn, parent.id):
            cached = self._stages.setdefault(s.id, s)
            out.append(cached)
        return out

    def all_stages(self) -> list[StageRecord]:
        """Every stage of the execution (full rows)."""
        out = []
        for s in repo.get_stages(self.conn, self.execution.id):
            out.append(self._stages.setdefault(s.id, s))
        return out

    def update_stage(self, stage: StageRecord, **values: Any) -> None:
        """Set columns of a stage (in memory and in the database)."""
        for k, v in values.items():
            setattr(stage, k, v)
        repo.update_stage(self.conn, stage.id, **values)

    def insert_stages(self, stages: list[StageRecord]) -> None:
        repo.insert_stages(self.conn, stages)
        for s in stages:
            self._stages[s.id] = s

    def delete_stages(self, stages: list[StageRecord]) -> None:
        repo.delete_stages(self.conn, [s.id for s in stages])
        for s in stages:
            self._stages.pop(s.id, None)

    def update_execution(self, **values: Any) -> None:
        """Set columns of the execution."""
        for k, v in values.items():
            setattr(self.execution, k, v)
        repo.update_execution(self.conn, self.execution.id, **values)
