"""Project and job specs: models, YAML loading with line numbers, per-target views.

``load_project(dir)`` reads ``flinkops.yaml`` and every job spec it points at,
checks them against the JSON schemas in ``schemas/`` (the contract) and the
pydantic models below (which must agree with them), resolves ``${env:NAME}``,
collects sensitive values for redaction, and checks the rules that cross files
(unique names, known targets, existing ``sqlFile``). Every problem is collected
and reported together, each at ``path:line:col`` with its JSON pointer.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema

from flinkops._models import (
    ConfigValue,
    Health,
    JobModel,
    ProjectModel,
    SavepointPolicy,
    SpecModel,
    Target,
    parse_duration,
)
from flinkops._yaml import MAX_FILE_BYTES, Document, load_documents
from flinkops.errors import Problem, SpecError
from flinkops.redact import is_sensitive_key, redact, sensitive_sql_values
from flinkops.store import store_secrets

__all__ = [
    "PROJECT_FILE",
    "Health",
    "JobSpec",
    "Project",
    "SavepointPolicy",
    "Target",
    "find_project_file",
    "load_project",
    "parse_duration",
    "resolve_env_refs",
]

PROJECT_FILE = "flinkops.yaml"
SCHEMA_DIR = Path(__file__).parent / "schemas"
_ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


# ---------------------------------------------------------------- loaded objects


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class JobSpec:
    """One job as written, or (after ``Project.jobs_for``) as it applies to one target."""

    name: str
    labels: dict[str, str]
    model: SpecModel
    sql: str
    path: Path
    line: int
    sql_path: Path
    sql_line: int
    sql_col: int
    secrets: frozenset[str] = frozenset()
    target: str | None = None
    target_health: Health | None = None
    target_savepoint_dir: str | None = None
    project_savepoints: SavepointPolicy | None = None
    env_refs: tuple[tuple[str, str], ...] = ()

    # -- effective settings (overrides already merged by jobs_for)
    @property
    def state(self) -> str:
        return self.model.state or "running"

    @property
    def parallelism(self) -> int | None:
        return self.model.parallelism

    @property
    def upgrade_mode(self) -> str:
        return self.model.upgrade_mode or "savepoint"

    @property
    def allow_non_restored_state(self) -> bool:
        return bool(self.model.allow_non_restored_state)

    @property
    def flink_configuration(self) -> dict[str, str]:
        return {
            k: _config_str(v) for k, v in sorted((self.model.flink_configuration or {}).items())
        }

    @property
    def savepoint_dir(self) -> str | None:
        return self.model.savepoint_dir or self.target_savepoint_dir

    @property
    def health(self) -> Health:
        return Health().merged(self.target_health).merged(self.model.health)

    @property
    def savepoint_policy(self) -> SavepointPolicy:
        """The project's ``savepoints:`` defaults with the job's own settings over them."""
        return SavepointPolicy().merged(self.project_savepoints).merged(self.model.savepoints)

    def runs_on(self, target: str) -> bool:
        return self.model.targets is None or target in self.model.targets

    @cached_property
    def statements(self) -> list[str]:
        from flinkops.sql import split_statements

        return [s.text for s in split_statements(self.sql)]

    # -- fingerprints (STYLE.md item 4: SQL and runtime configuration apart)
    @cached_property
    def sql_hash(self) -> str:
        normalized = "\n".join(line.rstrip() for line in ";\n".join(self.statements).splitlines())
        return _sha(normalized)[:16]

    @cached_property
    def config_hash(self) -> str:
        config = {
            "parallelism": self.parallelism,
            "flinkConfiguration": self.flink_configuration,
            "upgradeMode": self.upgrade_mode,
            "allowNonRestoredState": self.allow_non_restored_state,
        }
        return _sha(json.dumps(config, sort_keys=True))[:16]

    @cached_property
    def spec_hash(self) -> str:
        return _sha(f"{self.sql_hash}:{self.config_hash}")[:16]

    def portable(self, value: Any) -> Any:
        """``value`` with env-derived secrets written back as ``${env:NAME}`` and any other
        secret masked: safe to store, and resolvable again (``resolve_env_refs``)."""

        def unresolve(v: Any) -> Any:
            if isinstance(v, str):
                for name, secret in self.env_refs:
                    if len(secret) >= 3:
                        v = v.replace(secret, "${env:" + name + "}")
                return v
            if isinstance(v, dict):
                return {k: unresolve(x) for k, x in v.items()}
            if isinstance(v, list):
                return [unresolve(x) for x in v]
            return v

        from_env = {secret for _, secret in self.env_refs}
        return redact(unresolve(value), self.secrets - from_env)

    def to_json(self, *, redacted: bool = True) -> dict[str, Any]:
        """The effective spec as plain data; secrets masked unless ``redacted=False``."""
        data: dict[str, Any] = {
            "name": self.name,
            "labels": dict(self.labels),
            "state": self.state,
            "parallelism": self.parallelism,
            "upgradeMode": self.upgrade_mode,
            "allowNonRestoredState": self.allow_non_restored_state,
            "flinkConfiguration": self.flink_configuration,
            "savepointDir": self.savepoint_dir,
            "sql": self.sql,
        }
        return redact(data, self.secrets) if redacted else data


def _config_str(value: ConfigValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Project:
    root: Path
    path: Path
    model: ProjectModel
    jobs: list[JobSpec] = field(default_factory=list)
    secrets: frozenset[str] = frozenset()

    @property
    def targets(self) -> dict[str, Target]:
        return self.model.targets

    @property
    def store_location(self) -> str:
        """The store's location: a URL (sqlite://, postgresql://) as written, else a file
        path resolved against the project directory. May hold a password: never print it
        (``Store.location`` is the printable form)."""
        store = self.model.store
        if "://" in store or store == ":memory:":
            return store
        return str((self.root / store).resolve())

    def target(self, name: str | None) -> tuple[str, Target]:
        """The named target, else defaultTarget, else the only one; SpecError otherwise."""
        name = name or self.model.default_target
        if name is None and len(self.targets) == 1:
            name = next(iter(self.targets))
        if name is None:
            raise SpecError(
                [
                    Problem(
                        str(self.path),
                        1,
                        1,
                        "no target given and no defaultTarget; use --target NAME",
                    )
                ]
            )
        if name not in self.targets:
            known = ", ".join(sorted(self.targets)) or "none"
            raise SpecError(
                [
                    Problem(
                        str(self.path),
                        1,
                        1,
                        f"unknown target {name!r} (known: {known})",
                        "/targets",
                    )
                ]
            )
        return name, self.targets[name]

    def jobs_for(self, target: str) -> list[JobSpec]:
        """Jobs that run on ``target``, with that target's overrides and defaults merged."""
        tgt = self.targets[target]
        out = []
        for job in self.jobs:
            if not job.runs_on(target):
                continue
            override = (job.model.overrides or {}).get(target)
            model = job.model
            if override is not None:
                data = model.model_dump(exclude_none=True)
                extra = override.model_dump(exclude_none=True)
                if "flink_configuration" in extra:
                    extra["flink_configuration"] = {
                        **data.get("flink_configuration", {}),
                        **extra["flink_configuration"],
                    }
                for nested in ("health", "savepoints"):
                    if nested in extra:
                        extra[nested] = {**data.get(nested, {}), **extra[nested]}
                if "retain" in extra.get("savepoints", {}):
                    base_retain = data.get("savepoints", {}).get("retain", {})
                    extra["savepoints"]["retain"] = {**base_retain, **extra["savepoints"]["retain"]}
                data.update(extra)
                model = SpecModel(**data)
            out.append(
                replace(
                    job,
                    model=model,
                    target=target,
                    target_health=tgt.health,
                    target_savepoint_dir=tgt.savepoint_dir,
                    project_savepoints=self.model.savepoints,
                )
            )
        return out

    def headers(self, target: str) -> dict[str, str]:
        return dict(self.targets[target].headers)


