"""The console's actions, each of which leaves the desired state (the specs in git) alone.

``ACTIONS`` says what each one does (the confirmation page shows it); ``run_action``
carries one out through the same functions as the CLI (``take_savepoint``,
``diagnose``, the Applier) and records an event saying the console did it.
Suspend, resume and rollback change desired state, so the console only shows the
git change or command for them (``gitops_hints``).
"""

from __future__ import annotations

from typing import Any

from flinkops.apply import Applier
from flinkops.errors import FlinkError
from flinkops.ops import diagnose_job, find_job, take_savepoint
from flinkops.plan import Action, Change, Plan, StateImpact, next_version
from flinkops.workspace import Workspace

__all__ = ["ACTIONS", "gitops_hints", "run_action"]

ACTIONS: dict[str, str] = {
    "savepoint": "Take a savepoint of the running job. The job keeps running; the savepoint "
    "is recorded in the version store, as `flinkops savepoint` does.",
    "restart": "Restart the job in place: stop it with a savepoint and submit the same spec "
    "from that savepoint, waiting until it is healthy (rolled back on failure), as "
    "`flinkops apply` restarts a job. Only for a job in sync with its spec.",
    "diagnose": "Run the diagnose rules on the job's newest run (read only), as "
    "`flinkops diagnose` does.",
}


def gitops_hints(name: str, spec_path: str | None, versions: list[int]) -> list[dict[str, str]]:
    """What to change in git (or run) to suspend, resume or roll back ``name``."""
    where = spec_path or f"the spec of {name}"
    hints = [
        {
            "what": "suspend",
            "how": f"set `spec.state: suspended` in {where}, commit, and let CI apply it "
            "(or run `flinkops apply`)",
        },
        {
            "what": "resume",
            "how": f"set `spec.state: running` in {where}, commit, and let CI apply it "
            "(or run `flinkops apply`)",
        },
    ]
    if len(versions) > 1:
        prev = versions[-2]
        hints.append(
            {
                "what": "rollback",
                "how": "revert the commit that changed the spec and let CI apply it; "
                f"when that cannot wait: `flinkops rollback {name} --to {prev}`",
            }
        )
    return hints


def _savepoint(ws: Workspace, name: str) -> dict[str, Any]:
    data = take_savepoint(
        ws.client, ws.store, target=ws.target, name=name, spec=ws.spec(name), scope=ws.scope
    )
    return {"summary": f"savepoint taken: {data['location']}", "result": data}


def _diagnose(ws: Workspace, name: str) -> dict[str, Any]:
    data = diagnose_job(
        ws.client, target=ws.target, url=ws.url, name=name, store=ws.store, scope=ws.scope
    )
    return {"summary": f"diagnose: {len(data['findings'])} finding(s)", "result": data}


def _restart(ws: Workspace, name: str) -> dict[str, Any]:
    spec = ws.spec(name)
    live = find_job(ws.client, ws.scope, name, ws.store).newest
    if spec is None or live is None or not live.active or live.managed_name is None:
        raise FlinkError(f"job {name!r} is not running on target {ws.target!r}: nothing to restart")
    if live.spec_hash != spec.spec_hash:
        raise FlinkError(
            f"job {name!r} runs version {live.version}, which is not its spec; "
            "`flinkops plan` shows the difference and `flinkops apply` deploys it"
        )
    applied = ws.store.latest_version(ws.target, name)
    newest = ws.store.latest_version(ws.target, name, outcome=None)
    change = Change(
        job=name,
        action=Action.RESTART,
        state=StateImpact.PRESERVED if spec.upgrade_mode != "stateless" else StateImpact.LOST,
        reason="restart in place, requested from the console",
        upgrade_mode=spec.upgrade_mode,
        spec_hash=spec.spec_hash,
        live=live,
        applied_version=applied.version if applied else None,
        version=next_version(newest.version if newest else None, live.version),
    )
    with ws.store.acquire_lock(ws.target):
        applier = Applier(
            ws.client, ws.store, target=ws.target, specs=ws.specs, project=ws.project.project_id,
            connect=ws.connect, plan_dir=ws.plan_dir,
        )  # fmt: skip
        result = applier.apply(Plan(ws.target, ws.url, (change,))).to_json()
    rows = result["results"]
    status = rows[0]["status"] if rows else "nothing done"
    return {"summary": f"restart: {status}", "result": result}


_RUN = {"savepoint": _savepoint, "restart": _restart, "diagnose": _diagnose}


def run_action(ws: Workspace, action: str, name: str, who: str) -> dict[str, Any]:
    """Carry out ``action`` on job ``name``; record it as an event (also when it fails)."""
    ws.store.add_event(ws.target, name, "console", f"{action} requested from the console by {who}")
    try:
        out = _RUN[action](ws, name)
    except FlinkError as exc:
        ws.store.add_event(
            ws.target, name, "console", f"{action} from the console failed: {exc}", level="error"
        )
        raise
    ws.store.add_event(ws.target, name, "console", f"{action} from the console: {out['summary']}")
    return ws.redact({"action": action, "job": name, **out})
