"""The rules a schema cannot say: names unique across files, targets and channels that
exist, savepoint schedules that parse. Each returns located problems."""

from __future__ import annotations

from typing import Any

from flinkops.errors import Problem
from flinkops.spec._pydantic import ProjectModel, SavepointPolicy
from flinkops.spec._schedule import Schedule
from flinkops.spec._types import JobSpec
from flinkops.spec._yaml import Document

__all__ = [
    "channel_problems",
    "default_target_problems",
    "duplicate_name",
    "reference_problems",
    "schedule_problems",
]


def schedule_problems(doc: Document, at: str, policy: SavepointPolicy | None) -> list[Problem]:
    """A ``savepoints.schedule`` that is neither an interval nor a valid cron expression."""
    if policy is None or policy.schedule is None:
        return []
    try:
        Schedule.parse(policy.schedule)
    except ValueError as exc:
        return [doc.problem(f"{at}/savepoints/schedule", str(exc))]
    return []


def default_target_problems(pmodel: ProjectModel, pdoc: Document) -> list[Problem]:
    """A ``defaultTarget`` or ``validateTarget`` that names no target."""
    return [
        pdoc.problem(f"/{key}", f"{key} {name!r} is not a target")
        for key, name in (
            ("defaultTarget", pmodel.default_target),
            ("validateTarget", pmodel.validate_target),
        )
        if name is not None and name not in pmodel.targets
    ]


def duplicate_name(doc: Document, rel: str, first_seen: dict[str, str]) -> list[Problem]:
    """A duplicate ``metadata.name``, read from the document itself: names are compared
    even when a spec has other problems, so fixing one never uncovers a duplicate.
    ``first_seen`` maps a name to where it was first written (``file:line:col``)."""
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not name:
        return []
    if name not in first_seen:
        line, col = doc.where("/metadata/name")
        first_seen[name] = f"{rel}:{line}:{col}"
        return []
    where = first_seen[name]
    return [doc.problem("/metadata/name", f"duplicate job name {name!r} (also in {where})")]


def reference_problems(pmodel: ProjectModel, doc: Document, job: JobSpec) -> list[Problem]:
    """Targets, overrides and alert channels of one job that flinkops.yaml does not define."""
    problems = [
        doc.problem(f"/spec/targets/{i}", f"unknown target {tname!r}{_known(pmodel)}")
        for i, tname in enumerate(job.model.targets or [])
        if tname not in pmodel.targets
    ]
    problems.extend(channel_problems(pmodel, doc, "/spec/alerts/sendTo", job.model.alerts))
    problems.extend(
        doc.problem(
            f"/spec/overrides/{tname}",
            f"override for unknown target {tname!r}{_known(pmodel)}",
            key=True,
        )
        for tname in job.model.overrides or {}
        if tname not in pmodel.targets
    )
    return problems


def channel_problems(
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
