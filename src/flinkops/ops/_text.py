"""Text forms of the status, show and logs JSON (docs/style.md §15: drawn from the JSON)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

__all__ = [
    "human_count",
    "human_ms",
    "render_logs",
    "render_show",
    "render_status",
    "table",
    "version_label",
]

_COUNT_STATES = ("RUNNING", "CANCELED", "FAILED", "RESTARTING", "FINISHED", "UNKNOWN")


def human_ms(ms: int | float | None) -> str:
    """``95_000`` -> ``1m35s``; ``None`` -> ``-``."""
    if ms is None:
        return "-"
    s = int(ms // 1000)
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h}h{m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d{h:02d}h"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns two spaces apart, trailing blanks stripped."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return out


def human_count(value: float | int | None, unit: str = "") -> str:
    """``42450`` -> ``42.5K``; ``None`` -> ``-``."""
    if value is None:
        return "-"
    v = float(value)
    for suffix in ("", "K", "M", "G", "T"):
        if abs(v) < 1000:
            text = f"{v:.0f}" if suffix == "" and v == int(v) else f"{v:.1f}"
            return f"{text}{suffix}{unit}"
        v /= 1000
    return f"{v:.1f}P{unit}"


def _ts(ms: int | None) -> str:
    if not ms:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000)) + "Z"


def _ago(ms: int | None) -> str:
    return f"{human_ms(ms)} ago" if ms is not None else "-"


# ------------------------------------------------------------------ status


def _sync(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "NO")


def version_label(data: dict[str, Any]) -> str:
    """``v2``, ``v2 (v6 rolled back)``, ``v2 (v6 rolled back, blocked)``; ``-`` for none."""
    if data.get("version") is None:
        return "-"
    newer = data.get("newer_version")
    if not newer:
        return f"v{data['version']}"
    blocked = ", blocked" if newer.get("blocked") else ""
    return f"v{data['version']} (v{newer['version']} {newer['outcome'].replace('-', ' ')}{blocked})"


def _job_rows(jobs: list[dict[str, Any]]) -> list[str]:
    headers = ("JOB", "DESIRED", "CURRENT", "IN SYNC", "VERSION", "UPTIME", "RESTARTS",
               "CHECKPOINT", "SAVEPOINT", "ALERTS")  # fmt: skip
    rows = [
        (
            j["name"],
            j["desired"] or "-",
            j["current"],
            _sync(j["in_sync"]),
            version_label(j),
            human_ms(j["uptime_ms"]),
            str(j["restarts"]) if j["restarts"] is not None else "-",
            _ago(j["last_checkpoint_age_ms"]),
            _ago(j["last_savepoint_age_ms"]),
            _alert_cell(j.get("alerts") or []),
        )
        for j in jobs
    ]
    return table(headers, rows)


def _owner(row: dict[str, Any]) -> str:
    """Whose an unmanaged row's job is: another project's, or nobody flinkops knows."""
    if "project" not in row:
        return "-"
    return f"project {row['project']}" if row["project"] else "another project (no id)"


def _alert_cell(alerts: list[dict[str, Any]]) -> str:
    """``critical failed 5m00s`` (``+N`` more): a row's worst firing alert, or ``-``."""
    if not alerts:
        return "-"
    top, more = alerts[0], f" +{len(alerts) - 1}" if len(alerts) > 1 else ""
    return f"{top['severity']} {top['rule']} {human_ms(top['firing_ms'])}{more}"


def render_status(status: dict[str, Any]) -> str:
    """The text form of the status JSON: cards, managed jobs, unmanaged jobs."""
    lines: list[str] = []
    version = f" (Flink {status['flink_version']})" if status.get("flink_version") else ""
    lines.append(f"Target {status['target']} at {status['url']}{version}")
    if not status["reachable"]:
        lines.append(f"UNREACHABLE: {status['error']}")
    c = status["counts"]
    lines.append(
        f"total {c['total']}  batch {c['batch']}  streaming {c['streaming']}  |  "
        + "  ".join(f"{k} {c[k]}" for k in _COUNT_STATES)
    )
    alerts = status.get("alerts") or {}
    if alerts.get("firing"):
        lines.append(f"FIRING ALERTS {alerts['firing']}")
        for a in alerts.get("cluster") or []:
            lines.append(f"  cluster: {a['severity']} {a['rule']}: {a['summary']}")
    lines.append("")
    lines.extend(_job_rows(status["jobs"]) if status["jobs"] else ["No managed jobs."])
    if status["unmanaged"]:
        lines.append("")
        lines.append(
            "Unmanaged jobs (not submitted by flinkops for this project and target; never touched):"
        )
        owned = [
            (u["name"], u["job_id"], u["flink_state"], human_ms(u["uptime_ms"]), _owner(u))
            for u in status["unmanaged"]
        ]
        headers = ("NAME", "JOB ID", "STATE", "UPTIME", "OWNER")
        lines.extend("  " + ln for ln in table(headers, owned))
    if status.get("unidentified"):
        lines.append("")
        lines.append(
            "Unidentified jobs (their identity could not be read; plan and apply wait until "
            "it can):"
        )
        rows = [
            (u["name"], u["job_id"], u["flink_state"], (u["identity_error"] or "")[:80])
            for u in status["unidentified"]
        ]
        lines.extend("  " + ln for ln in table(("NAME", "JOB ID", "STATE", "ERROR"), rows))
    return "\n".join(lines)


# ------------------------------------------------------------------ show


