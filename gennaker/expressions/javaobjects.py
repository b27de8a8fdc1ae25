"""Small Java value objects an expression can hold: map entries, enum constants, UUIDs, ``Random`` and
type references (the value of ``T(java.lang.Math)``).

Each class lists its methods in an explicit ``METHODS`` table; nothing else of the Python object is
reachable from an expression. ``java.util.Random`` reproduces Java's 48-bit linear congruential
generator, so ``new java.util.Random(42).nextInt(10)`` gives the same number as on a JVM.

Used by the interpreter (map selection/projection entries, ``T()``), by :mod:`javatypes` (statics and
constructors) and by :mod:`javatime` (enums). Nothing persisted.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

from gennaker.expressions.errors import ExpressionError
from gennaker.expressions.javasem import (
    INT_MAX,
    INT_MIN,
    Impl,
    JavaValue,
    JLong,
    MethodTable,
    java_equals,
    java_to_string,
    to_int_index,
)


def _to_string(env: Any, target: Any, args: list[Any]) -> str:
    return java_to_string(target)


def _equals(env: Any, target: Any, args: list[Any]) -> bool:
    return java_equals(target, args[0])


class MapEntry(JavaValue):
    """One entry of a map during selection/projection: ``key`` and ``value`` (``#this.key``)."""

    java_type = "java.util.LinkedHashMap$Entry"

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def to_java_string(self) -> str:
        return f"{java_to_string(self.key)}={java_to_string(self.value)}"

    def java_equals(self, other: Any) -> bool:
        return (
            isinstance(other, MapEntry)
            and java_equals(self.key, other.key)
            and java_equals(self.value, other.value)
        )

    def to_plain(self) -> Any:
        return {self.key: self.value}


MapEntry.METHODS = {
    "getKey": {0: lambda env, t, a: t.key},
    "getValue": {0: lambda env, t, a: t.value},
    "toString": {0: _to_string},
    "equals": {1: _equals},
}


class JavaEnum(JavaValue):
    """An enum constant (``DayOfWeek.MONDAY``, ``ChronoUnit.DAYS``): compares by identity, prints its name."""

    java_type = "java.lang.Enum"

    def __init__(self, name: str, ordinal: int) -> None:
        self.name = name
        self.ordinal = ordinal

    def to_java_string(self) -> str:
        return self.name

    def java_equals(self, other: Any) -> bool:
        return other is self

    def java_compare(self, other: Any) -> int | None:
        if type(other) is type(self):
            return (self.ordinal > other.ordinal) - (self.ordinal < other.ordinal)
        return None


ENUM_METHODS: MethodTable = {
    "name": {0: lambda env, t, a: t.name},
    "toString": {0: lambda env, t, a: t.name},
    "ordinal": {0: lambda env, t, a: t.ordinal},
    "equals": {1: lambda env, t, a: a[0] is t},
    "compareTo": {
        1: lambda env, t, a: t.ordinal - a[0].ordinal if type(a[0]) is type(t) else _bad_compare(t, a[0])
    },
}


def _bad_compare(left: Any, right: Any) -> int:
    from gennaker.expressions.javasem import java_type_name

    raise ExpressionError(
        f"Cannot compare instances of {java_type_name(left)} and {java_type_name(right)}", code="EL1013E"
    )


class UUIDValue(JavaValue):
    java_type = "java.util.UUID"

    def __init__(self, value: uuid.UUID) -> None:
        self.value = value

    def to_java_string(self) -> str:
        return str(self.value)

    def java_equals(self, other: Any) -> bool:
        return isinstance(other, UUIDValue) and other.value == self.value

    def java_compare(self, other: Any) -> int | None:
        if isinstance(other, UUIDValue):
            return (self.value.int > other.value.int) - (self.value.int < other.value.int)
        return None


UUIDValue.METHODS = {
    "toString": {0: _to_string},
    "equals": {1: _equals},
    "version": {0: lambda env, t, a: t.value.version or 0},
}


def uuid_from_string(text: Any) -> UUIDValue:
    if not isinstance(text, str):
        raise ExpressionError("UUID.fromString needs a string")
    try:
        return UUIDValue(uuid.UUID(text))
    except ValueError:
        raise ExpressionError(f"Invalid UUID string: {text}") from None


_MULTIPLIER = 0x5DEECE66D
_MASK = (1 << 48) - 1


class JavaRandom(JavaValue):
    """``java.util.Random``: Java's exact 48-bit LCG (same sequence for the same seed)."""

    java_type = "java.util.Random"

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "big")
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def to_java_string(self) -> str:
        return f"java.util.Random@{id(self) & 0xFFFFFF:x}"

    def next_bits(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + 0xB) & _MASK
        value = self._seed >> (48 - bits)
        if value >= 1 << (bits - 1) and bits == 32:
            value -= 1 << 32
        return value

    def next_int(self, bound: int | None = None) -> int:
        if bound is None:
            return self.next_bits(32)
        if bound <= 0:
            raise ExpressionError("bound must be positive")
        if bound & (bound - 1) == 0:
            return (bound * self.next_bits(31)) >> 31
        while True:
            bits = self.next_bits(31)
            value = bits % bound
            if bits - value + (bound - 1) < 1 << 31:
                return value

    def next_long(self) -> int:
        high = self.next_bits(32)
        low = self.next_bits(32)
        value = (high << 32) + low
        value &= (1 << 64) - 1
        return value - (1 << 64) if value >= 1 << 63 else value

    def next_double(self) -> float:
        return float((self.next_bits(26) << 27) + self.next_bits(27)) * (2.0**-53)

    def next_boolean(self) -> bool:
        return self.next_bits(1) != 0


