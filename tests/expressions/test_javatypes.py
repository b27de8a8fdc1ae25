"""The allow-listed Java types of T(...) and new, table-driven, with the values a JVM gives."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from gennaker.expressions import EvaluationContext, ExpressionEvaluator

STAMP = "new java.util.Date(1700000000123L)"  # 2023-11-14T22:13:20.123Z, a Tuesday

CASES: list[tuple[str, Any]] = [
    # java.lang.Math
    ("T(java.lang.Math).max(3, 7)", 7),
    ("T(Math).max(1, 2.0)", 2.0),
    ("T(Math).min(-1, 4)", -1),
    ("T(Math).abs(-3)", 3),
    ("T(Math).abs(T(Integer).MIN_VALUE)", -2147483648),  # Java's int overflow
    ("T(Math).round(2.5)", 3),
    ("T(Math).round(-2.5)", -2),
    ("T(Math).floor(2.7)", 2.0),
    ("T(Math).ceil(2.1)", 3.0),
    ("T(Math).sqrt(16)", 4.0),
    ("T(Math).pow(2, 10)", 1024.0),
    ("T(Math).floorMod(-7, 3)", 2),
    ("T(Math).floorDiv(-7, 2)", -4),
    ("T(Math).PI > 3.14", True),
    ("T(Math).random() < 1", True),
    # boxed types
    ("T(Integer).parseInt('42')", 42),
    ("T(Integer).valueOf('ff', 16)", 255),
    ("T(Integer).MAX_VALUE", 2147483647),
    ("T(Integer).MAX_VALUE + 1", -2147483648),
    ("T(Integer).toHexString(-1)", "ffffffff"),
    ("T(Integer).toString(255, 2)", "11111111"),
    ("T(java.lang.Long).parseLong('9999999999')", 9999999999),
    ("T(Long).MAX_VALUE", 9223372036854775807),
    ("T(Long).valueOf('7') * 1000000000", 7000000000),  # a Long stays 64-bit
    ("T(Double).parseDouble('1.5e2')", 150.0),
    ("T(Double).valueOf('NaN').isNaN()", True),
    ("T(Boolean).parseBoolean('TRUE')", True),
    ("T(Boolean).valueOf('no')", False),
    ("T(Byte).MAX_VALUE", 127),
    ("new Integer('12') + 1", 13),
    # java.lang.String
    ("T(String).format('%s has %d items (%.2f%%)', 'cart', 3, 12.5)", "cart has 3 items (12.50%)"),
    (
        "T(String).format('%05d|%-4s|%4s|%x|%X|%b|%n', 42, 'ab', 'cd', 255, 255, null)",
        "00042|ab  |  cd|ff|FF|false|\n",
    ),
    ("T(String).format('%2$s %1$s', 'world', 'hello')", "hello world"),
    ("T(String).format('%,d', 1234567)", "1,234,567"),
    ("T(String).join('-', {'a', 'b', 'c'})", "a-b-c"),
    ("T(String).join(', ', 'x', 'y')", "x, y"),
    ("T(String).valueOf(1.0)", "1.0"),
    ("T(String).valueOf(null)", "null"),
    ("new String('copy')", "copy"),
    ("new String()", ""),
    # java.util.UUID
    (
        "T(java.util.UUID).fromString('123e4567-e89b-12d3-a456-426614174000').toString()",
        "123e4567-e89b-12d3-a456-426614174000",
    ),
    ("T(java.util.UUID).randomUUID().toString().length()", 36),
    ("T(java.util.UUID).randomUUID() == T(java.util.UUID).randomUUID()", False),
    # java.util.Random: Java's generator, same numbers as a JVM for a seed
    ("new java.util.Random(42).nextInt()", -1170105035),
    ("new java.util.Random(42).nextInt(10)", 0),
    ("new java.util.Random(42).nextDouble()", 0.7275636800328681),
    ("new java.util.Random(42).nextLong()", -5025562857975149833),
    ("new java.util.Random().nextInt(5) < 5", True),
    # java.util.Date and java.text.SimpleDateFormat (UTC)
    (f"{STAMP}.getTime()", 1700000000123),
    (f"{STAMP}.time", 1700000000123),
    (f"{STAMP}.toString()", "Tue Nov 14 22:13:20 UTC 2023"),
    (f"new java.text.SimpleDateFormat('yyyy-MM-dd').format({STAMP})", "2023-11-14"),
    (
        f"new java.text.SimpleDateFormat(\"yyyy-MM-dd'T'HH:mm:ss.SSSZ\").format({STAMP})",
        "2023-11-14T22:13:20.123+0000",
    ),
    (
        f"new java.text.SimpleDateFormat('EEE, d MMM yyyy hh:mm a z').format({STAMP})",
        "Tue, 14 Nov 2023 10:13 PM UTC",
    ),
    (f"new java.text.SimpleDateFormat('EEEE MMMM yy D u').format({STAMP})", "Tuesday November 23 318 2"),
    (f"new java.text.SimpleDateFormat('''at'' HH''''mm').format({STAMP})", "at 22'13"),
    ("new java.text.SimpleDateFormat('yyyy-MM-dd').format(0)", "1970-01-01"),
    (
        "new java.text.SimpleDateFormat('yyyy-MM-dd HH:mm').parse('2024-02-30 10:00').time",
        1709287200000,
    ),  # lenient
    ("new java.text.SimpleDateFormat('yyyyMMdd').parse('20240105').time", 1704412800000),
    ("new java.text.SimpleDateFormat('dd MMM yyyy').parse('05 Jan 2024').time", 1704412800000),
    (f"{STAMP}.before(new java.util.Date())", True),
    (f"{STAMP} < new java.util.Date()", True),
    # java.time
    ("T(java.time.Instant).ofEpochMilli(1700000000123L).toString()", "2023-11-14T22:13:20.123Z"),
    ("T(java.time.Instant).ofEpochSecond(1700000000).toString()", "2023-11-14T22:13:20Z"),
    ("T(java.time.Instant).parse('2023-11-14T22:13:20.5Z').toEpochMilli()", 1700000000500),
    (
        "T(java.time.Instant).ofEpochSecond(0).plus(1, T(java.time.temporal.ChronoUnit).DAYS).toString()",
        "1970-01-02T00:00:00Z",
    ),
    ("T(java.time.Instant).ofEpochSecond(0).plusSeconds(90).epochSecond", 90),
    ("T(java.time.Instant).now().isAfter(T(java.time.Instant).ofEpochSecond(0))", True),
    ("T(java.time.Instant).now().toEpochMilli() / 1000 * 1000 > 1700000000000L", True),  # Long arithmetic
    ("T(java.time.LocalDate).parse('2024-01-31').plusMonths(1).toString()", "2024-02-29"),
    ("T(java.time.LocalDate).of(2024, 3, 1).minusDays(1)", "2024-02-29"),
    ("T(java.time.LocalDate).parse('2024-05-04').getDayOfWeek().toString()", "SATURDAY"),
    ("T(java.time.LocalDate).parse('2024-05-04').dayOfWeek == T(java.time.DayOfWeek).SATURDAY", True),
    ("T(java.time.LocalDate).parse('2024-05-04').dayOfWeek.value", 6),
    ("T(java.time.LocalDate).parse('2024-05-04').monthValue", 5),
    ("T(java.time.LocalDate).parse('2024-05-04').month.toString()", "MAY"),
    ("T(java.time.LocalDate).parse('2024-05-04') < T(java.time.LocalDate).parse('2024-05-05')", True),
    ("T(java.time.LocalDate).parse('2024-05-04').isLeapYear()", True),
    (
        "T(java.time.temporal.ChronoUnit).DAYS.between(T(java.time.LocalDate).parse('2024-01-01'),"
        " T(java.time.LocalDate).parse('2024-03-01'))",
        60,
    ),
    (
        "T(java.time.temporal.ChronoUnit).MONTHS.between(T(java.time.LocalDate).parse('2024-01-31'),"
        " T(java.time.LocalDate).parse('2024-02-29'))",
        0,
    ),
    (
        "T(java.time.temporal.ChronoUnit).HOURS.between(T(java.time.Instant).ofEpochSecond(0),"
        " T(java.time.Instant).ofEpochSecond(7199))",
        1,
    ),
    ("T(java.time.temporal.ChronoUnit).DAYS.toString()", "Days"),
    ("T(java.time.temporal.ChronoUnit).DAYS.name()", "DAYS"),
    (
        "T(java.time.LocalDateTime).parse('2024-05-04T10:15:30').plusHours(20).toString()",
        "2024-05-05T06:15:30",
    ),
    ("T(java.time.LocalDateTime).of(2024, 1, 1, 0, 0).toString()", "2024-01-01T00:00"),
    ("T(java.time.LocalDateTime).of(2024, 1, 1, 9, 30, 5).hour", 9),
    ("T(java.time.DayOfWeek).of(1)", "MONDAY"),
    ("T(java.time.DayOfWeek).MONDAY.plus(8).toString()", "TUESDAY"),
    ("T(java.time.DayOfWeek).valueOf('FRIDAY').value", 5),
    # java.net.URLEncoder
    ("T(java.net.URLEncoder).encode('a b&c=d/é~*', 'UTF-8')", "a+b%26c%3Dd%2F%C3%A9%7E*"),
    # instanceof with allow-listed types
    (f"{STAMP} instanceof T(java.util.Date)", True),
    ("T(java.time.LocalDate).now() instanceof T(java.time.LocalDate)", True),
    ("1.5 instanceof T(Double)", True),
    ("T(Long).MAX_VALUE instanceof T(Long)", True),
    # a Java value as a typed result is stored in its JSON form
    ("T(java.time.LocalDate).parse('2024-05-04')", "2024-05-04"),
    (STAMP, 1700000000123),
    ("T(java.time.temporal.ChronoUnit).DAYS", "Days"),
    ("{a: T(java.time.LocalDate).parse('2024-05-04')}", {"a": "2024-05-04"}),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0][:70] for c in CASES])
def test_java_type(evaluator: ExpressionEvaluator, expression: str, expected: Any) -> None:
    value = evaluator.evaluate_expression(expression, EvaluationContext(roots={}))
    assert value == expected
    assert type(value) is type(expected)


def test_now_values_are_utc_and_current(evaluator: ExpressionEvaluator) -> None:
    ctx = EvaluationContext(roots={})
    today = evaluator.evaluate_expression("T(java.time.LocalDate).now().toString()", ctx)
    assert today == time.strftime("%Y-%m-%d", time.gmtime())
    instant = evaluator.evaluate_expression("T(java.time.Instant).now().toString()", ctx)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3,9})?Z", instant)
    millis = evaluator.evaluate_expression("new java.util.Date().getTime()", ctx)
    assert abs(millis - time.time() * 1000) < 60_000
    formatted = evaluator.evaluate_expression(
        "new java.text.SimpleDateFormat('yyyy-MM-dd').format(new java.util.Date())", ctx
    )
    assert formatted == time.strftime("%Y-%m-%d", time.gmtime())
    uuid = evaluator.evaluate_expression("T(java.util.UUID).randomUUID()", ctx)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid)


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("new java.text.SimpleDateFormat('yyyy-qq')", "Illegal pattern character 'q'"),
        ("new java.text.SimpleDateFormat('yyyy').parse('abc')", 'Unparseable date: "abc"'),
        ("new java.text.SimpleDateFormat('yyyy').format('2024')", "Cannot format given Object as a Date"),
        ("T(java.time.LocalDate).parse('2024-13-01')", "could not be parsed"),
        ("T(java.time.LocalDate).of(2024, 2, 30)", "Invalid date"),
        (
            "T(java.time.Instant).now().plus(1, T(java.time.temporal.ChronoUnit).MONTHS)",
            "Unsupported unit: Months",
        ),
        ("T(java.util.UUID).fromString('nope')", "Invalid UUID string: nope"),
        ("T(Integer).parseInt('x')", 'For input string: "x"'),
        ("T(String).format('%d', 'x')", "d != java.lang.String"),
        ("T(String).format('%s %s', 'x')", "Format specifier '%s'"),
        ("T(java.net.URLEncoder).encode('x', 'EBCDIC')", "UnsupportedEncodingException"),
        ("new java.util.Random(1).nextInt(0)", "bound must be positive"),
        ("T(java.time.DayOfWeek).of(8)", "Invalid value for DayOfWeek: 8"),
    ],
)
def test_java_type_errors(evaluator: ExpressionEvaluator, expression: str, fragment: str) -> None:
    from gennaker.expressions import ExpressionError

    with pytest.raises(ExpressionError) as raised:
        evaluator.evaluate_expression(expression, EvaluationContext(roots={}))
    assert fragment in str(raised.value)
