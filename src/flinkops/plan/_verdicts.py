"""What a plan asks Flink's planner, derived from the specs and the observation before
any plan exists, and the verdicts its answers give. Pure: ``plan/observe.py`` runs the
compiles (``plan/compiler.py``) between ``compile_needs`` and ``verdicts_of``.

Every spec whose action puts a version in place (``_actions.spec_action``: create,
resume, restart, update, rescale) is compiled, so Flink's own error shows in the plan
and the graph of what apply records is cached; where the SQL changed since the applied
version (anything but a create), or its effective configuration in a key that may reach
the plan or the state (``_config_rules``), the applied version is compiled too and the
two graphs are compared (``plan/compat.py``), with the configuration's own rules. A spec
whose SQL Flink rejects is an error of the plan, located in its file
(``plan/rejections.py``), with no verdict on its state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flinkops.plan._actions import PUTS_VERSION, blocking_attempt, spec_action
from flinkops.plan._config_rules import config_findings
from flinkops.plan._diffs import config_change, restore_changed
from flinkops.plan._inputs import Observation, PlanOptions, Verdicts
from flinkops.plan._live_views import current_live
from flinkops.plan._types import Action, Applied, Compat, CompatBasis
from flinkops.plan.compat import compare_graphs, unknown, with_config
from flinkops.plan.compiler import Compiled, CompileRequest
from flinkops.plan.rejections import SqlRejected, sql_rejected
from flinkops.spec import JobSpec

__all__ = ["CompileNeed", "compile_needs", "verdicts_of"]


@dataclass(frozen=True)
class CompileNeed:
    """One spec's compiles: the spec as it would be submitted (``new``), and its applied
    version (``old``) when the SQL or a configuration key that reaches the state changed,
    to compare their state (``applied``: that version)."""

    spec: JobSpec
    new: CompileRequest
    old: CompileRequest | None = None
    applied: Applied | None = None

    @property
    def requests(self) -> tuple[CompileRequest, ...]:
        return (self.new,) if self.old is None else (self.new, self.old)


def compile_needs(
    specs: Sequence[JobSpec], observation: Observation, options: PlanOptions
) -> list[CompileNeed]:
    """The compiles a plan of ``specs`` needs, by job name: from each spec's action and
    applied version, as the builder will decide them. Pure."""
    runs = current_live(observation.live)
    adaptive = observation.adaptive_scheduler
    needs = []
    for spec in sorted(specs, key=lambda s: s.name):
        if not options.planned(spec.name):
            continue
        applied = observation.applied.get(spec.name)
        action = spec_action(spec, runs.get(spec.name), applied, adaptive=adaptive)
        attempt = observation.attempts.get(spec.name)
        if action not in PUTS_VERSION or blocking_attempt(
            spec, action, attempt, retry_failed=options.retry_failed
        ):
            continue
        new = CompileRequest.of_spec(spec)
        if action is not Action.CREATE and applied is not None and restore_changed(spec, applied):
            old = CompileRequest.of_version(spec, applied.sql, applied.spec)
            needs.append(CompileNeed(spec, new, old, applied))
        else:
            needs.append(CompileNeed(spec, new))
    return needs


def verdicts_of(
    needs: Sequence[CompileNeed], results: Mapping[CompileRequest, Compiled], root: Path
) -> Verdicts:
    """Flink's verdict per job whose SQL or state-reaching configuration changed (the
    graphs' and the configuration's findings), and where and why Flink rejects a spec's
    SQL (located in its file, shown from the project's ``root``). Pure but for resolving
    paths."""
    compat: dict[str, Compat] = {}
    rejected: dict[str, SqlRejected] = {}
    for need in needs:
        new = results[need.new]
        if new.rejection is not None:
            rejected[need.spec.name] = sql_rejected(need.spec, new.rejection, root)
        elif need.old is not None:
            verdict = _compat(need.spec, new, results[need.old])
            if need.applied is not None:
                config = config_change(need.spec, need.applied)
                verdict = with_config(verdict, config_findings(config))
            compat[need.spec.name] = verdict
    return Verdicts(compat, rejected=rejected)


def _compat(spec: JobSpec, new: Compiled, old: Compiled) -> Compat:
    """Compare the applied and the new graph, each compiled with its own configuration.

    Configuration matters: mini-batch settings, for one, turn a GroupAggregate into
    Local/GlobalGroupAggregate, whose state differs. The new SQL compiled
    (``verdicts_of`` makes an error of a rejected one).
    """
    if old.graph is None:
        why = f"the applied SQL no longer compiles: {old.error}"
        return replace(unknown(why), basis=CompatBasis.APPLIED_SQL_REJECTED)
    return compare_graphs(
        old.graph, new.graph or {}, allow_non_restored_state=spec.allow_non_restored_state
    )
