"""Quartz cron expressions in a time zone: the next fire time after an instant, and all fire times after it.

Who calls it: the cron trigger's scheduler (later) through ``schedule.due_firings``, and the API when it shows
a trigger's next runs. Parsing is in ``fields``.

Semantics across daylight-saving changes (Quartz's, as its FAQ documents them):
- the expression matches *wall-clock* times in the zone;
- a wall-clock time that does not exist (skipped when clocks spring forward) does not fire: ``0 30 2 * * ?``
  in New York has no firing on the spring-forward day;
- a wall-clock time that occurs twice (clocks fall back) fires once, at its first occurrence; the repeated
  hour fires nothing, so ``0 */15 * * * ?`` has an hour without firings that night.
Fire times are returned as aware datetimes in the expression's zone, with second resolution. Invariant:
``next_fire_after(t) > t`` strictly, so iterating never repeats a firing; comparisons are done in UTC.
"""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gennaker.triggers.cron.fields import BOUNDS, CronFields, CronSyntaxError, parse_fields

_MAX_STEPS = 200_000


def _next_at_least(values: tuple[int, ...], value: int) -> int | None:
    index = bisect.bisect_left(values, value)
    return values[index] if index < len(values) else None


def _quartz_weekday(year: int, month: int, day: int) -> int:
    """1 = Sunday ... 7 = Saturday."""
    return (calendar.weekday(year, month, day) + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, day: int, last: int) -> int:
    weekday = _quartz_weekday(year, month, day)
    if weekday == 7:  # Saturday -> Friday, unless that leaves the month
        return day + 2 if day == 1 else day - 1
    if weekday == 1:  # Sunday -> Monday, unless that leaves the month
        return day - 2 if day == last else day + 1
    return day


