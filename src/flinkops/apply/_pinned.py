"""Compiled plans pinned per version (a spec's ``compiledPlan: pin``), for the submit step.

Flink compiles a job's INSERT, or its statement set, into a JSON plan (``COMPILE PLAN
'file' FOR ...``, FLIP-190) and runs a job from it (``EXECUTE PLAN 'file'``: the SQL
runner takes it as the job). A pinned spec is submitted from the plan kept with the
newest version of the same SQL (``store.pinned_plan``): a restart, or a migration to a
new cluster or a new Flink, runs the same operator topology, so the state's operator ids
do not move. Without one (the first version, or the SQL changed) the submit compiles the
plan and runs it; apply then keeps the file's JSON with the version (``keep_plan``),
portable (secrets from the environment as ``${env:NAME}``; a plan holding another
secret, which the store masks, is compiled again next time).

The plan file is written in ``plan_dir``, which the JobManager must read (it runs the
runner's program): a local cluster's, or a shared mount. Flink compiles only INSERTs and
statement sets (``COMPILE PLAN`` refuses anything else, and a job with no INSERT has
nothing to pin: flinkops refuses it before it submits).
"""

from __future__ import annotations

import re
from pathlib import Path

from flinkops.errors import ApplyError
from flinkops.redact import MASK
from flinkops.spec import JobSpec, resolve_env_refs
from flinkops.store import PinnedPlan, Store, pinned_plan, put_pinned_plan

__all__ = ["keep_plan", "pinned_program"]

_SET_OPEN = re.compile(
    r"(?is)^(?:EXECUTE\s+)?(?:BEGIN\s+STATEMENT\s+SET|STATEMENT\s+SET\s+BEGIN)\b(.*?)(?:\bEND)?$"
)
_INSERT = re.compile(r"(?is)^(?:EXECUTE\s+)?(INSERT\b.*)$")


def pinned_program(
    store: Store, target: str, job: str, spec: JobSpec, plan_dir: Path | None
) -> tuple[list[str], Path, bool]:
    """The statements that run ``spec`` from its pinned plan, the plan's file, and whether
    the plan was kept before (False: these statements compile it first)."""
    if plan_dir is None:
        raise ApplyError(
            f"{job}: compiledPlan: pin needs a directory for the plan files the JobManager "
            "reads; apply from the project's directory"
        )
    plan_dir.mkdir(parents=True, exist_ok=True)
    path = plan_dir / f"{target}-{job}-{spec.sql_hash[:16]}.json"
    kept = pinned_plan(store, target, job, spec.sql_hash)
    if kept is not None and MASK not in kept.plan:
        path.write_text(resolve_env_refs(kept.plan))
        return [f"EXECUTE PLAN '{path}'"], path, True
    ddl, inserts = _split(spec)
    body = inserts[0] if len(inserts) == 1 else _statement_set(inserts)
    compiled = [
        "SET 'table.plan.force-recompile' = 'true'",  # a file left from an earlier try
        *ddl,
        f"COMPILE PLAN '{path}' FOR {body}",
        f"EXECUTE PLAN '{path}'",
    ]
    return compiled, path, False


def keep_plan(
    store: Store,
    target: str,
    job: str,
    version: int,
    spec: JobSpec,
    path: Path,
    flink_version: str | None,
) -> None:
    """Keep the plan the submit compiled into ``path`` with ``version``, portable."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ApplyError(
            f"{job}: the compiled plan {path} cannot be read ({exc}): the JobManager must "
            "write where flinkops reads (a local cluster, or a shared mount)"
        ) from exc
    pinned = PinnedPlan(version, spec.sql_hash, flink_version, spec.portable(text))
    put_pinned_plan(store, target, job, version, pinned)


def _split(spec: JobSpec) -> tuple[list[str], list[str]]:
    """The statements before the job (SET, DDL), and its INSERTs (statement sets opened)."""
    ddl: list[str] = []
    inserts: list[str] = []
    opened = False
    for sql in spec.statements:
        text = sql.strip().rstrip(";")
        whole = _SET_OPEN.match(text)
        if whole is not None:
            inserts += [s.strip() for s in whole.group(1).split(";") if s.strip()]
            opened = not re.search(r"(?is)\bEND$", text) and not whole.group(1).strip()
        elif text.upper() == "END":
            opened = False
        elif _INSERT.match(text) or opened:
            inserts.append(_INSERT.sub(r"\1", text))
        else:
            ddl.append(text)
    if not inserts:
        raise ApplyError(f"{spec.name}: compiledPlan: pin needs an INSERT to compile")
    return ddl, inserts


def _statement_set(inserts: list[str]) -> str:
    return "STATEMENT SET BEGIN " + " ".join(f"{s};" for s in inserts) + " END"
