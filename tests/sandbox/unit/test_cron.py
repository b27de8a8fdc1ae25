"""Cron schedules as the CronJob controller reads them (robfig/cron's standard parser)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gennaker.sandbox.workloads import cron


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("*/5 * * * *", "2026-03-01T10:02:30", "2026-03-01T10:05:00"),
        ("0 * * * *", "2026-03-01T10:00:00", "2026-03-01T11:00:00"),  # strictly after
        ("@hourly", "2026-03-01T10:59:00", "2026-03-01T11:00:00"),
        ("@daily", "2026-03-01T10:00:00", "2026-03-02T00:00:00"),
        ("30 2 * * MON-FRI", "2026-03-06T03:00:00", "2026-03-09T02:30:00"),  # Fri -> Mon
        ("0 0 1 JAN *", "2026-03-01T00:00:00", "2027-01-01T00:00:00"),
        ("0 12 13 * 5", "2026-03-01T00:00:00", "2026-03-06T12:00:00"),  # dom OR dow when both set
        ("15,45 9-10 * * *", "2026-03-01T09:20:00", "2026-03-01T09:45:00"),
        ("@every 90s", "2026-03-01T00:00:00", "2026-03-01T00:01:30"),
    ],
)
def test_next_after(schedule: str, after: str, expected: str) -> None:
    assert cron.next_after(cron.parse(schedule), at(after)) == at(expected)


def test_time_zone() -> None:
    s = cron.parse("0 9 * * *", "Europe/Paris")
    assert cron.next_after(s, at("2026-07-01T00:00:00")) == at("2026-07-01T07:00:00")  # CEST = UTC+2


def test_most_recent_counts_missed_runs() -> None:
    s = cron.parse("* * * * *")
    last, missed = cron.most_recent(s, at("2026-03-01T00:00:00"), at("2026-03-01T02:00:30"))
    assert last == at("2026-03-01T02:00:00") and missed == 120
    assert cron.most_recent(s, at("2026-03-01T00:00:00"), at("2026-03-01T00:00:30")) == (None, 0)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("* * * *", "expected exactly 5 fields"),
        ("61 * * * *", "minute: '61' is out of range 0-59"),
        ("* * * * FUNDAY", "day of week: cannot parse"),
        ("*/0 * * * *", "minute: bad step"),
    ],
)
def test_bad_schedules_say_what_is_wrong(schedule: str, message: str) -> None:
    with pytest.raises(cron.ScheduleError, match=message):
        cron.parse(schedule)
