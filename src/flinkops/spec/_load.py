"""Reading spec files: size-checked reads, the job files a project points at, and one
job document turned into a ``JobSpec`` whose SQL is located in the file that holds it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flinkops.errors import Problem
from flinkops.redact import sensitive_sql_values
from flinkops.spec._checks import (
    default_target_problems,
    duplicate_name,
    reference_problems,
    schedule_problems,
)
from flinkops.spec._env import ENV_REF, resolve_env
from flinkops.spec._pydantic import JobModel, ProjectModel, SpecModel
from flinkops.spec._schema import schema_problems
from flinkops.spec._types import JobSpec
from flinkops.spec._yaml import MAX_FILE_BYTES, Document, load_documents

__all__ = [
    "PROJECT_FILE",
    "LoadedProject",
    "env_scope",
    "find_test_files",
    "forget_lines",
    "is_test_file",
    "load_job",
    "load_jobs",
    "load_project_file",
    "read_file",
    "relative_path",
    "spec_files",
]

PROJECT_FILE = "flinkops.yaml"


def relative_path(path: Path, root: Path) -> str:
    """``path`` as shown in problems: relative to the project ``root`` when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def read_file(path: Path, shown: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of a spec or SQL file, or a problem (too big, unreadable) located at 1:1."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, Problem(
                shown,
                1,
                1,
                f"file is {path.stat().st_size} bytes; specs are limited to {MAX_FILE_BYTES} bytes",
            )
        return path.read_bytes(), None
    except OSError as exc:
        return None, Problem(shown, 1, 1, f"cannot read: {exc.strerror or exc}")


@dataclass(frozen=True)
class LoadedProject:
    """flinkops.yaml read: its document, model, the secrets from the env, and per scope
    (``env_scope``) the unset ``${env:NAME}`` that only the commands using it need."""

    doc: Document
    model: ProjectModel
    secrets: set[str]
    unresolved: dict[str, list[Problem]]


def env_scope(pointer: str) -> str | None:
    """The part of flinkops.yaml a pointer is in when only some commands use that part:
    ``/targets/NAME`` (commands on that target), ``/store`` (commands that open the
    store), ``/alerts/channels/NAME`` (commands that send alerts); None otherwise."""
    parts = pointer.split("/")
    if parts[1:2] == ["store"]:
        return "/store"
    if parts[1:2] == ["targets"] and len(parts) > 2:
        return "/".join(parts[:3])
    if parts[1:3] == ["alerts", "channels"] and len(parts) > 3:
        return "/".join(parts[:4])
    return None


def load_project_file(
    project_file: Path, env: dict[str, str]
) -> tuple[LoadedProject | None, list[Problem]]:
    """flinkops.yaml read and checked, or None and why not."""
    shown = relative_path(project_file, project_file.parent)
    raw, problem = read_file(project_file, shown)
    if problem:
        return None, [problem]
    assert raw is not None
    docs, problems = load_documents(shown, raw)
    if problems:
        return None, problems
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return None, [Problem(shown, 1, 1, f"{PROJECT_FILE} must hold one mapping (a Project)")]
    pdoc = docs[0]
    problems = schema_problems(pdoc, "project")
    if problems:
        return None, problems
    unresolved: dict[str, list[Problem]] = {}
    secrets = resolve_env(pdoc, env, problems, scope_of=env_scope, deferred=unresolved)
    if problems:
        return None, problems
    pmodel = ProjectModel.model_validate(pdoc.data)
    problems.extend(schedule_problems(pdoc, "", pmodel.savepoints))
    problems.extend(default_target_problems(pmodel, pdoc))
    return LoadedProject(pdoc, pmodel, secrets, unresolved), problems


def spec_files(root: Path, entries: list[str], doc: Document) -> tuple[list[Path], list[Problem]]:
    """The YAML files named (or found under the directories named) by ``jobs:``, once each."""
    files: list[Path] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        where = root / entry
        if where.is_dir():
            files.extend(
                sorted(
                    p
                    for p in where.rglob("*")
                    if p.suffix in (".yaml", ".yml") and p.is_file() and not is_test_file(p)
                )
            )
        elif where.is_file():
            files.append(where)
        else:
            problems.append(doc.problem(f"/jobs/{i}", f"{entry!r} does not exist"))
    unique = list(dict.fromkeys(files))  # in order, each file once
    return unique, problems


def is_test_file(path: Path) -> bool:
    """A ``*.test.yaml`` file holds SQL tests (``flinkops test``), not a job spec."""
    return path.name.endswith((".test.yaml", ".test.yml"))


def find_test_files(root: Path, entries: list[str]) -> list[Path]:
    """The ``*.test.yaml`` files under the directories (or beside the files) ``jobs:`` names."""
    found: list[Path] = []
    for entry in entries:
        where = root / entry
        base = where if where.is_dir() else where.parent
        if base.is_dir():
            found.extend(sorted(p for p in base.rglob("*") if p.is_file() and is_test_file(p)))
    return list(dict.fromkeys(found))


