"""The examples of Quartz's CronTrigger tutorial, computed and checked fire time by fire time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from gennaker.triggers.cron import CronExpression


def _fires(expression: str, start: datetime, count: int) -> list[str]:
    cron = CronExpression(expression, "UTC")
    return [t.strftime("%Y-%m-%d %a %H:%M:%S") for t in itertools.islice(cron.fire_times(start), count)]


START = datetime(2024, 2, 27, 9, 0, tzinfo=UTC)  # a Tuesday, two days before a leap day

EXAMPLES: list[tuple[str, str, datetime, list[str]]] = [
    (
        "0 0 12 * * ?",
        "noon every day",
        START,
        ["2024-02-27 Tue 12:00:00", "2024-02-28 Wed 12:00:00", "2024-02-29 Thu 12:00:00"],
    ),
    ("0 15 10 ? * *", "10:15 every day", START, ["2024-02-27 Tue 10:15:00", "2024-02-28 Wed 10:15:00"]),
    ("0 15 10 * * ?", "10:15 every day", START, ["2024-02-27 Tue 10:15:00", "2024-02-28 Wed 10:15:00"]),
    ("0 15 10 * * ? *", "10:15 every day", START, ["2024-02-27 Tue 10:15:00", "2024-02-28 Wed 10:15:00"]),
    (
        "0 15 10 * * ? 2025",
        "10:15 every day during 2025",
        START,
        ["2025-01-01 Wed 10:15:00", "2025-01-02 Thu 10:15:00"],
    ),
    (
        "0 * 14 * * ?",
        "every minute from 14:00 to 14:59",
        datetime(2024, 2, 27, 14, 58, tzinfo=UTC),
        ["2024-02-27 Tue 14:59:00", "2024-02-28 Wed 14:00:00", "2024-02-28 Wed 14:01:00"],
    ),
    (
        "0 0/5 14 * * ?",
        "every 5 minutes from 14:00 to 14:55",
        datetime(2024, 2, 27, 14, 50, tzinfo=UTC),
        ["2024-02-27 Tue 14:55:00", "2024-02-28 Wed 14:00:00", "2024-02-28 Wed 14:05:00"],
    ),
    (
        "0 0/5 14,18 * * ?",
        "every 5 minutes 14:00-14:55 and 18:00-18:55",
        datetime(2024, 2, 27, 14, 54, tzinfo=UTC),
        ["2024-02-27 Tue 14:55:00", "2024-02-27 Tue 18:00:00", "2024-02-27 Tue 18:05:00"],
    ),
    (
        "0 0-5 14 * * ?",
        "every minute 14:00-14:05",
        datetime(2024, 2, 27, 14, 4, tzinfo=UTC),
        ["2024-02-27 Tue 14:05:00", "2024-02-28 Wed 14:00:00"],
    ),
    (
        "0 10,44 14 ? 3 WED",
        "14:10 and 14:44 every Wednesday in March",
        START,
        ["2024-03-06 Wed 14:10:00", "2024-03-06 Wed 14:44:00", "2024-03-13 Wed 14:10:00"],
    ),
    (
        "0 15 10 ? * MON-FRI",
        "10:15 Monday to Friday",
        datetime(2024, 3, 1, 11, 0, tzinfo=UTC),
        ["2024-03-04 Mon 10:15:00", "2024-03-05 Tue 10:15:00"],
    ),
    ("0 15 10 15 * ?", "10:15 on the 15th", START, ["2024-03-15 Fri 10:15:00", "2024-04-15 Mon 10:15:00"]),
    (
        "0 15 10 L * ?",
        "10:15 on the last day of the month",
        START,
        ["2024-02-29 Thu 10:15:00", "2024-03-31 Sun 10:15:00", "2024-04-30 Tue 10:15:00"],
    ),
    (
        "0 15 10 L-2 * ?",
        "10:15 two days before the last day of the month",
        START,
        ["2024-02-27 Tue 10:15:00", "2024-03-29 Fri 10:15:00", "2024-04-28 Sun 10:15:00"],
    ),
    (
        "0 15 10 ? * 6L",
        "10:15 on the last Friday of the month",
        START,
        ["2024-03-29 Fri 10:15:00", "2024-04-26 Fri 10:15:00", "2024-05-31 Fri 10:15:00"],
    ),
    (
        "0 15 10 ? * 6L 2002-2005",
        "10:15 on the last Friday of the month in 2002-2005",
        datetime(2005, 10, 1, tzinfo=UTC),
        ["2005-10-28 Fri 10:15:00", "2005-11-25 Fri 10:15:00", "2005-12-30 Fri 10:15:00"],
    ),
    (
        "0 15 10 ? * 6#3",
        "10:15 on the third Friday of the month",
        START,
        ["2024-03-15 Fri 10:15:00", "2024-04-19 Fri 10:15:00"],
    ),
    (
        "0 0 12 1/5 * ?",
        "noon every 5 days from the first of the month",
        START,
        ["2024-03-01 Fri 12:00:00", "2024-03-06 Wed 12:00:00", "2024-03-11 Mon 12:00:00"],
    ),
    (
        "0 11 11 11 11 ?",
        "11:11 on November 11th",
        START,
        ["2024-11-11 Mon 11:11:00", "2025-11-11 Tue 11:11:00"],
    ),
]


@pytest.mark.parametrize(
    ("expression", "meaning", "start", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_quartz_tutorial_example(expression: str, meaning: str, start: datetime, expected: list[str]) -> None:
    assert _fires(expression, start, len(expected)) == expected, meaning


def test_the_2002_2005_example_stops_after_2005() -> None:
    cron = CronExpression("0 15 10 ? * 6L 2002-2005")
    assert cron.next_fire_after(datetime(2005, 12, 30, 11, tzinfo=UTC)) is None
    assert list(cron.fire_times(datetime(2006, 1, 1, tzinfo=UTC))) == []


@pytest.mark.parametrize(
    ("expression", "start", "expected"),
    [
        # W: nearest weekday, never leaving the month.
        (
            "0 0 9 15W * ?",
            datetime(2024, 6, 1, tzinfo=UTC),
            ["2024-06-14 Fri 09:00:00", "2024-07-15 Mon 09:00:00"],
        ),
        (
            "0 0 9 1W * ?",
            datetime(2024, 5, 2, tzinfo=UTC),
            ["2024-06-03 Mon 09:00:00", "2024-07-01 Mon 09:00:00"],
        ),
        (
            "0 0 9 31W * ?",
            datetime(2024, 3, 1, tzinfo=UTC),
            ["2024-03-29 Fri 09:00:00", "2024-05-31 Fri 09:00:00"],
        ),
        (
            "0 0 9 LW * ?",
            datetime(2024, 8, 1, tzinfo=UTC),
            ["2024-08-30 Fri 09:00:00", "2024-09-30 Mon 09:00:00"],
        ),
        (
            "0 0 9 L-1W * ?",
            datetime(2024, 6, 1, tzinfo=UTC),
            ["2024-06-28 Fri 09:00:00", "2024-07-30 Tue 09:00:00"],
        ),
        # L in day-of-week alone is Saturday; # with names; 5th occurrences skip months without one.
        (
            "0 0 8 ? * L",
            datetime(2024, 2, 27, tzinfo=UTC),
            ["2024-03-02 Sat 08:00:00", "2024-03-09 Sat 08:00:00"],
        ),
        (
            "0 0 8 ? * MON#5",
            datetime(2024, 1, 1, tzinfo=UTC),
            ["2024-01-29 Mon 08:00:00", "2024-04-29 Mon 08:00:00"],
        ),
        (
            "0 0 8 ? * FRIL",
            datetime(2024, 1, 1, tzinfo=UTC),
            ["2024-01-26 Fri 08:00:00", "2024-02-23 Fri 08:00:00"],
        ),
        # Wrapping ranges and steps.
        (
            "0 0 22-1 ? * FRI-MON",
            datetime(2024, 2, 29, 23, tzinfo=UTC),
            [
                "2024-03-01 Fri 00:00:00",
                "2024-03-01 Fri 01:00:00",
                "2024-03-01 Fri 22:00:00",
            ],
        ),
        (
            "*/20 * * * * ?",
            datetime(2024, 1, 1, 0, 0, 41, tzinfo=UTC),
            [
                "2024-01-01 Mon 00:01:00",
                "2024-01-01 Mon 00:01:20",
                "2024-01-01 Mon 00:01:40",
            ],
        ),
        ("0 0 0 29 2 ?", datetime(2024, 3, 1, tzinfo=UTC), ["2028-02-29 Tue 00:00:00"]),
        ("0 30 9 ? JAN,jul Mon", datetime(2024, 6, 30, tzinfo=UTC), ["2024-07-01 Mon 09:30:00"]),
    ],
)
def test_special_characters(expression: str, start: datetime, expected: list[str]) -> None:
    assert _fires(expression, start, len(expected)) == expected


def test_never_firing_expressions_return_none() -> None:
    assert CronExpression("0 0 0 30 2 ?").next_fire_after(datetime(2024, 1, 1, tzinfo=UTC)) is None
    assert CronExpression("0 0 0 ? * MON 2020").next_fire_after(datetime(2024, 1, 1, tzinfo=UTC)) is None


def test_fire_times_are_strictly_after_and_is_satisfied_by() -> None:
    cron = CronExpression("0 15 10 * * ?")
    at = datetime(2024, 5, 5, 10, 15, tzinfo=UTC)
    assert cron.next_fire_after(at) == datetime(2024, 5, 6, 10, 15, tzinfo=UTC)
    assert cron.next_fire_after(at.replace(microsecond=500)) == datetime(2024, 5, 6, 10, 15, tzinfo=UTC)
    assert cron.is_satisfied_by(at)
    assert cron.is_satisfied_by(at.replace(microsecond=999))
    assert not cron.is_satisfied_by(at.replace(second=1))
    with pytest.raises(ValueError, match="aware"):
        cron.next_fire_after(datetime(2024, 5, 5))
