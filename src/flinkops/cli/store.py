"""``flinkops store info`` and ``flinkops store migrate --to URL``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flinkops.cli._common import emit_json, format_option, handle_errors, main, project_option
from flinkops.errors import StoreError
from flinkops.store import Store, copy_store, describe_holder, store_info


@main.group()
def store() -> None:
    """The version store: where it is, what it holds, moving it to PostgreSQL.

    The project's `store` (flinkops.yaml) is an SQLite file by default, or a
    PostgreSQL URL that a team and its CI runners share:
    postgresql://user@host:5432/dbname?schema=name, with the password from
    ${env:NAME} in the URL or PGPASSWORD. It is never printed.
    """


@store.command("info")
@project_option
@format_option("text", "json")
@handle_errors
def info(project_dir: Path | None, fmt: str) -> None:
    """Where the store is, its schema version and what it holds.

    Counts of versions, savepoints, events, transitions (open ones: an apply was
    interrupted and the next one finishes it) and journal entries; the targets
    and their jobs; who holds an apply lock.
    """
    from flinkops.spec import load_project

    project = load_project(project_dir)
    with Store(project.store_location) as s:
        data = store_info(s)
    if fmt == "json":
        emit_json(data)
        return
    click.echo(_info_text(data), nl=False)


def _info_text(data: dict[str, Any]) -> str:
    tables = data["tables"]
    holds = ", ".join(f"{n} {t}" for t, n in tables.items()) or "nothing"
    targets = data["targets"]
    lines = [
        f"store      {data['location']}",
        f"backend    {data['backend']}",
        f"schema     version {data['schema_version']}"
        f" (this flinkops writes {data['latest_schema_version']})",
        f"holds      {holds}",
        f"open       {data['open_transitions']} interrupted transition(s)",
        "targets    "
        + (", ".join(f"{t} ({len(jobs)} jobs)" for t, jobs in targets.items()) or "none"),
    ]
    locks = data["locks"]
    if not locks:
        lines.append("locks      none")
    for lock in locks:
        who = describe_holder(lock["holder"], lock["pid"], lock["hostname"], lock.get("ci_run"))
        lines.append(f"locked     {lock['target']}: {who} since {lock['since']}")
    return "\n".join(lines) + "\n"


@store.command("migrate")
@click.option(
    "--to",
    "to_url",
    required=True,
    metavar="URL",
    help="The empty store to copy into: postgresql://user@host:5432/dbname[?schema=name]; "
    "the password from ${env:NAME} in the URL or PGPASSWORD.",
)
@click.option(
    "--from",
    "from_location",
    default=None,
    metavar="LOCATION",
    help="The store to copy (default: the project's `store`).",
)
@project_option
@format_option("text", "json")
@handle_errors
def migrate(to_url: str, from_location: str | None, project_dir: Path | None, fmt: str) -> None:
    """Copy the project's SQLite store into PostgreSQL and verify the counts.

    Every version, savepoint, event, transition (open ones too, so the next apply
    finishes them from the new store) and journal entry keeps its id. The copy
    holds the apply lock of every target (it refuses while an apply runs) and is
    one transaction: when a count differs, nothing is kept. Then point the
    project's `store` at URL.
    """
    from flinkops.spec import load_project, resolve_env_refs

    try:
        dest_url = resolve_env_refs(to_url)
    except KeyError as e:
        raise StoreError(
            f"--to refers to environment variable {e.args[0]}, which is not set"
        ) from None
    source_location = from_location or load_project(project_dir).store_location
    with Store(source_location) as source, Store(dest_url) as dest:
        report = copy_store(source, dest)
    if fmt == "json":
        emit_json(report)
        return
    for table, n in report["tables"].items():
        click.echo(f"copied {n:>7} {table}")
    click.echo(
        f"Verified: {report['to']} holds every row of {report['from']}.\n"
        f"Now set `store: {_written(to_url, report['to'])}` in flinkops.yaml."
    )


def _written(as_given: str, display: str) -> str:
    """The URL to write in flinkops.yaml: as given when it holds ${env:...}, else without
    the password (which then comes from PGPASSWORD)."""
    return as_given if "${env:" in as_given else display
