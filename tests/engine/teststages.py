"""Test-only stage types, registered by the tests through the same registry API a plugin uses.

Controllable behaviour: succeed with outputs, fail, raise, run for a while (recording when each task
invocation started and ended), block until the context says ``release``, retry, time out, have
synthetic before/after/on-failure stages, and a cancel hook. ``Recorder`` collects what happened
in-process; ``FileRecorder`` appends to a file (for worker subprocesses).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from typing import Any

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import (
    PlanInput,
    RetryableError,
    StageDefinition,
    SyntheticStage,
    TaskDefinition,
    TaskInput,
    TaskResult,
)
from gennaker.model import ExecutionStatus
from gennaker.stages import builtin_registry


class Recorder:
    """What test tasks did, in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.intervals: list[tuple[str, str, float, float]] = []  # (execution, refId, start, end)
        self.cancels: list[tuple[str, str]] = []
        self.calls: dict[str, int] = defaultdict(int)
        self.seen: list[dict[str, Any]] = []

    def count(self, key: str) -> int:
        with self.lock:
            self.calls[key] += 1
            return self.calls[key]


class FileRecorder:
    """Appends JSON lines to ``path`` (flushed and fsynced: survives a SIGKILL right after)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, **record: Any) -> None:
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read(self) -> list[dict[str, Any]]:
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]


def build_registry(
    recorder: Recorder | None = None, file_recorder: FileRecorder | None = None
) -> StageRegistry:
    rec = recorder or Recorder()
    registry = builtin_registry()

    def succeed(t: TaskInput) -> TaskResult:
        rec.seen.append({"ref": t.ref_id, "context": dict(t.context), "keys": list(t.context)})
        return TaskResult.succeeded(t.context.own.get("setContext"), t.context.own.get("emit"))

    def fail(t: TaskInput) -> TaskResult:
        return TaskResult.terminal()

    def boom(t: TaskInput) -> TaskResult:
        raise RuntimeError(str(t.context.own.get("message", "boom")))

    def sleep(t: TaskInput) -> TaskResult:
        start = time.time()
        if file_recorder is not None:
            file_recorder.write(
                event="start",
                execution=t.execution_id,
                ref=t.ref_id,
                stage=t.stage_id,
                ts=start,
                pid=os.getpid(),
            )
        time.sleep(float(t.context.own.get("seconds", 0.3)))
        end = time.time()
        with rec.lock:
            rec.intervals.append((t.execution_id, str(t.ref_id), start, end))
        if file_recorder is not None:
            file_recorder.write(
                event="end", execution=t.execution_id, ref=t.ref_id, stage=t.stage_id, ts=end, pid=os.getpid()
            )
        return TaskResult.succeeded(outputs=t.context.own.get("emit"))

    def block(t: TaskInput) -> TaskResult:
        if t.context.own.get("release") is True:
            return TaskResult.succeeded()
        rec.count("block:" + t.stage_id)
        return TaskResult.running(backoff_ms=int(t.context.own.get("pollMs", 60_000)))

    def flaky(t: TaskInput) -> TaskResult:
        n = rec.count("flaky:" + t.stage_id)
        if n <= int(t.context.own.get("failures", 2)):
            raise RetryableError(f"transient failure {n}")
        return TaskResult.succeeded(outputs={"attempts": n})

    def fail_once(t: TaskInput) -> TaskResult:
        n = rec.count(f"failOnce:{t.execution_id}:{t.ref_id}")
        if n == 1:
            raise RuntimeError("first attempt fails")
        return TaskResult.succeeded()

    def on_cancel(t: TaskInput) -> dict[str, Any]:
        with rec.lock:
            rec.cancels.append((t.execution_id, str(t.ref_id)))
        return {"cancelHookRan": True}

    def befores(p: PlanInput) -> list[SyntheticStage]:
        specs = p.context.get("before") or []
        return [
            SyntheticStage(
                type=s["type"],
                name=s["name"],
                context=s.get("context", {}),
                parallel=s.get("parallel", False),
            )
            for s in specs
        ]

    def afters(p: PlanInput) -> list[SyntheticStage]:
        specs = p.context.get("after") or []
        return [SyntheticStage(type=s["type"], name=s["name"], context=s.get("context", {})) for s in specs]

    def on_failure(p: PlanInput) -> list[SyntheticStage]:
        specs = p.context.get("onFailure") or []
        return [SyntheticStage(type=s["type"], name=s["name"], context=s.get("context", {})) for s in specs]

    task = TaskDefinition
    registry.register(StageDefinition("succeed", tasks=(task("succeed", succeed),)))
    registry.register(StageDefinition("fail", tasks=(task("fail", fail),)))
    registry.register(StageDefinition("boom", tasks=(task("boom", boom),)))
    registry.register(StageDefinition("sleep", tasks=(task("sleep", sleep),)))
    registry.register(StageDefinition("block", tasks=(task("block", block),), cancel=on_cancel))
    registry.register(StageDefinition("failOnce", tasks=(task("failOnce", fail_once),)))
    registry.register(StageDefinition("twoTasks", tasks=(task("first", succeed), task("second", succeed))))
    registry.register(
        StageDefinition(
            "flaky", tasks=(task("flaky", flaky, retryable=True, backoff_ms=50, timeout_ms=60_000),)
        )
    )
    registry.register(
        StageDefinition(
            "slowTimeout",
            tasks=(task("slowTimeout", block, timeout_ms=800, timeout_overridable=False),),
        )
    )
    registry.register(
        StageDefinition(
            "composite",
            tasks=lambda p: (task("succeed", succeed),) if p.context.get("withTask", True) else (),
            before_stages=befores,
            after_stages=afters,
            on_failure_stages=on_failure,
            cancel=on_cancel,
        )
    )
    registry.register(
        StageDefinition("failWithCleanup", tasks=(task("fail", fail),), on_failure_stages=on_failure)
    )
    return registry


def wait_status(
    svc: Any, execution_id: str, statuses: set[str] | tuple[str, ...], timeout_s: float = 30
) -> dict[str, Any]:
    """Wait (bounded) until the execution has one of ``statuses``; returns its JSON."""
    deadline = time.monotonic() + timeout_s
    status = None
    while time.monotonic() < deadline:
        status = svc.get_execution_status(execution_id)
        if status in statuses:
            return svc.get_execution(execution_id)
        time.sleep(0.02)
    raise AssertionError(f"execution {execution_id} still {status} after {timeout_s}s, wanted {statuses}")


def wait_for(predicate: Any, timeout_s: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def stage_by_ref(execution: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(s for s in execution["stages"] if s["refId"] == ref)


DONE = {s.value for s in ExecutionStatus if s.is_complete}
