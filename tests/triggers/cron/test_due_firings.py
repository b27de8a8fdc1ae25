"""Which firings are due between the last one handled and now: no missed or doubled firings across restarts,
and the misfire policies."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from gennaker.triggers.cron import CronExpression, MisfirePolicy, due_firings, last_fire_at_or_before

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
EVERY_MINUTE = CronExpression("0 * * * * ?")


def test_nothing_due_before_the_next_scheduled_time() -> None:
    result = due_firings(EVERY_MINUTE, T0, T0 + timedelta(seconds=30))
    assert result.fire == [] and result.skipped == 0
    assert result.last_fired == T0
    assert result.next_fire == T0 + timedelta(minutes=1)


def test_an_on_time_firing_is_due_exactly_once() -> None:
    first = due_firings(EVERY_MINUTE, T0, T0 + timedelta(minutes=1, seconds=2))
    assert first.fire == [T0 + timedelta(minutes=1)]
    again = due_firings(EVERY_MINUTE, first.last_fired or T0, T0 + timedelta(minutes=1, seconds=40))
    assert again.fire == []


def test_restart_after_downtime_fire_once_now_coalesces() -> None:
    result = due_firings(EVERY_MINUTE, T0, T0 + timedelta(minutes=10, seconds=30))
    assert result.fire == [T0 + timedelta(minutes=10)]
    assert result.skipped == 9
    assert result.last_fired == T0 + timedelta(minutes=10)
    assert result.next_fire == T0 + timedelta(minutes=11)


def test_restart_after_downtime_fire_all_catches_up_in_batches() -> None:
    now = T0 + timedelta(minutes=10, seconds=30)
    fired: list[datetime] = []
    last = T0
    for _ in range(10):
        result = due_firings(EVERY_MINUTE, last, now, policy=MisfirePolicy.FIRE_ALL, limit=4)
        fired += result.fire
        assert result.last_fired is not None
        last = result.last_fired
        if not result.truncated:
            break
    assert fired == [T0 + timedelta(minutes=m) for m in range(1, 11)]


def test_restart_after_downtime_do_nothing_keeps_only_on_time_firings() -> None:
    result = due_firings(
        EVERY_MINUTE, T0, T0 + timedelta(minutes=10, seconds=30), policy=MisfirePolicy.DO_NOTHING
    )
    assert result.fire == [T0 + timedelta(minutes=10)]
    assert result.skipped == 9
    late = due_firings(
        EVERY_MINUTE,
        T0,
        T0 + timedelta(minutes=10, seconds=59),
        policy=MisfirePolicy.DO_NOTHING,
        misfire_threshold=timedelta(seconds=30),
    )
    assert late.fire == [] and late.skipped == 10
    assert late.last_fired == T0 + timedelta(minutes=10)


def test_a_long_outage_with_a_frequent_schedule_stays_cheap_and_exact() -> None:
    every_second = CronExpression("* * * * * ?")
    now = T0 + timedelta(days=3, seconds=7, microseconds=250)
    result = due_firings(every_second, T0, now, limit=50)
    assert result.truncated
    assert result.fire == [T0 + timedelta(days=3, seconds=7)]
    assert result.last_fired == T0 + timedelta(days=3, seconds=7)
    assert result.next_fire == T0 + timedelta(days=3, seconds=8)
    assert last_fire_at_or_before(CronExpression("0 0 3 * * ?"), now, T0) == datetime(
        2024, 5, 9, 3, tzinfo=UTC
    )
    assert last_fire_at_or_before(CronExpression("0 0 3 * * ?"), T0 + timedelta(hours=1), T0) is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_ticks_and_restarts_fire_every_scheduled_time_once(seed: int) -> None:
    """A scheduler that ticks at random moments and sometimes 'crashes' before persisting never misses or
    doubles a firing: each scheduled time is fired (enqueued, keyed by scheduled time) exactly once."""
    rng = random.Random(seed)
    cron = CronExpression("0 0/7 * * * ?", "Europe/Paris")
    persisted = T0
    enqueued: dict[datetime, int] = {}
    now = T0
    end = T0 + timedelta(days=2)
    while now < end:
        now += timedelta(seconds=rng.randint(1, 1800))
        result = due_firings(cron, persisted, now, policy=MisfirePolicy.FIRE_ALL, limit=3)
        crashed = rng.random() < 0.2
        if crashed:
            continue  # the transaction (enqueue + new last_fired) never committed
        for scheduled in result.fire:
            enqueued[scheduled] = enqueued.get(scheduled, 0) + 1
        assert result.last_fired is not None
        persisted = result.last_fired
    expected = []
    for t in cron.fire_times(T0):
        if t > persisted:
            break
        expected.append(t)
    assert sorted(enqueued) == expected
    assert set(enqueued.values()) == {1}


def test_inputs_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_firings(EVERY_MINUTE, datetime(2024, 1, 1), T0)
