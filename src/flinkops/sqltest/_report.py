"""Test results shown: text for people (each outcome, a failure's row-level diff), JSON,
JUnit XML for CI systems, and a markdown summary for a pull request. Pure."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from typing import Any

from flinkops.sqltest._run import Outcome, SqlTestResult

__all__ = ["render_text", "result_line", "summary_line", "to_json", "to_junit", "to_markdown"]

_MARK = {Outcome.PASSED: "PASS", Outcome.FAILED: "FAIL", Outcome.ERROR: "ERROR"}


def summary_line(results: Sequence[SqlTestResult], seconds: float) -> str:
    counts = Counter(r.outcome for r in results)
    parts = [f"{counts[o]} {o.value}" for o in Outcome if counts[o]]
    return f"{len(results)} tests: {', '.join(parts) or 'none'} in {seconds:.1f}s"


def result_line(r: SqlTestResult) -> str:
    return f"{_MARK[r.outcome]:5} {r.job} / {r.name}  ({r.where}, {r.seconds:.1f}s)"


def render_text(results: Sequence[SqlTestResult], seconds: float) -> str:
    lines: list[str] = []
    for r in results:
        lines.append(result_line(r))
        if r.error:
            lines.extend(f"      {line}" for line in r.error.splitlines()[:12])
        for d in r.diffs:
            if d.ok:
                continue
            lines.append(f"      {d.table}:")
            lines.extend(f"        - missing    {row}" for row in d.missing)
            lines.extend(f"        + unexpected {row}" for row in d.unexpected)
            lines.extend(f"        ~ changed    {row}" for row in d.changed)
    lines.append(summary_line(results, seconds))
    return "\n".join(lines)


def to_json(results: Sequence[SqlTestResult], seconds: float) -> dict[str, Any]:
    counts = Counter(r.outcome.value for r in results)
    return {
        "passed": all(r.outcome is Outcome.PASSED for r in results),
        "counts": {o.value: counts[o.value] for o in Outcome},
        "seconds": round(seconds, 2),
        "tests": [r.to_json() for r in results],
    }


def to_junit(results: Sequence[SqlTestResult], seconds: float) -> str:
    """JUnit XML as CI systems read it: one testsuite per job (``file``: its test file),
    one testcase per test; the attributes of the Jenkins/surefire junit-10.xsd."""
    root = ET.Element("testsuites", name="flinkops test", time=f"{seconds:.3f}")
    root.set("tests", str(len(results)))
    root.set("failures", str(sum(r.outcome is Outcome.FAILED for r in results)))
    root.set("errors", str(sum(r.outcome is Outcome.ERROR for r in results)))
    for job in dict.fromkeys(r.job for r in results):
        mine = [r for r in results if r.job == job]
        suite = ET.SubElement(root, "testsuite", name=job)
        suite.set("tests", str(len(mine)))
        suite.set("failures", str(sum(r.outcome is Outcome.FAILED for r in mine)))
        suite.set("errors", str(sum(r.outcome is Outcome.ERROR for r in mine)))
        suite.set("skipped", "0")
        suite.set("file", mine[0].where.rsplit(":", 1)[0])
        suite.set("time", f"{sum(r.seconds for r in mine):.3f}")
        for r in mine:
            case = ET.SubElement(suite, "testcase", name=r.name, classname=job)
            case.set("time", f"{r.seconds:.3f}")
            detail = "\n".join(render_text([r], r.seconds).splitlines()[1:-1])
            if r.outcome is Outcome.FAILED:
                ET.SubElement(
                    case, "failure", message="rows differ", type="RowsDiffer"
                ).text = detail
            elif r.outcome is Outcome.ERROR:
                first = r.error.splitlines()[0] if r.error else "error"
                ET.SubElement(case, "error", message=first[:200], type="FlinkError").text = r.error
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_markdown(results: Sequence[SqlTestResult], seconds: float) -> str:
    """A section for a pull request comment: which tests ran and how they ended."""
    if not results:
        return "### SQL tests\n\nNo SQL tests (`*.test.yaml`) in this project.\n"
    lines = [
        "### SQL tests",
        "",
        summary_line(results, seconds),
        "",
        "| | job | test |",
        "|---|---|---|",
    ]
    icon = {Outcome.PASSED: "✅", Outcome.FAILED: "❌", Outcome.ERROR: "⚠️"}
    lines.extend(f"| {icon[r.outcome]} | `{r.job}` | {r.name} |" for r in results)
    return "\n".join(lines) + "\n"
