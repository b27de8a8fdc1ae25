"""``java.text.SimpleDateFormat`` for expressions: ``new java.text.SimpleDateFormat('yyyy-MM-dd')
.format(new java.util.Date())`` and ``.parse(text)``, in UTC.

Pattern letters ``G y Y M L d D E u a H k K h m s S z Z X`` and quoted text (``'at'``, ``''`` for a
quote) as Java defines them; an unknown letter fails with Java's "Illegal pattern character". Parsing
matches a prefix of the text, numeric fields that abut take their pattern width, and out-of-range fields
roll over (Java's default lenient calendar). Used by :mod:`javatypes`. Nothing persisted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from gennaker.expressions.errors import ExpressionError
from gennaker.expressions.javasem import JavaValue, java_to_string
from gennaker.expressions.javatime import (
    LONG_DAYS,
    LONG_MONTHS,
    SHORT_DAYS,
    SHORT_MONTHS,
    UTC,
    JavaDate,
    plus_months,
)

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
            return LONG_MONTHS[v.month - 1]
        if count == 3:
            return SHORT_MONTHS[v.month - 1]
        return str(v.month).zfill(count)
    if letter == "d":
        return str(v.day).zfill(count)
    if letter == "D":
        return str(v.timetuple().tm_yday).zfill(count)
    if letter == "E":
        return LONG_DAYS[v.weekday()] if count >= 4 else SHORT_DAYS[v.weekday()]
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
                regex_parts.append("(" + "|".join(LONG_MONTHS + SHORT_MONTHS) + ")")
            elif letter == "E":
                regex_parts.append("(" + "|".join(LONG_DAYS + SHORT_DAYS) + ")")
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
                    names = [x.lower() for x in LONG_MONTHS]
                    short = [x.lower() for x in SHORT_MONTHS]
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
        base = plus_months(dt.date(values["year"], 1, 1), values["month"] - 1)
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
