"""Parsing Quartz cron expressions into field specs (no time arithmetic here; see ``expression``).

Who calls it: ``CronExpression`` (``gennaker.triggers.cron.expression``). Syntax (Quartz's
``CronExpression``): ``seconds minutes hours day-of-month month day-of-week [year]``; ``*`` every value;
``?`` no specific value (day-of-month or day-of-week only, and exactly one of the two must be ``?``); ``a-b``
ranges, which may wrap (``FRI-MON``, ``22-2``); ``a,b`` lists; ``a/n``, ``*/n``, ``a-b/n`` steps; month
names ``JAN``-``DEC``; day names ``SUN``-``SAT`` (1 = Sunday ... 7 = Saturday); in day-of-month ``L``
(last day), ``L-n`` (n days before the last), ``nW`` (weekday nearest day n, not leaving the month), ``LW`` /
``L-nW``; in day-of-week ``L`` alone (= 7, Saturday), ``nL`` (last n-day of the month), ``n#k`` (k-th
n-day, k = 1..5). Case does not matter.

Invariant: every error is a ``CronSyntaxError`` naming the expression, the field and the bad part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD_NAMES = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year")
BOUNDS: dict[str, tuple[int, int]] = {
    "seconds": (0, 59),
    "minutes": (0, 59),
    "hours": (0, 23),
    "day-of-month": (1, 31),
    "month": (1, 12),
    "day-of-week": (1, 7),
    "year": (1970, 2299),
}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTH_NAMES = {n: i + 1 for i, n in enumerate(_MONTHS)}
DAY_NAMES = {n: i + 1 for i, n in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_NAMES = {"month": MONTH_NAMES, "day-of-week": DAY_NAMES}


class CronSyntaxError(ValueError):
    """A cron expression that Quartz would refuse; names the field and the offending part."""

    def __init__(self, expression: str, field: str | None, message: str) -> None:
        self.expression = expression
        self.field = field
        where = f" {field} field:" if field else ""
        super().__init__(f"invalid cron expression {expression!r}:{where} {message}")


@dataclass(frozen=True)
class DayOfMonth:
    """The day-of-month field: no constraint (``?``), a set of days, or a special rule."""

    unspecified: bool = False
    days: frozenset[int] = frozenset()
    #: ``L`` / ``L-n``: n days before the last day of the month (0 = the last day).
    last_offset: int | None = None
    #: With ``last_offset`` (``LW``, ``L-nW``) or ``nearest_to``: move to the nearest weekday.
    weekday: bool = False
    #: ``nW``: the weekday nearest this day.
    nearest_to: int | None = None


@dataclass(frozen=True)
class DayOfWeek:
    """The day-of-week field (1 = Sunday ... 7 = Saturday)."""

    unspecified: bool = False
    days: frozenset[int] = frozenset()
    #: ``nL``: the last such weekday of the month.
    last_of: int | None = None
    #: ``n#k``: the k-th such weekday of the month, as (weekday, k).
    nth: tuple[int, int] | None = None


@dataclass(frozen=True)
class CronFields:
    """A parsed expression: sorted allowed values per field, and the two day fields."""

    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: DayOfMonth
    months: tuple[int, ...]
    day_of_week: DayOfWeek
    years: tuple[int, ...] | None


class _FieldParser:
    def __init__(self, expression: str, field: str) -> None:
        self.expression = expression
        self.field = field
        self.low, self.high = BOUNDS[field]

    def error(self, message: str) -> CronSyntaxError:
        return CronSyntaxError(self.expression, self.field, message)

    def number(self, text: str) -> int:
        names = _NAMES.get(self.field, {})
        if text in names:
            return names[text]
        if not text.isdigit():
            if text.isalpha() and self.field in _NAMES:
                raise self.error(f"unknown {'month' if self.field == 'month' else 'day'} name {text!r}")
            raise self.error(f"{text!r} is not a number")
        value = int(text)
        if not self.low <= value <= self.high:
            raise self.error(f"{value} is out of range {self.low}-{self.high}")
        return value

    def values(self, text: str) -> frozenset[int]:
        found: set[int] = set()
        for item in text.split(","):
            if not item:
                raise self.error(f"empty element in list {text!r}")
            found |= self.item(item)
        return frozenset(found)

    def item(self, item: str) -> set[int]:
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise self.error(f"step in {item!r} must be a positive number")
            step = int(step_text)
            if step > self.high - self.low + 1:
                raise self.error(f"step {step} in {item!r} is larger than the field's range")
        if base in ("*", ""):
            if not slash and base == "":
                raise self.error("empty value")
            start, end = self.low, self.high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = self.number(first), self.number(last)
        else:
            start = self.number(base)
            end = self.high if slash else start
        return self.expand(start, end, step, item)

    def expand(self, start: int, end: int, step: int, item: str) -> set[int]:
        span = self.high - self.low + 1
        if end < start:
            if self.field == "year":
                raise self.error(f"range {item!r} goes backwards")
            end += span  # a range that wraps around (FRI-MON, 22-2)
        return {(v - self.low) % span + self.low for v in range(start, end + 1, step)}


def _parse_day_of_month(parser: _FieldParser, text: str) -> DayOfMonth:
    if text == "?":
        return DayOfMonth(unspecified=True)
    if text.startswith("L"):
        match = re.fullmatch(r"L(?:-(\d+))?(W)?", text)
        if match is None:
            raise parser.error(f"{text!r}: 'L' takes the forms L, L-n, LW and L-nW, alone")
        offset = int(match.group(1) or 0)
        if offset > 30:
            raise parser.error(f"offset from last day must be at most 30, got {offset}")
        return DayOfMonth(last_offset=offset, weekday=bool(match.group(2)))
    if text.endswith("W"):
        day = text[:-1]
        if not day.isdigit():
            raise parser.error(f"{text!r}: 'W' follows a single day of the month (15W), not a list or range")
        return DayOfMonth(nearest_to=parser.number(day), weekday=True)
    if "L" in text or "W" in text:
        raise parser.error(f"{text!r}: 'L' and 'W' cannot be combined with lists or ranges")
    return DayOfMonth(days=parser.values(text))


def _parse_day_of_week(parser: _FieldParser, text: str) -> DayOfWeek:
    if text == "?":
        return DayOfWeek(unspecified=True)
    if text == "L":
        return DayOfWeek(days=frozenset({7}))
    if "#" in text:
        day, _, nth = text.partition("#")
        if "," in text or "-" in day or "/" in text:
            raise parser.error(f"{text!r}: '#' takes a single day (6#3), not a list or range")
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise parser.error(f"{text!r}: the number after '#' must be 1-5")
        return DayOfWeek(nth=(parser.number(day), int(nth)))
    if text.endswith("L"):
        day = text[:-1]
        if not day or any(c in day for c in ",-/*"):
            raise parser.error(f"{text!r}: 'L' follows a single day (6L = last Friday), not a list or range")
        return DayOfWeek(last_of=parser.number(day))
    if "L" in text:
        raise parser.error(f"{text!r}: 'L' cannot be combined with lists or ranges")
    return DayOfWeek(days=parser.values(text))


def parse_fields(expression: str) -> CronFields:
    """Parse a Quartz cron expression (6 or 7 fields); raises ``CronSyntaxError``."""
    parts = expression.upper().split()
    if len(parts) not in (6, 7):
        raise CronSyntaxError(
            expression,
            None,
            f"expected 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), "
            f"got {len(parts)}",
        )

    def plain(index: int) -> tuple[int, ...]:
        field = FIELD_NAMES[index]
        parser = _FieldParser(expression, field)
        text = parts[index]
        if text == "?":
            raise parser.error("'?' is allowed only in day-of-month and day-of-week")
        if re.search(r"[LW#]", text.replace("JUL", "").replace("JUN", "")) and field != "month":
            raise parser.error(f"{text!r}: 'L', 'W' and '#' are allowed only in the day fields")
        return tuple(sorted(parser.values(text)))

    seconds, minutes, hours = plain(0), plain(1), plain(2)
    months = plain(4)
    day_of_month = _parse_day_of_month(_FieldParser(expression, "day-of-month"), parts[3])
    day_of_week = _parse_day_of_week(_FieldParser(expression, "day-of-week"), parts[5])
    if day_of_month.unspecified == day_of_week.unspecified:
        raise CronSyntaxError(
            expression,
            "day-of-week",
            "exactly one of day-of-month and day-of-week must be '?' (Quartz supports neither both nor none)",
        )
    years = plain(6) if len(parts) == 7 else None
    return CronFields(seconds, minutes, hours, day_of_month, months, day_of_week, years)
