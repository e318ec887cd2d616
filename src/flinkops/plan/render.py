"""Human forms of a plan, rendered from its JSON form (docs/style.md §15).

Every renderer takes the plan as data (``Plan.to_json()`` after redaction) so the
text a person reads and the JSON a machine reads never disagree. How an action reads
(its summary words, its mark's colour) is its transition kind's (``Action.kind``);
how a step reads is its step class's (``steps.short``). A plan's errors (SQL Flink's
planner rejects) come first in markdown and last, before the summary, in text, each
at its ``file:line:col``.
"""

from __future__ import annotations

from typing import Any

import click

from flinkops.plan._rehearsal import rehearsal_words
from flinkops.plan._types import Action
from flinkops.plan.steps import short

__all__ = [
    "NO_CHANGES",
    "effective_words",
    "migration_line",
    "plan_markdown",
    "plan_text",
    "steps_line",
    "summary_line",
]

NO_CHANGES = "No changes. The cluster matches the specs."
_IMPACT_ORDER = {"incompatible": 0, "lost": 1, "at-risk": 2, "preserved": 3, "none": 4}
_IMPACT_COLOURS = {"incompatible": "red", "lost": "red", "at-risk": "yellow", "preserved": "green"}
_LOUD = ("incompatible", "lost", "at-risk")  # impacts a plan shows in capitals and bold
MARKDOWN_LIMIT = 60_000  # GitHub rejects comments over 65,536 characters
DIFF_LIMIT = 20_000  # one job's SQL diff in markdown


def summary_line(plan: dict[str, Any]) -> str:
    summary = {k: v for k, v in plan["summary"].items() if k != Action.NOOP}
    if not summary:
        return NO_CHANGES
    errors = len(plan.get("errors") or [])
    parts = [f"{n} {Action(action).kind.verb}" for action, n in summary.items()]
    states = [c["state"] for c in plan["changes"] if c["action"] != Action.NOOP]
    counted = [
        f"{states.count(state)} {words}"
        for state, words in (
            ("incompatible", "incompatible (apply refuses)"),
            ("lost", "lost"),
            ("at-risk", "at risk"),
        )
        if state in states
    ]
    tail = f" State: {', '.join(counted)}." if counted else ""
    refused = sum(
        1 for c in plan["changes"] if (c.get("rehearsal") or {}).get("outcome") == "refused"
    )
    if refused:
        tail += f" {refused} rehearsal{'' if refused == 1 else 's'} refused by Flink."
    if errors:
        tail += f" {errors} error{'' if errors == 1 else 's'}: apply refuses this plan."
    return "Plan: " + ", ".join(parts) + "." + tail


def _style(text: str, colour: bool, **kw: Any) -> str:
    return click.style(text, **kw) if colour else text


def plan_text(plan: dict[str, Any], *, colour: bool = False) -> str:
    """The terminal form: one block per change, then unmanaged jobs and the summary."""
    lines = [_text_head(plan), ""]
    width = max((len(c["job"]) for c in plan["changes"]), default=10)
    for c in plan["changes"]:
        if c["action"] != Action.NOOP:
            lines += [_text_change(c, width, colour), *_text_details(c, colour), ""]
    lines += _text_unchanged(plan, width)
    lines += _text_unmanaged(plan)
    errors = plan.get("errors") or []
    lines += [
        _style(f"Error: {e['job']}: {_where(e)}: {e['message']}", colour, fg="red") for e in errors
    ]
    if errors:
        lines.append("")
    lines += [_style(f"Warning: {w}", colour, fg="yellow") for w in plan.get("warnings", [])]
    if plan.get("warnings"):
        lines.append("")
    lines.append(_style(summary_line(plan), colour, bold=True))
    return "\n".join(lines) + "\n"


def _text_head(plan: dict[str, Any]) -> str:
    """``flinkops plan: target T (URL, Flink V)``."""
    head = f"flinkops plan: target {plan['target']}"
    if plan.get("url"):
        head += (
            f" ({plan['url']}"
            + (f", Flink {plan['flink_version']}" if plan.get("flink_version") else "")
            + ")"
        )
    migration = migration_line(plan)
    return f"{head}\n{migration}" if migration else head