def load_jobs(
    files: list[Path], root: Path, env: dict[str, str], pmodel: ProjectModel
) -> tuple[list[JobSpec], list[Problem]]:
    """Every job document of ``files``, and every problem in them or between them."""
    jobs: list[JobSpec] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}  # job name -> file:line:col of its name
    for file in files:
        rel = relative_path(file, root)
        raw, problem = read_file(file, rel)
        if problem:
            problems.append(problem)
            continue
        assert raw is not None
        docs, doc_problems = load_documents(rel, raw)
        problems.extend(doc_problems)
        for doc in docs:
            if not isinstance(doc.data, dict):
                problems.append(doc.problem("", "a job spec must be a mapping (kind: SqlJob)"))
                continue
            job, job_problems = load_job(doc, file, root, env)
            problems.extend(job_problems)
            problems.extend(duplicate_name(doc, rel, first_seen))
            if job is not None:
                jobs.append(job)
                problems.extend(reference_problems(pmodel, doc, job))
    return jobs, problems


def load_job(
    doc: Document, file: Path, root: Path, env: dict[str, str]
) -> tuple[JobSpec | None, list[Problem]]:
    """One job document as a JobSpec (None when it cannot be built), and its problems."""
    problems = schema_problems(doc, "job")
    if problems:
        return None, problems
    refs: dict[str, str] = {}
    secrets = resolve_env(doc, env, problems, refs)
    if problems:
        return None, problems
    model = JobModel.model_validate(doc.data)
    spec = model.spec
    problems.extend(schedule_problems(doc, "/spec", spec.savepoints))
    for tname, override in (spec.overrides or {}).items():
        problems.extend(schedule_problems(doc, f"/spec/overrides/{tname}", override.savepoints))
    if spec.sql is not None:
        sql, sql_path = spec.sql, file
        sql_line, sql_col = _inline_sql_start(doc, file)
    else:
        sql_path, sql, problem = _read_sql_file(doc, spec, file, root)
        if problem is not None:
            return None, [problem]
        sql_line, sql_col = 1, 1
        if ENV_REF.search(sql):
            fake = Document(path=relative_path(sql_path, root), data=sql, line=1)
            secrets |= resolve_env(fake, env, problems, refs)
            sql = fake.data
    secrets |= sensitive_sql_values(sql)
    if not sql.strip():
        problems.append(doc.problem("/spec", "missing SQL: the SQL text is empty"))
    job = JobSpec(
        name=model.metadata.name,
        labels=dict(model.metadata.labels),
        model=spec,
        sql=sql,
        path=file,
        line=doc.line,
        sql_path=sql_path,
        sql_line=sql_line,
        sql_col=sql_col,
        secrets=frozenset(secrets),
        env_refs=tuple(sorted(refs.items(), key=lambda kv: -len(kv[1]))),
    )
    return job, problems


def _inline_sql_start(doc: Document, file: Path) -> tuple[int, int]:
    """Where the text of ``sql:`` starts in the YAML: past a block indicator or a quote."""
    line, col = doc.where("/spec/sql")
    if "/spec/sql" in doc.block_scalars:
        return _block_start(file, line)
    return line, col + (1 if _quoted(file, line, col) else 0)


def _read_sql_file(
    doc: Document, spec: SpecModel, file: Path, root: Path
) -> tuple[Path, str, Problem | None]:
    """The ``sqlFile`` (relative to the spec): its path, and its text or why it has none."""
    assert spec.sql_file is not None
    sql_path = (file.parent / spec.sql_file).resolve()
    shown = relative_path(sql_path, root)
    if not sql_path.is_file():
        message = f"sqlFile {spec.sql_file!r} not found (looked at {shown})"
        return sql_path, "", doc.problem("/spec/sqlFile", message)
    raw, problem = read_file(sql_path, shown)
    if problem:
        return sql_path, "", problem
    assert raw is not None
    try:
        sql = raw.decode("utf-8")
    except UnicodeDecodeError:
        return sql_path, "", doc.problem("/spec/sqlFile", f"sqlFile {shown} is not UTF-8 text")
    if "\x00" in sql:
        return sql_path, "", doc.problem("/spec/sqlFile", f"sqlFile {shown} is not a text file")
    return sql_path, sql, None


@cache
def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def forget_lines() -> None:
    """Drop the cached lines of spec files: a new load reads them afresh."""
    _lines.cache_clear()


def _block_start(path: Path, indicator_line: int) -> tuple[int, int]:
    """First content line (and its indent) of a block scalar whose indicator is on a line."""
    lines = _lines(path)
    for number in range(indicator_line + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.strip():
            return number, len(text) - len(text.lstrip()) + 1
    return indicator_line + 1, 1


def _quoted(path: Path, line: int, col: int) -> bool:
    lines = _lines(path)
    return 0 < line <= len(lines) and lines[line - 1][col - 1 : col] in ("'", '"')
