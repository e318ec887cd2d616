"""A rehearsal as plan data (plan/_rehearsal.py, builder.with_rehearsal/skip_reason):
its JSON form, the line text and markdown show, and what it does to a change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flinkops.plan import (
    Action,
    Change,
    Rehearsal,
    RehearsalOutcome,
    RehearseSettings,
    SnapshotKind,
    StateImpact,
    rehearsal_words,
    skip_reason,
)
from flinkops.plan._rehearsal import human_bytes
from flinkops.plan.builder import with_rehearsal

RESTORED = Rehearsal(
    RehearsalOutcome.RESTORED,
    snapshot="file:/sp/rehearsals/savepoint-1",
    snapshot_kind=SnapshotKind.SAVEPOINT,
    snapshot_at="2026-12-08T00:00:00.000Z",
    cluster="prod",
    job_id="abc",
    slots=2,
    restore_seconds=4.2,
    seconds=9.0,
    state_size=41_000_000,
    restored=("A", "B", "C"),
    replaced=("snk (kafka: replaced by blackhole)",),
)
REFUSED = Rehearsal(RehearsalOutcome.REFUSED, root_cause="StateMigrationException: no")


def _change(**kw: object) -> Change:
    base = Change("j", Action.UPDATE, StateImpact.PRESERVED, "SQL changed", ("same operators",))
    return replace(base, **kw)  # type: ignore[arg-type]


def test_json_round_trip() -> None:
    assert Rehearsal.from_json(RESTORED.to_json()) == RESTORED
    change = _change(rehearsal=RESTORED)
    assert Change.from_json(change.to_json()).rehearsal == RESTORED
    settings = RehearseSettings(SnapshotKind.CHECKPOINT, 30.0, True, 2, "staging")
    assert RehearseSettings.from_json(settings.to_json()) == settings


def test_one_line_per_outcome() -> None:
    assert rehearsal_words(RESTORED.to_json()) == "rehearsed: restored 3 operators, 41 MB, in 4.2 s"
    assert rehearsal_words(RESTORED.to_json(), "at-risk").endswith(
        "; still at-risk: the state restores, what it means may change"
    )
    assert (
        rehearsal_words(REFUSED.to_json()) == "rehearsed: refused by Flink: StateMigrationException"
    )
    failed = Rehearsal(RehearsalOutcome.FAILED, root_cause="boom at row 20")
    assert rehearsal_words(failed.to_json()) == "rehearsed: failed: boom at row 20"
    skipped = Rehearsal(RehearsalOutcome.SKIPPED, "needs 13 task slots")
    assert rehearsal_words(skipped.to_json()) == "rehearsal skipped: needs 13 task slots"


@pytest.mark.parametrize(
    ("size", "words"), [(512, "512 B"), (1_230, "1.2 kB"), (12_300, "12 kB"), (41_000_000, "41 MB")]
)
def test_sizes(size: int, words: str) -> None:
    assert human_bytes(size) == words


def test_a_refused_rehearsal_makes_the_change_incompatible() -> None:
    refused = with_rehearsal(_change(), REFUSED)
    assert refused.state is StateImpact.INCOMPATIBLE
    assert refused.state_reasons == (
        "rehearsal: Flink refused the state: StateMigrationException: no",
        "same operators",
    )


def test_a_restored_rehearsal_leaves_the_verdict() -> None:
    at_risk = _change(state=StateImpact.AT_RISK)
    assert with_rehearsal(at_risk, RESTORED) == replace(at_risk, rehearsal=RESTORED)


def test_blocked_and_rejected_changes_carry_no_rehearsal() -> None:
    blocked = _change(action=Action.BLOCKED)
    assert with_rehearsal(blocked, REFUSED) == blocked


def test_what_can_be_rehearsed(make_live_job) -> None:  # type: ignore[no-untyped-def]
    running = make_live_job("j")
    assert skip_reason(_change(live=running)) is None
    assert "stateless" in (skip_reason(_change(live=running, upgrade_mode="stateless")) or "")
    assert "does not run" in (skip_reason(_change(live=None)) or "")
    assert "not an update" in (skip_reason(_change(action=Action.CREATE)) or "")
    restarting = make_live_job("j", state="RESTARTING")
    assert "RESTARTING" in (skip_reason(_change(live=restarting)) or "")