def migration_line(plan: dict[str, Any]) -> str:
    """``Migration: 2 jobs move from http://old (Flink 1.20.1) to http://new (Flink 2.3.0)
    ...``, or "" when the target's cluster did not change."""
    m = plan.get("migration")
    if not m:
        return ""
    n = len(m["jobs"])
    old = m["from_url"] or "the cluster that was at this address"
    old_v = f" (Flink {m['from_flink_version']})" if m.get("from_flink_version") else ""
    line = (
        f"Migration: {n} job{'' if n == 1 else 's'} move{'s' if n == 1 else ''} from "
        f"{old}{old_v} to {m['to_url']} (Flink {m['to_flink_version']})"
    )
    if m.get("from_flink_version") and m["from_flink_version"] != m["to_flink_version"]:
        line += ", a Flink upgrade"
    if not m["reachable"]:
        line += "; the old cluster does not answer: each starts from its newest snapshot"
    elif m.get("savepoint_dir"):
        line += f"; savepoints through {m['savepoint_dir']}"
    if m.get("storage"):
        line += "; blocked: " + "; ".join(m["storage"])
    return line


def _text_change(c: dict[str, Any], width: int, colour: bool) -> str:
    """A change's first line: symbol, job, action, state impact, reason."""
    sym = _style(c["symbol"], colour, fg=Action(c["action"]).kind.colour, bold=True)
    state = c["state"]
    shown = state.upper() if state in _LOUD else state
    state_s = _style(f"state {shown}", colour, fg=_IMPACT_COLOURS.get(state), bold=state in _LOUD)
    return f"  {sym} {c['job']:<{width}}  {c['action']:<8} {state_s}  {c['reason']}"


def _text_details(c: dict[str, Any], colour: bool) -> list[str]:
    """A change's indented lines: state, block, steps, restore, live job, diffs, lineage."""
    lines = []
    if c.get("rehearsal"):
        lines.append(f"      {rehearsal_words(c['rehearsal'], c['state'])}")
    lines += [f"      state: {why}" for why in c.get("state_reasons", [])]
    if c.get("blocked"):
        lines.append(f"      blocked: {_blocked(c['blocked'])}")
    if c.get("rejected"):
        lines.append(f"      error: {_where(c['rejected'])}: {c['rejected']['message']}")
    if c.get("behind"):
        lines.append(f"      behind: {_behind(c['behind'])}")
    if c.get("effective"):
        lines.append(f"      effective{_on(c['effective'], '')}: {effective_words(c['effective'])}")
    if c.get("steps"):
        lines.append(f"      steps: {steps_line(c['steps'])}")
    if c.get("restore_from"):
        lines.append(f"      restore from: {c['restore_from']}")
    if c.get("live"):
        live = c["live"]
        lines.append(
            f"      live: {live['job_id']} {live['state']}"
            + (f" (version {live['version']})" if live.get("version") else "")
            + (f" on {c['migrate_from']}" if c.get("migrate_from") else "")
        )
    lines += [f"      config: {item}" for item in c.get("config_diff", [])]
    lineage = c.get("lineage") or {}
    for key in ("added", "removed", "resourced"):
        lines += [f"      lineage {key}: {_lineage_item(i)}" for i in lineage.get(key, []) or []]
    if c.get("downstream"):
        lines.append(f"      downstream jobs: {', '.join(c['downstream'])}")
    if c.get("sql_diff"):
        lines += [_text_diff_line(d, colour) for d in c["sql_diff"].rstrip("\n").splitlines()]
    return lines


def _text_diff_line(line: str, colour: bool) -> str:
    """One line of a SQL diff, indented; added lines green and removed ones red."""
    fg = "green" if line.startswith("+") else ("red" if line.startswith("-") else None)
    return "      " + _style(line, colour and fg is not None, fg=fg)


def _text_unchanged(plan: dict[str, Any], width: int) -> list[str]:
    noops = [c for c in plan["changes"] if c["action"] == Action.NOOP]
    if not noops:
        return []
    return ["Unchanged:", *(f"    {c['job']:<{width}}  {c['reason']}" for c in noops), ""]


def _text_unmanaged(plan: dict[str, Any]) -> list[str]:
    jobs = plan.get("unmanaged")
    if not jobs:
        return []
    return [
        f"Unmanaged jobs (not this project's on this target, never touched): {len(jobs)}",
        *(f"    {j['job_id']}  {j['name']}  {j['state']}{_owner(j)}" for j in jobs),
        "",
    ]


