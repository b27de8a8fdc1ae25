"""Java methods on strings, lists, maps, numbers and booleans, and the dispatch of ``x.name(...)`` and
``x.name`` for every value an expression can hold.

Each Java type has an explicit table (method name -> implementations by argument count); a name not in
the table fails with SpEL's EL1004E and, where a user most likely meant something else, a hint
(``'5'.toInt()`` -> "use #toInt(value)"). Methods keep Java semantics: ``split`` is a regex split that
drops trailing empty strings, ``substring``/``charAt``/``get`` fail with Java's bounds messages,
``trim`` strips characters up to U+0020, ``indexOf`` clamps a negative start, ``hashCode`` is Java's
String hash. Methods that would change the data (``add``, ``put``, ``remove``, ``clear``, ``set``...)
are refused: expressions only read.

Properties of non-map values follow SpEL's getter rule: ``x.empty`` is ``x.isEmpty()``, ``d.time`` is
``d.getTime()``; ``x.class`` and anything else not in a table fails (EL1008E). Called by the interpreter.
"""

from __future__ import annotations

import math
from typing import Any

from gennaker.expressions import regexes
from gennaker.expressions.errors import ExpressionError
from gennaker.expressions.javaobjects import JavaClass, MapEntry
from gennaker.expressions.javasem import (
    JavaValue,
    MethodTable,
    compare,
    is_number,
    java_double_to_string,
    java_equals,
    java_to_string,
    java_type_name,
    to_int_index,
)


def _str_arg(value: Any, method: str) -> str:
    """A ``String``/``CharSequence`` parameter (scalars are converted as Spring does; null is an error)."""
    if isinstance(value, str):
        return value
    if value is None:
        raise ExpressionError(f"{method}: argument is null", code="NullPointerException")
    if isinstance(value, (bool, int, float)):
        return java_to_string(value)
    raise ExpressionError(
        f"{method}: expected a String argument, not {java_type_name(value)}", code="EL1004E"
    )


def _index_error(index: int, length: int) -> ExpressionError:
    return ExpressionError(
        f"Index {index} out of bounds for length {length}", code="IndexOutOfBoundsException"
    )


# ---------------------------------------------------------------- java.lang.String


def _java_trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _substring(env: Any, s: str, a: list[Any]) -> str:
    begin = to_int_index(a[0], "the begin index of substring")
    end = to_int_index(a[1], "the end index of substring") if len(a) > 1 else len(s)
    if begin < 0 or end > len(s) or begin > end:
        raise ExpressionError(
            f"begin {begin}, end {end}, length {len(s)}", code="StringIndexOutOfBoundsException"
        )
    return s[begin:end]


def _char_at(env: Any, s: str, a: list[Any]) -> str:
    index = to_int_index(a[0], "the index of charAt")
    if not 0 <= index < len(s):
        raise ExpressionError(
            f"Index {index} out of bounds for length {len(s)}", code="StringIndexOutOfBoundsException"
        )
    return s[index]


def _index_of(env: Any, s: str, a: list[Any]) -> int:
    needle = _str_arg(a[0], "indexOf")
    start = max(0, to_int_index(a[1], "the start of indexOf")) if len(a) > 1 else 0
    return s.find(needle, start)


def _last_index_of(env: Any, s: str, a: list[Any]) -> int:
    needle = _str_arg(a[0], "lastIndexOf")
    if len(a) == 1:
        return s.rfind(needle)
    start = to_int_index(a[1], "the start of lastIndexOf")
    if start < 0:
        return -1
    return s.rfind(needle, 0, start + len(needle))


def _starts_with(env: Any, s: str, a: list[Any]) -> bool:
    prefix = _str_arg(a[0], "startsWith")
    offset = to_int_index(a[1], "the offset of startsWith") if len(a) > 1 else 0
    if offset < 0 or offset > len(s):
        return False
    return s.startswith(prefix, offset)


def _replace(env: Any, s: str, a: list[Any]) -> str:
    old, new = _str_arg(a[0], "replace"), _str_arg(a[1], "replace")
    if old and new and len(new) > len(old):
        estimate = len(s) + s.count(old) * (len(new) - len(old))
        if estimate > env.limits.max_string_chars:
            raise ExpressionError(f"replace result too long ({estimate} characters)")
    if not old and (len(s) + 1) * len(new) + len(s) > env.limits.max_string_chars:
        raise ExpressionError("replace result too long")
    return str(env.check_string(s.replace(old, new)))


