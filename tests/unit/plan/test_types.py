"""The transition kinds (``KINDS`` in plan/_types.py): each action declared once, with
the plan schema naming what they declare."""

from __future__ import annotations

import json

from flinkops.plan import KINDS, Action
from flinkops.plan.steps import STEP_KINDS
from flinkops.spec import SCHEMA_DIR

SCHEMA = json.loads((SCHEMA_DIR / "plan.schema.json").read_text())


def test_every_action_is_one_transition_kind() -> None:
    assert [k.action for k in KINDS] == list(Action)
    assert all(a.kind.action is a for a in Action)


def test_the_kinds_that_start_a_version_and_those_that_run_nothing() -> None:
    assert {a for a in Action if a.starts} == {
        Action.CREATE,
        Action.RESUME,
        Action.UPDATE,
        Action.RESTART,
        Action.MIGRATE,
    }
    assert {a for a in Action if a.kind.build is None} == {
        Action.BLOCKED,
        Action.REJECTED,
        Action.NOOP,
    }


def test_the_plan_schema_names_every_action_symbol_and_step_kind() -> None:
    assert SCHEMA["$defs"]["action"]["enum"] == [a.value for a in Action]
    symbols = SCHEMA["$defs"]["change"]["properties"]["symbol"]["enum"]
    assert set(symbols) == {k.symbol for k in KINDS}
    assert set(SCHEMA["$defs"]["step"]["properties"]["kind"]["enum"]) == set(STEP_KINDS)