def _next_int(env: Any, t: JavaRandom, a: list[Any]) -> int:
    if not a:
        return t.next_int()
    if len(a) == 1:
        return t.next_int(to_int_index(a[0], "the bound of nextInt"))
    origin = to_int_index(a[0], "the origin of nextInt")
    bound = to_int_index(a[1], "the bound of nextInt")
    if origin >= bound:
        raise ExpressionError("bound must be greater than origin")
    span = bound - origin
    if span <= INT_MAX:
        return origin + t.next_int(span)
    while True:  # pragma: no cover - only for spans wider than an int
        value = t.next_int()
        if origin <= value < bound:
            return value


JavaRandom.METHODS = {
    "nextInt": {0: _next_int, 1: _next_int, 2: _next_int},
    "nextLong": {0: lambda env, t, a: JLong(t.next_long())},
    "nextDouble": {0: lambda env, t, a: t.next_double()},
    "nextBoolean": {0: lambda env, t, a: t.next_boolean()},
    "nextGaussian": {0: lambda env, t, a: _gaussian(t)},
    "toString": {0: _to_string},
}


def _gaussian(rnd: JavaRandom) -> float:
    import math

    while True:
        v1 = 2 * rnd.next_double() - 1
        v2 = 2 * rnd.next_double() - 1
        s = v1 * v1 + v2 * v2
        if 0 < s < 1:
            return v1 * math.sqrt(-2 * math.log(s) / s)


class JavaClass(JavaValue):
    """The value of ``T(name)``: an allow-listed type with its static methods, fields and constructors."""

    java_type = "java.lang.Class"

    def __init__(
        self,
        name: str,
        *,
        statics: MethodTable | None = None,
        fields: dict[str, Any] | None = None,
        constructors: dict[int, Impl] | None = None,
        instance_check: Callable[[Any], bool] | None = None,
    ) -> None:
        self.name = name
        self.statics: MethodTable = statics or {}
        self.fields: dict[str, Any] = fields or {}
        self.constructors: dict[int, Impl] = constructors or {}
        self.instance_check = instance_check

    @property
    def simple_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def to_java_string(self) -> str:
        return f"class {self.name}"

    def java_equals(self, other: Any) -> bool:
        return other is self


JavaClass.METHODS = {
    "getName": {0: lambda env, t, a: t.name},
    "getSimpleName": {0: lambda env, t, a: t.simple_name},
    "toString": {0: _to_string},
    "equals": {1: lambda env, t, a: a[0] is t},
}


def int_arg(value: Any, role: str) -> int:
    """An ``int`` parameter: a number within 32 bits."""
    number = to_int_index(value, role)
    if not INT_MIN <= number <= INT_MAX:
        raise ExpressionError(f"{role}: {number} does not fit in an int")
    return number
