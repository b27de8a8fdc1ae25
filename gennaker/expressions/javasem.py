"""Java semantics for plain Python values: type names, toString, string conversion, numbers, equality and
ordering, boolean conversion.

Expressions operate on JSON-like Python values (None, bool, int, float, str, list, dict) plus the few Java
value objects of :mod:`gennaker.expressions.javaobjects`. SpEL gives them Java behaviour, reproduced here:

- an ``int`` is a Java ``Integer`` when it fits in 32 bits, a ``Long`` when it fits in 64 bits, else a
  ``BigInteger`` (that is how Jackson reads JSON numbers). Integer and Long arithmetic wrap around like
  Java's; integer division truncates toward zero and ``%`` takes the sign of the dividend; dividing an
  integer by zero fails with ``/ by zero``. A ``float`` is a ``Double``.
- ``toString()`` is Java's: ``[1, 2]``, ``{a=1, b=2}``, ``1.0E10``, ``true``, ``null``;
  the conversion SpEL applies for ``+`` and for text templates turns a list into ``1,2`` (Spring's
  CollectionToStringConverter) and everything else into its ``toString()``.
- ``==`` compares numbers by value (``1 == 1.0``), never a boolean with a number (Python's ``True == 1``
  is not Java's); ``<`` and friends order numbers, strings, booleans and dates, with null before
  anything, and fail for mixed types (EL1013E).
- ``and``/``or``/``!``/``?:`` take booleans or the strings Spring converts (``"true"``, ``"yes"``,
  ``"on"``, ``"1"``...), so string parameters work as conditions.

Called by the interpreter, methods and helpers. Pure functions, nothing persisted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from gennaker.expressions.errors import ExpressionError

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
MAX_BIGINT_BITS = 4096


# A method implementation: (env, target, evaluated arguments) -> result. Tables map a method name to its
# implementations by argument count (-1 = any count).
Impl = Callable[[Any, Any, list[Any]], Any]
MethodTable = dict[str, dict[int, Impl]]


class JavaValue:
    """Base of the Java value objects an expression can create (dates, UUIDs, map entries, types...).

    Subclasses declare ``java_type``, implement ``to_java_string`` and list their methods in
    ``METHODS``; the interpreter reaches them only through these explicit tables (a property ``x.foo``
    is the table's ``getFoo()``/``isFoo()``), never by Python attribute lookup.
    """

    java_type = "java.lang.Object"
    METHODS: ClassVar[MethodTable] = {}

    def to_java_string(self) -> str:
        raise NotImplementedError

    def java_equals(self, other: Any) -> bool:
        return self is other

    def java_compare(self, other: Any) -> int | None:
        """-1/0/1 against a value of the same type, None when not comparable."""
        return None

    def to_plain(self) -> Any:
        """The JSON-like value stored when this object is an expression's result."""
        return self.to_java_string()


class JLong(int):
    """An integer that is a Java ``long`` although it fits in 32 bits (``5L``, ``toEpochMilli() / 1000``):
    arithmetic with it is 64-bit. Plain ``int`` values are Integers when they fit in 32 bits."""

    __slots__ = ()


def is_number(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, float)


def java_type_name(value: Any) -> str:
    """The Java class SpEL would report for this value (used in error messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        if INT_MIN <= value <= INT_MAX and type(value) is not JLong:
            return "java.lang.Integer"
        if LONG_MIN <= value <= LONG_MAX:
            return "java.lang.Long"
        return "java.math.BigInteger"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, dict):
        return "java.util.LinkedHashMap"
    if isinstance(value, JavaValue):
        return value.java_type
    return "java.lang.Object"


def java_double_to_string(value: float) -> str:
    """``Double.toString``: ``1.0``, ``0.001``, ``1.0E7``, ``1.5E-4``, ``NaN``, ``Infinity``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        if "e" in text or "E" in text:  # pragma: no cover - repr never uses exponents in this range
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    numerals = "".join(str(d) for d in digits).rstrip("0") or "0"
    sci_exponent = exponent + len(digits) - 1
    mantissa = numerals[0] + "." + (numerals[1:] or "0")
    return ("-" if sign else "") + mantissa + "E" + str(sci_exponent)


def java_to_string(value: Any) -> str:
    """Java's ``String.valueOf(value)`` / ``value.toString()``."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double_to_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(java_to_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_to_string(k)}={java_to_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, JavaValue):
        return value.to_java_string()
    return str(value)


def spel_to_string(value: Any) -> str:
    """The conversion SpEL applies for ``'text' + value`` and for ``${}`` inside text: a collection
    becomes its elements joined with ``,`` (Spring's CollectionToStringConverter), anything else its
    ``toString()``."""
    if isinstance(value, list):
        return ",".join(spel_to_string(v) for v in value)
    return java_to_string(value)


# ---------------------------------------------------------------- numbers


def _kind_bits(value: int) -> int:
    if INT_MIN <= value <= INT_MAX:
        return 64 if type(value) is JLong else 32
    if LONG_MIN <= value <= LONG_MAX:
        return 64
    return 0  # BigInteger


def _wrap(value: int, bits: int) -> int:
    if bits == 0:
        if value.bit_length() > MAX_BIGINT_BITS:
            raise ExpressionError(
                f"number too large ({value.bit_length()} bits; the limit is {MAX_BIGINT_BITS})"
            )
        return value
    mask = (1 << bits) - 1
    value &= mask
    if value >> (bits - 1):
        value -= 1 << bits
    return JLong(value) if bits == 64 else value


def _int_width(a: int, b: int) -> int:
    ka, kb = _kind_bits(a), _kind_bits(b)
    if ka == 0 or kb == 0:
        return 0
    return max(ka, kb)


OPERATOR_NAMES = {
    "+": "ADD",
    "-": "SUBTRACT",
    "*": "MULTIPLY",
    "/": "DIVIDE",
    "%": "MODULUS",
    "^": "POWER",
}


def operator_not_supported(op: str, left: Any, right: Any) -> ExpressionError:
    return ExpressionError(
        f"The operator '{OPERATOR_NAMES.get(op, op)}' is not supported between objects of type "
        f"'{java_type_name(left)}' and '{java_type_name(right)}'",
        code="EL1030E",
    )


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``left op right`` for two numbers with Java's rules (caller handles strings)."""
    if not (is_number(left) and is_number(right)):
        raise operator_not_supported(op, left, right)
    if isinstance(left, float) or isinstance(right, float):
        a, b = float(left), float(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0.0:
                if a == 0.0 or math.isnan(a):
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        if op == "%":
            if b == 0.0:
                return math.nan
            return math.fmod(a, b)
        if op == "^":
            try:
                return math.pow(a, b)
            except OverflowError:
                return math.inf
            except ValueError:
                return math.nan
        raise operator_not_supported(op, left, right)
    x, y = left, right
    bits = _int_width(x, y)
    if op == "+":
        return _wrap(int(x) + int(y), bits)
    if op == "-":
        return _wrap(x - y, bits)
    if op == "*":
        if bits == 0 and x.bit_length() + y.bit_length() > MAX_BIGINT_BITS:
            raise ExpressionError(f"number too large (more than {MAX_BIGINT_BITS} bits)")
        return _wrap(x * y, bits)
    if op in ("/", "%"):
        if y == 0:
            raise ExpressionError("/ by zero (integer division by zero)", code="ArithmeticException")
        quotient = abs(x) // abs(y)
        if (x < 0) != (y < 0):
            quotient = -quotient
        if op == "/":
            return _wrap(quotient, bits)
        return _wrap(x - quotient * y, bits)
    if op == "^":
        if bits == 0:
            if y < 0 or y * max(x.bit_length(), 1) > MAX_BIGINT_BITS:
                raise ExpressionError(f"number too large (more than {MAX_BIGINT_BITS} bits)")
            return x**y
        try:
            d = math.pow(float(x), float(y))
        except OverflowError:
            d = math.inf if x > 0 or y % 2 == 0 else -math.inf
        if bits == 64 or d > INT_MAX:
            return JLong(_saturate(d, LONG_MIN, LONG_MAX))
        return _saturate(d, INT_MIN, INT_MAX)
    raise operator_not_supported(op, left, right)


def _saturate(d: float, lo: int, hi: int) -> int:
    """Java's ``(long) d`` / ``(int) d``: NaN is 0, out-of-range values clamp."""
    if math.isnan(d):
        return 0
    if d >= hi:
        return hi
    if d <= lo:
        return lo
    return int(d)


def negate(value: Any) -> Any:
    if isinstance(value, float):
        return -value
    if is_number(value):
        return _wrap(-value, _kind_bits(value))
    raise ExpressionError(
        f"The operator 'SUBTRACT' is not supported on an operand of type '{java_type_name(value)}'",
        code="EL1030E",
    )


# ---------------------------------------------------------------- equality and ordering


_SCALARS = (str, int, float, bool)


def spel_equals(left: Any, right: Any) -> bool:
    """SpEL's ``==``: numbers by value, otherwise Java ``equals``."""
    if type(left) is type(right) and type(left) in _SCALARS:
        return bool(left == right)
    if is_number(left) and is_number(right):
        return bool(left == right)
    return java_equals(left, right)


def java_equals(left: Any, right: Any) -> bool:
    """Java ``equals`` between two values (recursive for collections)."""
    if left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int) and isinstance(right, int):
        return left == right
    if isinstance(left, float) and isinstance(right, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(java_equals(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        for key, value in left.items():
            if key not in right or not java_equals(value, right[key]):
                return False
        return True
    if isinstance(left, JavaValue):
        return left.java_equals(right)
    if isinstance(right, JavaValue):
        return right.java_equals(left)
    return False


def compare(left: Any, right: Any) -> int:
    """SpEL's StandardTypeComparator: -1, 0 or 1; fails with EL1013E for values it cannot order."""
    if left is None and right is None:
        return 0
    if left is None:
        return -1
    if right is None:
        return 1
    if is_number(left) and is_number(right):
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    if isinstance(left, bool) and isinstance(right, bool):
        return int(left) - int(right)
    if isinstance(left, JavaValue):
        result = left.java_compare(right)
        if result is not None:
            return result
    detail = f"Cannot compare instances of {java_type_name(left)} and {java_type_name(right)}"
    if (isinstance(left, str) and is_number(right)) or (is_number(left) and isinstance(right, str)):
        detail += " (parameters are text: convert with #toInt(...) or #toFloat(...))"
    raise ExpressionError(detail, code="EL1013E")


# ---------------------------------------------------------------- conversions

_TRUE_STRINGS = {"true", "on", "yes", "1"}
_FALSE_STRINGS = {"false", "off", "no", "0"}


def to_boolean(value: Any, role: str) -> bool:
    """Spring's conversion to ``boolean`` for ``and``/``or``/``!``/ternary conditions. ``role`` names the
    operand in the error (e.g. "the left operand of 'and'")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE_STRINGS:
            return True
        if lowered in _FALSE_STRINGS:
            return False
        raise ExpressionError(
            f"Type conversion problem, cannot convert from java.lang.String to boolean: "
            f"invalid boolean value '{value}' for {role}",
            code="EL1001E",
        )
    raise ExpressionError(
        f"Type conversion problem, cannot convert from {java_type_name(value)} to boolean for {role}",
        code="EL1001E",
    )


def to_int_index(value: Any, role: str) -> int:
    """An integer argument (index, count...): numbers and numeric strings as Spring would convert."""
    if isinstance(value, bool):
        raise ExpressionError(
            f"Type conversion problem, cannot convert from java.lang.Boolean to int for {role}",
            code="EL1001E",
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return 0
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 10)
        except ValueError:
            pass
    raise ExpressionError(
        f"Type conversion problem, cannot convert from {java_type_name(value)} to int for {role}",
        code="EL1001E",
    )


def as_string_argument(value: Any) -> str | None:
    """Spring's conversion of a helper argument declared ``String``: null stays null, scalars become their
    text, collections are joined with ','."""
    if value is None:
        return None
    return spel_to_string(value)
