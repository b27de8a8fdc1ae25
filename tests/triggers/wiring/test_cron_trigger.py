"""Cron triggers end to end: firings start executions; across a restart (a new scheduler, as after a process
restart) nothing is missed or doubled, under each misfire policy; a crash inside the start transaction
re-fires that firing exactly once; disabled and invalid triggers; the real runtime on a wall clock."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gennaker.engine.service import PipelineService
from gennaker.store import triggers as trigger_repo
from gennaker.triggers.cron import MisfirePolicy
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.scheduler import CronScheduler
from gennaker.triggers.types import TRIGGER_TYPES
from tests.support.engine_peer import EnginePeer
from tests.support.waiting import wait_until
from tests.triggers.wiring.conftest import RuntimeFactory

START = datetime(2031, 3, 4, 10, 0, 0, 500_000, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def _cron_pipeline(engine: EnginePeer, expression: str = "* * * * * ?", **trigger: Any) -> dict[str, Any]:
    return engine.save(
        {
            "name": "nightly",
            "triggers": [
                {"type": "cron", "id": "c1", "enabled": True, "cronExpression": expression, **trigger}
            ],
            "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        }
    )


def _scheduler(service: PipelineService, clock: Clock, policy: MisfirePolicy) -> CronScheduler:
    """A scheduler with its own dispatcher and config cache: what a restarted process builds."""
    return CronScheduler(
        TriggerDispatcher(service, TRIGGER_TYPES), timezone="UTC", policy=policy, clock=clock
    )


def _fired_seconds(engine: EnginePeer, config_id: str) -> list[int]:
    seconds = []
    for execution in engine.executions(config_id):
        key = execution["trigger"]["correlationId"]
        scheduled = datetime.fromisoformat(key.split(":c1:")[1].rsplit(":", 1)[0])
        seconds.append(int((scheduled - START.replace(microsecond=0)).total_seconds()))
    return sorted(seconds)


def test_fire_all_catches_up_across_a_restart_without_gaps_or_doubles(engine: EnginePeer) -> None:
    config = _cron_pipeline(engine)
    clock = Clock(START)
    first = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ALL)
    assert first.tick() == [], "a new trigger does not fire for the past"
    clock.advance(3)
    assert len(first.tick()) == 3
    assert first.tick() == [], "nothing is due twice"
    clock.advance(5)  # the process is down for five seconds
    restarted = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ALL)
    results = restarted.tick()
    assert [len(r.started) for r in results] == [1, 1, 1, 1, 1]
    assert restarted.tick() == []
    assert _fired_seconds(engine, config["id"]) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_fire_once_now_coalesces_the_missed_firings_into_one(engine: EnginePeer) -> None:
    config = _cron_pipeline(engine)
    clock = Clock(START)
    first = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ONCE_NOW)
    first.tick()
    clock.advance(1)
    first.tick()
    clock.advance(6)
    (result,) = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ONCE_NOW).tick()
    assert len(result.started) == 1
    assert result.event.payload["missed"] == 5
    assert _fired_seconds(engine, config["id"]) == [1, 7]


class SimulatedCrash(BaseException):
    """The process dies inside the start transaction (BaseException: nothing catches it)."""


class CrashingService(PipelineService):
    crash_next = True

    def _insert(self, record: Any, stages: Any, principal: str, now: int, before_commit: Any = None) -> None:
        if not self.crash_next:
            super()._insert(record, stages, principal, now, before_commit)
            return
        self.crash_next = False

        def crash(conn: Any, execution_id: str) -> None:
            if before_commit is not None:
                before_commit(conn, execution_id)  # the once-per-event key and lastFired are written...
            raise SimulatedCrash  # ...and the process dies before the commit

        super()._insert(record, stages, principal, now, crash)


def test_a_crash_inside_the_start_transaction_refires_that_firing_exactly_once(engine: EnginePeer) -> None:
    config = _cron_pipeline(engine)
    clock = Clock(START)
    crashing = CrashingService(engine.runtime)
    scheduler = _scheduler(crashing, clock, MisfirePolicy.FIRE_ALL)
    scheduler.tick()
    clock.advance(2)
    with pytest.raises(SimulatedCrash):
        scheduler.tick()
    assert engine.executions(config["id"]) == []
    restarted = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ALL)
    assert [len(r.started) for r in restarted.tick()] == [1, 1]
    assert _fired_seconds(engine, config["id"]) == [1, 2]
    engine.svc.runtime.services = engine.svc  # the crashing facade registered itself; put the real one back


def test_disabled_triggers_do_not_fire_for_the_time_they_were_off(engine: EnginePeer) -> None:
    config = _cron_pipeline(engine)
    clock = Clock(START)
    scheduler = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ALL)
    scheduler.tick()
    engine.save({**config, "triggers": [{**config["triggers"][0], "enabled": False}]})
    clock.advance(5)
    assert scheduler.tick() == []
    engine.save(config)
    clock.advance(1)
    assert scheduler.tick() == [], "re-enabled: starts from now"
    clock.advance(1)
    assert len(scheduler.tick()) == 1
    assert _fired_seconds(engine, config["id"]) == [7]


def test_an_invalid_expression_is_logged_once(engine: EnginePeer) -> None:
    _cron_pipeline(engine, "0 61 * * * ?")
    clock = Clock(START)
    scheduler = _scheduler(engine.svc, clock, MisfirePolicy.FIRE_ONCE_NOW)
    for _ in range(3):
        scheduler.tick()
        clock.advance(1)
    with scheduler.db.read() as conn:
        logged = trigger_repo.list_events(conn, type="cron")
    (event,) = logged
    assert event["status"] == "error" and "minutes field: 61 is out of range 0-59" in event["summary"]


def test_the_runtime_fires_on_the_wall_clock_and_a_restart_misses_nothing(
    engine: EnginePeer, make_runtime: RuntimeFactory
) -> None:
    config = _cron_pipeline(engine)
    first = make_runtime(cron_misfire_policy=MisfirePolicy.FIRE_ALL)
    first.start()
    wait_until(lambda: len(engine.executions(config["id"])) >= 2, 30)
    first.stop()
    time.sleep(2.0)  # down: firings are missed
    second = make_runtime(cron_misfire_policy=MisfirePolicy.FIRE_ALL)
    second.start()
    before = len(engine.executions(config["id"]))
    wait_until(lambda: len(engine.executions(config["id"])) >= before + 3, 30)
    second.stop()
    keys = sorted(e["trigger"]["correlationId"] for e in engine.executions(config["id"]))
    assert len(keys) == len(set(keys)), "no firing started twice"
    times = [datetime.fromisoformat(k.split(":c1:")[1].rsplit(":", 1)[0]) for k in keys]
    gaps = {int((b - a).total_seconds()) for a, b in itertools.pairwise(times)}
    assert gaps == {1}, f"every second fired exactly once, restart included: {gaps}"
