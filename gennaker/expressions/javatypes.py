"""The allow-listed Java types of ``T(...)`` and ``new ...``, with the statics and constructors users rely on.

Spinnaker lets expressions name only these types (kork's ``InstantiationTypeRestrictor`` /
``AllowListTypeLocator``): ``Boolean, Byte, ChronoUnit, Date, DayOfWeek, Double, Instant, Integer,
LocalDate, LocalDateTime, Long, Math, Random, SimpleDateFormat, String, URLEncoder, UUID``. Names from
``java.lang`` may be written without their package (``T(Math)``), as SpEL's type locator allows; every
other name (``T(java.lang.Runtime)``, ``new java.io.File(...)``) fails with EL1005E and the list of
allowed types.

Also home of Java's number parsing (``Integer.parseInt``, ``Double.parseDouble``...) and of
``String.format``, shared with the ``#toInt``/``#toFloat`` helpers. Read by the interpreter. Pure.
"""

from __future__ import annotations

import math
import random
import re
import uuid
from typing import Any
from urllib.parse import quote_plus

from gennaker.expressions import javatime as jt
from gennaker.expressions.errors import ExpressionError
from gennaker.expressions.javadateformat import SimpleDateFormat
from gennaker.expressions.javaobjects import JavaClass, JavaRandom, UUIDValue, int_arg, uuid_from_string
from gennaker.expressions.javasem import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    Impl,
    JLong,
    arithmetic,
    compare,
    is_number,
    java_double_to_string,
    java_to_string,
    java_type_name,
    to_int_index,
)

# ---------------------------------------------------------------- number parsing (java.lang)

_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_REAL_TEXT = re.compile(r"[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)")


def number_format_error(text: Any) -> ExpressionError:
    if text is None:
        return ExpressionError("Cannot parse null string: null", code="NumberFormatException")
    if text == "":
        return ExpressionError('For input string: ""', code="NumberFormatException")
    return ExpressionError(f'For input string: "{text}"', code="NumberFormatException")


def parse_java_integer(text: Any, bits: int = 32, radix: int = 10) -> int:
    """``Integer.parseInt`` / ``Long.parseLong``: optional sign and digits only, range-checked."""
    if not isinstance(text, str):
        raise number_format_error(text if text is None else java_to_string(text))
    if radix == 10:
        if not _INT_TEXT.fullmatch(text):
            raise number_format_error(text)
        value = int(text)
    else:
        if not 2 <= radix <= 36 or not re.fullmatch(r"[+-]?[0-9a-zA-Z]+", text):
            raise number_format_error(text)
        try:
            value = int(text, radix)
        except ValueError:
            raise number_format_error(text) from None
    low, high = (INT_MIN, INT_MAX) if bits == 32 else (LONG_MIN, LONG_MAX) if bits == 64 else (-128, 127)
    if not low <= value <= high:
        raise ExpressionError(
            f'For input string: "{text}"' + ("" if radix == 10 else f" under radix {radix}"),
            code="NumberFormatException",
        )
    return value


def parse_java_double(text: Any) -> float:
    """``Double.parseDouble`` / ``Float.valueOf``: trims whitespace; NaN, Infinity, 1e3, 2.5f accepted."""
    if not isinstance(text, str):
        raise number_format_error(text if text is None else java_to_string(text))
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("empty String", code="NumberFormatException")
    if not _REAL_TEXT.fullmatch(stripped):
        raise number_format_error(text)
    core = stripped.rstrip("fFdD") if stripped[-1] in "fFdD" and "Infinity" not in stripped else stripped
    if core.endswith("."):
        core += "0"
    return float(core.replace("Infinity", "inf").replace("NaN", "nan"))


def parse_java_boolean(text: Any) -> bool:
    """``Boolean.parseBoolean``: true only for "true" in any case."""
    return isinstance(text, str) and text.lower() == "true"


# ---------------------------------------------------------------- String.format

_FORMAT_SPEC = re.compile(r"%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")


