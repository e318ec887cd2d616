from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flinkops.spec import Schedule

T0 = datetime(2026, 12, 2, 17, 30, 15, tzinfo=UTC)


def test_interval_is_due_at_once_then_after_its_period() -> None:
    every = Schedule.parse("10s")
    assert every.interval == 10
    assert every.due(None, T0)
    assert not every.due(T0, T0 + timedelta(seconds=9))
    assert every.due(T0, T0 + timedelta(seconds=10))
    assert Schedule.parse("1h").next_after(T0) == T0 + timedelta(hours=1)
    assert Schedule.parse("2d").interval == 2 * 86400


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        ("0 * * * *", T0, datetime(2026, 12, 2, 18, 0, tzinfo=UTC)),
        ("*/15 * * * *", T0, datetime(2026, 12, 2, 17, 45, tzinfo=UTC)),
        ("30 2 * * *", T0, datetime(2026, 12, 3, 2, 30, tzinfo=UTC)),
        ("0 0 1 * *", T0, datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        # 2026-12-06 is a Sunday: 0 and 7 both name it
        ("0 12 * * 0", T0, datetime(2026, 12, 6, 12, 0, tzinfo=UTC)),
        ("0 12 * * 7", T0, datetime(2026, 12, 6, 12, 0, tzinfo=UTC)),
        ("0 9 * * 1-5", T0, datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        # both day fields restricted: either one matching is enough (cron's rule)
        ("0 0 15 * 5", T0, datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
        ("0 0 29 2 *", T0, datetime(2028, 2, 29, 0, 0, tzinfo=UTC)),
        ("5,35 17 * * *", T0, datetime(2026, 12, 2, 17, 35, tzinfo=UTC)),
    ],
)
def test_cron_next_firing(expr: str, after: datetime, expected: datetime) -> None:
    assert Schedule.parse(expr).next_after(after) == expected


def test_cron_due_counts_from_the_last_savepoint() -> None:
    hourly = Schedule.parse("0 * * * *")
    last = datetime(2026, 12, 2, 17, 0, 3, tzinfo=UTC)
    assert not hourly.due(last, datetime(2026, 12, 2, 17, 59, 59, tzinfo=UTC))
    assert hourly.due(last, datetime(2026, 12, 2, 18, 0, 1, tzinfo=UTC))
    assert hourly.due(None, datetime(2026, 12, 2, 18, 0, 30, tzinfo=UTC))
    assert not hourly.due(None, datetime(2026, 12, 2, 18, 1, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "neither an interval"),
        ("* * * *", "neither an interval"),
        ("61 * * * *", "minute field '61' is out of range 0-59"),
        ("* 24 * * *", "hour field '24' is out of range"),
        ("* * 0 * *", "day of month field '0' is out of range"),
        ("* * * 13 *", "month field '13'"),
        ("* * * * 8", "day of week field '8'"),
        ("*/0 * * * *", "out of range"),
        ("a * * * *", "not a number"),
        ("0s", "must be positive"),
    ],
)
def test_bad_schedules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule.parse(text)


def test_impossible_cron_never_fires() -> None:
    assert Schedule.parse("0 0 31 2 *").next_after(T0) is None
