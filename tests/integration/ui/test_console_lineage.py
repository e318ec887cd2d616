"""The lineage graph's labels in a real browser: measured with getBBox, no job -> job
label overlaps a table or leaves the drawing, and a shortened name shows in full on
hover (its <title>)."""

from __future__ import annotations

from typing import Any

from tests.conftest import REPO
from tests.integration.ui.conftest import shot

OVERLAPS = """svg => {
  const box = (el) => { const b = el.getBBox(); const m = el.getCTM();
    return {x: b.x + m.e, y: b.y + m.f, r: b.x + m.e + b.width, b: b.y + m.f + b.height}; };
  const tables = Array.from(svg.querySelectorAll('g.table rect.t-box')).map(box);
  const size = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll('text.job-label')).map((t) => {
    const l = box(t);
    const hits = tables.filter((r) => l.x < r.r && r.x < l.r && l.y < r.b && r.y < l.b).length;
    const inside = l.x >= 0 && l.y >= 0 && l.r <= size.width && l.b <= size.height;
    return {label: t.firstChild.textContent, title: t.querySelector('title').textContent,
            hits, inside};
  });
}"""


def test_job_labels_never_overlap_tables_or_clip(serve: Any, page: Any) -> None:
    url, _ = serve("--project", str(REPO))
    page.goto(url + "/lineage")
    labels = page.locator("svg.lineage").evaluate(OVERLAPS)
    assert labels, "the examples have a job -> job edge"
    for label in labels:
        assert label["hits"] == 0 and label["inside"], label
        assert label["title"] == label["label"] or "…" in label["label"]
    assert any(x["title"] == "clean-orders → customer-revenue" for x in labels), labels
    shot(page, "lineage-labels")