def java_format(fmt: str, args: list[Any], max_chars: int) -> str:
    """``String.format`` for the common conversions: s S b B d x X o f e E g G c n %."""
    out: list[str] = []
    position = 0
    next_arg = 0
    last_arg: int | None = None
    for m in _FORMAT_SPEC.finditer(fmt):
        out.append(fmt[position : m.start()])
        position = m.end()
        index_text, flags, width_text, precision_text, conv = m.groups()
        if conv == "n":
            out.append("\n")
            continue
        if conv == "%":
            out.append("%".rjust(int(width_text)) if width_text else "%")
            continue
        if index_text == "<":
            if last_arg is None:
                raise ExpressionError(f"Format specifier '{m.group(0)}' has no previous argument")
            arg_index = last_arg
        elif index_text:
            arg_index = int(index_text[:-1]) - 1
        else:
            arg_index = next_arg
            next_arg += 1
        if not 0 <= arg_index < len(args):
            raise ExpressionError(f"Format specifier '{m.group(0)}'", code="MissingFormatArgumentException")
        last_arg = arg_index
        arg = args[arg_index]
        width = int(width_text) if width_text else 0
        if width > 10_000:
            raise ExpressionError(f"Format width too large in '{m.group(0)}'")
        precision = int(precision_text[1:]) if precision_text else None
        text = _format_one(conv, flags, precision, arg, spec=m.group(0), width=width)
        if width and len(text) < width:
            text = text.ljust(width) if "-" in flags else text.rjust(width)
        out.append(text)
        if sum(len(p) for p in out) > max_chars:
            raise ExpressionError(f"String.format result too long (limit {max_chars} characters)")
    out.append(fmt[position:])
    return "".join(out)


def _format_one(conv: str, flags: str, precision: int | None, arg: Any, *, spec: str, width: int) -> str:
    lower = conv.lower()
    if lower == "s":
        text = java_to_string(arg)
        if precision is not None:
            text = text[:precision]
        return text.upper() if conv == "S" else text
    if lower == "b":
        text = "false" if arg is None else ("true" if not isinstance(arg, bool) else java_to_string(arg))
        return text.upper() if conv == "B" else text
    if lower == "c":
        if isinstance(arg, str) and len(arg) == 1:
            return arg.upper() if conv == "C" else arg
        if isinstance(arg, int) and not isinstance(arg, bool) and 0 <= arg <= 0x10FFFF:
            return chr(arg)
        raise ExpressionError(f"{conv} != {java_type_name(arg)}", code="IllegalFormatConversionException")
    if lower in "dxo":
        if not (isinstance(arg, int) and not isinstance(arg, bool)):
            raise ExpressionError(f"{conv} != {java_type_name(arg)}", code="IllegalFormatConversionException")
        value = arg
        if lower in "xo" and value < 0:
            value &= 0xFFFFFFFF if value >= INT_MIN else 0xFFFFFFFFFFFFFFFF
        py_flags = "".join(f for f in flags if f in "-+ 0#")
        if "," in flags and lower == "d":
            sign = "+" if "+" in flags and value >= 0 else ""
            return sign + format(value, ",")
        zero_width = str(width) if "0" in flags and width else ""
        text = ("%" + py_flags.replace("-", "") + zero_width + lower) % value
        return text.upper() if conv.isupper() else text
    if lower in "feg":
        if not is_number(arg):
            raise ExpressionError(f"{conv} != {java_type_name(arg)}", code="IllegalFormatConversionException")
        py_flags = "".join(f for f in flags if f in "+ 0#")
        prec = 6 if precision is None else precision
        if "," in flags and lower == "f":
            return format(float(arg), f",.{prec}f")
        zero_width = str(width) if "0" in flags and width else ""
        text = ("%" + py_flags + zero_width + "." + str(prec) + lower) % float(arg)
        return text.upper() if conv.isupper() else text
    raise ExpressionError(
        f"Conversion '{conv}' in format specifier '{spec}' is not supported",
        code="UnknownFormatConversionException",
    )


# ---------------------------------------------------------------- statics


def _string_arg(value: Any, role: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"{role} must be a String, not {java_type_name(value)}")
    return value


def _num_arg(value: Any, role: str) -> int | float:
    if not is_number(value):
        raise ExpressionError(f"{role} must be a number, not {java_type_name(value)}")
    return value


def _math_binary(op: Any) -> Impl:
    def impl(env: Any, t: Any, a: list[Any]) -> Any:
        x, y = _num_arg(a[0], "the first argument"), _num_arg(a[1], "the second argument")
        if isinstance(x, float) or isinstance(y, float):
            return float(op(float(x), float(y)))
        return op(x, y)

    return impl