def _owner(job: dict[str, Any]) -> str:
    """Whose an unmanaged job of a plan is, when flinkops can tell."""
    if "project" in job:
        return f"  (project {job['project']})" if job["project"] else "  (another project)"
    return {"other-target": "  (another target)", "not-read": "  (finished, not read)"}.get(
        job.get("ownership", ""), ""
    )


def steps_line(steps: list[dict[str, Any]]) -> str:
    """A change's steps on one line: ``stop with savepoint → submit v2 from savepoint → ...``."""
    return " → ".join(short(s) for s in steps)


def _on(effective: dict[str, Any], quote: str) -> str:
    target = effective.get("target")
    return f" on {quote}{target}{quote}" if target else ""


def effective_words(e: dict[str, Any]) -> str:
    """A change's effective spec in one line, in the spec's words; a setting the target's
    override changed says what it was: ``parallelism 2 (override, was 1), upgradeMode
    savepoint, savepointDir s3://sp, 3 config keys (by override: +a.b, ~c.d)``."""
    over = e.get("overridden") or {}

    def show(key: str, word: str, value: Any) -> str:
        text = f"{word} {_setting(key, value)}"
        return text + (f" (override, was {_setting(key, over[key])})" if key in over else "")

    parts = []
    if e["state"] != "running" or "state" in over:
        parts.append(show("state", "state", e["state"]))
    parts.append(show("parallelism", "parallelism", e["parallelism"]))
    parts.append(show("upgrade_mode", "upgradeMode", e["upgrade_mode"]))
    if e["allow_non_restored_state"] or "allow_non_restored_state" in over:
        parts.append(
            show("allow_non_restored_state", "allowNonRestoredState", e["allow_non_restored_state"])
        )
    if e["savepoint_dir"] or "savepoint_dir" in over:
        parts.append(show("savepoint_dir", "savepointDir", e["savepoint_dir"]))
    count = len(e.get("flink_configuration") or {})
    config = f"{count} config key{'' if count == 1 else 's'}"
    keys = over.get("flink_configuration")
    if keys:
        marked = [f"+{k}" for k in keys["added"]] + [f"~{k}" for k in keys["changed"]]
        config += f" (by override: {', '.join(marked)})"
    return ", ".join([*parts, config])


def _setting(key: str, value: Any) -> str:
    """One setting's value as a person reads it: unset parallelism is the cluster's."""
    if value is None:
        return "default" if key == "parallelism" else "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _blocked(b: dict[str, Any]) -> str:
    """Which version blocks a job, when (and which job failed), and why (Flink's root
    cause)."""
    text = f"version {b['version']} {b['outcome']} at {b['at']}"
    if b.get("job_id"):  # the applied version's job failed since
        text += f" (job {b['job_id']})"
    return text + (f"; root cause: {b['root_cause']}" if b.get("root_cause") else "")


def _where(error: dict[str, Any]) -> str:
    """``file:line:column`` of a plan error."""
    return f"{error['file']}:{error['line']}:{error['column']}"


def _error_words(error: dict[str, Any]) -> str:
    """``job: file:line:column: Flink's message``."""
    return f"{error['job']}: {_where(error)}: {error['message']}"


def _behind(b: dict[str, Any]) -> str:
    """The cluster's transition this checkout lacks: version, commit, author, when."""
    who = f" by {b['author']}" if b.get("author") else ""
    return (
        f"version {b['version']} ({b['action']}) applied from commit {b['commit']}{who} "
        f"at {b['at']}, not in this checkout's history"
    )


def _lineage_item(item: Any) -> str:
    """One lineage change: ``{sink, sources}`` (added/removed) or ``{sink, old, new}``."""
    if not isinstance(item, dict):
        return str(item)
    sink = item.get("sink", "")
    if "old" in item or "new" in item:
        after = ", ".join(item.get("new") or []) or "(none)"
        before = ", ".join(item.get("old") or []) or "(none)"
        return f"{sink} <- {after} (was {before})"
    return f"{sink} <- {', '.join(item.get('sources') or []) or '(none)'}"


