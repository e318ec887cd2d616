"""What a plan shows of column lineage (``flinkops.sql.lineage``): per job the change
since the applied SQL, the jobs downstream of it, and the project's graph for a chart.
Pure, and advisory: SQL it cannot read becomes a warning, never a failed plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flinkops.plan._diffs import sql_changed
from flinkops.plan._types import Applied
from flinkops.redact import redact, sensitive_sql_values
from flinkops.spec import JobSpec
from flinkops.sql.lineage import JobLineage, Lineage, combine, diff_lineage, lineage_of_sql

__all__ = ["LineageView", "lineage_view"]


@dataclass(frozen=True)
class LineageView:
    """What a plan shows of lineage: per-job diffs, downstream jobs, the project graph."""

    diffs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    downstream: Mapping[str, Sequence[str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    graph: Lineage | None = None

    def mermaid(self, jobs: set[str]) -> str:
        """A Mermaid chart of ``jobs`` and the jobs next to them; '' when there is nothing."""
        if self.graph is None or not jobs:
            return ""
        from flinkops.sql.render import to_mermaid

        near = set(jobs)
        for e in self.graph.jobs:
            if e.from_job in jobs or e.to_job in jobs:
                near |= {e.from_job, e.to_job}
        tables = tuple(t for t in self.graph.tables if t.job in near)
        if not tables:
            return ""
        edges = tuple(e for e in self.graph.jobs if e.from_job in near and e.to_job in near)
        return to_mermaid(Lineage(tables=tables, columns=(), jobs=edges))


def _safe(exc: Exception, spec: JobSpec) -> str:
    """An error's text without the spec's secrets: it may quote the SQL."""
    return str(redact(str(exc), set(spec.secrets) | sensitive_sql_values(spec.sql)))


def lineage_view(specs: Sequence[JobSpec], applied: Mapping[str, Applied]) -> LineageView:
    """Per job: the lineage change since the applied SQL, downstream jobs, warnings."""
    warnings: list[str] = []
    parts: list[JobLineage] = []
    diffs: dict[str, Any] = {}
    for spec in specs:
        try:
            new = lineage_of_sql(spec.sql, spec.name)
        except Exception as exc:
            warnings.append(f"{spec.name}: lineage not computed: {_safe(exc, spec)}")
            continue
        parts.append(new)
        before = applied.get(spec.name)
        if before is None or not sql_changed(spec, before):
            continue
        try:
            diff = diff_lineage(lineage_of_sql(before.sql, spec.name), new)
        except Exception as exc:
            warnings.append(
                f"{spec.name}: lineage of the applied SQL not computed: {_safe(exc, spec)}"
            )
            continue
        if diff:
            diffs[spec.name] = diff.to_json()
    graph = combine(parts)
    downstream: dict[str, set[str]] = {}
    for edge in graph.jobs:
        if edge.from_job != edge.to_job:
            downstream.setdefault(edge.from_job, set()).add(edge.to_job)
    return LineageView(
        diffs=diffs,
        downstream={k: sorted(v) for k, v in downstream.items()},
        warnings=tuple(warnings),
        graph=graph,
    )