def _math_abs(env: Any, t: Any, a: list[Any]) -> Any:
    x = _num_arg(a[0], "Math.abs argument")
    if isinstance(x, float):
        return abs(x)
    return arithmetic("-", 0, x) if x < 0 else x


def _math_round(env: Any, t: Any, a: list[Any]) -> int:
    x = _num_arg(a[0], "Math.round argument")
    if isinstance(x, int):
        return x
    if math.isnan(x):
        return 0
    if math.isinf(x):
        return JLong(LONG_MAX if x > 0 else LONG_MIN)
    return JLong(max(LONG_MIN, min(LONG_MAX, math.floor(x + 0.5))))


def _math_unary(op: Any) -> Impl:
    def impl(env: Any, t: Any, a: list[Any]) -> float:
        try:
            return float(op(float(_num_arg(a[0], "the argument"))))
        except (ValueError, OverflowError):
            return math.nan

    return impl


def _floor_div(env: Any, t: Any, a: list[Any]) -> int:
    x, y = to_int_index(a[0], "dividend"), to_int_index(a[1], "divisor")
    if y == 0:
        raise ExpressionError("/ by zero", code="ArithmeticException")
    return x // y


def _floor_mod(env: Any, t: Any, a: list[Any]) -> int:
    x, y = to_int_index(a[0], "dividend"), to_int_index(a[1], "divisor")
    if y == 0:
        raise ExpressionError("/ by zero", code="ArithmeticException")
    return x % y


def _math_pow(env: Any, t: Any, a: list[Any]) -> float:
    x, y = float(_num_arg(a[0], "base")), float(_num_arg(a[1], "exponent"))
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


MATH = JavaClass(
    "java.lang.Math",
    statics={
        "abs": {1: _math_abs},
        "max": {2: _math_binary(max)},
        "min": {2: _math_binary(min)},
        "round": {1: _math_round},
        "floor": {1: _math_unary(math.floor)},
        "ceil": {1: _math_unary(math.ceil)},
        "sqrt": {1: _math_unary(lambda x: math.sqrt(x) if x >= 0 else math.nan)},
        "cbrt": {1: _math_unary(lambda x: math.copysign(abs(x) ** (1 / 3), x))},
        "pow": {2: _math_pow},
        "exp": {1: _math_unary(math.exp)},
        "log": {1: _math_unary(lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan))},
        "log10": {1: _math_unary(lambda x: math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan))},
        "signum": {1: _math_unary(lambda x: math.copysign(1.0, x) if x else x)},
        "random": {0: lambda env, t, a: random.random()},  # noqa: S311 - Math.random() is not for secrets
        "floorDiv": {2: _floor_div},
        "floorMod": {2: _floor_mod},
    },
    fields={"PI": math.pi, "E": math.e},
)


def _int_to_string(bits: int) -> Impl:
    def impl(env: Any, t: Any, a: list[Any]) -> str:
        value = to_int_index(a[0], "the value")
        if len(a) == 1:
            return str(value)
        radix = to_int_index(a[1], "the radix")
        if not 2 <= radix <= 36:
            radix = 10
        return _to_radix(value, radix)

    return impl


