"""Cron schedules as the CronJob controller reads them (robfig/cron's standard parser).

Who calls it: :mod:`gennaker.sandbox.workloads.cronjob`. A schedule is five fields (minute, hour, day of
month, month, day of week) with ``*``, ``?``, lists, ranges, steps and month/day names (``JAN``..``DEC``,
``SUN``..``SAT``), or a descriptor: ``@yearly``/``@annually``, ``@monthly``, ``@weekly``,
``@daily``/``@midnight``, ``@hourly``, ``@every <duration>``. Day of month and day of week are ANDed when
either is ``*``/``?``, ORed otherwise (cron's rule). Times are evaluated in the CronJob's ``timeZone``
(IANA, default UTC). :func:`next_after` gives the first matching minute strictly after a time;
:func:`most_recent` the latest unmet time, as ``getMostRecentScheduleTime``. Nothing persists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MAX_MISSED = 100  # beyond this the controller records TooManyMissedTimes
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")


class ScheduleError(ValueError):
    """An unparseable schedule (the message says which field and why)."""


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool  # day of month was * or ?
    any_weekday: bool
    every: float = 0.0  # @every: a fixed interval in seconds
    zone: tzinfo = UTC

    def day_matches(self, t: datetime) -> bool:
        dom = t.day in self.days
        dow = (t.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow


def _field(text: str, low: int, high: int, names: dict[str, int], what: str) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    star = False
    for item in text.split(","):
        step = 1
        part = item
        if "/" in item:
            part, step_text = item.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{what}: bad step {step_text!r}")
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
            star = star or step == 1
        else:
            bounds = part.split("-", 1)
            nums = []
            for bound in bounds:
                b = bound.upper()
                if b in names:
                    nums.append(names[b])
                elif b.isdigit():
                    nums.append(int(b))
                else:
                    raise ScheduleError(f"{what}: cannot parse {part!r}")
            start = nums[0]
            end = nums[1] if len(nums) == 2 else (high if step > 1 else start)
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ScheduleError(f"{what}: {part!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values), star


def parse(schedule: str, time_zone: str | None = None) -> Schedule:
    """Parse a schedule; ``time_zone`` is the CronJob's ``spec.timeZone``."""
    zone: tzinfo = UTC
    if time_zone:
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ScheduleError(f"unknown time zone {time_zone!r}") from e
    text = schedule.strip()
    if text.startswith("@every "):
        seconds = sum(
            float(n) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[u] for n, u in _DURATION.findall(text[7:])
        )
        if seconds <= 0:
            raise ScheduleError(f"@every: cannot parse duration {text[7:]!r}")
        everything: frozenset[int] = frozenset()
        return Schedule(everything, everything, everything, everything, everything, True, True, seconds, zone)
    text = DESCRIPTORS.get(text, text)
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleError(f"expected exactly 5 fields, found {len(fields)}: {schedule!r}")
    minutes, _ = _field(fields[0], 0, 59, {}, "minute")
    hours, _ = _field(fields[1], 0, 23, {}, "hour")
    days, any_day = _field(fields[2], 1, 31, {}, "day of month")
    months, _ = _field(fields[3], 1, 12, MONTHS, "month")
    weekdays, any_weekday = _field(fields[4], 0, 6, DAYS, "day of week")
    return Schedule(minutes, hours, days, months, weekdays, any_day, any_weekday, 0.0, zone)


def next_after(s: Schedule, after: datetime) -> datetime | None:
    """The first scheduled time strictly after ``after`` (aware datetimes; None if none in 5 years)."""
    if s.every:
        return after + timedelta(seconds=s.every)
    local = after.astimezone(s.zone).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
    limit = local + timedelta(days=366 * 5)
    while local < limit:
        if local.month not in s.months:
            year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
            local = local.replace(year=year, month=month, day=1, hour=0, minute=0)
            continue
        if not s.day_matches(local):
            local = (local + timedelta(days=1)).replace(hour=0, minute=0)
            continue
        if local.hour not in s.hours:
            local = (local + timedelta(hours=1)).replace(minute=0)
            continue
        if local.minute not in s.minutes:
            local += timedelta(minutes=1)
            continue
        return local.replace(tzinfo=s.zone).astimezone(UTC)
    return None


def most_recent(s: Schedule, earliest: datetime, now: datetime) -> tuple[datetime | None, int]:
    """(the latest scheduled time in (earliest, now], how many were missed); (None, 0) when none."""
    t = next_after(s, earliest)
    if t is None or t > now:
        return None, 0
    missed, last = 0, t
    while t is not None and t <= now:
        last, missed = t, missed + 1
        if missed > 10_000:  # far behind: jump close to now and keep counting from there
            t = next_after(s, now - timedelta(days=1))
            if t is not None and t <= last:
                break
            continue
        t = next_after(s, t)
    return last, missed