def _replace_all(first_only: bool) -> Any:
    def impl(env: Any, s: str, a: list[Any]) -> str:
        pattern = _str_arg(a[0], "replaceFirst" if first_only else "replaceAll")
        replacement = _str_arg(a[1], "replaceFirst" if first_only else "replaceAll")
        return regexes.replace(
            s,
            pattern,
            replacement,
            first_only=first_only,
            timeout_s=env.regex_timeout(),
            max_chars=env.limits.max_string_chars,
        )

    return impl


def _split(env: Any, s: str, a: list[Any]) -> list[str]:
    pattern = _str_arg(a[0], "split")
    limit = to_int_index(a[1], "the limit of split") if len(a) > 1 else 0
    parts = regexes.split(s, pattern, limit, env.regex_timeout())
    env.check_items(len(parts), "split result")
    return parts


def _matches(env: Any, s: str, a: list[Any]) -> bool:
    return regexes.full_match(_str_arg(a[0], "matches"), s, env.regex_timeout())


def _repeat(env: Any, s: str, a: list[Any]) -> str:
    count = to_int_index(a[0], "the count of repeat")
    if count < 0:
        raise ExpressionError(f"count is negative: {count}", code="IllegalArgumentException")
    if len(s) * count > env.limits.max_string_chars:
        raise ExpressionError(
            f"repeat result too long ({len(s) * count} characters; "
            f"the limit is {env.limits.max_string_chars})"
        )
    return s * count


def _concat(env: Any, s: str, a: list[Any]) -> str:
    return str(env.check_string(s + _str_arg(a[0], "concat")))


