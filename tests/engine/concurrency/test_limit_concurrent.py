"""limitConcurrent, maxConcurrentExecutions and keepWaitingPipelines (queue and purge as Orca does)."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import stage_by_ref, wait_for, wait_status

BLOCK = [{"refId": "1", "type": "block", "pollMs": 60_000}]


def release(eng: Engine, eid: str) -> None:
    wait_for(
        lambda: stage_by_ref(eng.svc.get_execution(eid) or {}, "1")["status"] == "RUNNING",
        what=f"{eid} running",
    )
    stage = stage_by_ref(eng.svc.get_execution(eid) or {}, "1")
    eng.svc.patch_stage_context(eid, stage["id"], {"release": True}, principal="t")


def status(eng: Engine, eid: str) -> str:
    return eng.svc.get_execution_status(eid) or ""


def test_limit_concurrent_queues_and_keep_waiting_runs_them_in_order(any_engine: Engine) -> None:
    eng = any_engine
    a = eng.run(BLOCK, limitConcurrent=True, keepWaitingPipelines=True)
    wait_for(lambda: status(eng, a) == "RUNNING", what="a running")
    b = eng.svc.start_pipeline("app", "p", principal="t")
    c = eng.svc.start_pipeline("app", "p", principal="t")
    wait_for(lambda: (eng.svc.get_execution(c) or {}).get("status") == "NOT_STARTED", what="c queued")
    assert status(eng, b) == "NOT_STARTED" and status(eng, c) == "NOT_STARTED"
    release(eng, a)
    wait_status(eng.svc, a, {"SUCCEEDED"})
    wait_for(lambda: status(eng, b) == "RUNNING", what="b started after a")
    assert status(eng, c) == "NOT_STARTED"
    release(eng, b)
    wait_for(lambda: status(eng, c) == "RUNNING", what="c started after b")
    release(eng, c)
    wait_status(eng.svc, c, {"SUCCEEDED"})


def test_without_keep_waiting_the_newest_runs_and_the_rest_are_purged(engine: Engine) -> None:
    eng = engine
    a = eng.run(BLOCK, limitConcurrent=True, keepWaitingPipelines=False)
    wait_for(lambda: status(eng, a) == "RUNNING", what="a running")
    b = eng.svc.start_pipeline("app", "p", principal="t")
    c = eng.svc.start_pipeline("app", "p", principal="t")
    wait_for(lambda: status(eng, b) == "NOT_STARTED" and status(eng, c) == "NOT_STARTED", what="queued")
    release(eng, a)
    wait_for(lambda: status(eng, c) == "RUNNING", what="newest started")
    purged = wait_status(eng.svc, b, {"CANCELED"})
    assert purged["canceled"] is True and "superceded" in purged["cancellationReason"]
    release(eng, c)
    wait_status(eng.svc, c, {"SUCCEEDED"})


def test_max_concurrent_executions(engine: Engine) -> None:
    eng = engine
    ids = [eng.run(BLOCK, limitConcurrent=False, maxConcurrentExecutions=2, keepWaitingPipelines=True)]
    ids += [eng.svc.start_pipeline("app", "p", principal="t") for _ in range(2)]

    def by_status() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for eid in ids:
            out.setdefault(status(eng, eid), []).append(eid)
        return out

    wait_for(
        lambda: len(by_status().get("RUNNING", [])) == 2 and len(by_status().get("NOT_STARTED", [])) == 1,
        what="2+1",
    )
    (waiting,) = by_status()["NOT_STARTED"]
    running = by_status()["RUNNING"]
    release(eng, running[0])
    wait_for(lambda: status(eng, waiting) == "RUNNING", what="waiting one started")
    for eid in (running[1], waiting):
        release(eng, eid)
        wait_status(eng.svc, eid, {"SUCCEEDED"})


def test_without_limits_executions_run_side_by_side(engine: Engine) -> None:
    eng = engine
    a = eng.run(BLOCK, limitConcurrent=False)
    b = eng.svc.start_pipeline("app", "p", principal="t")
    wait_for(lambda: status(eng, a) == "RUNNING" and status(eng, b) == "RUNNING", what="both running")
    eng.svc.cancel_execution(a, principal="t")
    eng.svc.cancel_execution(b, principal="t")
    wait_status(eng.svc, b, {"CANCELED"})


def test_cancel_a_waiting_execution(engine: Engine) -> None:
    eng = engine
    a = eng.run(BLOCK, limitConcurrent=True)
    wait_for(lambda: status(eng, a) == "RUNNING", what="a running")
    b = eng.svc.start_pipeline("app", "p", principal="t")
    wait_for(lambda: (eng.svc.get_execution(b) or {}).get("status") == "NOT_STARTED", what="b queued")
    eng.svc.cancel_execution(b, principal="t")
    assert status(eng, b) == "CANCELED"
    release(eng, a)
    wait_status(eng.svc, a, {"SUCCEEDED"})
    assert status(eng, b) == "CANCELED"
