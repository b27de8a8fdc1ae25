"""Handling one claimed message: prepare, then one write transaction that locks the execution, runs the
handler, writes its pushes, acks the message, and commits; then events are published and workers woken.

Who uses it: ``gennaker.engine.worker`` threads. Invariants:
- a handler's state changes, the messages it produces and the ack of its message commit together;
- a message whose lease was taken over cannot commit (``LeaseLost`` rolls the transaction back);
- a handler exception rolls back and re-delivers the message with a growing delay; after
  ``max_attempts`` deliveries it is dead: the stage is aborted (or the execution ended TERMINAL);
- inlining: an immediate message of the same execution whose handler has no ``prepare`` phase (all but
  RunTask and CancelStage) is handled at once inside the same transaction, up to ``INLINE_BUDGET``
  per transaction, depth-first: e.g. CompleteTask -> CompleteStage -> StartStage -> StartTask commit
  together with the RunTask that produced them. The effect is the same as delivering them one by one
  (each handler re-reads what it needs through the transaction), with fewer round-trips;
- chaining: the first remaining immediate message is inserted already leased to this worker and
  returned, so the same thread handles it next without a claim round-trip (the rest are left for any
  worker and wake idle threads at once).
"""

from __future__ import annotations

import logging
from typing import Any

from gennaker.engine.clock import now_ms
from gennaker.engine.handlers import HANDLERS
from gennaker.engine.messages import AbortStage, Message, StageMessage, decode
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.tx import Tx
from gennaker.model import ExecutionStatus
from gennaker.store import executions as repo
from gennaker.store import jsonutil
from gennaker.store import queue as queue_repo
from gennaker.store.queue import LeaseLost, QueuedMessage

log = logging.getLogger(__name__)

QUEUE_CHANNEL = "gennaker_queue"
EVENTS_CHANNEL = "gennaker_events"


def _notify(conn: Any, channel: str, payload: str) -> None:
    conn.exec_driver_sql("SELECT pg_notify(%(c)s, %(p)s)", {"c": channel, "p": payload})


def process(runtime: EngineRuntime, claimed: QueuedMessage, *, chain: bool = True) -> QueuedMessage | None:
    """Handle one claimed message; returns the next message to handle on this thread, if chained."""
    handler = HANDLERS.get(claimed.kind)
    try:
        message = decode(claimed.kind, claimed.payload) if handler is not None else None
    except Exception:
        message = None
    if handler is None or message is None:
        log.error("dropping message %s of unknown kind %r or bad payload", claimed.id, claimed.kind)
        with runtime.db.write() as conn:
            queue_repo.drop(conn, claimed)
        return None
    if claimed.attempts > runtime.max_attempts:
        _dead(runtime, claimed, message)
        return None
    try:
        prepared = handler.prepare(runtime, message)
        with runtime.db.write() as conn:
            execution = repo.get_execution(conn, message.execution_id, lock=True)
            if execution is None:
                queue_repo.ack(conn, claimed)
                return None
            tx = Tx(runtime, conn, now_ms(), execution)
            handler.handle(tx, message, prepared)
            _run_inline(tx)
            chained, woken = _flush(runtime, tx, chain)
            if conn.dialect.name == "postgresql":
                if woken:
                    _notify(conn, QUEUE_CHANNEL, "")
                for event in tx.events:
                    _notify(conn, EVENTS_CHANNEL, jsonutil.dumps({"owner": runtime.owner, **event.to_json()}))
            queue_repo.ack(conn, claimed)
    except LeaseLost as e:
        log.warning("%s; its effects were rolled back", e)
        return None
    except Exception:
        delay = min(60_000, 500 * 2 ** max(0, claimed.attempts - 1))
        log.exception(
            "handler %s failed for %s (attempt %d); retrying in %d ms",
            claimed.kind,
            claimed.payload,
            claimed.attempts,
            delay,
        )
        try:
            with runtime.db.write() as conn:
                queue_repo.release(conn, claimed, deliver_at=now_ms() + delay)
        except Exception:
            log.exception("could not release message %s; its lease will expire", claimed.id)
        return None
    if tx.events:
        runtime.events.publish(tx.events)
    if woken:
        runtime.waker.notify(woken)
    return chained


INLINE_BUDGET = 8
NOT_INLINED = frozenset({"runTask", "cancelStage", "startWaitingExecutions", "startExecution"})


def _run_inline(tx: Tx) -> None:
    """Handle the transaction's immediate same-execution pushes in place (see the module docstring)."""
    budget = INLINE_BUDGET
    pending, tx.pushes = tx.pushes, []
    kept: list[tuple[Message, int]] = []
    while pending:
        message, delay = pending.pop(0)
        if (
            budget > 0
            and delay == 0
            and message.execution_id == tx.execution.id
            and message.KIND not in NOT_INLINED
        ):
            budget -= 1
            HANDLERS[message.KIND].handle(tx, message, None)
            pending = tx.pushes + pending
            tx.pushes = []
        else:
            kept.append((message, delay))
    tx.pushes = kept


def _flush(runtime: EngineRuntime, tx: Tx, chain: bool) -> tuple[QueuedMessage | None, int]:
    """Write the handler's pushes. Returns the chained message (if any) and how many workers to wake."""
    chained: QueuedMessage | None = None
    woken = 0
    for message, delay in tx.pushes:
        if chain and chained is None and delay == 0:
            chained = queue_repo.push_leased(
                tx.conn,
                message.KIND,
                message.payload(),
                now=tx.now,
                execution_id=message.execution_id,
                owner=runtime.owner,
                lease_ms=runtime.lease_ms,
            )
            if chained is not None:
                continue
        queue_repo.push(
            tx.conn,
            message.KIND,
            message.payload(),
            deliver_at=tx.now + delay,
            now=tx.now,
            execution_id=message.execution_id,
        )
        woken += 1
    return chained, woken


def _dead(runtime: EngineRuntime, claimed: QueuedMessage, message: Message) -> None:
    """A message that failed ``max_attempts`` times: drop it and fail what it was about, once."""
    log.error("message %s %s failed %d times: giving up", claimed.kind, claimed.payload, claimed.attempts - 1)
    with runtime.db.write() as conn:
        queue_repo.drop(conn, claimed)
        execution = repo.get_execution(conn, message.execution_id, lock=True)
        if execution is None or ExecutionStatus(execution.status).is_complete:
            return
        tx = Tx(runtime, conn, now_ms(), execution)
        if isinstance(message, StageMessage) and not isinstance(message, AbortStage) and message.stage_id:
            tx.push(AbortStage(execution.id, message.stage_id))
        else:
            tx.update_execution(status=ExecutionStatus.TERMINAL.value, end_time=tx.now)
            tx.emit_execution()
        _flush(runtime, tx, False)
    runtime.events.publish(tx.events)
    runtime.waker.notify_all()
