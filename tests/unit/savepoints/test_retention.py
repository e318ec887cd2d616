"""The retention policy over generated histories: protected savepoints always stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flinkops.savepoints import Snapshot, plan_retention, protection

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def snap(i: int, age_seconds: float) -> Snapshot:
    return Snapshot(f"file:///sp/savepoint-{i:04d}", NOW - timedelta(seconds=age_seconds))


histories = st.lists(
    st.floats(min_value=0, max_value=30 * 86400, allow_nan=False), max_size=25
).map(lambda ages: [snap(i, age) for i, age in enumerate(ages)])


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Snapshot], set[str], set[str], int | None, float | None]:
    history = draw(histories)
    locations = [s.location for s in history] + ["file:///elsewhere/unknown"]
    by_version = set(draw(st.lists(st.sampled_from(locations), max_size=4)))
    by_transition = set(draw(st.lists(st.sampled_from(locations), max_size=2)))
    count = draw(st.none() | st.integers(min_value=1, max_value=10))
    max_age = draw(st.none() | st.floats(min_value=0, max_value=20 * 86400))
    return history, by_version, by_transition, count, max_age


@given(cases())
def test_protected_savepoints_are_never_deleted(case) -> None:
    history, by_version, by_transition, count, max_age = case
    guard = protection(history, by_version, by_transition)
    decisions = plan_retention(history, count=count, max_age=max_age, protected=guard, now=NOW)
    assert sorted(d.snapshot.location for d in decisions) == sorted(s.location for s in history)
    deleted = {d.snapshot.location for d in decisions if d.delete}
    assert not deleted & (by_version | by_transition)
    if history:
        newest = max(history, key=lambda s: (s.created_at, s.location))
        assert newest.location not in deleted
        assert "newest" in guard[newest.location]
    for d in decisions:
        assert d.delete == (not d.protected and d.reason != "within the policy")
        assert bool(d.protected) == (d.snapshot.location in guard)


@given(cases())
def test_unprotected_savepoints_follow_count_and_age(case) -> None:
    history, by_version, by_transition, count, max_age = case
    guard = protection(history, by_version, by_transition)
    decisions = plan_retention(history, count=count, max_age=max_age, protected=guard, now=NOW)
    ages = [(NOW - d.snapshot.created_at).total_seconds() for d in decisions]
    assert ages == sorted(ages)  # newest first
    for rank, (d, age) in enumerate(zip(decisions, ages, strict=True)):
        if d.protected:
            continue
        too_old = max_age is not None and age > max_age
        beyond = count is not None and rank >= count
        assert d.delete == (too_old or beyond)
    if count is not None:
        kept = [d for d in decisions if not d.delete]
        assert len(kept) <= count + len(guard)


def test_count_two_keeps_the_newest_two_and_a_protected_old_one() -> None:
    history = [snap(i, age) for i, age in enumerate([50, 40, 30, 20, 10])]
    guard = protection(history, by_version={history[0].location}, by_transition=())
    decisions = plan_retention(history, count=2, max_age=None, protected=guard, now=NOW)
    by_loc = {d.snapshot.location: d for d in decisions}
    assert [d.snapshot.location for d in decisions if not d.delete] == [
        history[4].location,
        history[3].location,
        history[0].location,
    ]
    assert by_loc[history[0].location].reason == "protected: version"
    assert by_loc[history[4].location].protected == ("newest",)
    assert by_loc[history[1].location].reason == "beyond the newest 2"


def test_max_age_never_deletes_the_only_savepoint() -> None:
    history = [snap(1, 10 * 86400)]
    guard = protection(history, (), ())
    (decision,) = plan_retention(history, count=None, max_age=86400, protected=guard, now=NOW)
    assert not decision.delete and decision.protected == ("newest",)


def test_a_location_outside_the_history_protects_nothing() -> None:
    history = [snap(1, 100), snap(2, 50)]
    guard = protection(history, {"file:///elsewhere"}, {"file:///elsewhere"})
    assert guard == {history[1].location: ("newest",)}