def _to_radix(value: int, radix: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    out = []
    while value:
        value, rem = divmod(value, radix)
        out.append(digits[rem])
    return sign + "".join(reversed(out))


def _unsigned(bits: int, radix: int) -> Impl:
    def impl(env: Any, t: Any, a: list[Any]) -> str:
        value = to_int_index(a[0], "the value")
        if value < 0:
            value &= (1 << bits) - 1
        return _to_radix(value, radix)

    return impl


def _value_of(bits: int) -> Impl:
    def impl(env: Any, t: Any, a: list[Any]) -> int:
        value = a[0]
        if isinstance(value, int) and not isinstance(value, bool) and len(a) == 1:
            number = value
        else:
            radix = to_int_index(a[1], "the radix") if len(a) > 1 else 10
            number = parse_java_integer(value, bits, radix)
        return JLong(number) if bits == 64 else number

    return impl


def _signum(env: Any, t: Any, a: list[Any]) -> int:
    value = to_int_index(a[0], "value")
    return (value > 0) - (value < 0)


def _integer_class(name: str, bits: int, low: int, high: int) -> JavaClass:
    parse = {1: _value_of(bits), 2: _value_of(bits)}
    return JavaClass(
        name,
        statics={
            "parseInt" if bits == 32 else "parseLong" if bits == 64 else "parseByte": parse,
            "valueOf": parse,
            "toString": {1: _int_to_string(bits), 2: _int_to_string(bits)},
            "toHexString": {1: _unsigned(bits, 16)},
            "toBinaryString": {1: _unsigned(bits, 2)},
            "toOctalString": {1: _unsigned(bits, 8)},
            "max": {2: lambda env, t, a: max(to_int_index(a[0], "a"), to_int_index(a[1], "b"))},
            "min": {2: lambda env, t, a: min(to_int_index(a[0], "a"), to_int_index(a[1], "b"))},
            "sum": {2: lambda env, t, a: arithmetic("+", to_int_index(a[0], "a"), to_int_index(a[1], "b"))},
            "compare": {2: lambda env, t, a: compare(to_int_index(a[0], "a"), to_int_index(a[1], "b"))},
            "signum": {1: _signum},
        },
        fields={"MAX_VALUE": high, "MIN_VALUE": low, "SIZE": bits},
        constructors={1: _value_of(bits)},
        instance_check=lambda v: (
            isinstance(v, int)
            and not isinstance(v, bool)
            and low <= v <= high
            and (bits != 64 or not INT_MIN <= v <= INT_MAX)
            and bits != 8
        ),
    )


def _double_value_of(env: Any, t: Any, a: list[Any]) -> float:
    value = a[0]
    if is_number(value):
        return float(value)
    return parse_java_double(value)


DOUBLE = JavaClass(
    "java.lang.Double",
    statics={
        "parseDouble": {1: lambda env, t, a: parse_java_double(a[0])},
        "valueOf": {1: _double_value_of},
        "toString": {1: lambda env, t, a: java_double_to_string(float(_num_arg(a[0], "the value")))},
        "isNaN": {1: lambda env, t, a: math.isnan(float(_num_arg(a[0], "the value")))},
        "isInfinite": {1: lambda env, t, a: math.isinf(float(_num_arg(a[0], "the value")))},
        "isFinite": {1: lambda env, t, a: math.isfinite(float(_num_arg(a[0], "the value")))},
        "compare": {2: lambda env, t, a: compare(float(_num_arg(a[0], "a")), float(_num_arg(a[1], "b")))},
        "max": {2: lambda env, t, a: max(float(_num_arg(a[0], "a")), float(_num_arg(a[1], "b")))},
        "min": {2: lambda env, t, a: min(float(_num_arg(a[0], "a")), float(_num_arg(a[1], "b")))},
    },
    fields={
        "MAX_VALUE": 1.7976931348623157e308,
        "MIN_VALUE": 5e-324,
        "NaN": math.nan,
        "POSITIVE_INFINITY": math.inf,
        "NEGATIVE_INFINITY": -math.inf,
    },
    constructors={1: _double_value_of},
    instance_check=lambda v: isinstance(v, float),
)


def _boolean_value_of(env: Any, t: Any, a: list[Any]) -> bool:
    return a[0] if isinstance(a[0], bool) else parse_java_boolean(a[0])


def _bool_arg(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ExpressionError(f"expected a boolean, not {java_type_name(value)}")
    return value


BOOLEAN = JavaClass(
    "java.lang.Boolean",
    statics={
        "parseBoolean": {1: lambda env, t, a: parse_java_boolean(a[0])},
        "valueOf": {1: _boolean_value_of},
        "toString": {1: lambda env, t, a: java_to_string(_bool_arg(a[0]))},
        "logicalAnd": {2: lambda env, t, a: _bool_arg(a[0]) and _bool_arg(a[1])},
        "logicalOr": {2: lambda env, t, a: _bool_arg(a[0]) or _bool_arg(a[1])},
        "logicalXor": {2: lambda env, t, a: _bool_arg(a[0]) != _bool_arg(a[1])},
    },
    fields={"TRUE": True, "FALSE": False},
    constructors={1: _boolean_value_of},
    instance_check=lambda v: isinstance(v, bool),
)


def _string_join(env: Any, t: Any, a: list[Any]) -> str:
    delimiter = java_to_string(a[0])
    items = a[1] if len(a) == 2 and isinstance(a[1], list) else a[1:]
    env.check_items(len(items), "String.join input")
    return str(env.check_string(delimiter.join(java_to_string(x) for x in items)))


def _string_format(env: Any, t: Any, a: list[Any]) -> str:
    if not a:
        raise ExpressionError("String.format needs a format string")
    fmt = _string_arg(a[0], "the format")
    args = a[1] if len(a) == 2 and isinstance(a[1], list) else a[1:]
    return java_format(fmt, list(args), env.limits.max_string_chars)


def _new_string(env: Any, t: Any, a: list[Any]) -> str:
    if not a:
        return ""
    return _string_arg(a[0], "new String(...) argument")


STRING = JavaClass(
    "java.lang.String",
    statics={
        "valueOf": {1: lambda env, t, a: java_to_string(a[0])},
        "format": {-1: _string_format},
        "join": {-1: _string_join},
    },
    constructors={0: _new_string, 1: _new_string},
    instance_check=lambda v: isinstance(v, str),
)


def _url_encode(env: Any, t: Any, a: list[Any]) -> str:
    text = _string_arg(a[0], "the text to encode")
    if len(a) > 1:
        encoding = java_to_string(a[1]).upper().replace("_", "-")
        if encoding not in ("UTF-8", "UTF8"):
            raise ExpressionError(f"{java_to_string(a[1])}", code="UnsupportedEncodingException")
    return str(env.check_string(quote_plus(text, safe="*").replace("~", "%7E")))


URL_ENCODER = JavaClass("java.net.URLEncoder", statics={"encode": {1: _url_encode, 2: _url_encode}})


UUID_CLASS = JavaClass(
    "java.util.UUID",
    statics={
        "randomUUID": {0: lambda env, t, a: UUIDValue(uuid.uuid4())},
        "fromString": {1: lambda env, t, a: uuid_from_string(a[0])},
    },
    instance_check=lambda v: isinstance(v, UUIDValue),
)


def _new_date(env: Any, t: Any, a: list[Any]) -> jt.JavaDate:
    if not a:
        return jt.JavaDate.now()
    return jt.JavaDate(to_int_index(a[0], "the milliseconds of new Date(...)"))


DATE = JavaClass(
    "java.util.Date",
    statics={
        "from": {
            1: lambda env, t, a: (
                jt.JavaDate(a[0].seconds * 1000 + a[0].nanos // 1_000_000)
                if isinstance(a[0], jt.Instant)
                else _not(a[0], "java.time.Instant")
            )
        }
    },
    constructors={0: _new_date, 1: _new_date},
    instance_check=lambda v: isinstance(v, jt.JavaDate),
)


def _not(value: Any, expected: str) -> Any:
    raise ExpressionError(f"expected a {expected}, not {java_type_name(value)}")


def _new_random(env: Any, t: Any, a: list[Any]) -> JavaRandom:
    return JavaRandom(to_int_index(a[0], "the seed") if a else None)


RANDOM = JavaClass(
    "java.util.Random",
    constructors={0: _new_random, 1: _new_random},
    instance_check=lambda v: isinstance(v, JavaRandom),
)

SIMPLE_DATE_FORMAT = JavaClass(
    "java.text.SimpleDateFormat",
    constructors={
        0: lambda env, t, a: SimpleDateFormat("M/d/yy, h:mm a"),
        1: lambda env, t, a: SimpleDateFormat(_string_arg(a[0], "the date pattern")),
    },
    instance_check=lambda v: isinstance(v, SimpleDateFormat),
)


def _of_epoch_second(env: Any, t: Any, a: list[Any]) -> jt.Instant:
    seconds = to_int_index(a[0], "the epoch second")
    nanos = to_int_index(a[1], "the nano adjustment") if len(a) > 1 else 0
    return jt.Instant(seconds, nanos)


INSTANT = JavaClass(
    "java.time.Instant",
    statics={
        "now": {0: lambda env, t, a: jt.Instant.now()},
        "ofEpochMilli": {
            1: lambda env, t, a: jt.Instant.of_epoch_milli(to_int_index(a[0], "the epoch milli"))
        },
        "ofEpochSecond": {1: _of_epoch_second, 2: _of_epoch_second},
        "parse": {1: lambda env, t, a: jt.Instant.parse(a[0])},
    },
    fields={"EPOCH": jt.Instant(0)},
    instance_check=lambda v: isinstance(v, jt.Instant),
)


def _today() -> jt.LocalDate:
    return jt.LocalDate(jt.LocalDateTime.now().value.date())


LOCAL_DATE = JavaClass(
    "java.time.LocalDate",
    statics={
        "now": {0: lambda env, t, a: _today()},
        "of": {3: lambda env, t, a: jt.LocalDate.of(*a)},
        "parse": {1: lambda env, t, a: jt.LocalDate.parse(a[0])},
        "ofEpochDay": {
            1: lambda env, t, a: jt.LocalDate(jt._plus_days(jt._EPOCH_DATE, to_int_index(a[0], "day")))
        },
    },
    instance_check=lambda v: isinstance(v, jt.LocalDate),
)


def _local_date_time_of(env: Any, t: Any, a: list[Any]) -> jt.LocalDateTime:
    import datetime as dt

    year, month, day, hour, minute, *rest = (int_arg(x, "a LocalDateTime field") for x in a)
    try:
        return jt.LocalDateTime(dt.datetime(year, month, day, hour, minute, rest[0] if rest else 0))
    except ValueError as exc:
        raise ExpressionError(f"Invalid date-time: {exc}") from None


LOCAL_DATE_TIME = JavaClass(
    "java.time.LocalDateTime",
    statics={
        "now": {0: lambda env, t, a: jt.LocalDateTime.now()},
        "of": {5: _local_date_time_of, 6: _local_date_time_of},
        "parse": {1: lambda env, t, a: jt.LocalDateTime.parse(a[0])},
    },
    instance_check=lambda v: isinstance(v, jt.LocalDateTime),
)

DAY_OF_WEEK = JavaClass(
    "java.time.DayOfWeek",
    statics={
        "of": {
            1: lambda env, t, a: jt.day_of_week(a[0] if not isinstance(a[0], str) else int_arg(a[0], "day"))
        },
        "valueOf": {1: lambda env, t, a: jt.day_of_week(_string_arg(a[0], "the day name"))},
        "values": {0: lambda env, t, a: list(jt.DAYS_OF_WEEK)},
    },
    fields={day.name: day for day in jt.DAYS_OF_WEEK},
    instance_check=lambda v: isinstance(v, jt.DayOfWeek),
)


def _unit_value_of(env: Any, t: Any, a: list[Any]) -> jt.ChronoUnit:
    name = _string_arg(a[0], "the unit name")
    if name not in jt.CHRONO_UNITS:
        raise ExpressionError(f"No enum constant java.time.temporal.ChronoUnit.{name}")
    return jt.CHRONO_UNITS[name]


CHRONO_UNIT = JavaClass(
    "java.time.temporal.ChronoUnit",
    statics={"valueOf": {1: _unit_value_of}, "values": {0: lambda env, t, a: list(jt.CHRONO_UNITS.values())}},
    fields=dict(jt.CHRONO_UNITS),
    instance_check=lambda v: isinstance(v, jt.ChronoUnit),
)

ALLOWED_TYPES: dict[str, JavaClass] = {
    cls.name: cls
    for cls in (
        MATH,
        _integer_class("java.lang.Integer", 32, INT_MIN, INT_MAX),
        _integer_class("java.lang.Long", 64, LONG_MIN, LONG_MAX),
        _integer_class("java.lang.Byte", 8, -128, 127),
        DOUBLE,
        BOOLEAN,
        STRING,
        URL_ENCODER,
        UUID_CLASS,
        DATE,
        RANDOM,
        SIMPLE_DATE_FORMAT,
        INSTANT,
        LOCAL_DATE,
        LOCAL_DATE_TIME,
        DAY_OF_WEEK,
        CHRONO_UNIT,
    )
}


def find_type(name: str) -> JavaClass:
    """The allow-listed type named ``name`` (``java.lang`` names may omit their package); EL1005E else."""
    found = ALLOWED_TYPES.get(name) or ALLOWED_TYPES.get("java.lang." + name)
    if found is None:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise ExpressionError(
            f"Type cannot be found '{name}': expressions may only use these types: {allowed}",
            code="EL1005E",
        )
    return found
