"""Java date and time values for expressions: ``java.util.Date``, ``java.time.Instant``, ``LocalDate``,
``LocalDateTime``, the ``DayOfWeek``/``Month``/``ChronoUnit`` enums and ``java.text.SimpleDateFormat``.

Faithful to Java for what pipelines use (``new java.text.SimpleDateFormat('yyyy-MM-dd').format(new
java.util.Date())``, ``T(java.time.Instant).now().toEpochMilli()``, ``T(java.time.LocalDate).now()
.getDayOfWeek()``, ``T(java.time.temporal.ChronoUnit).DAYS.between(a, b)``): the same ``toString``
forms, month arithmetic that clamps to the month's last day, SimpleDateFormat pattern letters and lenient
parsing. The clock is UTC (Orca's default time zone in containers); there is no TimeZone type, as in
Spinnaker's allow-list.

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
    java_to_string,
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


def _plus_months(day: dt.date, months: int) -> dt.date:
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
            return LocalDate(_plus_months(self.value, amount * _MONTHS_PER_UNIT[unit.name]))
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
    "plusMonths": {1: lambda env, t, a: LocalDate(_plus_months(t.value, _num(a[0], "months")))},
    "minusMonths": {1: lambda env, t, a: LocalDate(_plus_months(t.value, -_num(a[0], "months")))},
    "plusYears": {1: lambda env, t, a: LocalDate(_plus_months(t.value, 12 * _num(a[0], "years")))},
    "minusYears": {1: lambda env, t, a: LocalDate(_plus_months(t.value, -12 * _num(a[0], "years")))},
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
            day = _plus_months(self.value.date(), amount * _MONTHS_PER_UNIT[unit.name])
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

_SHORT_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_LONG_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_LONG_MONTHS = [
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
            f"{_SHORT_DAYS[v.weekday()]} {_SHORT_MONTHS[v.month - 1]} {v.day:02d} "
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


# ---------------------------------------------------------------- java.text.SimpleDateFormat

_PATTERN_LETTERS = set("GyYMLdDEuaHkKhmsSzZX")
_NUMERIC = set("yYMLdDuHkKhmsS")


def _compile_pattern(pattern: str) -> list[tuple[str, Any]]:
    """[("lit", text) | ("field", (letter, count))] for a SimpleDateFormat pattern."""
    parts: list[tuple[str, Any]] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                parts.append(("lit", "'"))
                i += 2
                continue
            j = i + 1
            buf = []
            while j < n:
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(pattern[j])
                j += 1
            if j >= n:
                raise ExpressionError(f"Unterminated quote in date pattern '{pattern}'")
            parts.append(("lit", "".join(buf)))
            i = j + 1
            continue
        if ch.isascii() and ch.isalpha():
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            if ch not in _PATTERN_LETTERS:
                raise ExpressionError(f"Illegal pattern character '{ch}'")
            parts.append(("field", (ch, j - i)))
            i = j
            continue
        parts.append(("lit", ch))
        i += 1
    return parts


def _format_field(letter: str, count: int, v: dt.datetime, millis: int) -> str:
    if letter in "yY":
        return f"{v.year % 100:02d}" if count == 2 else str(v.year).zfill(count)
    if letter in "ML":
        if count >= 4:
            return _LONG_MONTHS[v.month - 1]
        if count == 3:
            return _SHORT_MONTHS[v.month - 1]
        return str(v.month).zfill(count)
    if letter == "d":
        return str(v.day).zfill(count)
    if letter == "D":
        return str(v.timetuple().tm_yday).zfill(count)
    if letter == "E":
        return _LONG_DAYS[v.weekday()] if count >= 4 else _SHORT_DAYS[v.weekday()]
    if letter == "u":
        return str(v.weekday() + 1).zfill(count)
    if letter == "a":
        return "AM" if v.hour < 12 else "PM"
    if letter == "H":
        return str(v.hour).zfill(count)
    if letter == "k":
        return str(v.hour or 24).zfill(count)
    if letter == "K":
        return str(v.hour % 12).zfill(count)
    if letter == "h":
        return str(v.hour % 12 or 12).zfill(count)
    if letter == "m":
        return str(v.minute).zfill(count)
    if letter == "s":
        return str(v.second).zfill(count)
    if letter == "S":
        return str(millis % 1000).zfill(count)
    if letter == "z":
        return "Coordinated Universal Time" if count >= 4 else "UTC"
    if letter == "Z":
        return "+0000"
    if letter == "X":
        return "Z"
    if letter == "G":
        return "AD"
    raise ExpressionError(f"Illegal pattern character '{letter}'")  # pragma: no cover


class SimpleDateFormat(JavaValue):
    java_type = "java.text.SimpleDateFormat"

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.parts = _compile_pattern(pattern)
        self.lenient = True

    def to_java_string(self) -> str:
        return f"java.text.SimpleDateFormat@{abs(hash(self.pattern)) & 0xFFFFFFF:x}"

    def format(self, value: Any) -> str:
        if isinstance(value, JavaDate):
            millis = value.millis
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            millis = int(value)
        else:
            raise ExpressionError(
                f"Cannot format given Object as a Date: {java_to_string(value)} "
                "(format takes a java.util.Date or a number of milliseconds)"
            )
        v = JavaDate(millis).utc()
        out = []
        for kind, part in self.parts:
            out.append(part if kind == "lit" else _format_field(part[0], part[1], v, millis))
        return "".join(out)

    def parse(self, text: Any) -> JavaDate:
        if not isinstance(text, str):
            raise ExpressionError("SimpleDateFormat.parse needs a string")
        regex_parts: list[str] = []
        fields: list[tuple[str, int]] = []
        for index, (kind, part) in enumerate(self.parts):
            if kind == "lit":
                regex_parts.append(re.escape(part))
                continue
            letter, count = part
            nxt = self.parts[index + 1] if index + 1 < len(self.parts) else None
            abutting = nxt is not None and nxt[0] == "field" and nxt[1][0] in _NUMERIC
            if letter in _NUMERIC and not (letter in "ML" and count >= 3):
                regex_parts.append(rf"([+-]?\d{{{count}}})" if abutting else r"([+-]?\d+)")
            elif letter in "ML":
                regex_parts.append("(" + "|".join(_LONG_MONTHS + _SHORT_MONTHS) + ")")
            elif letter == "E":
                regex_parts.append("(" + "|".join(_LONG_DAYS + _SHORT_DAYS) + ")")
            elif letter == "a":
                regex_parts.append("(AM|PM|am|pm)")
            elif letter in "zZX":
                regex_parts.append(r"(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})")
            else:
                regex_parts.append(r"(\S+)")
            fields.append((letter, count))
        m = re.match("".join(regex_parts), text, re.IGNORECASE)
        if not m:
            raise ExpressionError(f'Unparseable date: "{text}"')
        values = {"year": 1970, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "milli": 0}
        pm: bool | None = None
        twelve_hour = False
        offset_minutes = 0
        for (letter, count), raw in zip(fields, m.groups(), strict=True):
            if letter in "yY":
                year = int(raw)
                if count <= 2 and len(raw) <= 2:
                    now_year = dt.datetime.now(UTC).year
                    century = now_year - now_year % 100
                    year += century
                    if year > now_year + 20:
                        year -= 100
                values["year"] = year
            elif letter in "ML":
                if raw[0].isdigit() or raw[0] in "+-":
                    values["month"] = int(raw)
                else:
                    lowered = raw.lower()
                    names = [x.lower() for x in _LONG_MONTHS]
                    short = [x.lower() for x in _SHORT_MONTHS]
                    values["month"] = (names.index(lowered) if lowered in names else short.index(lowered)) + 1
            elif letter == "d":
                values["day"] = int(raw)
            elif letter in "Hk":
                values["hour"] = int(raw) % 24 if letter == "k" else int(raw)
            elif letter in "Kh":
                values["hour"] = int(raw) % 12
                twelve_hour = True
            elif letter == "m":
                values["minute"] = int(raw)
            elif letter == "s":
                values["second"] = int(raw)
            elif letter == "S":
                values["milli"] = int(raw)
            elif letter == "a":
                pm = raw.upper() == "PM"
            elif letter in "zZX":
                offset_minutes = _parse_offset(raw)
        if twelve_hour and pm:
            values["hour"] += 12
        if not self.lenient and not _valid_fields(values):
            raise ExpressionError(f'Unparseable date: "{text}"')
        # lenient: out-of-range fields roll over, as java.util.GregorianCalendar does
        base = _plus_months(dt.date(values["year"], 1, 1), values["month"] - 1)
        try:
            moment = dt.datetime.combine(base, dt.time(), tzinfo=UTC) + dt.timedelta(
                days=values["day"] - 1,
                hours=values["hour"],
                minutes=values["minute"] - offset_minutes,
                seconds=values["second"],
                milliseconds=values["milli"],
            )
        except OverflowError:
            raise ExpressionError(f'Unparseable date: "{text}"') from None
        epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
        return JavaDate((moment - epoch) // dt.timedelta(milliseconds=1))


def _valid_fields(values: dict[str, int]) -> bool:
    try:
        dt.datetime(
            values["year"], values["month"], values["day"], values["hour"], values["minute"], values["second"]
        )
    except ValueError:
        return False
    return 0 <= values["milli"] < 1000


def _parse_offset(raw: str) -> int:
    if raw.upper() in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    return sign * (hours * 60 + minutes)


def _set_lenient(env: Any, t: SimpleDateFormat, a: list[Any]) -> None:
    t.lenient = bool(a[0])


SimpleDateFormat.METHODS = {
    "format": {1: lambda env, t, a: t.format(a[0])},
    "parse": {1: lambda env, t, a: t.parse(a[0])},
    "toPattern": {0: lambda env, t, a: t.pattern},
    "setLenient": {1: _set_lenient},
    "isLenient": {0: lambda env, t, a: t.lenient},
    "toString": {0: lambda env, t, a: t.to_java_string()},
    "equals": {1: lambda env, t, a: isinstance(a[0], SimpleDateFormat) and a[0].pattern == t.pattern},
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
    "SimpleDateFormat",
    "day_of_week",
    "java_equals",
]