class CronExpression:
    """A parsed Quartz cron expression bound to a time zone (an IANA name, default UTC)."""

    def __init__(self, expression: str, timezone: str | tzinfo = "UTC") -> None:
        self.expression = " ".join(expression.split())
        self.fields: CronFields = parse_fields(self.expression)
        if isinstance(timezone, str):
            try:
                self.zone: tzinfo = ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise CronSyntaxError(expression, None, f"unknown time zone {timezone!r}") from None
        else:
            self.zone = timezone
        self._days_cache: dict[tuple[int, int], tuple[int, ...]] = {}

    def __repr__(self) -> str:
        return f"CronExpression({self.expression!r}, {str(self.zone)!r})"

    def __str__(self) -> str:
        return self.expression

    def days_of(self, year: int, month: int) -> tuple[int, ...]:
        """The days of ``month`` on which the expression can fire (day fields only)."""
        key = (year, month)
        cached = self._days_cache.get(key)
        if cached is None:
            cached = self._compute_days(year, month)
            if len(self._days_cache) > 2048:
                self._days_cache.clear()
            self._days_cache[key] = cached
        return cached

    def _compute_days(self, year: int, month: int) -> tuple[int, ...]:
        last = calendar.monthrange(year, month)[1]
        dom, dow = self.fields.day_of_month, self.fields.day_of_week
        if not dom.unspecified:
            if dom.last_offset is not None:
                day = last - dom.last_offset
                if day < 1:
                    return ()
                return (_nearest_weekday(year, month, day, last) if dom.weekday else day,)
            if dom.nearest_to is not None:
                if dom.nearest_to > last:
                    return ()
                return (_nearest_weekday(year, month, dom.nearest_to, last),)
            return tuple(sorted(d for d in dom.days if d <= last))
        if dow.last_of is not None:
            day = max(d for d in range(1, last + 1) if _quartz_weekday(year, month, d) == dow.last_of)
            return (day,)
        if dow.nth is not None:
            weekday, nth = dow.nth
            matches = [d for d in range(1, last + 1) if _quartz_weekday(year, month, d) == weekday]
            return (matches[nth - 1],) if nth <= len(matches) else ()
        return tuple(d for d in range(1, last + 1) if _quartz_weekday(year, month, d) in dow.days)

    def next_wall_time(self, start: datetime) -> datetime | None:
        """The first naive wall-clock time at or after ``start`` (naive) that the fields match."""
        f = self.fields
        y, mo, d, h, mi, s = start.year, start.month, start.day, start.hour, start.minute, start.second
        max_year = f.years[-1] if f.years else BOUNDS["year"][1]
        for _ in range(_MAX_STEPS):
            if y > max_year:
                return None
            if f.years is not None and y not in f.years:
                next_year = _next_at_least(f.years, y)
                if next_year is None:
                    return None
                y, mo, d, h, mi, s = next_year, 1, 1, 0, 0, 0
            month = _next_at_least(f.months, mo)
            if month is None:
                y, mo, d, h, mi, s = y + 1, 1, 1, 0, 0, 0
                continue
            if month != mo:
                mo, d, h, mi, s = month, 1, 0, 0, 0
            day = _next_at_least(self.days_of(y, mo), d)
            if day is None:
                y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
                d, h, mi, s = 1, 0, 0, 0
                continue
            if day != d:
                d, h, mi, s = day, 0, 0, 0
            hour = _next_at_least(f.hours, h)
            if hour is None:
                d, h, mi, s = d + 1, 0, 0, 0
                continue
            if hour != h:
                h, mi, s = hour, 0, 0
            minute = _next_at_least(f.minutes, mi)
            if minute is None:
                h, mi, s = h + 1, 0, 0
                if h == 24:
                    d, h = d + 1, 0
                continue
            if minute != mi:
                mi, s = minute, 0
            second = _next_at_least(f.seconds, s)
            if second is None:
                mi, s = mi + 1, 0
                if mi == 60:
                    h, mi = h + 1, 0
                    if h == 24:
                        d, h = d + 1, 0
                continue
            return datetime(y, mo, d, h, mi, second)
        raise RuntimeError(f"cron search for {self.expression!r} did not converge")  # pragma: no cover

    def _exists(self, wall: datetime) -> datetime | None:
        """The instant of ``wall`` (first occurrence) in the zone, or None if the zone skips that time."""
        aware = wall.replace(tzinfo=self.zone, fold=0)
        back = aware.astimezone(UTC).astimezone(self.zone)
        if back.replace(tzinfo=None) != wall:
            return None
        return back

    def next_fire_after(self, after: datetime) -> datetime | None:
        """The first fire time strictly after the aware instant ``after``, or None if there is none."""
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("next_fire_after needs an aware datetime (with a time zone)")
        after_utc = after.astimezone(UTC)
        local = after_utc.astimezone(self.zone)
        start = local.replace(tzinfo=None, microsecond=0) + timedelta(seconds=1)
        for _ in range(_MAX_STEPS):
            wall = self.next_wall_time(start)
            if wall is None:
                return None
            instant = self._exists(wall)
            if instant is not None and instant.astimezone(UTC) > after_utc:
                return instant
            start = wall + timedelta(seconds=1)
        raise RuntimeError(f"cron search for {self.expression!r} did not converge")  # pragma: no cover

    def fire_times(self, after: datetime) -> Iterator[datetime]:
        """Every fire time after ``after``, in order (stops if the expression never fires again)."""
        current = after
        while True:
            nxt = self.next_fire_after(current)
            if nxt is None:
                return
            yield nxt
            current = nxt

    def is_satisfied_by(self, instant: datetime) -> bool:
        """Whether the expression fires exactly at ``instant`` (aware; sub-second part ignored)."""
        if instant.tzinfo is None:
            raise ValueError("is_satisfied_by needs an aware datetime (with a time zone)")
        truncated = instant.replace(microsecond=0)
        return self.next_fire_after(truncated - timedelta(seconds=1)) == truncated.astimezone(self.zone)