def plan_markdown(plan: dict[str, Any], *, limit: int = MARKDOWN_LIMIT) -> str:
    """The pull-request comment: summary table (state impact first), collapsible diffs.

    Over ``limit`` characters, whole detail blocks are left out from the end (the
    table always stays) and a note says how many and how to see everything.
    """
    changes = sorted(
        (c for c in plan["changes"] if c["action"] != Action.NOOP),
        key=lambda c: (c["action"] != Action.REJECTED, _IMPACT_ORDER.get(c["state"], 9), c["job"]),
    )
    blocks = [b for b in (_md_details(c) for c in changes) if b]
    parts = ["\n".join(_md_head(plan, changes))]
    parts += ["\n".join(b) for b in blocks + _md_tail(plan)]
    text = "\n\n".join(parts) + "\n"
    return text if len(text) <= limit else _md_truncated(parts, limit)


def _md_head(plan: dict[str, Any], changes: list[dict[str, Any]]) -> list[str]:
    """The title, then the table of changes and the summary (or that there are none)."""
    head = [f"### flinkops plan · target `{plan['target']}`", "", *_md_errors(plan)]
    if plan.get("migration"):
        head += [f"**{migration_line(plan)}**", ""]
    if not changes:
        return [*head, NO_CHANGES]
    head += ["| state | | job | action | version | why |", "|---|---|---|---|---|---|"]
    for c in changes:
        state = c["state"]
        state_md = f"**{state}**" if state in _LOUD else state
        if c["action"] == Action.REJECTED:
            state_md = "**error**"
        reasons = "; ".join(c.get("state_reasons", []))
        why = _md_cell(c["reason"] + (f" — {reasons}" if reasons else ""))
        if c.get("rehearsal"):
            why += f"<br>**{_md_cell(rehearsal_words(c['rehearsal'], c['state']))}**"
        head.append(
            f"| {state_md} | `{c['symbol']}` | `{c['job']}` | {c['action']} | "
            f"{_md_versions(c)} | {why} |"
        )
    return [*head, "", f"**{summary_line(plan)}**"]


def _md_errors(plan: dict[str, Any]) -> list[str]:
    """The plan's errors, above everything: apply refuses a plan that has any."""
    errors = plan.get("errors") or []
    if not errors:
        return []
    n = len(errors)
    lines = [
        f"**✗ {n} error{'' if n == 1 else 's'}: Flink rejects the SQL; `flinkops apply` "
        "refuses this plan until it is fixed.**",
        "",
    ]
    lines += [f"- `{e['job']}` at `{_where(e)}`: {_md_cell(e['message'])}" for e in errors]
    return [*lines, ""]


def _md_tail(plan: dict[str, Any]) -> list[list[str]]:
    """The sections after the details: warnings, unchanged jobs, unmanaged, lineage chart."""
    tail = [[f"> ⚠️ {_md_cell(warning)}"] for warning in plan.get("warnings", [])]
    noops = [c for c in plan["changes"] if c["action"] == Action.NOOP]
    if noops:
        tail.append(
            ["<details><summary>Unchanged jobs</summary>", ""]
            + [f"- `{c['job']}`: {_md_cell(c['reason'])}" for c in noops]
            + ["", "</details>"]
        )
    if plan.get("unmanaged"):
        tail.append(
            [
                f"{len(plan['unmanaged'])} job(s) on the cluster are not this project's "
                "and never touched."
            ]
        )
    if plan.get("lineage_mermaid"):
        tail.append(
            [
                "<details><summary>Lineage of the changed jobs</summary>",
                "",
                "```mermaid",
                plan["lineage_mermaid"].rstrip(),
                "```",
                "",
                "</details>",
            ]
        )
    return tail


