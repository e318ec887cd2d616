"""The versions page's diff in a real browser: SQL side by side at full width (the
line numbers narrow), the changed words marked, a unified view, and the configuration
keys changed / added / removed. Two versions of a job are recorded in the console's
store (a job no spec names: it runs after the console's other modules)."""

from __future__ import annotations

import re
from typing import Any

from flinkops.store import Outcome, VersionRecord
from flinkops.workspace import open_workspace
from tests.integration.ui.conftest import TARGET, Console, shot

OLD = """CREATE TABLE orders (id BIGINT, amount DECIMAL(10, 2), ts TIMESTAMP(3))
  WITH ('connector' = 'datagen', 'rows-per-second' = '5');
CREATE TABLE totals (id BIGINT, total DECIMAL(10, 2)) WITH ('connector' = 'blackhole');
INSERT INTO totals SELECT id, SUM(amount) AS total FROM orders GROUP BY id;
"""
NEW = OLD.replace("SUM(amount)", "MAX(amount)").replace("'5'", "'50'")


def _record(n: int, sql: str, conf: dict[str, str]) -> VersionRecord:
    spec = {"name": "ui-history", "parallelism": n, "flinkConfiguration": conf, "sql": sql}
    return VersionRecord(
        target=TARGET, job="ui-history", version=n, spec_hash=f"h{n}", sql_hash=f"s{n}",
        config_hash=f"c{n}", spec=spec, sql=sql, outcome=Outcome.APPLIED, message=f"v{n}",
    )  # fmt: skip


def test_versions_diff_is_full_width_marks_words_and_switches_to_unified(
    console: Console, page: Any
) -> None:
    with open_workspace(console.root, TARGET) as ws:
        old = {"execution.checkpointing.interval": "10s", "pipeline.name": "x"}
        new = {"execution.checkpointing.interval": "1s", "table.exec.mini-batch.enabled": "true"}
        ws.store.record_version(_record(1, OLD, old))
        ws.store.record_version(_record(2, NEW, new))
    page.goto(f"{console.url}/jobs/ui-history/versions?a=1&b=2")
    table = page.locator("#sql-diff")
    width = table.bounding_box()["width"]
    number = table.locator("td.ln").first.bounding_box()["width"]
    code = table.locator("td.l").first.bounding_box()["width"]
    assert number < 0.06 * width and code > 0.4 * width, (number, code, width)
    marks = table.locator("tr.d-changed mark").all_inner_texts()
    assert {"SUM", "MAX", "5", "50"} <= set(marks), marks
    summary = page.locator("#config-summary").inner_text()
    assert re.fullmatch(r"\d+ changed · 1 added · 1 removed", summary), summary
    rows = page.locator("#config-diff tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.key, r.className])"
    )
    kinds = {key.removeprefix("flinkConfiguration."): kind for key, kind in rows}
    assert kinds["execution.checkpointing.interval"] == "d-changed", kinds
    assert kinds["table.exec.mini-batch.enabled"] == "d-added"
    assert kinds["pipeline.name"] == "d-removed"
    shot(page, "versions-diff-side-by-side")
    page.click('#diff-view a[data-view="unified"]')
    page.wait_for_url(re.compile(r"view=unified"))
    minus = page.locator("#sql-diff tr.d-removed td.u").all_inner_texts()
    plus = page.locator("#sql-diff tr.d-added td.u").all_inner_texts()
    assert any("SUM(amount)" in line for line in minus) and any("MAX(amount)" in p for p in plus)
    shot(page, "versions-diff-unified")