def _overview(data: dict[str, Any]) -> list[str]:
    out = [f"Job {data['name']} on {data['target']}" + ("" if data["managed"] else " (unmanaged)")]
    sync = f"  in sync {_sync(data['in_sync'])}" if data["in_sync"] is not None else ""
    out.append(
        f"  desired {data['desired'] or '-'}  current {data['current']}  "
        f"version {version_label(data)}{sync}"
    )
    if data["message"]:
        out.append(f"  {data['message']}")
    for u in data.get("unidentified") or []:
        out.append(
            f"  may be running as {u['job_id']} ({u['flink_state']}): its identity could "
            f"not be read: {u['identity_error']}"
        )
    live = data["live"]
    if live:
        out.append(
            f"  job id {live['job_id']}  Flink state {live['flink_state']}  "
            f"type {live['job_type'] or '-'}  started {_ts(live['start_time'])}  "
            f"duration {human_ms(live['duration_ms'])}"
        )
    if data["web_ui"]:
        out.append(f"  web UI {data['web_ui']}")
    return out


def _vertices(live: dict[str, Any]) -> list[str]:
    headers = ("VERTEX", "PAR", "STATUS", "REC IN", "REC OUT", "REC/S IN/OUT",
               "BYTES IN/OUT", "BACKPRESSURE", "WM LAG")  # fmt: skip
    rows = [
        (
            v["name"][:60],
            str(v["parallelism"]),
            v["status"],
            human_count(v["records_in"]),
            human_count(v["records_out"]),
            f"{human_count(v['records_in_per_second'])}/{human_count(v['records_out_per_second'])}",
            f"{human_count(v['bytes_in'], 'B')}/{human_count(v['bytes_out'], 'B')}",
            v["backpressure"] or "-",
            human_ms(v["watermark_lag_ms"]),
        )
        for v in live["vertices"]
    ]
    return ["", "Vertices:", *("  " + ln for ln in table(headers, rows))]


def _checkpoints(live: dict[str, Any]) -> list[str]:
    cps = live["checkpoints"]
    c = cps["counts"]
    out = ["", "Checkpoints: " + "  ".join(
        f"{k} {c.get(k, 0)}" for k in ("completed", "failed", "in_progress")
    )]  # fmt: skip
    cc = live.get("checkpoint_config")
    if cc and not cc.get("enabled"):
        out.append("  checkpointing is off")
    elif cc:
        out.append(
            f"  every {human_ms(cc['interval_ms'])}, timeout {human_ms(cc['timeout_ms'])}, "
            f"{cc['mode'] or '-'}, {cc['state_backend'] or '-'}"
        )
    for label, key in (
        ("latest completed", "latest_completed"),
        ("latest savepoint", "latest_savepoint"),
        ("latest failed", "latest_failed"),
        ("restored from", "restored_from"),
    ):
        ref = cps[key]
        if ref:
            extra = f" ({ref['failure_message']})" if ref.get("failure_message") else ""
            when = ref["latest_ack_timestamp"] or ref["trigger_timestamp"]
            when = ref["restore_timestamp"] if key == "restored_from" else when
            out.append(f"  {label}: #{ref['id']} {_ts(when)} {ref['path'] or ''}{extra}")
    return out


def _exceptions(exc: dict[str, Any]) -> list[str]:
    out = ["", f"Root cause: {exc['root_cause']}", "Exception history:"]
    out.extend(f"  {_ts(e['timestamp'])}  {e['root_cause'][:160]}" for e in exc["history"][:5])
    return out


def _store_side(data: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if data.get("next_restore"):
        out += ["", f"Next start restores from: {data['next_restore']}"]
    if data["savepoints"]:
        out += ["", "Savepoints (recorded by flinkops):"]
        out += [
            f"  {sp['created_at']}  {sp['kind']:<8} v{sp['version']}  {sp['location']}"
            for sp in data["savepoints"]
        ]
    conf = data["configuration"]
    if conf:
        out += ["", "Configuration (as applied):"]
        keys = ("state", "parallelism", "upgradeMode", "allowNonRestoredState")
        out += [f"  {k}: {conf[k]}" for k in keys if k in conf]
        out += [f"  {k}: {v}" for k, v in (conf.get("flinkConfiguration") or {}).items()]
    if data["versions"]:
        out += ["", "Versions:"]
        out += [
            f"  v{v['version']}  {v['outcome']:<11} {v['applied_at']}  {v['git_commit'] or ''}"
            for v in data["versions"][-5:]
        ]
    if data["events"]:
        out += ["", "Events:"]
        out += [f"  {e['at']}  {e['level']:<7} {e['step']}: {e['message']}" for e in data["events"]]
    lineage = data.get("lineage")
    if lineage and lineage.get("tables"):
        out += ["", "Lineage:"]
        out += [f"  {', '.join(t['sources']) or '-'} -> {t['sink']}" for t in lineage["tables"]]
    return out


def render_show(data: dict[str, Any]) -> str:
    """The text form of the show JSON."""
    out = _overview(data)
    live = data["live"]
    if live and live["vertices"]:
        out += _vertices(live)
    if live and live["checkpoints"]:
        out += _checkpoints(live)
    if live and live["exceptions"] and live["exceptions"]["history"]:
        out += _exceptions(live["exceptions"])
    out += _store_side(data)
    return "\n".join(line.rstrip() for line in out)


def render_logs(data: dict[str, Any]) -> str:
    """``logs`` JSON as text: every line tagged with its source, ``[jobmanager]`` or
    ``[taskmanager ID]``; a source that could not be read says why in one line."""
    out: list[str] = []
    for source in data["sources"]:
        tag = "[jobmanager]" if source["kind"] == "jobmanager" else f"[taskmanager {source['id']}]"
        if source.get("error"):
            out.append(f"{tag} (not read: {source['error']})")
        out.extend(f"{tag} {line}" for line in source["lines"])
    return "\n".join(out)
