"""The flinkops command line: the root group and the table of its commands; the top layer,
so a command module may import any package (each command parses options, builds the
adapters, calls one function and renders; docs/style.md §12).

Commands load lazily, so ``flinkops --help`` and light commands start fast:
``--help`` reads the table below and imports no command module, and
``flinkops NAME`` imports only NAME's module (and what it needs, when it needs it).
Adding a command is one line here, ``"name": ("module:attribute", "short help")``,
and the ``@main.command()`` function in that module. tests/unit/cli/test_lazy.py
checks that every entry loads, with the short help its command gives.
"""

from flinkops.cli._common import main

COMMANDS: dict[str, tuple[str, str]] = {
    "alerts": (
        "flinkops.cli.monitor:alerts",
        "List alert records (newest first): `flinkops alerts [JOB] [--state firing]`.",
    ),
    "apply": ("flinkops.cli.apply:apply", "Carry the plan out on the cluster, savepoint-safe."),
    "completion": (
        "flinkops.cli.completion:completion",
        "Print the completion script for SHELL (bash, zsh, fish).",
    ),
    "diagnose": (
        "flinkops.cli.ops:diagnose_cmd",
        "Rule-based advice about a job: restarts, checkpoints, back pressure, records, "
        "known root causes; each finding with evidence and a next step.",
    ),
    "events": (
        "flinkops.cli.apply:events",
        "Run events (submissions, savepoints, failures, rollbacks), newest first.",
    ),
    "history": (
        "flinkops.cli.apply:history",
        "The history of JOB on the target: one row per transition, appended, never changed.",
    ),
    "import": (
        "flinkops.cli.adopt:import_cmd",
        "Adopt jobs running on the target that flinkops did not start, without restarting them.",
    ),
    "init": (
        "flinkops.cli.scaffold:init",
        "Start a flinkops project in DIRECTORY (default: here); never overwrites a file.",
    ),
    "lineage": (
        "flinkops.cli.lineage:lineage",
        "Table and column lineage of every INSERT, and the edges between jobs.",
    ),
    "local": (
        "flinkops.cli.local:local",
        "Run a Flink session cluster on this machine (needs Java 11+).",
    ),
    "logs": (
        "flinkops.cli.ops:logs",
        "JOB's log lines from the JobManager and the TaskManagers running its tasks.",
    ),
    "metrics": (
        "flinkops.cli.monitor:metrics",
        "Show a job's metric history: a sparkline per series, or the points in JSON.",
    ),
    "monitor": (
        "flinkops.cli.monitor:monitor",
        "Watch the target's managed jobs: sample metrics, raise and resolve alerts.",
    ),
    "plan": (
        "flinkops.cli.plan:plan",
        "Show what apply would do to each job, and what happens to its state.",
    ),
    "restore": (
        "flinkops.cli.restore:restore",
        "Restart JOB's current spec from a chosen savepoint or checkpoint.",
    ),
    "rollback": (
        "flinkops.cli.apply:rollback",
        "Put version N of JOB back, through the same savepoint-safe update.",
    ),
    "savepoint": (
        "flinkops.cli.ops:savepoint",
        "Take a savepoint of a running job without stopping it; record it in the store.",
    ),
    "savepoints": (
        "flinkops.cli.savepoints:savepoints",
        "List JOB's savepoints: origin (scheduled, manual, stop, upgrade), age, size, whether "
        "they are protected from retention and what retention would do.",
    ),
    "schema": (
        "flinkops.cli.scaffold:schema",
        "The JSON schemas of job specs and flinkops.yaml, for editors and the YAML language "
        "server: `--path` prints the installed directory, `--write DIR` copies them into your "
        "repository (modeline `# yaml-language-server: $schema=../schemas/job.schema.json`).",
    ),
    "show": (
        "flinkops.cli.ops:show",
        "A job's overview, configuration as applied, vertices, checkpoints, exceptions, "
        "versions and events (JOB: a spec name or a Flink job id).",
    ),
    "status": (
        "flinkops.cli.ops:status",
        "Desired and current state of every job on a target, with state counts.",
    ),
    "store": (
        "flinkops.cli.store:store",
        "The version store: where it is, what it holds, moving it to PostgreSQL.",
    ),
    "ui": (
        "flinkops.cli.ui:ui",
        "Serve the ops console: job overview with state counts, job details (DAG, "
        "checkpoints, exceptions, logs, configuration, SQL, lineage, versions, events), "
        "cross-job column lineage and version diffs, with a JSON API under /api/.",
    ),
    "validate": (
        "flinkops.cli.validate:validate",
        "Check the project and every job spec; offline unless a target is named.",
    ),
}
main.add_lazy(COMMANDS)

__all__ = ["COMMANDS", "main"]
