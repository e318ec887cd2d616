"""Versions in the store as apply writes them: reserving a number, rebuilding a spec
(``spec_of_version``: the spec version N of a job ran, which a rollback submits).

A version is recorded (``in-progress``) just before its first submission, with the
spec as the store keeps it (``${env:NAME}`` in place of secrets from the
environment), so a rollback can rebuild and resubmit it later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flinkops.errors import ApplyError, PlanError
from flinkops.gitinfo import git_info
from flinkops.redact import MASK
from flinkops.spec import JobSpec, SpecModel, resolve_env_refs
from flinkops.store import Outcome, Store, VersionRecord

__all__ = ["reserve_version", "spec_commit", "spec_from_version", "spec_of_version"]


def reserve_version(
    store: Store, target: str, spec: JobSpec, version: int, restore: str | None
) -> None:
    """Record ``version`` of ``spec`` as in progress, unless the store already has it."""
    if store.version(target, spec.name, version) is not None:
        return
    commit, author = spec_commit(spec)
    store.record_version(
        VersionRecord(
            target=target,
            job=spec.name,
            version=version,
            spec_hash=spec.spec_hash,
            sql_hash=spec.sql_hash,
            config_hash=spec.config_hash,
            spec=spec.portable(spec.to_json(redacted=False)),
            sql=spec.portable(spec.sql),
            git_commit=commit,
            git_author=author,
            restored_from=restore,
            outcome=Outcome.IN_PROGRESS,
        )
    )


def spec_commit(spec: JobSpec | None) -> tuple[str | None, str | None]:
    """The commit (``-dirty`` when the files differ from it) and author of the last
    commit touching ``spec``'s files; (None, None) outside git or without a spec."""
    git = git_info([spec.path, spec.sql_path]) if spec is not None else None
    return (git.shown_commit, git.author) if git else (None, None)


def spec_from_version(current: JobSpec, record: VersionRecord) -> JobSpec:
    """``current`` (the job's spec now) with a stored version's SQL and runtime
    configuration put back, ``${env:...}`` resolved again: what a rollback submits."""
    sql = resolve_env_refs(record.sql)
    stored = record.spec
    config = resolve_env_refs(dict(stored.get("flinkConfiguration") or {}))
    if MASK in sql or MASK in str(config):
        raise ApplyError(
            f"version {record.version} was stored with a literal secret masked; "
            "write secrets as ${env:NAME} so flinkops can roll back"
        )
    data = current.model.model_dump(exclude_none=True)
    data.update(
        sql=sql,
        sql_file=None,
        parallelism=stored.get("parallelism"),
        upgrade_mode=stored.get("upgradeMode", "savepoint"),
        allow_non_restored_state=stored.get("allowNonRestoredState", False),
        flink_configuration=config,
        state="running",
    )
    data = {k: v for k, v in data.items() if v is not None}
    return replace(current, model=SpecModel(**data), sql=sql)


def spec_of_version(
    store: Store,
    target: str,
    job: str,
    version: int,
    current_spec: Callable[[str], JobSpec | None],
) -> JobSpec:
    """The spec ``version`` of ``job`` ran, rebuilt on the job's spec now (looked up by
    ``current_spec`` once the version is found); PlanError, saying where to look, when
    the store has no such version or the job no spec any more."""
    record = store.version(target, job, version)
    if record is None:
        raise PlanError(
            f"{job} has no version {version} on target {target} (see `flinkops history {job}`)"
        )
    current = current_spec(job)
    if current is None:
        raise PlanError(f"{job} has no spec any more; restore the spec file first")
    return spec_from_version(current, record)
