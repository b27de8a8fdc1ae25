"""Which cron firings are due: the pure core of the cron trigger's scheduler, safe across restarts.

Who calls it: the scheduler (later), on every tick and right after start-up, with the trigger's persisted
``last_fired`` (the *scheduled* time of the last firing it enqueued, not the wall clock when it ran).

Contract for no missed and no doubled firings: call ``due_firings(cron, last_fired, now)``; enqueue
``result.fire`` (each tagged with its scheduled time, which makes a natural idempotency key) and store
``result.last_fired`` in the same transaction. A crash before the commit recomputes the same firings; after
it, they are never due again. A process that was down for a while finds the missed firings, and the misfire
policy says what to do with them (Quartz's instructions):

- ``FIRE_ONCE_NOW`` (Quartz's default "smart policy" for cron triggers): all due firings coalesce into one,
  carrying the latest scheduled time;
- ``FIRE_ALL``: every missed firing fires (catch-up), oldest first, at most ``limit``;
- ``DO_NOTHING``: firings later than ``misfire_threshold`` are dropped; on-time ones fire.
A firing is on time when ``now - scheduled <= misfire_threshold`` (Quartz's ``misfireThreshold``, 60 s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from gennaker.triggers.cron.expression import CronExpression

DEFAULT_MISFIRE_THRESHOLD = timedelta(seconds=60)


class MisfirePolicy(StrEnum):
    """What to do with firings missed while nothing was running (Quartz's misfire instructions)."""

    FIRE_ONCE_NOW = "fireOnceNow"
    FIRE_ALL = "fireAll"
    DO_NOTHING = "doNothing"


@dataclass(frozen=True)
class DueFirings:
    """The firings to start now, how many were dropped, and what to persist."""

    #: Scheduled times to fire now, oldest first.
    fire: list[datetime] = field(default_factory=list)
    #: How many due firings are not fired (coalesced or misfired under the policy).
    skipped: int = 0
    #: The new ``last_fired`` to persist (unchanged when nothing was due).
    last_fired: datetime | None = None
    #: The next scheduled time after ``now``, for the scheduler's sleep.
    next_fire: datetime | None = None
    #: More than ``limit`` firings were due: ``skipped`` is then a lower bound.
    truncated: bool = False


def last_fire_at_or_before(cron: CronExpression, now: datetime, floor: datetime) -> datetime | None:
    """The latest fire time in ``(floor, now]``, found with doubling windows back from ``now``."""
    window = timedelta(seconds=1)
    while True:
        start = max(now - window, floor)
        first = cron.next_fire_after(start)
        if first is not None and first <= now:
            last = first
            for scheduled in cron.fire_times(first):
                if scheduled > now:
                    break
                last = scheduled
            return last
        if start == floor:
            return None
        window *= 2


def due_firings(
    cron: CronExpression,
    last_fired: datetime,
    now: datetime,
    *,
    policy: MisfirePolicy = MisfirePolicy.FIRE_ONCE_NOW,
    misfire_threshold: timedelta = DEFAULT_MISFIRE_THRESHOLD,
    limit: int = 1000,
) -> DueFirings:
    """The firings scheduled in ``(last_fired, now]`` and what to do with them.

    ``last_fired`` is the scheduled time of the last firing already handled; for a new trigger pass the time
    it was created (or saved), so it does not fire for the past. Both datetimes must be aware. With
    ``FIRE_ALL`` at most ``limit`` firings are returned per call; call again for the rest.
    """
    if last_fired.tzinfo is None or now.tzinfo is None:
        raise ValueError("due_firings needs aware datetimes (with a time zone)")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    due: list[datetime] = []
    overflow = False
    for scheduled in cron.fire_times(last_fired):
        if scheduled > now:
            break
        if len(due) == limit:
            overflow = True
            break
        due.append(scheduled)
    next_fire = cron.next_fire_after(now)
    if not due:
        return DueFirings(last_fired=last_fired, next_fire=next_fire)
    if policy is MisfirePolicy.FIRE_ALL:
        return DueFirings(due, 0, due[-1], due[-1] if overflow else next_fire, overflow)
    newest = last_fire_at_or_before(cron, now, last_fired) if overflow else due[-1]
    assert newest is not None
    total = len(due) + (1 if overflow else 0)
    if policy is MisfirePolicy.FIRE_ONCE_NOW:
        return DueFirings([newest], total - 1, newest, next_fire, overflow)
    floor = max(last_fired, now - misfire_threshold - timedelta(seconds=1))
    on_time = [t for t in _between(cron, floor, now, limit) if now - t <= misfire_threshold]
    return DueFirings(on_time, max(total - len(on_time), 0), newest, next_fire, overflow)


def _between(cron: CronExpression, after: datetime, until: datetime, limit: int) -> list[datetime]:
    found: list[datetime] = []
    for scheduled in cron.fire_times(after):
        if scheduled > until or len(found) == limit:
            break
        found.append(scheduled)
    return found