def java_string_hash(s: str) -> int:
    value = 0
    data = s.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        value = (31 * value + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _compare_to(ignore_case: bool) -> Any:
    def impl(env: Any, s: str, a: list[Any]) -> int:
        other = _str_arg(a[0], "compareTo")
        left, right = (s.lower(), other.lower()) if ignore_case else (s, other)
        for x, y in zip(left, right, strict=False):
            if x != y:
                return ord(x) - ord(y)
        return len(left) - len(right)

    return impl


def _formatted(env: Any, s: str, a: list[Any]) -> str:
    from gennaker.expressions.javatypes import java_format

    return java_format(s, a, env.limits.max_string_chars)


STRING_METHODS: MethodTable = {
    "length": {0: lambda env, s, a: len(s)},
    "isEmpty": {0: lambda env, s, a: len(s) == 0},
    "isBlank": {0: lambda env, s, a: s.strip() == ""},
    "trim": {0: lambda env, s, a: _java_trim(s)},
    "strip": {0: lambda env, s, a: s.strip()},
    "stripLeading": {0: lambda env, s, a: s.lstrip()},
    "stripTrailing": {0: lambda env, s, a: s.rstrip()},
    "toLowerCase": {0: lambda env, s, a: s.lower()},
    "toUpperCase": {0: lambda env, s, a: s.upper()},
    "contains": {1: lambda env, s, a: _str_arg(a[0], "contains") in s},
    "startsWith": {1: _starts_with, 2: _starts_with},
    "endsWith": {1: lambda env, s, a: s.endswith(_str_arg(a[0], "endsWith"))},
    "indexOf": {1: _index_of, 2: _index_of},
    "lastIndexOf": {1: _last_index_of, 2: _last_index_of},
    "charAt": {1: _char_at},
    "substring": {1: _substring, 2: _substring},
    "equals": {1: lambda env, s, a: java_equals(s, a[0])},
    "equalsIgnoreCase": {1: lambda env, s, a: isinstance(a[0], str) and s.lower() == a[0].lower()},
    "compareTo": {1: _compare_to(False)},
    "compareToIgnoreCase": {1: _compare_to(True)},
    "concat": {1: _concat},
    "replace": {2: _replace},
    "replaceAll": {2: _replace_all(False)},
    "replaceFirst": {2: _replace_all(True)},
    "matches": {1: _matches},
    "split": {1: _split, 2: _split},
    "repeat": {1: _repeat},
    "formatted": {-1: _formatted},
    "toString": {0: lambda env, s, a: s},
    "hashCode": {0: lambda env, s, a: java_string_hash(s)},
    "toCharArray": {0: lambda env, s, a: list(s)},
}

# ---------------------------------------------------------------- java.util.List


def _list_get(env: Any, items: list[Any], a: list[Any]) -> Any:
    index = to_int_index(a[0], "the index of get")
    if not 0 <= index < len(items):
        raise _index_error(index, len(items))
    return items[index]


def _sub_list(env: Any, items: list[Any], a: list[Any]) -> list[Any]:
    start = to_int_index(a[0], "fromIndex")
    end = to_int_index(a[1], "toIndex")
    if start < 0:
        raise ExpressionError(f"fromIndex = {start}", code="IndexOutOfBoundsException")
    if end > len(items):
        raise ExpressionError(f"toIndex = {end}", code="IndexOutOfBoundsException")
    if start > end:
        raise ExpressionError(f"fromIndex({start}) > toIndex({end})", code="IllegalArgumentException")
    return items[start:end]


def _list_index_of(env: Any, items: list[Any], a: list[Any]) -> int:
    for i, item in enumerate(items):
        if java_equals(item, a[0]):
            return i
    return -1


def _list_last_index_of(env: Any, items: list[Any], a: list[Any]) -> int:
    for i in range(len(items) - 1, -1, -1):
        if java_equals(items[i], a[0]):
            return i
    return -1


def _list_contains(env: Any, items: list[Any], a: list[Any]) -> bool:
    env.tick(len(items))
    return any(java_equals(item, a[0]) for item in items)


def _contains_all(env: Any, items: list[Any], a: list[Any]) -> bool:
    others = a[0]
    if not isinstance(others, list):
        raise ExpressionError(f"containsAll expects a list, not {java_type_name(others)}")
    env.tick(len(items) * max(1, len(others)))
    return all(any(java_equals(item, other) for item in items) for other in others)


def _first_or_last(last: bool) -> Any:
    def impl(env: Any, items: list[Any], a: list[Any]) -> Any:
        if not items:
            raise ExpressionError("the list is empty", code="NoSuchElementException")
        return items[-1] if last else items[0]

    return impl


LIST_METHODS: MethodTable = {
    "size": {0: lambda env, items, a: len(items)},
    "isEmpty": {0: lambda env, items, a: not items},
    "contains": {1: _list_contains},
    "containsAll": {1: _contains_all},
    "get": {1: _list_get},
    "getFirst": {0: _first_or_last(False)},
    "getLast": {0: _first_or_last(True)},
    "indexOf": {1: _list_index_of},
    "lastIndexOf": {1: _list_last_index_of},
    "subList": {2: _sub_list},
    "equals": {1: lambda env, items, a: java_equals(items, a[0])},
    "toString": {0: lambda env, items, a: env.check_string(java_to_string(items))},
}

# ---------------------------------------------------------------- java.util.Map


def _map_contains_value(env: Any, m: dict[Any, Any], a: list[Any]) -> bool:
    env.tick(len(m))
    return any(java_equals(v, a[0]) for v in m.values())


MAP_METHODS: MethodTable = {
    "size": {0: lambda env, m, a: len(m)},
    "isEmpty": {0: lambda env, m, a: not m},
    "containsKey": {1: lambda env, m, a: _hashable(a[0]) and a[0] in m},
    "containsValue": {1: _map_contains_value},
    "get": {1: lambda env, m, a: m.get(a[0]) if _hashable(a[0]) else None},
    "getOrDefault": {2: lambda env, m, a: m.get(a[0], a[1]) if _hashable(a[0]) else a[1]},
    "keySet": {0: lambda env, m, a: list(m.keys())},
    "values": {0: lambda env, m, a: list(m.values())},
    "entrySet": {0: lambda env, m, a: [MapEntry(k, v) for k, v in m.items()]},
    "equals": {1: lambda env, m, a: java_equals(m, a[0])},
    "toString": {0: lambda env, m, a: env.check_string(java_to_string(m))},
}


def _hashable(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


# ---------------------------------------------------------------- numbers and booleans


def _to_int32(value: Any) -> int:
    number = int(value) if not isinstance(value, float) else _float_to_long(value)
    number &= 0xFFFFFFFF
    return number - (1 << 32) if number >= 1 << 31 else number


def _float_to_long(value: float) -> int:
    if math.isnan(value):
        return 0
    if math.isinf(value):
        return (1 << 63) - 1 if value > 0 else -(1 << 63)
    return max(-(1 << 63), min((1 << 63) - 1, int(value)))


def _number_compare(env: Any, x: Any, a: list[Any]) -> int:
    if not is_number(a[0]):
        raise ExpressionError(f"compareTo expects a number, not {java_type_name(a[0])}")
    return compare(x, a[0])


NUMBER_METHODS: MethodTable = {
    "toString": {0: lambda env, x, a: java_to_string(x)},
    "intValue": {0: lambda env, x, a: _to_int32(x)},
    "longValue": {0: lambda env, x, a: _float_to_long(float(x)) if isinstance(x, float) else x},
    "doubleValue": {0: lambda env, x, a: float(x)},
    "floatValue": {0: lambda env, x, a: float(x)},
    "equals": {1: lambda env, x, a: java_equals(x, a[0])},
    "compareTo": {1: _number_compare},
    "isNaN": {0: lambda env, x, a: isinstance(x, float) and math.isnan(x)},
    "isInfinite": {0: lambda env, x, a: isinstance(x, float) and x in (float("inf"), float("-inf"))},
}

BOOLEAN_METHODS: MethodTable = {
    "booleanValue": {0: lambda env, b, a: b},
    "toString": {0: lambda env, b, a: "true" if b else "false"},
    "equals": {1: lambda env, b, a: java_equals(b, a[0])},
    "compareTo": {1: lambda env, b, a: compare(b, a[0])},
}

_MUTATORS = {
    "add",
    "addAll",
    "put",
    "putAll",
    "putIfAbsent",
    "remove",
    "removeAll",
    "removeIf",
    "retainAll",
    "clear",
    "set",
    "sort",
    "replaceAll",
    "compute",
    "computeIfAbsent",
    "computeIfPresent",
    "merge",
}

_HINTS = {
    ("java.lang.String", "toInt"): "to convert a string use #toInt(value)",
    ("java.lang.String", "toInteger"): "to convert a string use #toInt(value)",
    ("java.lang.String", "toFloat"): "to convert a string use #toFloat(value)",
    ("java.lang.String", "toBoolean"): "to convert a string use #toBoolean(value)",
    ("java.lang.String", "size"): "a String has length(), not size()",
    ("java.util.ArrayList", "length"): "a List has size(), not length()",
    ("java.util.LinkedHashMap", "length"): "a Map has size(), not length()",
    ("java.util.LinkedHashMap", "keys"): "a Map has keySet()",
}


def _table_for(target: Any) -> MethodTable:
    if isinstance(target, str):
        return STRING_METHODS
    if isinstance(target, bool):
        return BOOLEAN_METHODS
    if isinstance(target, (int, float)):
        return NUMBER_METHODS
    if isinstance(target, list):
        return LIST_METHODS
    if isinstance(target, dict):
        return MAP_METHODS
    if isinstance(target, JavaValue):
        return type(target).METHODS
    return {}


def call_method(env: Any, target: Any, name: str, args: list[Any]) -> Any:
    """``target.name(args)``: look the method up in the target's table only."""
    if isinstance(target, JavaClass):
        statics = target.statics.get(name)
        if statics is not None:
            impl = statics.get(len(args)) or statics.get(-1)
            if impl is None:
                raise _wrong_arity(target.name, name, args, statics)
            return impl(env, target, args)
    table = _table_for(target)
    overloads = table.get(name)
    if overloads is None:
        type_name = target.name if isinstance(target, JavaClass) else java_type_name(target)
        signature = f"{name}({', '.join(java_type_name(a) for a in args)})"
        if name in _MUTATORS and isinstance(target, (list, dict)):
            raise ExpressionError(
                f"Method call: Method {signature} would change the pipeline data: expressions are read-only",
                code="EL1004E",
            )
        hint = _HINTS.get((java_type_name(target), name))
        detail = f"Method call: Method {signature} cannot be found on type {type_name}"
        if hint:
            detail += f" ({hint})"
        raise ExpressionError(detail, code="EL1004E")
    impl = overloads.get(len(args)) or overloads.get(-1)
    if impl is None:
        raise _wrong_arity(java_type_name(target), name, args, overloads)
    return impl(env, target, args)


def _wrong_arity(type_name: str, name: str, args: list[Any], overloads: dict[int, Any]) -> ExpressionError:
    counts = sorted(k for k in overloads if k >= 0)
    takes = " or ".join(str(c) for c in counts)
    return ExpressionError(
        f"Method call: Method {name}({', '.join(java_type_name(a) for a in args)}) cannot be found on type "
        f"{type_name} ({name} takes {takes} argument{'s' if counts != [1] else ''}, {len(args)} given)",
        code="EL1004E",
    )


def read_bean_property(env: Any, target: Any, name: str) -> tuple[bool, Any]:
    """SpEL's getter rule for a non-map value: ``(True, value)`` or ``(False, None)`` when absent."""
    if isinstance(target, JavaClass):
        if name in target.fields:
            return True, target.fields[name]
        return False, None
    if isinstance(target, MapEntry):
        if name == "key":
            return True, target.key
        if name == "value":
            return True, target.value
    if not name or name == "class":
        return False, None
    table = _table_for(target)
    capitalized = name[0].upper() + name[1:]
    for getter in ("get" + capitalized, "is" + capitalized):
        overloads = table.get(getter)
        if overloads and 0 in overloads:
            return True, overloads[0](env, target, [])
    return False, None


__all__ = ["call_method", "java_double_to_string", "read_bean_property"]
