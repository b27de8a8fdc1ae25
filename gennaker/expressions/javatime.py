"""Java date and time values for expressions: ``java.util.Date``, ``java.time.Instant``, ``LocalDate``,
``LocalDateTime`` and the ``DayOfWeek``/``Month``/``ChronoUnit`` enums (``java.text.SimpleDateFormat``
lives in :mod:`javadateformat`).

Faithful to Java for what pipelines use (``new java.util.Date().getTime()``,
``T(java.time.Instant).now().toEpochMilli()``, ``T(java.time.LocalDate).now().getDayOfWeek()``,
``T(java.time.temporal.ChronoUnit).DAYS.between(a, b)``): the same ``toString`` forms and month
arithmetic that clamps to the month's last day. The clock is UTC (Orca's default time zone in
containers); there is no TimeZone type, as in Spinnaker's allow-list.

Used by :mod:`javatypes` (constructors and statics) and through each class's ``METHODS`` table.
Results stored in a context become text (``toString``), except ``java.util.Date`` which becomes epoch
milliseconds, as Jackson writes it. Nothing persisted here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time
from typing import Any

from gennaker.expressions.errors import ExpressionError
from gennaker.expressions.javaobjects import ENUM_METHODS, JavaEnum
from gennaker.expressions.javasem import (
    JavaValue,
    JLong,
    MethodTable,
    java_equals,
    to_int_index,
)

UTC = dt.UTC
_EPOCH_DATE = dt.date(1970, 1, 1)
_NANOS_PER_SECOND = 1_000_000_000


def _num(value: Any, role: str) -> int:
    return to_int_index(value, role)


def _fraction(nanos: int) -> str:
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def _cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


# ---------------------------------------------------------------- enums


class DayOfWeek(JavaEnum):
    java_type = "java.time.DayOfWeek"


class Month(JavaEnum):
    java_type = "java.time.Month"


class ChronoUnit(JavaEnum):
    java_type = "java.time.temporal.ChronoUnit"

    def __init__(self, name: str, ordinal: int, display: str, nanos: int | None) -> None:
        super().__init__(name, ordinal)
        self.display = display
        self.nanos = nanos  # exact duration for time-based units, None for date-based ones

    def to_java_string(self) -> str:
        return self.display


DAYS_OF_WEEK = [
    DayOfWeek(n, i)
    for i, n in enumerate(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"])
]
MONTHS = [
    Month(n, i)
    for i, n in enumerate(
        [
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ]
    )
]
_UNIT_SPECS = [
    ("NANOS", "Nanos", 1),
    ("MICROS", "Micros", 1_000),
    ("MILLIS", "Millis", 1_000_000),
    ("SECONDS", "Seconds", _NANOS_PER_SECOND),
    ("MINUTES", "Minutes", 60 * _NANOS_PER_SECOND),
    ("HOURS", "Hours", 3600 * _NANOS_PER_SECOND),
    ("HALF_DAYS", "HalfDays", 43200 * _NANOS_PER_SECOND),
    ("DAYS", "Days", 86400 * _NANOS_PER_SECOND),
    ("WEEKS", "Weeks", None),
    ("MONTHS", "Months", None),
    ("YEARS", "Years", None),
    ("DECADES", "Decades", None),
    ("CENTURIES", "Centuries", None),
    ("MILLENNIA", "Millennia", None),
]
CHRONO_UNITS = {
    name: ChronoUnit(name, i, display, nanos) for i, (name, display, nanos) in enumerate(_UNIT_SPECS)
}
_MONTHS_PER_UNIT = {"MONTHS": 1, "YEARS": 12, "DECADES": 120, "CENTURIES": 1200, "MILLENNIA": 12000}


def day_of_week(value: Any) -> DayOfWeek:
    if isinstance(value, str):
        for day in DAYS_OF_WEEK:
            if day.name == value:
                return day
        raise ExpressionError(f"No enum constant java.time.DayOfWeek.{value}")
    number = _num(value, "DayOfWeek.of")
    if not 1 <= number <= 7:
        raise ExpressionError(f"Invalid value for DayOfWeek: {number}")
    return DAYS_OF_WEEK[number - 1]


def _unit(value: Any) -> ChronoUnit:
    if not isinstance(value, ChronoUnit):
        raise ExpressionError(
            "expected a java.time.temporal.ChronoUnit, e.g. T(java.time.temporal.ChronoUnit).DAYS"
        )
    return value


DayOfWeek.METHODS = {
    **ENUM_METHODS,
    "getValue": {0: lambda env, t, a: t.ordinal + 1},
    "plus": {1: lambda env, t, a: DAYS_OF_WEEK[(t.ordinal + _num(a[0], "days")) % 7]},
    "minus": {1: lambda env, t, a: DAYS_OF_WEEK[(t.ordinal - _num(a[0], "days")) % 7]},
}
Month.METHODS = {
    **ENUM_METHODS,
    "getValue": {0: lambda env, t, a: t.ordinal + 1},
    "plus": {1: lambda env, t, a: MONTHS[(t.ordinal + _num(a[0], "months")) % 12]},
    "minus": {1: lambda env, t, a: MONTHS[(t.ordinal - _num(a[0], "months")) % 12]},
}


def _between(env: Any, unit: ChronoUnit, args: list[Any]) -> int:
    start, end = args
    if not isinstance(start, (Instant, LocalDate, LocalDateTime)) or type(start) is not type(end):
        raise ExpressionError("ChronoUnit.between needs two values of the same date/time type")
    return JLong(start.until(end, unit))  # type: ignore[arg-type]


ChronoUnit.METHODS = {
    **ENUM_METHODS,
    "toString": {0: lambda env, t, a: t.display},
    "between": {2: _between},
    "isDateBased": {0: lambda env, t, a: t.nanos is None or t.name == "DAYS"},
    "isTimeBased": {0: lambda env, t, a: t.nanos is not None and t.name != "DAYS"},
}


# ---------------------------------------------------------------- month arithmetic


def plus_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise ExpressionError(f"Invalid value for Year: {year}")
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def _plus_days(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise ExpressionError("date out of range") from None


def _months_until(start: dt.date, start_rest: int, end: dt.date, end_rest: int) -> int:
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and (end.day, end_rest) < (start.day, start_rest):
        months -= 1
    elif months < 0 and (end.day, end_rest) > (start.day, start_rest):
        months += 1
    return months


def _truncate_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


# ---------------------------------------------------------------- java.time.Instant


class Instant(JavaValue):
    java_type = "java.time.Instant"

    def __init__(self, seconds: int, nanos: int = 0) -> None:
        extra, nanos = divmod(nanos, _NANOS_PER_SECOND)
        self.seconds = seconds + extra
        self.nanos = nanos

    @classmethod
    def now(cls) -> Instant:
        total = time.time_ns()
        return cls(total // _NANOS_PER_SECOND, total % _NANOS_PER_SECOND)

    @classmethod
    def of_epoch_milli(cls, millis: int) -> Instant:
        return cls(millis // 1000, (millis % 1000) * 1_000_000)

    @classmethod
    def parse(cls, text: Any) -> Instant:
        if not isinstance(text, str):
            raise ExpressionError("Instant.parse needs a string")
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z", text)
        if not m:
            raise ExpressionError(f"Text '{text}' could not be parsed at index 0")
        year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
        second = int(m.group(6) or 0)
        nanos = int((m.group(7) or "0").ljust(9, "0"))
        try:
            stamp = dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError as exc:
            raise ExpressionError(f"Text '{text}' could not be parsed: {exc}") from None
        return cls(int(calendar.timegm(stamp.timetuple())), nanos)

    def total_nanos(self) -> int:
        return self.seconds * _NANOS_PER_SECOND + self.nanos

    def to_java_string(self) -> str:
        try:
            stamp = dt.datetime.fromtimestamp(self.seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return f"Instant({self.seconds}s)"
        return stamp.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(self.nanos) + "Z"

    def java_equals(self, other: Any) -> bool:
        return isinstance(other, Instant) and other.total_nanos() == self.total_nanos()

    def java_compare(self, other: Any) -> int | None:
        return _cmp(self.total_nanos(), other.total_nanos()) if isinstance(other, Instant) else None

    def plus_nanos(self, nanos: int) -> Instant:
        return Instant(0, self.total_nanos() + nanos)

    def plus_unit(self, amount: int, unit: ChronoUnit) -> Instant:
        if unit.nanos is None:
            raise ExpressionError(f"Unsupported unit: {unit.display}")
        return self.plus_nanos(amount * unit.nanos)

    def until(self, end: Instant, unit: ChronoUnit) -> int:
        if unit.nanos is None:
            raise ExpressionError(f"Unsupported unit: {unit.display}")
        return _truncate_div(end.total_nanos() - self.total_nanos(), unit.nanos)


def _instant(value: Any) -> Instant:
    if not isinstance(value, Instant):
        raise ExpressionError("expected a java.time.Instant")
    return value


Instant.METHODS = {
    "toEpochMilli": {0: lambda env, t, a: JLong(t.seconds * 1000 + t.nanos // 1_000_000)},
    "getEpochSecond": {0: lambda env, t, a: JLong(t.seconds)},
    "getNano": {0: lambda env, t, a: t.nanos},
    "plusSeconds": {1: lambda env, t, a: t.plus_nanos(_num(a[0], "seconds") * _NANOS_PER_SECOND)},
    "minusSeconds": {1: lambda env, t, a: t.plus_nanos(-_num(a[0], "seconds") * _NANOS_PER_SECOND)},
    "plusMillis": {1: lambda env, t, a: t.plus_nanos(_num(a[0], "millis") * 1_000_000)},
    "minusMillis": {1: lambda env, t, a: t.plus_nanos(-_num(a[0], "millis") * 1_000_000)},
    "plusNanos": {1: lambda env, t, a: t.plus_nanos(_num(a[0], "nanos"))},
    "minusNanos": {1: lambda env, t, a: t.plus_nanos(-_num(a[0], "nanos"))},
    "plus": {2: lambda env, t, a: t.plus_unit(_num(a[0], "amount"), _unit(a[1]))},
    "minus": {2: lambda env, t, a: t.plus_unit(-_num(a[0], "amount"), _unit(a[1]))},
    "isBefore": {1: lambda env, t, a: t.total_nanos() < _instant(a[0]).total_nanos()},
    "isAfter": {1: lambda env, t, a: t.total_nanos() > _instant(a[0]).total_nanos()},
    "until": {2: lambda env, t, a: JLong(t.until(_instant(a[0]), _unit(a[1])))},
    "truncatedTo": {1: lambda env, t, a: _truncate_instant(t, _unit(a[0]))},
    "compareTo": {1: lambda env, t, a: _cmp(t.total_nanos(), _instant(a[0]).total_nanos())},
    "equals": {1: lambda env, t, a: t.java_equals(a[0])},
    "toString": {0: lambda env, t, a: t.to_java_string()},
}


def _truncate_instant(value: Instant, unit: ChronoUnit) -> Instant:
    if unit.nanos is None:
        raise ExpressionError(f"Unit is too large to be used for truncation: {unit.display}")
    total = value.total_nanos()
    return Instant(0, total - total % unit.nanos)


# ---------------------------------------------------------------- java.time.LocalDate


class LocalDate(JavaValue):
    java_type = "java.time.LocalDate"

    def __init__(self, value: dt.date) -> None:
        self.value = value

    @classmethod
    def of(cls, year: Any, month: Any, day: Any) -> LocalDate:
        month_number = month.ordinal + 1 if isinstance(month, Month) else _num(month, "month")
        try:
            return cls(dt.date(_num(year, "year"), month_number, _num(day, "day")))
        except ValueError as exc:
            raise ExpressionError(f"Invalid date: {exc}") from None

    @classmethod
    def parse(cls, text: Any) -> LocalDate:
        if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ExpressionError(f"Text '{text}' could not be parsed at index 0")
        try:
            return cls(dt.date.fromisoformat(text))
        except ValueError as exc:
            raise ExpressionError(f"Text '{text}' could not be parsed: {exc}") from None

    def to_java_string(self) -> str:
        return self.value.isoformat()

    def java_equals(self, other: Any) -> bool:
        return isinstance(other, LocalDate) and other.value == self.value

    def java_compare(self, other: Any) -> int | None:
        return _cmp(self.value, other.value) if isinstance(other, LocalDate) else None

    def plus_unit(self, amount: int, unit: ChronoUnit) -> LocalDate:
        if unit.name == "DAYS":
            return LocalDate(_plus_days(self.value, amount))
        if unit.name == "WEEKS":
            return LocalDate(_plus_days(self.value, amount * 7))
        if unit.name in _MONTHS_PER_UNIT:
            return LocalDate(plus_months(self.value, amount * _MONTHS_PER_UNIT[unit.name]))
        raise ExpressionError(f"Unsupported unit: {unit.display}")

    def until(self, end: LocalDate, unit: ChronoUnit) -> int:
        days = (end.value - self.value).days
        if unit.name == "DAYS":
            return days
        if unit.name == "WEEKS":
            return _truncate_div(days, 7)
        if unit.name in _MONTHS_PER_UNIT:
            return _truncate_div(_months_until(self.value, 0, end.value, 0), _MONTHS_PER_UNIT[unit.name])
        raise ExpressionError(f"Unsupported unit: {unit.display}")


def _local_date(value: Any) -> LocalDate:
    if not isinstance(value, LocalDate):
        raise ExpressionError("expected a java.time.LocalDate")
    return value


def _date_getters(get: Any) -> MethodTable:
    """Getters shared by LocalDate and LocalDateTime (``get(t)`` gives the ``datetime.date``)."""
    return {
        "getYear": {0: lambda env, t, a: get(t).year},
        "getMonthValue": {0: lambda env, t, a: get(t).month},
        "getMonth": {0: lambda env, t, a: MONTHS[get(t).month - 1]},
        "getDayOfMonth": {0: lambda env, t, a: get(t).day},
        "getDayOfYear": {0: lambda env, t, a: get(t).timetuple().tm_yday},
        "getDayOfWeek": {0: lambda env, t, a: DAYS_OF_WEEK[get(t).weekday()]},
        "lengthOfMonth": {0: lambda env, t, a: calendar.monthrange(get(t).year, get(t).month)[1]},
        "lengthOfYear": {0: lambda env, t, a: 366 if calendar.isleap(get(t).year) else 365},
        "isLeapYear": {0: lambda env, t, a: calendar.isleap(get(t).year)},
    }


LocalDate.METHODS = {
    **_date_getters(lambda t: t.value),
    "plusDays": {1: lambda env, t, a: LocalDate(_plus_days(t.value, _num(a[0], "days")))},
    "minusDays": {1: lambda env, t, a: LocalDate(_plus_days(t.value, -_num(a[0], "days")))},
    "plusWeeks": {1: lambda env, t, a: LocalDate(_plus_days(t.value, 7 * _num(a[0], "weeks")))},
    "minusWeeks": {1: lambda env, t, a: LocalDate(_plus_days(t.value, -7 * _num(a[0], "weeks")))},
    "plusMonths": {1: lambda env, t, a: LocalDate(plus_months(t.value, _num(a[0], "months")))},
    "minusMonths": {1: lambda env, t, a: LocalDate(plus_months(t.value, -_num(a[0], "months")))},
    "plusYears": {1: lambda env, t, a: LocalDate(plus_months(t.value, 12 * _num(a[0], "years")))},
    "minusYears": {1: lambda env, t, a: LocalDate(plus_months(t.value, -12 * _num(a[0], "years")))},
    "plus": {2: lambda env, t, a: t.plus_unit(_num(a[0], "amount"), _unit(a[1]))},
    "minus": {2: lambda env, t, a: t.plus_unit(-_num(a[0], "amount"), _unit(a[1]))},
    "withDayOfMonth": {1: lambda env, t, a: LocalDate.of(t.value.year, t.value.month, a[0])},
    "withMonth": {1: lambda env, t, a: LocalDate.of(t.value.year, a[0], t.value.day)},
    "withYear": {1: lambda env, t, a: LocalDate.of(a[0], t.value.month, t.value.day)},
    "isBefore": {1: lambda env, t, a: t.value < _local_date(a[0]).value},
    "isAfter": {1: lambda env, t, a: t.value > _local_date(a[0]).value},
    "isEqual": {1: lambda env, t, a: t.value == _local_date(a[0]).value},
    "until": {2: lambda env, t, a: JLong(t.until(_local_date(a[0]), _unit(a[1])))},
    "toEpochDay": {0: lambda env, t, a: JLong((t.value - _EPOCH_DATE).days)},
    "atStartOfDay": {0: lambda env, t, a: LocalDateTime(dt.datetime.combine(t.value, dt.time()))},
    "compareTo": {1: lambda env, t, a: _cmp(t.value, _local_date(a[0]).value)},
    "equals": {1: lambda env, t, a: t.java_equals(a[0])},
    "toString": {0: lambda env, t, a: t.to_java_string()},
}


# ---------------------------------------------------------------- java.time.LocalDateTime


class LocalDateTime(JavaValue):
    java_type = "java.time.LocalDateTime"

    def __init__(self, value: dt.datetime) -> None:
        self.value = value  # naive, UTC wall clock

    @classmethod
    def now(cls) -> LocalDateTime:
        return cls(dt.datetime.now(UTC).replace(tzinfo=None))

    @classmethod
    def parse(cls, text: Any) -> LocalDateTime:
        if not isinstance(text, str) or not re.fullmatch(
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?", text
        ):
            raise ExpressionError(f"Text '{text}' could not be parsed at index 0")
        base, _, frac = text.partition(".")
        try:
            value = dt.datetime.fromisoformat(base)
        except ValueError as exc:
            raise ExpressionError(f"Text '{text}' could not be parsed: {exc}") from None
        return cls(value.replace(microsecond=int(frac.ljust(6, "0")[:6]) if frac else 0))

    def to_java_string(self) -> str:
        v = self.value
        text = v.strftime("%Y-%m-%dT%H:%M")
        if v.second or v.microsecond:
            text += f":{v.second:02d}" + _fraction(v.microsecond * 1000)
        return text

    def java_equals(self, other: Any) -> bool:
        return isinstance(other, LocalDateTime) and other.value == self.value

    def java_compare(self, other: Any) -> int | None:
        return _cmp(self.value, other.value) if isinstance(other, LocalDateTime) else None

    def _rest(self) -> int:
        v = self.value
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond

    def plus_unit(self, amount: int, unit: ChronoUnit) -> LocalDateTime:
        if unit.nanos is not None:
            try:
                return LocalDateTime(self.value + dt.timedelta(microseconds=amount * unit.nanos // 1000))
            except OverflowError:
                raise ExpressionError("date out of range") from None
        if unit.name == "WEEKS":
            return LocalDateTime(self.value + dt.timedelta(days=7 * amount))
        if unit.name in _MONTHS_PER_UNIT:
            day = plus_months(self.value.date(), amount * _MONTHS_PER_UNIT[unit.name])
            return LocalDateTime(dt.datetime.combine(day, self.value.time()))
        raise ExpressionError(f"Unsupported unit: {unit.display}")

    def until(self, end: LocalDateTime, unit: ChronoUnit) -> int:
        if unit.nanos is not None:
            delta = end.value - self.value
            micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
            return _truncate_div(micros * 1000, unit.nanos)
        if unit.name == "WEEKS":
            return _truncate_div(self.until(end, CHRONO_UNITS["DAYS"]), 7)
        if unit.name in _MONTHS_PER_UNIT:
            months = _months_until(self.value.date(), self._rest(), end.value.date(), end._rest())
            return _truncate_div(months, _MONTHS_PER_UNIT[unit.name])
        raise ExpressionError(f"Unsupported unit: {unit.display}")


def _local_date_time(value: Any) -> LocalDateTime:
    if not isinstance(value, LocalDateTime):
        raise ExpressionError("expected a java.time.LocalDateTime")
    return value


def _ldt_plus(unit: str, sign: int) -> dict[int, Any]:
    return {1: lambda env, t, a: t.plus_unit(sign * _num(a[0], unit.lower()), CHRONO_UNITS[unit])}


LocalDateTime.METHODS = {
    **_date_getters(lambda t: t.value.date()),
    "getHour": {0: lambda env, t, a: t.value.hour},
    "getMinute": {0: lambda env, t, a: t.value.minute},
    "getSecond": {0: lambda env, t, a: t.value.second},
    "getNano": {0: lambda env, t, a: t.value.microsecond * 1000},
    **{
        f"plus{u.title()}": _ldt_plus(u, 1)
        for u in ("SECONDS", "MINUTES", "HOURS", "DAYS", "WEEKS", "MONTHS", "YEARS")
    },
    **{
        f"minus{u.title()}": _ldt_plus(u, -1)
        for u in ("SECONDS", "MINUTES", "HOURS", "DAYS", "WEEKS", "MONTHS", "YEARS")
    },
    "plus": {2: lambda env, t, a: t.plus_unit(_num(a[0], "amount"), _unit(a[1]))},
    "minus": {2: lambda env, t, a: t.plus_unit(-_num(a[0], "amount"), _unit(a[1]))},
    "toLocalDate": {0: lambda env, t, a: LocalDate(t.value.date())},
    "isBefore": {1: lambda env, t, a: t.value < _local_date_time(a[0]).value},
    "isAfter": {1: lambda env, t, a: t.value > _local_date_time(a[0]).value},
    "isEqual": {1: lambda env, t, a: t.value == _local_date_time(a[0]).value},
    "until": {2: lambda env, t, a: JLong(t.until(_local_date_time(a[0]), _unit(a[1])))},
    "compareTo": {1: lambda env, t, a: _cmp(t.value, _local_date_time(a[0]).value)},
    "equals": {1: lambda env, t, a: t.java_equals(a[0])},
    "toString": {0: lambda env, t, a: t.to_java_string()},
}


# ---------------------------------------------------------------- java.util.Date

SHORT_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LONG_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LONG_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class JavaDate(JavaValue):
    java_type = "java.util.Date"

    def __init__(self, millis: int) -> None:
        self.millis = millis

    @classmethod
    def now(cls) -> JavaDate:
        return cls(time.time_ns() // 1_000_000)

    def utc(self) -> dt.datetime:
        try:
            return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=self.millis)
        except OverflowError:
            raise ExpressionError(f"date out of range: {self.millis} ms") from None

    def to_java_string(self) -> str:
        v = self.utc()
        return (
            f"{SHORT_DAYS[v.weekday()]} {SHORT_MONTHS[v.month - 1]} {v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d} UTC {v.year}"
        )

    def to_plain(self) -> Any:
        return int(self.millis)

    def java_equals(self, other: Any) -> bool:
        return isinstance(other, JavaDate) and other.millis == self.millis

    def java_compare(self, other: Any) -> int | None:
        return _cmp(self.millis, other.millis) if isinstance(other, JavaDate) else None


def _java_date(value: Any) -> JavaDate:
    if not isinstance(value, JavaDate):
        raise ExpressionError("expected a java.util.Date")
    return value


JavaDate.METHODS = {
    "getTime": {0: lambda env, t, a: JLong(t.millis)},
    "toInstant": {0: lambda env, t, a: Instant.of_epoch_milli(t.millis)},
    "before": {1: lambda env, t, a: t.millis < _java_date(a[0]).millis},
    "after": {1: lambda env, t, a: t.millis > _java_date(a[0]).millis},
    "compareTo": {1: lambda env, t, a: _cmp(t.millis, _java_date(a[0]).millis)},
    "equals": {1: lambda env, t, a: t.java_equals(a[0])},
    "toString": {0: lambda env, t, a: t.to_java_string()},
    # the deprecated getters users still write
    "getYear": {0: lambda env, t, a: t.utc().year - 1900},
    "getMonth": {0: lambda env, t, a: t.utc().month - 1},
    "getDate": {0: lambda env, t, a: t.utc().day},
    "getDay": {0: lambda env, t, a: (t.utc().weekday() + 1) % 7},
    "getHours": {0: lambda env, t, a: t.utc().hour},
    "getMinutes": {0: lambda env, t, a: t.utc().minute},
    "getSeconds": {0: lambda env, t, a: t.utc().second},
}


__all__ = [
    "CHRONO_UNITS",
    "DAYS_OF_WEEK",
    "MONTHS",
    "ChronoUnit",
    "DayOfWeek",
    "Instant",
    "JavaDate",
    "LocalDate",
    "LocalDateTime",
    "Month",
    "day_of_week",
    "java_equals",
]
