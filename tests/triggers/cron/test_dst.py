"""Daylight-saving changes: skipped wall times do not fire, repeated ones fire once (Quartz's documented
behaviour), and fire times always move forward."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from gennaker.triggers.cron import CronExpression

NY = ZoneInfo("America/New_York")  # 2024-03-10 02:00 -> 03:00; 2024-11-03 02:00 -> 01:00


def _utc(times: list[datetime]) -> list[str]:
    return [t.astimezone(UTC).strftime("%m-%d %H:%M") for t in times]


def _local(times: list[datetime]) -> list[str]:
    return [t.strftime("%m-%d %H:%M %Z") for t in times]


def test_a_daily_time_that_does_not_exist_is_skipped_that_day() -> None:
    cron = CronExpression("0 30 2 * * ?", "America/New_York")
    fires = list(itertools.islice(cron.fire_times(datetime(2024, 3, 8, 12, tzinfo=NY)), 3))
    assert _local(fires) == ["03-09 02:30 EST", "03-11 02:30 EDT", "03-12 02:30 EDT"]


def test_times_around_the_spring_gap() -> None:
    cron = CronExpression("0 0/30 * * * ?", "America/New_York")
    fires = list(itertools.islice(cron.fire_times(datetime(2024, 3, 10, 0, 50, tzinfo=NY)), 5))
    assert _local(fires) == [
        "03-10 01:00 EST",
        "03-10 01:30 EST",
        "03-10 03:00 EDT",
        "03-10 03:30 EDT",
        "03-10 04:00 EDT",
    ]
    daily_after_gap = CronExpression("0 30 3 * * ?", "America/New_York")
    first = daily_after_gap.next_fire_after(datetime(2024, 3, 10, 0, 0, tzinfo=NY))
    assert first is not None and _local([first]) == ["03-10 03:30 EDT"]


def test_a_repeated_wall_time_fires_once_at_its_first_occurrence() -> None:
    cron = CronExpression("0 30 1 * * ?", "America/New_York")
    fires = list(itertools.islice(cron.fire_times(datetime(2024, 11, 2, 12, tzinfo=NY)), 3))
    assert _utc(fires) == ["11-03 05:30", "11-04 06:30", "11-05 06:30"]  # 01:30 EDT, then EST
    assert _local(fires)[0] == "11-03 01:30 EDT"


def test_the_repeated_hour_has_no_firings_for_frequent_schedules() -> None:
    cron = CronExpression("0 0/30 * * * ?", "America/New_York")
    fires = list(itertools.islice(cron.fire_times(datetime(2024, 11, 3, 0, 10, tzinfo=NY)), 6))
    assert _local(fires) == [
        "11-03 00:30 EDT",
        "11-03 01:00 EDT",
        "11-03 01:30 EDT",
        "11-03 02:00 EST",
        "11-03 02:30 EST",
        "11-03 03:00 EST",
    ]
    assert _utc(fires)[2:4] == ["11-03 05:30", "11-03 07:00"]  # an hour and a half without firings


def test_starting_inside_the_second_pass_of_the_repeated_hour() -> None:
    cron = CronExpression("0 0/30 * * * ?", "America/New_York")
    second_pass = datetime(2024, 11, 3, 6, 10, tzinfo=UTC)  # 01:10 EST, after 01:10 EDT has passed
    assert second_pass.astimezone(NY).strftime("%H:%M %Z") == "01:10 EST"
    nxt = cron.next_fire_after(second_pass)
    assert nxt is not None and _local([nxt]) == ["11-03 02:00 EST"]
    first_pass = datetime(2024, 11, 3, 5, 10, tzinfo=UTC)  # 01:10 EDT
    nxt = cron.next_fire_after(first_pass)
    assert nxt is not None and _local([nxt]) == ["11-03 01:30 EDT"]


def test_half_hour_shift_in_lord_howe() -> None:
    # Australia/Lord_Howe: 2024-04-07 02:00 (+11) -> 01:30 (+10:30); 2024-10-06 02:00 -> 02:30.
    cron = CronExpression("0 45 1 * * ?", "Australia/Lord_Howe")
    zone = ZoneInfo("Australia/Lord_Howe")
    fires = list(itertools.islice(cron.fire_times(datetime(2024, 4, 6, 12, tzinfo=zone)), 2))
    assert [t.strftime("%m-%d %H:%M %z") for t in fires] == ["04-07 01:45 +1100", "04-08 01:45 +1030"]
    spring = CronExpression("0 15 2 * * ?", "Australia/Lord_Howe")
    fires = list(itertools.islice(spring.fire_times(datetime(2024, 10, 5, 12, tzinfo=zone)), 2))
    assert [t.strftime("%m-%d %H:%M") for t in fires] == ["10-07 02:15", "10-08 02:15"]


def test_a_year_of_daily_fire_times_across_both_changes() -> None:
    cron = CronExpression("0 30 2 * * ?", "America/New_York")
    fires = list(
        itertools.takewhile(lambda t: t.year == 2024, cron.fire_times(datetime(2023, 12, 31, 12, tzinfo=NY)))
    )
    assert len(fires) == 366 - 1  # leap year, minus the spring-forward day
    assert all(b > a for a, b in itertools.pairwise(fires))
    assert all(t.astimezone(NY).strftime("%H:%M") == "02:30" for t in fires)
    every_minute = CronExpression("0 * * * * ?", "America/New_York")
    day = list(
        itertools.takewhile(
            lambda t: t.astimezone(NY).day == 10,
            every_minute.fire_times(datetime(2024, 3, 10, 0, 0, tzinfo=NY) - timedelta(seconds=1)),
        )
    )
    assert len(day) == 23 * 60  # the spring-forward day has 23 hours of minutes
