"""Renderers against golden text (docs/style.md §15), from the plan's JSON form.

Regenerate the golden files after an intended change with
``FLINKOPS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/plan/test_render.py`` and read
the diff before committing it.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import click
import pytest

from flinkops.plan import Attempt, Compat, LineageView, SqlRejected, StateImpact
from flinkops.plan.render import NO_CHANGES, plan_markdown, plan_text, summary_line
from tests.unit.conftest import FILTER_SQL, MAX_SQL
from tests.unit.plan.helpers import plan_of

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FLINKOPS_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.is_file(), f"no golden file {path}; run with FLINKOPS_UPDATE_GOLDEN=1"
    assert text == path.read_text()


COMPAT = {
    "orders": Compat(
        StateImpact.AT_RISK, ("GroupAggregate select list changed: SUM(v) -> MAX(v)",)
    ),
    "filtered": Compat(StateImpact.PRESERVED, ("stateful operators unchanged (GroupAggregate)",)),
}
RESOURCED = {"sink": "snk.total", "old": ["src.v"], "new": ["src.k", "src.v"]}
ROLLBACK = "IllegalStateException: Failed to rollback to checkpoint/savepoint"
ROLLED_BACK_AT = "2026-11-21T14:00:00.000Z"
RAN = ("orders", "filtered", "crashed", "paused", "stopped", "steady", "retried", "old-job")


@pytest.fixture
def full_plan(make_spec, make_live_job, make_applied) -> dict:
    """A plan with every action and every state impact, as JSON.

    Each job but ``new-job`` runs and was applied as ``make_spec(name)``; ``now`` is
    the spec as written where it differs (``old-job``'s spec is gone: --prune);
    ``new-job`` runs on the target with an override of its parallelism and configuration."""
    written = make_spec("new-job", parallelism=1, flink_configuration={"a.b": "1"}).model
    overridden = make_spec(
        "new-job", parallelism=2, flink_configuration={"a.b": "2", "c.d": "x", "e.f": "y"}
    )
    now = {
        "new-job": replace(overridden, written=written),
        "orders": make_spec("orders", sql=MAX_SQL, parallelism=2),
        "filtered": make_spec("filtered", sql=FILTER_SQL),
        "paused": make_spec("paused", state="suspended"),
        "stopped": make_spec("stopped", state="cancelled"),
        "retried": make_spec("retried", sql=MAX_SQL),
    }
    ran = {n: make_spec(n) for n in RAN}
    live = [
        make_live_job(spec, state="FAILED" if n == "crashed" else "RUNNING", job_id=_job_id(n))
        for n, spec in ran.items()
    ]
    applied = {n: make_applied(spec, version=4 if n == "old-job" else 1) for n, spec in ran.items()}
    specs = [now.get(n) or ran[n] for n in (now | ran) if n != "old-job"]
    attempt = Attempt(2, "rolled-back", now["retried"].spec_hash, ROLLED_BACK_AT, ROLLBACK)
    lineage = LineageView(
        diffs={"orders": {"added": [], "removed": [], "resourced": [RESOURCED]}},
        downstream={"orders": ["top-orders"]},
        warnings=("orders: lineage of the applied SQL not computed: example",),
    )
    plan = plan_of(
        specs,
        [*live, make_live_job("adhoc-query", managed=False, job_id="f" * 32)],
        applied,
        url="http://localhost:8081",
        prune=True,
        flink_version="2.3.0",
        created_at="2026-11-21T15:00:00.000Z",
        compat=COMPAT,
        lineage=lineage,
        attempts={"retried": attempt},
    )
    plan = replace(
        plan, extra={"lineage_mermaid": 'flowchart LR\n  subgraph job_0["orders"]\n  end'}
    )
    return plan.to_json()


def _job_id(name: str) -> str:
    return "0" * 31 + "9" if name == "old-job" else f"{name:0<32}"[:32].replace("-", "0")


@pytest.fixture
def empty_plan(make_spec, make_live_job, make_applied) -> dict:
    spec = make_spec("steady")
    return plan_of(
        [spec],
        [make_live_job(spec)],
        {"steady": make_applied(spec)},
        url="http://localhost:8081",
        flink_version="2.3.0",
    ).to_json()


def test_text_golden(full_plan):
    check_golden("plan_full.txt", plan_text(full_plan))


def test_markdown_golden(full_plan):
    check_golden("plan_full.md", plan_markdown(full_plan))


def test_no_changes_text_golden(empty_plan):
    text = plan_text(empty_plan)
    check_golden("plan_empty.txt", text)
    assert text.rstrip().endswith(NO_CHANGES)


def test_no_changes_markdown_golden(empty_plan):
    text = plan_markdown(empty_plan)
    check_golden("plan_empty.md", text)
    assert NO_CHANGES in text
    assert "| job |" not in text


def test_summary_line(full_plan, empty_plan):
    assert summary_line(empty_plan) == NO_CHANGES
    assert summary_line(full_plan) == (
        "Plan: 1 to create, 2 to update, 1 to restart, 1 to suspend, 1 to cancel, 1 to delete,"
        " 1 blocked. State: 3 lost, 1 at risk."
    )


def test_markdown_puts_lost_and_at_risk_first_and_in_bold(full_plan):
    text = plan_markdown(full_plan)
    rows = [line for line in text.splitlines() if " | `" in line and line.startswith("| ")]
    states = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert states == ["**lost**"] * 3 + ["**at-risk**", "preserved", "preserved", "none", "none"]
    assert "| preserved |" in text and "**preserved**" not in text
    assert "| **at-risk** | `~` | `orders` | update | v1 → v2 |" in text
    assert "| none | `!` | `retried` | blocked | v1 (v2 rolled-back) |" in text


def test_markdown_sql_diffs_are_collapsible(full_plan):
    text = plan_markdown(full_plan)
    block = text.split("<details><summary><code>orders</code>: update details</summary>")[1]
    block = block.split("</details>")[0]
    assert "```diff\n--- orders (applied)\n+++ orders (spec)\n" in block
    assert "+INSERT INTO snk SELECT k, MAX(v) FROM src GROUP BY k;\n```" in block
    assert "- `parallelism: None -> 2`" in block
    assert "- resourced: `snk.total <- src.k, src.v (was src.v)`" in block
    assert "Downstream jobs: `top-orders`" in block
    assert "```mermaid\nflowchart LR" in text


def test_markdown_over_the_limit_is_truncated_with_a_note(full_plan):
    full = plan_markdown(full_plan)
    limit = len(full) // 2
    text = plan_markdown(full_plan, limit=limit)
    assert len(text) <= limit
    assert "| `±` | `crashed` |" in text  # the table always stays
    assert "| `+` | `new-job` |" in text
    note = text.rstrip().splitlines()[-1]
    assert re.fullmatch(
        r"_…truncated: \d+ more section\(s\) left out to stay under [\d,]+ characters; "
        r"run `flinkops plan` to see the whole plan\._",
        note,
    ), note
    assert text.count("<details>") == text.count("</details>")
    assert text.count("```") % 2 == 0


def test_a_huge_sql_diff_is_clipped_in_markdown(full_plan):
    change = next(c for c in full_plan["changes"] if c["job"] == "orders")
    change["sql_diff"] += "".join(f"+-- line {i}\n" for i in range(5000))
    text = plan_markdown(full_plan)
    assert len(text) < 30_000
    assert "more lines; run `flinkops plan` to see the whole diff)" in text


def test_text_colours_only_when_asked(full_plan):
    plain = plan_text(full_plan)
    coloured = plan_text(full_plan, colour=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    assert click.unstyle(coloured) == plain
    assert click.style("state AT-RISK", fg="yellow", bold=True) in coloured
    assert click.style("state LOST", fg="red", bold=True) in coloured


REJECTED = {
    "orders": SqlRejected(
        "orders",
        "jobs/orders.yaml",
        11,
        24,
        "SQL validation failed. Column 'amountt' not found in table 'o'",
    ),
    "pages": SqlRejected(
        "pages", "jobs/sql/pages.sql", 1, 33, 'SQL parse failed. Encountered "views".'
    ),
}


@pytest.fixture
def rejected_plan(make_spec, make_live_job, make_applied) -> dict:
    """A plan whose update of ``orders`` and create of ``pages`` Flink rejects, beside an
    ordinary update of ``filtered`` and an unchanged ``steady``."""
    ran = {n: make_spec(n) for n in ("orders", "filtered", "steady")}
    specs = [
        make_spec("orders", sql=MAX_SQL),
        make_spec("filtered", sql=FILTER_SQL),
        ran["steady"],
        make_spec("pages"),
    ]
    return plan_of(
        specs,
        [make_live_job(spec, job_id=f"{n:0<32}"[:32]) for n, spec in ran.items()],
        {n: make_applied(spec) for n, spec in ran.items()},
        url="http://localhost:8081",
        flink_version="2.3.0",
        compat={"filtered": COMPAT["filtered"]},
        rejected=REJECTED,
    ).to_json()


def test_rejected_text_golden(rejected_plan):
    check_golden("plan_rejected.txt", plan_text(rejected_plan))


def test_rejected_markdown_golden(rejected_plan):
    check_golden("plan_rejected.md", plan_markdown(rejected_plan))


def test_a_rejected_change_is_an_error_not_a_state_verdict(rejected_plan):
    changes = {c["job"]: c for c in rejected_plan["changes"]}
    assert [e["job"] for e in rejected_plan["errors"]] == ["orders", "pages"]
    assert rejected_plan["errors"][0] == {
        "job": "orders",
        "file": "jobs/orders.yaml",
        "line": 11,
        "column": 24,
        "message": "SQL validation failed. Column 'amountt' not found in table 'o'",
    }
    for job in ("orders", "pages"):
        assert changes[job]["action"] == "rejected"
        assert (changes[job]["state"], changes[job]["steps"], changes[job]["version"]) == (
            "none",
            [],
            None,
        )
    assert changes["orders"]["reason"] == (
        "update refused: Flink rejects the SQL at jobs/orders.yaml:11:24"
    )
    assert changes["pages"]["reason"].startswith("create refused: ")
    assert changes["filtered"]["action"] == "update"  # the plan's other changes stand
    assert summary_line(rejected_plan).endswith("2 errors: apply refuses this plan.")


@pytest.fixture
def rehearsed_plan(make_spec, make_live_job, make_applied) -> dict:
    """Three updates rehearsed: ``orders`` (at-risk) restored, ``filtered`` refused, and
    ``steady``'s rehearsal skipped for want of slots."""
    from flinkops.plan import Rehearsal, RehearsalOutcome, SnapshotKind

    ran = {n: make_spec(n) for n in ("orders", "filtered", "steady")}
    specs = [
        make_spec("orders", sql=MAX_SQL),
        make_spec("filtered", sql=FILTER_SQL),
        make_spec("steady", sql=FILTER_SQL, parallelism=13),
    ]
    restored = Rehearsal(
        RehearsalOutcome.RESTORED,
        snapshot="file:/sp/rehearsals/savepoint-0rders-1",
        snapshot_kind=SnapshotKind.SAVEPOINT,
        snapshot_at="2026-12-08T00:00:00.000Z",
        cluster="local",
        job_id="r" * 32,
        slots=1,
        restore_seconds=4.2,
        seconds=9.5,
        state_size=41_000_000,
        restored=("Source: src", "GroupAggregate[3] -> Sink: snk"),
        replaced=("snk (kafka: replaced by blackhole)",),
    )
    refused = Rehearsal(
        RehearsalOutcome.REFUSED,
        snapshot="file:/sp/rehearsals/savepoint-filter-2",
        snapshot_kind=SnapshotKind.SAVEPOINT,
        snapshot_at="2026-12-08T00:00:01.000Z",
        cluster="local",
        job_id="s" * 32,
        root_cause="org.apache.flink.util.StateMigrationException: For heap backends, ...",
    )
    skipped = Rehearsal(
        RehearsalOutcome.SKIPPED,
        "the rehearsal needs 13 task slots and the rehearsal cluster (local) has 2 free of 12",
    )
    return plan_of(
        specs,
        [make_live_job(spec, job_id=f"{n:0<32}"[:32]) for n, spec in ran.items()],
        {n: make_applied(spec) for n, spec in ran.items()},
        url="http://localhost:8081",
        flink_version="2.3.0",
        compat={"orders": COMPAT["orders"], "filtered": COMPAT["filtered"]},
        rehearsals={"orders": restored, "filtered": refused, "steady": skipped},
    ).to_json()


def test_rehearsed_text_golden(rehearsed_plan):
    check_golden("plan_rehearsed.txt", plan_text(rehearsed_plan))


def test_rehearsed_markdown_golden(rehearsed_plan):
    check_golden("plan_rehearsed.md", plan_markdown(rehearsed_plan))


def test_a_migration_has_its_header(make_spec, make_applied, make_live_job) -> None:
    """The plan of a target moved to a new cluster of a newer Flink, as text and markdown."""
    from flinkops.flink.models import Overview
    from flinkops.plan import Migration, Observation, build_plan

    spec = make_spec("orders")
    applied = replace(make_applied(spec), cluster_url="http://old:8081", flink_version="1.20.5")
    migration = Migration(
        from_url="http://old:8081", from_flink_version="1.20.5", to_url="http://new:8081",
        to_flink_version="2.3.0", reachable=True, jobs=("orders",),
        savepoint_dir="file:///mnt/savepoints",
    )  # fmt: skip
    observation = Observation(
        target="prod",
        url="http://new:8081",
        overview=Overview.from_json({"flink-version": "2.3.0"}),
        applied={"orders": applied},
        migration=migration,
        old_live=(make_live_job(spec, job_id="a" * 32),),
        at="2026-12-08T00:00:00.000Z",
    )
    data = build_plan([spec], observation).to_json()
    check_golden("plan_migrate.txt", plan_text(data))
    check_golden("plan_migrate.md", plan_markdown(data))
