"""Loading a whole project: ``flinkops.yaml`` and every job spec it points at.

``load_project(dir)`` reads ``flinkops.yaml`` and every job spec it points at,
checks them against the JSON schemas in ``schemas/`` (the contract) and the
pydantic models (which must agree with them), resolves ``${env:NAME}`` (an unset
one in a target, the store or an alert channel fails only the commands that use
that part: ``Project.require_env``), collects sensitive values for redaction, and
checks the rules that cross files (unique names, known targets, existing ``sqlFile``).
``FLINKOPS_STORE`` in the environment takes the place of ``store:``.
Every problem is collected and reported together, each at ``path:line:col`` with its
JSON pointer.
"""

from __future__ import annotations

import os
from pathlib import Path

from flinkops.errors import Problem, SpecError
from flinkops.spec._checks import channel_problems
from flinkops.spec._load import PROJECT_FILE, forget_lines, load_jobs, load_project_file, spec_files
from flinkops.spec._types import Project
from flinkops.store import store_secrets

__all__ = ["STORE_ENV", "find_project_file", "inspect_project", "load_project"]

#: Takes the place of flinkops.yaml's ``store:`` (a team's CI passes its PostgreSQL URL
#: from a secret; `flinkops init`'s workflows do).
STORE_ENV = "FLINKOPS_STORE"


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


def load_project(
    project_dir: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    allow_empty: bool = False,
) -> Project:
    """Load and check the whole project; raise SpecError listing every problem found.
    ``allow_empty``: a project without job specs is no problem (`flinkops import` adds
    the first ones)."""
    project, problems = inspect_project(project_dir, env=env, allow_empty=allow_empty)
    if problems or project is None:
        raise SpecError(problems)
    return project


def inspect_project(
    project_dir: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    allow_empty: bool = False,
) -> tuple[Project | None, list[Problem]]:
    """Like load_project, but return (project or None, problems) instead of raising."""
    forget_lines()
    env = dict(os.environ) if env is None else env
    project_file = find_project_file(project_dir)
    root = project_file.parent
    loaded, problems = load_project_file(project_file, env)
    if loaded is None:
        return None, problems
    pdoc, pmodel = loaded.doc, loaded.model
    unresolved = dict(loaded.unresolved)
    if env.get(STORE_ENV):  # CI's shared store, from a secret, in place of `store:`
        pmodel = pmodel.model_copy(update={"store": env[STORE_ENV]})
        unresolved.pop("/store", None)
    files, file_problems = spec_files(root, pmodel.jobs, pdoc)
    problems.extend(file_problems)
    jobs, job_problems = load_jobs(files, root, env, pmodel)
    problems.extend(job_problems)
    problems.extend(channel_problems(pmodel, pdoc, "/alerts/sendTo", pmodel.alerts))
    if not jobs and not problems and not allow_empty:
        problems.append(pdoc.problem("/jobs", "no job specs found"))
    project = Project(
        root=root,
        path=project_file,
        model=pmodel,
        jobs=jobs,
        secrets=frozenset(loaded.secrets)
        .union(*(j.secrets for j in jobs))
        .union(store_secrets(pmodel.store, env)),
        unresolved={scope: tuple(found) for scope, found in unresolved.items()},
        targets_at=pdoc.where("/targets", key=True),
    )
    return project, problems
