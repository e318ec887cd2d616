"""When a scheduled savepoint is due: an interval (``1h``) or a 5-field cron expression.

Pure: ``Schedule.parse(text)`` and ``schedule.due(last, now)``; times are aware UTC
datetimes. Cron fields are minute, hour, day of month, month, day of week (0 or 7 is
Sunday), each ``*``, a number, a range ``a-b``, a list ``a,b`` or a step ``*/n``,
``a-b/n``. When both day fields are restricted, either matching is enough (as cron).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flinkops.spec._durations import parse_duration

__all__ = ["Schedule"]

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12))
_DOW = ("day of week", 0, 7)
#: How far ahead ``next_after`` looks for a match (a Feb 29 expression fits in 8 years).
_HORIZON = timedelta(days=366 * 8)


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if base == "*":
                start, end = low, high
            elif "-" in base:
                a, b = base.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = end = int(base)
                if step_text:
                    end = high
        except ValueError:
            raise ValueError(f"cron {name} field {text!r} is not a number, range or step") from None
        if step < 1 or not (low <= start <= end <= high):
            raise ValueError(f"cron {name} field {text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    """A savepoint schedule: every ``interval`` seconds, or on a cron expression."""

    text: str
    interval: float | None = None
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    any_day: bool = True
    any_weekday: bool = True

    @classmethod
    def parse(cls, text: str | float) -> Schedule:
        """ValueError (with what to write instead) when ``text`` is neither form."""
        try:
            seconds = parse_duration(text)
        except ValueError:
            seconds = None
        if seconds is not None:
            if seconds <= 0:
                raise ValueError("a savepoint schedule interval must be positive")
            return cls(text=str(text), interval=seconds)
        parts = str(text).split()
        if len(parts) != 5:
            raise ValueError(
                f"schedule {text!r} is neither an interval (e.g. 1h, 30min) nor a cron "
                "expression of 5 fields (e.g. '0 */6 * * *')"
            )
        sets = [_field(p, *spec) for p, spec in zip(parts[:4], _FIELDS, strict=True)]
        weekdays = {d % 7 for d in _field(parts[4], *_DOW)}
        return cls(
            text=str(text),
            minutes=sets[0],
            hours=sets[1],
            days=sets[2],
            months=sets[3],
            weekdays=frozenset(weekdays),
            any_day=parts[2] == "*",
            any_weekday=parts[4] == "*",
        )

    def _day_matches(self, t: datetime) -> bool:
        in_month = t.day in self.days
        in_week = (t.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, t: datetime) -> datetime | None:
        """The first time strictly after ``t`` the schedule fires (None: never)."""
        if self.interval is not None:
            return t + timedelta(seconds=self.interval)
        cur = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        end = t + _HORIZON
        while cur <= end:
            if cur.month not in self.months:
                cur = (cur.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(cur):
                cur = cur.replace(hour=0, minute=0) + timedelta(days=1)
            elif cur.hour not in self.hours:
                cur = cur.replace(minute=0) + timedelta(hours=1)
            elif cur.minute not in self.minutes:
                cur += timedelta(minutes=1)
            else:
                return cur
        return None

    def due(self, last: datetime | None, now: datetime) -> bool:
        """Whether a savepoint is due at ``now``, the previous one taken at ``last``.

        With no previous one, an interval is due at once and a cron schedule at its
        next firing time counted from the last minute (so it fires on its minute).
        """
        if last is None:
            if self.interval is not None:
                return True
            last = now - timedelta(minutes=1)
        following = self.next_after(last)
        return following is not None and following <= now
