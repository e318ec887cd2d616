"""What a change of a job's Flink configuration does to its state: one place for every key.

Configuration reaches the planner and the runtime: ``table.exec.mini-batch.enabled``
splits a GroupAggregate into a local and a global one, and Flink then refuses the
savepoint. So a change whose effective configuration differs in any key is compiled
and compared graph to graph like a SQL change (``_verdicts.py``), except in keys that
provably reach neither the plan nor the state (``NEUTRAL``, each with its reason).
Of the keys that do, three kinds:

- ``GRAPH``: planner options whose whole effect is the job graph Flink's planner
  returns, so the graphs' comparison judges them as it judges SQL;
- ``RULES``: options the graphs cannot show (Flink checks them at restore, or they
  change how restored state is read), each one rule backed by a fact checked on the
  real cluster (DESIGN.md, "State compatibility");
- any other key: compared graph to graph, and at-risk at least, since flinkops
  cannot tell what it does to restored state.

Pure: two configurations in, findings out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from flinkops.plan._types import StateImpact
from flinkops.plan.compat import Finding

__all__ = [
    "GRAPH",
    "NEUTRAL",
    "RULES",
    "ConfigChange",
    "changed_keys",
    "config_findings",
    "reaches_state",
]

#: Keys (or prefixes ending in ".") that never reach the plan or the state, and why.
NEUTRAL: Mapping[str, str] = {
    "execution.checkpointing.interval": "when checkpoints are taken, not what they hold "
    "(checked: a changed interval restored the savepoint)",
    "execution.checkpointing.min-pause": "when checkpoints are taken, not what they hold",
    "execution.checkpointing.timeout": "when a checkpoint is given up, not what it holds",
    "execution.checkpointing.max-concurrent-checkpoints": "how many checkpoints run at once",
    "execution.checkpointing.tolerable-failed-checkpoints": "when failed checkpoints fail the job",
    "execution.checkpointing.num-retained": "how many checkpoints are kept (Flink uses the "
    "cluster's value, not the job's)",
    "execution.checkpointing.externalized-checkpoint-retention": "whether a checkpoint "
    "outlives a cancel",
    "execution.checkpointing.dir": "where checkpoints are written",
    "execution.checkpointing.savepoint-dir": "where savepoints are written",
    "state.checkpoints.dir": "where checkpoints are written",
    "state.savepoints.dir": "where savepoints are written",
    "restart-strategy.": "what happens after a failure, not what the state holds",
    "metrics.": "what the job reports",
    "pipeline.name": "the job's name",
}

#: Planner options whose whole effect is the job graph: the graphs' comparison judges them.
GRAPH: Mapping[str, str] = {
    "table.exec.mini-batch.": "the planner's choice of operators (mini-batch splits a "
    "GroupAggregate into a local and a global one), all in the job graph",
    "table.optimizer.": "the planner's choice of operators, all in the job graph",
}


def _matches(key: str, table: Mapping[str, str]) -> bool:
    return any(key == k or (k.endswith(".") and key.startswith(k)) for k in table)


@dataclass(frozen=True)
class ConfigChange:
    """The two effective configurations of a change (values as strings)."""

    old: Mapping[str, str]
    new: Mapping[str, str]

    def keys(self) -> list[str]:
        """The keys whose value differs (set, unset or changed), sorted."""
        both = set(self.old) | set(self.new)
        return sorted(k for k in both if self.old.get(k) != self.new.get(k))


def changed_keys(old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """The keys of two configurations whose values differ, compared as strings. Pure."""
    a = {k: str(v) for k, v in old.items()}
    b = {k: str(v) for k, v in new.items()}
    return ConfigChange(a, b).keys()


def reaches_state(keys: list[str]) -> list[str]:
    """The ``keys`` that may reach the plan or the state: all but the NEUTRAL ones."""
    return [k for k in keys if not _matches(k, NEUTRAL)]


def _shown(value: str | None) -> str:
    return "(unset)" if value is None else value


def max_parallelism(c: ConfigChange) -> Iterator[Finding]:
    """Flink splits keyed state into max-parallelism key groups and refuses a savepoint
    taken with another max parallelism than the new program's (checked).

    Sure only when the applied version set it: a job that left it unset runs with
    Flink's default or with the max parallelism of the savepoint it was restored from,
    which the plan does not see.
    """
    old, new = c.old.get("pipeline.max-parallelism"), c.new.get("pipeline.max-parallelism")
    if old == new:
        return
    if old is not None and new is not None:
        yield Finding(
            StateImpact.INCOMPATIBLE,
            f"pipeline.max-parallelism {old} -> {new}: Flink will refuse the savepoint "
            "(its keyed state is split into the old max parallelism's key groups)",
        )
    else:
        yield Finding(
            StateImpact.AT_RISK,
            f"unknown: pipeline.max-parallelism {_shown(old)} -> {_shown(new)}: Flink refuses "
            "the savepoint when its max parallelism differs from the new program's, and the "
            "running job's (Flink's default, or its savepoint's) is not known",
        )


def local_time_zone(c: ConfigChange) -> Iterator[Finding]:
    """Flink restores the state, read in the new time zone (checked)."""
    old, new = c.old.get("table.local-time-zone"), c.new.get("table.local-time-zone")
    if old != new:
        yield Finding(
            StateImpact.AT_RISK,
            f"table.local-time-zone {_shown(old)} -> {_shown(new)}: Flink restores the state, "
            "but what was computed in the old time zone (LOCALTIMESTAMP, TIMESTAMP_LTZ, "
            "windows on them) is read in the new one",
        )


def state_ttl(c: ConfigChange) -> Iterator[Finding]:
    """Flink restores the state and expires it by the new TTL (checked)."""
    old, new = c.old.get("table.exec.state.ttl"), c.new.get("table.exec.state.ttl")
    if old != new:
        yield Finding(
            StateImpact.AT_RISK,
            f"table.exec.state.ttl {_shown(old)} -> {_shown(new)}: Flink restores the state, "
            "and its entries now expire by the new time to live (results can start over "
            "for keys idle longer than that)",
        )


ConfigRule = Callable[[ConfigChange], Iterator[Finding]]

#: Options the graphs cannot judge: each key, and the rule that does.
RULES: Mapping[str, ConfigRule] = {
    "pipeline.max-parallelism": max_parallelism,
    "table.local-time-zone": local_time_zone,
    "table.exec.state.ttl": state_ttl,
}


def config_findings(c: ConfigChange) -> list[Finding]:
    """What the configuration change does to the state beyond the graphs: each changed
    key's rule, and at-risk for a key flinkops cannot judge. Pure."""
    found: list[Finding] = []
    unjudged = []
    for key in reaches_state(c.keys()):
        if key in RULES:
            found += RULES[key](c)
        elif not _matches(key, GRAPH):
            unjudged.append(key)
    if unjudged:
        found.append(
            Finding(
                StateImpact.AT_RISK,
                f"unknown: flinkConfiguration {', '.join(unjudged)} changed; what "
                f"{'it does' if len(unjudged) == 1 else 'they do'} to restored state is "
                "not known to flinkops",
            )
        )
    return found
