"""Live updates of one execution as server-sent events (``GET /pipelines/{id}/events``).

Who uses it: the events router; the CLI's ``--follow``/``execution watch``. The stream:

- ``event: snapshot`` first: ``{"id", "status", "stages": [{id, refId, name, type, status,
  parentStageId, syntheticStageOwner, requisiteStageRefIds}]}``;
- then one ``event: execution|stage|task`` per transition, ``data`` = ``{"type", "executionId",
  "status", "ts", "stageId", "refId", "name", "taskId"}`` (only the keys that apply), each with an
  ``id:`` sequence number;
- ``event: end`` with ``{"status"}`` once the execution is complete, then the stream closes;
- ``: keep-alive`` comments every 15 s of silence.

Transitions come from the engine's event bus (in-process workers; on PostgreSQL also from other
processes via NOTIFY). Every ``poll_s`` of silence the stream also re-reads the execution and emits
what changed, so it stays correct when the workers run in another process on SQLite. A transition is
emitted once per status change; clients wanting full detail re-read ``GET /pipelines/{id}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from gennaker.engine.events import EngineEvent
from gennaker.engine.service import PipelineService
from gennaker.model import ExecutionStatus

Key = tuple[str, ...]


def compact(execution: dict[str, Any]) -> dict[str, Any]:
    """The snapshot payload: statuses and the graph, without contexts."""
    keys = ("id", "refId", "name", "type", "status", "parentStageId", "syntheticStageOwner")
    return {
        "id": execution["id"],
        "status": execution["status"],
        "application": execution.get("application"),
        "name": execution.get("name"),
        "stages": [
            {**{k: s.get(k) for k in keys}, "requisiteStageRefIds": s.get("requisiteStageRefIds") or []}
            for s in execution.get("stages") or []
        ],
    }


def statuses(execution: dict[str, Any]) -> dict[Key, tuple[str, dict[str, Any]]]:
    """Every (kind, ids) → (status, event payload) in an execution."""
    out: dict[Key, tuple[str, dict[str, Any]]] = {
        ("execution",): (execution["status"], {"type": "execution", "name": execution.get("name")})
    }
    for s in execution.get("stages") or []:
        base = {"stageId": s["id"], "refId": s.get("refId"), "name": s.get("name")}
        out[("stage", s["id"])] = (s["status"], {"type": "stage", **base})
        for t in s.get("tasks") or []:
            out[("task", s["id"], str(t["id"]))] = (
                t["status"],
                {"type": "task", **base, "taskId": str(t["id"]), "name": t.get("name")},
            )
    return out


def _key(event: EngineEvent) -> Key:
    if event.type == "execution":
        return ("execution",)
    if event.type == "stage":
        return ("stage", str(event.stage_id))
    return ("task", str(event.stage_id), str(event.task_id))


def _frame(kind: str, data: dict[str, Any], seq: int | None = None) -> str:
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def execution_events(
    service: PipelineService, execution_id: str, *, poll_s: float = 2.0, keepalive_s: float = 15.0
) -> AsyncIterator[str]:
    """The SSE frames for one execution (the caller has checked that it exists)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[EngineEvent] = asyncio.Queue()

    def deliver(event: EngineEvent) -> None:
        if event.execution_id == execution_id:
            with contextlib.suppress(RuntimeError):  # the loop is gone: the client disconnected
                loop.call_soon_threadsafe(queue.put_nowait, event)

    subscription = service.subscribe(deliver)
    try:
        snapshot = await run_in_threadpool(service.get_execution, execution_id)
        if snapshot is None:
            return
        known = {k: v[0] for k, v in statuses(snapshot).items()}
        seq = 0
        yield _frame("snapshot", compact(snapshot))
        status = snapshot["status"]
        last_sent = time.monotonic()
        while not ExecutionStatus(status).is_complete:
            try:
                event: EngineEvent | None = await asyncio.wait_for(queue.get(), timeout=poll_s)
            except TimeoutError:
                event = None
            frames: list[tuple[str, dict[str, Any]]] = []
            if event is not None:
                key = _key(event)
                if known.get(key) != event.status:
                    known[key] = event.status
                    data = event.to_json()
                    data["executionId"] = data.pop("execution_id")
                    for a, b in (("stage_id", "stageId"), ("ref_id", "refId"), ("task_id", "taskId")):
                        if a in data:
                            data[b] = data.pop(a)
                    frames.append((event.type, data))
                    if event.type == "execution":
                        status = event.status
            else:
                current = await run_in_threadpool(service.get_execution, execution_id)
                if current is None:
                    break
                now = int(time.time() * 1000)
                for key, (st, payload) in statuses(current).items():
                    if known.get(key) != st:
                        known[key] = st
                        frames.append(
                            (
                                payload["type"],
                                {**payload, "executionId": execution_id, "status": st, "ts": now},
                            )
                        )
                status = current["status"]
            for kind, data in frames:
                seq += 1
                yield _frame(kind, data, seq)
                last_sent = time.monotonic()
            if not frames and time.monotonic() - last_sent >= keepalive_s:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
        yield _frame("end", {"executionId": execution_id, "status": status})
    finally:
        subscription.close()
