"""Compiled plans pinned per version (store/_compiled_plans.py), on both backends."""

from __future__ import annotations

from flinkops.store import PinnedPlan, Store, pinned_plan, put_pinned_plan


def test_the_newest_version_with_the_sql_gives_the_plan(store: Store) -> None:
    assert pinned_plan(store, "local", "orders", "h1") is None
    put_pinned_plan(store, "local", "orders", 1, PinnedPlan(1, "h1", "1.20.5", '{"v": 1}'))
    put_pinned_plan(store, "local", "orders", 2, PinnedPlan(2, "h2", "1.20.5", '{"v": 2}'))
    put_pinned_plan(store, "local", "orders", 3, PinnedPlan(3, "h1", "2.3.0", '{"v": 3}'))
    found = pinned_plan(store, "local", "orders", "h1")
    assert found == PinnedPlan(3, "h1", "2.3.0", '{"v": 3}')
    assert pinned_plan(store, "other", "orders", "h1") is None
    put_pinned_plan(store, "local", "orders", 3, PinnedPlan(3, "h1", "2.3.0", '{"v": 4}'))
    assert pinned_plan(store, "local", "orders", "h1").plan == '{"v": 4}'  # type: ignore[union-attr]