def _md_truncated(parts: list[str], limit: int) -> str:
    """``parts`` up to ``limit`` characters: the first (the table) always, then whole
    sections while they fit, then a note of how many were left out."""
    budget = limit - 200  # room for the note
    kept = [parts[0][:budget].rsplit("\n", 1)[0] if len(parts[0]) > budget else parts[0]]
    size = len(kept[0])
    for part in parts[1:]:
        if size + 2 + len(part) > budget:
            break
        kept.append(part)
        size += 2 + len(part)
    left_out = len(parts) - len(kept)
    note = (
        f"_…truncated: {left_out} more section(s) left out to stay under {limit:,} characters; "
        "run `flinkops plan` to see the whole plan._"
    )
    return "\n\n".join([*kept, note]) + "\n"


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a line boundary before ``limit`` characters, saying how much is left."""
    if len(text) <= limit:
        return text
    head = text[:limit].rsplit("\n", 1)[0]
    rest = text.count("\n") - head.count("\n")
    return f"{head}\n... ({rest} more lines; run `flinkops plan` to see the whole diff)"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_versions(c: dict[str, Any]) -> str:
    """``v1 → v2`` for a change that submits a new version, else the version it touches."""
    applied, new = c.get("applied_version"), c.get("version")
    if c.get("blocked"):
        return f"v{applied} (v{new} {c['blocked']['outcome']})" if applied else f"v{new}"
    if c.get("behind"):
        return f"v{c['behind']['version']} (not pulled)"
    if applied and new and applied != new:
        return f"v{applied} → v{new}"
    shown = new or applied
    return f"v{shown}" if shown else ""


def _md_rehearsal(r: dict[str, Any] | None) -> list[str]:
    """A rehearsal's evidence in a change's details: where it ran, from what, what it
    restored and left, and what it replaced."""
    if not r or r["outcome"] == "skipped":
        return []
    slots = r.get("slots")
    on = f"`{r['cluster']}`" + (f" ({slots} slot{'' if slots == 1 else 's'})" if slots else "")
    job = f", job `{r['job_id']}`" if r.get("job_id") else ""
    took = f", {r['seconds']:.1f} s in all" if r.get("seconds") is not None else ""
    lines = [f"Rehearsal ({r['outcome']}) on {on}{job}{took}:", ""]
    if r.get("snapshot"):
        kept = (
            " (kept)"
            if r.get("kept")
            else " (disposed of)"
            if r["snapshot_kind"] == "savepoint"
            else ""
        )
        lines.append(
            f"- from {r['snapshot_kind']} `{r['snapshot']}` taken {r['snapshot_at']}{kept}"
        )
    if r.get("restored"):
        lines.append(f"- restored: {', '.join(f'`{n}`' for n in r['restored'])}")
    if r.get("dropped"):
        lines.append(
            f"- left unrestored (replaced sinks): {', '.join(f'`{n}`' for n in r['dropped'])}"
        )
    if r.get("replaced"):
        lines.append(f"- no side effects: {_md_cell('; '.join(r['replaced']))}")
    if r.get("root_cause"):
        lines.append(f"- Flink's root cause: {_md_cell(r['root_cause'])}")
    return [*lines, ""]


def _md_details(c: dict[str, Any]) -> list[str]:
    body: list[str] = []
    if c.get("blocked"):
        body += [f"Blocked: {_md_cell(_blocked(c['blocked']))}", ""]
    if c.get("rejected"):
        error = c["rejected"]
        body += [f"Error at `{_where(error)}`: {_md_cell(error['message'])}", ""]
    if c.get("behind"):
        body += [f"Behind the cluster: {_md_cell(_behind(c['behind']))}", ""]
    if c.get("effective"):
        effective = c["effective"]
        words = _md_cell(effective_words(effective))
        body += [f"Effective{_on(effective, '`')}: {words}", ""]
    if c.get("steps"):
        steps = " → ".join(f"`{short(s)}`" for s in c["steps"])
        body += [f"Steps (records version {c['version']}): {steps}", ""]
    if c.get("restore_from"):
        body += [f"Restores from: `{c['restore_from']}`", ""]
    body += _md_rehearsal(c.get("rehearsal"))
    if c.get("live"):
        live = c["live"]
        version = f" (version {live['version']})" if live.get("version") else ""
        on = f" on {c['migrate_from']}" if c.get("migrate_from") else ""
        body += [f"Live job: `{live['job_id']}` {live['state']}{version}{on}", ""]
    if c.get("config_diff"):
        body += ["Configuration:", ""] + [f"- `{x}`" for x in c["config_diff"]] + [""]
    lineage = c.get("lineage") or {}
    items = [(k, i) for k in ("added", "removed", "resourced") for i in lineage.get(k, []) or []]
    if items:
        body += ["Lineage:", ""] + [f"- {k}: `{_lineage_item(i)}`" for k, i in items] + [""]
    if c.get("downstream"):
        body += [f"Downstream jobs: {', '.join(f'`{d}`' for d in c['downstream'])}", ""]
    if c.get("sql_diff"):
        body += ["```diff", _clip(c["sql_diff"].rstrip("\n"), DIFF_LIMIT), "```", ""]
    if not body:
        return []
    return [
        f"<details><summary><code>{c['job']}</code>: {c['action']} details</summary>",
        "",
        *body,
        "</details>",
    ]
