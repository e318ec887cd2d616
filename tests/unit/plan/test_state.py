"""What a job's next start restores from: one rule (``restore_rule``), said in a plan's
``restore_from`` and in status, show and the console's ``next_restore``."""

from __future__ import annotations

import pytest

from flinkops.plan._state import RestoreFrom, restore_rule

SP, CHK = "file:///sp/s-1", "file:///chk/chk-7"


@pytest.mark.parametrize(
    ("mode", "running", "outcome", "known", "source", "plan", "ops"),
    [
        ("savepoint", True, "applied", SP, RestoreFrom.SAVEPOINT_OF_STOP,
         "savepoint taken when stopping", "a savepoint taken when it is stopped"),
        ("last-state", True, "applied", SP, RestoreFrom.LATEST_CHECKPOINT,
         "latest retained checkpoint", "its latest retained checkpoint, when it is cancelled"),
        ("stateless", True, "applied", SP, RestoreFrom.EMPTY,
         None, "empty state (upgradeMode stateless)"),
        ("savepoint", False, "suspended", SP, RestoreFrom.PATH, SP, SP),
        # a resume restores the savepoint its suspend took, whatever the upgrade mode
        ("stateless", False, "suspended", SP, RestoreFrom.PATH, SP, SP),
        ("savepoint", False, "suspended", None, RestoreFrom.EMPTY,
         None, "empty state (no savepoint was recorded when it was suspended)"),
        ("last-state", False, "applied", CHK, RestoreFrom.PATH, CHK, CHK),
        ("stateless", False, "applied", CHK, RestoreFrom.EMPTY,
         None, "empty state (upgradeMode stateless)"),
        ("savepoint", False, "cancelled", SP, RestoreFrom.EMPTY,
         None, "empty state (it was cancelled)"),
        ("savepoint", False, None, None, RestoreFrom.EMPTY,
         None, "empty state (no savepoint or checkpoint recorded)"),
    ],
)  # fmt: skip
def test_one_rule_two_wordings(mode, running, outcome, known, source, plan, ops) -> None:
    restore = restore_rule(mode, running=running, outcome=outcome, known=known)
    assert (restore.source, restore.plan_words, restore.words) == (source, plan, ops)


def test_the_plan_restores_from_what_the_rule_says(make_spec, make_live_job, make_applied):
    from tests.unit.plan.helpers import plan_of

    resumed, crashed = make_spec("resumed"), make_spec("crashed", upgrade_mode="stateless")
    applied = {
        "resumed": make_applied(resumed, outcome="suspended", savepoint=SP),
        "crashed": make_applied(crashed, savepoint=CHK),
    }
    plan = plan_of([resumed, crashed], [make_live_job(crashed, state="FAILED")], applied)
    for change in plan.changes:
        rule = restore_rule(
            change.upgrade_mode,
            running=False,
            outcome=applied[change.job].outcome,
            known=applied[change.job].savepoint,
        )
        assert change.restore_from == rule.plan_words
    assert [c.restore_from for c in plan.changes] == [None, SP]