# ---------------------------------------------------------------- loading


def resolve_env_refs(value: Any, env: dict[str, str] | None = None) -> Any:
    """Resolve ``${env:NAME}`` in a stored (portable) value; KeyError names a missing one."""
    env = dict(os.environ) if env is None else env

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return _ENV_REF.sub(lambda m: env[m.group(1)], v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value)


def find_project_file(start: Path | None = None) -> Path:
    """``start/flinkops.yaml``, searching upward from ``start`` (default: cwd)."""
    here = (start or Path.cwd()).resolve()
    if start is not None:
        candidate = here / PROJECT_FILE if here.is_dir() else here
        if candidate.is_file():
            return candidate
        raise SpecError([Problem(str(candidate), 1, 1, f"no {PROJECT_FILE} here")])
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    raise SpecError(
        [
            Problem(
                str(here),
                1,
                1,
                f"no {PROJECT_FILE} in this directory or above; pass --project DIR or create one",
            )
        ]
    )


@cache
def _validators() -> dict[str, jsonschema.protocols.Validator]:
    """The JSON schemas in schemas/ (self-contained, so plain jsonschema can use them)."""
    return {
        name: jsonschema.Draft202012Validator(
            json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
        )
        for name in ("job", "project")
    }


def schema_problems(doc: Document, kind: str) -> list[Problem]:
    """Validate one document against its JSON schema; one located problem per error."""
    validator = _validators()[kind]
    problems = []
    for error in validator.iter_errors(doc.data):
        problems.extend(_explain(error, doc))
    return problems


