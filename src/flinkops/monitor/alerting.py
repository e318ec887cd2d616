"""The alert state machine, like Alertmanager's: pending -> firing -> resolved (pure).

One open record per fingerprint (target, job, rule), so a condition that stays true
fires once, not once per sample::

    condition true,  no record     -> pending (started now)
    condition true,  pending       -> firing once it has held ``for:``   => notify firing
    condition true,  firing        -> firing (evidence refreshed, no notification)
    condition false, pending       -> dropped (it never fired)
    condition false, firing        -> resolved                             => notify resolved

``step`` returns the records to save, the pending ids to drop, and the transitions
to deliver; it reads nothing and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from flinkops.monitor.rules import Condition
from flinkops.store import AlertRecord

__all__ = ["Step", "Transition", "fingerprint", "step"]


def fingerprint(target: str, job: str, rule: str) -> str:
    return hashlib.sha256(f"{target}\x00{job}\x00{rule}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Transition:
    """An alert that just fired or resolved: what the channels are told."""

    status: str  # firing | resolved
    alert: AlertRecord


@dataclass
class Step:
    save: list[AlertRecord] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)


def step(
    target: str,
    open_alerts: Iterable[AlertRecord],
    conditions: Iterable[Condition],
    *,
    now_ms: int,
    link: Callable[[str], str],
) -> Step:
    """Advance every condition's alert by one evaluation. Pure.

    Conditions not given this time (e.g. job rules while the cluster is unreachable)
    leave their open alerts as they are.
    """
    by_print = {a.fingerprint: a for a in open_alerts if a.state in ("pending", "firing")}
    out = Step()
    for cond in conditions:
        fp = fingerprint(target, cond.job, cond.rule)
        current = by_print.get(fp)
        if not cond.active:
            if current is not None and current.state == "pending":
                out.drop.append(current.id)
            elif current is not None:
                done = replace(current, state="resolved", resolved_ms=now_ms, updated_ms=now_ms)
                out.save.append(done)
                out.transitions.append(Transition("resolved", done))
            continue
        if current is None:
            current = AlertRecord(
                id=f"{fp}-{now_ms}",
                fingerprint=fp,
                target=target,
                job=cond.job,
                rule=cond.rule,
                severity=cond.severity,
                state="pending",
                started_ms=now_ms,
                updated_ms=now_ms,
                summary=cond.summary,
                evidence=dict(cond.evidence),
                link=link(cond.job),
            )
        record = replace(
            current,
            severity=cond.severity,
            summary=cond.summary,
            evidence={**current.evidence, **cond.evidence},
            updated_ms=now_ms,
        )
        if record.state == "pending" and now_ms - record.started_ms >= cond.for_s * 1000:
            record = replace(record, state="firing", fired_ms=now_ms)
            out.transitions.append(Transition("firing", record))
        out.save.append(record)
    return out
