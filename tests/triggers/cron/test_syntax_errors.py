"""Bad cron expressions are refused with a message naming the field and the bad part."""

from __future__ import annotations

import pytest

from gennaker.triggers.cron import CronExpression, CronSyntaxError


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * * *", "expected 6 or 7 fields"),
        ("0 0 12 * * ? 2024 x", "expected 6 or 7 fields"),
        ("0 0 12 * * *", "day-of-week field: exactly one of day-of-month and day-of-week must be '?'"),
        ("0 0 12 ? * ?", "exactly one of day-of-month and day-of-week must be '?'"),
        ("60 * * * * ?", "seconds field: 60 is out of range 0-59"),
        ("0 60 * * * ?", "minutes field: 60 is out of range 0-59"),
        ("0 0 24 * * ?", "hours field: 24 is out of range 0-23"),
        ("0 0 0 32 * ?", "day-of-month field: 32 is out of range 1-31"),
        ("0 0 0 ? 13 *", "month field: 13 is out of range 1-12"),
        ("0 0 0 ? * 8", "day-of-week field: 8 is out of range 1-7"),
        ("0 0 0 ? JAX *", "month field: unknown month name 'JAX'"),
        ("0 0 0 ? * FUN", "day-of-week field: unknown day name 'FUN'"),
        ("0 0 0 1 * ? 1969", "year field: 1969 is out of range 1970-2299"),
        ("0 0/0 * * * ?", "minutes field: step in '0/0' must be a positive number"),
        ("0 0/61 * * * ?", "minutes field: step 61 in '0/61' is larger than the field's range"),
        ("0 1,,2 * * * ?", "minutes field: empty element in list"),
        ("0 ? * * * *", "minutes field: '?' is allowed only in day-of-month and day-of-week"),
        ("0 L * * * ?", "minutes field: 'L': 'L', 'W' and '#' are allowed only in the day fields"),
        ("0 0 0 1,L * ?", "day-of-month field: '1,L': 'L' and 'W' cannot be combined"),
        ("0 0 0 1-5W * ?", "day-of-month field: '1-5W': 'W' follows a single day"),
        ("0 0 0 L-31 * ?", "day-of-month field: offset from last day must be at most 30"),
        ("0 0 0 LX * ?", "day-of-month field: 'LX': 'L' takes the forms"),
        ("0 0 0 ? * 6#6", "day-of-week field: '6#6': the number after '#' must be 1-5"),
        ("0 0 0 ? * 1-3#2", "day-of-week field: '1-3#2': '#' takes a single day"),
        ("0 0 0 ? * 1,5L", "day-of-week field: '1,5L': 'L' follows a single day"),
        ("0 0 0 1 * ? 2025-2020", "year field: range '2025-2020' goes backwards"),
        ("0 x 0 1 * ?", "minutes field: 'X' is not a number"),
    ],
)
def test_bad_expression(expression: str, message: str) -> None:
    with pytest.raises(CronSyntaxError) as info:
        CronExpression(expression)
    assert message in str(info.value)
    assert repr(expression) in str(info.value)


def test_unknown_time_zone() -> None:
    with pytest.raises(CronSyntaxError, match="unknown time zone 'Mars/Olympus'"):
        CronExpression("0 0 12 * * ?", "Mars/Olympus")


def test_case_and_whitespace_do_not_matter() -> None:
    assert str(CronExpression("  0 15 10 ? * mon-fri  ")) == "0 15 10 ? * mon-fri"
    assert CronExpression("0 15 10 ? * mon-fri").fields == CronExpression("0 15 10 ? * MON-FRI").fields
