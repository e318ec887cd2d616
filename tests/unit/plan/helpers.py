"""Helpers of the pure build_plan tests: a plan from a few specs, its one change."""

from __future__ import annotations

from typing import Any

from flinkops.plan import Change, Plan, build_plan


def plan_of(specs: Any, live: Any = (), applied: Any = None, **kw: Any) -> Plan:
    """``build_plan`` on target ``local`` unless told, ``applied`` empty unless given."""
    applied = applied or {}
    kw.setdefault("target", "local")
    return build_plan(list(specs), list(live), applied, **kw)


def only_change(plan: Plan) -> Change:
    assert len(plan.changes) == 1, plan.changes
    return plan.changes[0]