def _pointer(path: Any) -> str:
    from flinkops._yaml import escape_pointer

    return "".join(f"/{escape_pointer(str(p))}" for p in path)


def _explain(error: jsonschema.ValidationError, doc: Document) -> list[Problem]:
    pointer = _pointer(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            child = f"{pointer}/{key}"
            out.append(doc.problem(child, f"unknown key {key!r}{hint}", key=True))
        return out
    if error.validator == "oneOf" and pointer.endswith("/spec"):
        inst = error.instance if isinstance(error.instance, dict) else {}
        if "sql" in inst and "sqlFile" in inst:
            return [
                doc.problem(pointer + "/sqlFile", "give either sql or sqlFile, not both", key=True)
            ]
        return [doc.problem(pointer, "missing SQL: give sql (inline) or sqlFile")]
    if error.validator == "required":
        return [
            doc.problem(pointer, error.message.replace("is a required property", "is required"))
        ]
    if error.validator == "const":
        return [doc.problem(pointer, f"must be {error.validator_value!r}, not {error.instance!r}")]
    if error.validator == "enum":
        options = ", ".join(map(str, error.validator_value))
        return [doc.problem(pointer, f"{error.instance!r} is not one of: {options}")]
    if error.validator == "pattern" and pointer.endswith("/metadata/name"):
        return [
            doc.problem(
                pointer,
                f"bad job name {error.instance!r}: use lowercase letters, "
                "digits and '-', starting and ending with a letter or digit",
            )
        ]
    message = error.message
    if len(message) > 200:
        message = message[:200] + "..."
    return [doc.problem(pointer, message)]


def _resolve_env(
    doc: Document, env: dict[str, str], problems: list[Problem], refs: dict[str, str] | None = None
) -> set[str]:
    """Replace ``${env:NAME}`` in every string; return the values that came from the env.

    ``refs`` (when given) collects NAME -> value, so a stored spec can say
    ``${env:NAME}`` again instead of the secret (see ``JobSpec.portable``).
    """
    secrets: set[str] = set()

    def sub(text: str, pointer: str) -> str:
        def one(match: re.Match[str]) -> str:
            var = match.group(1)
            if var not in env:
                problems.append(
                    doc.problem(
                        pointer,
                        f"environment variable {var} is not set (referenced as ${{env:{var}}})",
                    )
                )
                return ""
            secrets.add(env[var])
            if refs is not None:
                refs[var] = env[var]
            return env[var]

        return _ENV_REF.sub(one, text)

    def walk(value: Any, pointer: str, key: str | None) -> Any:
        if isinstance(value, str):
            resolved = sub(value, pointer)
            if key is not None and is_sensitive_key(key) and resolved:
                secrets.add(resolved)
            return resolved
        if isinstance(value, dict):
            return {k: walk(v, f"{pointer}/{k}", str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{pointer}/{i}", None) for i, v in enumerate(value)]
        return value

    doc.data = walk(doc.data, "", None)
    return secrets


def _read(path: Path, shown: str) -> tuple[bytes | None, Problem | None]:
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


def _spec_files(root: Path, entries: list[str], doc: Document) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        where = root / entry
        if where.is_dir():
            files.extend(
                sorted(p for p in where.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            )
        elif where.is_file():
            files.append(where)
        else:
            problems.append(doc.problem(f"/jobs/{i}", f"{entry!r} does not exist"))
    seen: set[Path] = set()
    unique = [f for f in files if not (f in seen or seen.add(f))]
    return unique, problems


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _load_job(
    doc: Document, file: Path, root: Path, env: dict[str, str]
) -> tuple[JobSpec | None, list[Problem]]:
    problems = schema_problems(doc, "job")
    if problems:
        return None, problems
    refs: dict[str, str] = {}
    secrets = _resolve_env(doc, env, problems, refs)
    if problems:
        return None, problems
    model = JobModel.model_validate(doc.data)
    spec = model.spec
    problems.extend(_schedule_problems(doc, "/spec", spec.savepoints))
    for tname, override in (spec.overrides or {}).items():
        problems.extend(_schedule_problems(doc, f"/spec/overrides/{tname}", override.savepoints))
    if spec.sql is not None:
        sql = spec.sql
        sql_path = file
        line, col = doc.where("/spec/sql")
        if "/spec/sql" in doc.block_scalars:
            sql_line, sql_col = _block_start(file, line)
        else:
            sql_line, sql_col = line, col + (1 if _quoted(file, line, col) else 0)
    else:
        assert spec.sql_file is not None
        sql_path = (file.parent / spec.sql_file).resolve()
        shown = _rel(sql_path, root)
        if not sql_path.is_file():
            return None, [
                doc.problem(
                    "/spec/sqlFile", f"sqlFile {spec.sql_file!r} not found (looked at {shown})"
                )
            ]
        raw, problem = _read(sql_path, shown)
        if problem:
            return None, [problem]
        assert raw is not None
        try:
            sql = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, [doc.problem("/spec/sqlFile", f"sqlFile {shown} is not UTF-8 text")]
        if "\x00" in sql:
            return None, [doc.problem("/spec/sqlFile", f"sqlFile {shown} is not a text file")]
        sql_line, sql_col = 1, 1
        if _ENV_REF.search(sql):
            fake = Document(path=shown, data=sql, line=1)
            secrets |= _resolve_env(fake, env, problems, refs)
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


def _schedule_problems(doc: Document, at: str, policy: SavepointPolicy | None) -> list[Problem]:
    """A ``savepoints.schedule`` that is neither an interval nor a valid cron expression."""
    if policy is None or policy.schedule is None:
        return []
    from flinkops.savepoints._schedule import Schedule

    try:
        Schedule.parse(policy.schedule)
    except ValueError as exc:
        return [doc.problem(f"{at}/savepoints/schedule", str(exc))]
    return []


@cache
def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


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


def load_project(project_dir: Path | None = None, *, env: dict[str, str] | None = None) -> Project:
    """Load and check the whole project; raise SpecError listing every problem found."""
    project, problems = inspect_project(project_dir, env=env)
    if problems or project is None:
        raise SpecError(problems)
    return project


def inspect_project(
    project_dir: Path | None = None, *, env: dict[str, str] | None = None
) -> tuple[Project | None, list[Problem]]:
    """Like load_project, but return (project or None, problems) instead of raising."""
    _lines.cache_clear()
    env = dict(os.environ) if env is None else env
    project_file = find_project_file(project_dir)
    root = project_file.parent
    shown = _rel(project_file, root)
    raw, problem = _read(project_file, shown)
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
    secrets = _resolve_env(pdoc, env, problems)
    if problems:
        return None, problems
    pmodel = ProjectModel.model_validate(pdoc.data)
    problems.extend(_schedule_problems(pdoc, "", pmodel.savepoints))
    if pmodel.default_target is not None and pmodel.default_target not in pmodel.targets:
        problems.append(
            pdoc.problem(
                "/defaultTarget", f"defaultTarget {pmodel.default_target!r} is not a target"
            )
        )
    files, file_problems = _spec_files(root, pmodel.jobs, pdoc)
    problems.extend(file_problems)
    jobs: list[JobSpec] = []
    first_seen: dict[str, tuple[str, int]] = {}
    for file in files:
        rel = _rel(file, root)
        raw, problem = _read(file, rel)
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
            job, job_problems = _load_job(doc, file, root, env)
            problems.extend(job_problems)
            problems.extend(_duplicate_name(doc, rel, first_seen))
            if job is None:
                continue
            jobs.append(job)
            for i, tname in enumerate(job.model.targets or []):
                if tname not in pmodel.targets:
                    problems.append(
                        doc.problem(
                            f"/spec/targets/{i}", f"unknown target {tname!r}{_known(pmodel)}"
                        )
                    )
            problems.extend(_channel_problems(pmodel, doc, "/spec/alerts/sendTo", job.model.alerts))
            for tname in job.model.overrides or {}:
                if tname not in pmodel.targets:
                    problems.append(
                        doc.problem(
                            f"/spec/overrides/{tname}",
                            f"override for unknown target {tname!r}{_known(pmodel)}",
                            key=True,
                        )
                    )
    problems.extend(_channel_problems(pmodel, pdoc, "/alerts/sendTo", pmodel.alerts))
    if not jobs and not problems:
        problems.append(pdoc.problem("/jobs", "no job specs found"))
    project = Project(
        root=root,
        path=project_file,
        model=pmodel,
        jobs=jobs,
        secrets=frozenset(secrets)
        .union(*(j.secrets for j in jobs))
        .union(store_secrets(pmodel.store, env)),
    )
    return project, problems


def _duplicate_name(
    doc: Document, rel: str, first_seen: dict[str, tuple[str, int]]
) -> list[Problem]:
    """A duplicate ``metadata.name``, read from the document itself: names are compared
    even when a spec has other problems, so fixing one never uncovers a duplicate."""
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not name:
        return []
    if name not in first_seen:
        first_seen[name] = (rel, doc.line)
        return []
    where, line = first_seen[name]
    return [doc.problem("/metadata/name", f"duplicate job name {name!r} (also in {where}:{line})")]


def _channel_problems(
    pmodel: ProjectModel, doc: Document, pointer: str, alerts: Any
) -> list[Problem]:
    """``sendTo`` entries that name no channel of ``alerts.channels`` in flinkops.yaml."""
    channels = pmodel.alerts.channels if pmodel.alerts else {}
    known = ", ".join(sorted(channels)) or "none defined"
    return [
        doc.problem(f"{pointer}/{i}", f"unknown channel {name!r} (channels: {known})")
        for i, name in enumerate((alerts.send_to if alerts else None) or [])
        if name not in channels
    ]


def _known(model: ProjectModel) -> str:
    names = sorted(model.targets)
    close = ", ".join(names) if names else "none defined"
    return f" (targets: {close})"
