"""flinkops monitor against the session's real Flink cluster, and a real Prometheus.

One project (target ``mon-it``) and four jobs for the module: ``mon-fail`` fails on
a cast error with restart strategy none (and is fixed by a test), ``mon-dead`` fails
the same way and stays failed, ``mon-restart`` fails the same way but restarts every
half second, ``mon-ok`` runs. Alerts go to a real HTTP receiver on
loopback. A real Prometheus (/usr/bin/prometheus) scrapes the cluster's Prometheus
reporter and evaluates the rules ``flinkops alerts export`` wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.errors import FlinkError
from flinkops.flink.local import ClusterInfo, free_port
from flinkops.monitor import Monitor, alert_records, metrics_history
from flinkops.workspace import open_workspace
from tests.integration._procs import stop
from tests.integration.conftest import deploy_managed, wait_state
from tests.integration.monitor.receivers import Receiver

TARGET = "mon-it"
WORDS = (
    "CREATE TABLE words (s STRING) WITH ('connector' = 'datagen', "
    "'rows-per-second' = '5', 'fields.s.length' = '6');\n"
    "CREATE TABLE nums (i INT) WITH ('connector' = 'blackhole');\n"
)
BAD_CAST = WORDS + "INSERT INTO nums SELECT CAST(s AS INT) FROM words;\n"
GOOD = WORDS + "INSERT INTO nums SELECT CHAR_LENGTH(s) FROM words;\n"
NO_RESTART = {"restart-strategy.type": "none"}
RESTART = {
    "restart-strategy.type": "fixed-delay",
    "restart-strategy.fixed-delay.attempts": "100000",
    "restart-strategy.fixed-delay.delay": "500ms",
}


def _job(name: str, sql: str, conf: dict[str, str]) -> str:
    conf_lines = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in conf.items())
    return (
        f"apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: {name}\nspec:\n"
        f"  parallelism: 1\n  flinkConfiguration:\n{conf_lines}"
        f"  sql: |\n{textwrap.indent(sql, '    ')}"
    )


@dataclass
class Setup:
    root: Path
    receiver: Receiver
    ids: dict[str, str]
    started: list[str]


@pytest.fixture(scope="module")
def setup(flink_cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root = tmp_path_factory.mktemp("monitor-project")
    receiver = Receiver()
    hook = receiver.start()
    (root / "flinkops.yaml").write_text(
        textwrap.dedent(
            f"""\
            apiVersion: flinkops/v1
            kind: Project
            targets:
              {TARGET}: {{url: "{flink_cluster.url}"}}
            metrics: {{interval: 1s}}
            alerts:
              consoleUrl: http://127.0.0.1:8088
              channels:
                hook: {{type: webhook, url: "{hook}/hook", retries: 1, backoff: 0}}
              rules:
                notDesired: {{for: 1s}}
                restarts: {{count: 2, window: 10min}}
            """
        )
    )
    (root / "jobs").mkdir()
    (root / "jobs" / "fail.yaml").write_text(_job("mon-fail", BAD_CAST, NO_RESTART))
    (root / "jobs" / "dead.yaml").write_text(_job("mon-dead", BAD_CAST, NO_RESTART))
    (root / "jobs" / "restart.yaml").write_text(_job("mon-restart", BAD_CAST, RESTART))
    (root / "jobs" / "ok.yaml").write_text(_job("mon-ok", GOOD, NO_RESTART))
    started: list[str] = []
    try:
        with open_workspace(root, TARGET) as ws:
            ids = {s.name: deploy_managed(ws, s, started) for s in ws.specs}
        yield Setup(root, receiver, ids, started)
    finally:
        receiver.stop()
        with open_workspace(root, TARGET) as ws:
            for job_id in started:
                try:
                    if ws.client.job(job_id).state not in ("FAILED", "CANCELED", "FINISHED"):
                        ws.client.cancel(job_id)
                except FlinkError:
                    pass


def _passes_until(mon: Monitor, done: Any, timeout: float = 60.0) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reports.append(mon.run_once(wait_deliveries=True))
        if done(reports):
            return reports
        time.sleep(0.5)
    raise AssertionError(f"not reached in {timeout:g}s; last pass: {reports[-1]}")


def _fired(reports: list[dict[str, Any]], status: str, rule: str, job: str) -> int:
    return sum(
        1
        for r in reports
        for t in r["transitions"]
        if (t["status"], t["rule"], t["job"]) == (status, rule, job)
    )


def test_failed_job_fires_once_reaches_the_channel_and_resolves_on_recovery(
    setup: Setup,
) -> None:
    wait_state_any(setup, "mon-fail", "FAILED")
    with open_workspace(setup.root, TARGET) as ws:
        mon = Monitor(ws.project, ws.target, ws.client, ws.store, url=ws.url)
        try:
            reports = _passes_until(
                mon, lambda rs: _fired(rs, "firing", "restarts", "mon-restart") > 0
            )
            reports += [mon.run_once(wait_deliveries=True) for _ in range(3)]
            assert _fired(reports, "firing", "failed", "mon-fail") == 1
            assert _fired(reports, "firing", "notDesired", "mon-fail") == 1
            assert _fired(reports, "firing", "restarts", "mon-restart") == 1
            assert not any(t["job"] == "mon-ok" for r in reports for t in r["transitions"])
            # sampling cost, for the record: REST calls and time of a steady pass
            steady = reports[-1]
            print(f"\nsteady pass: {steady['rest_calls']} calls, {steady['sample_ms']} ms")

            [failed] = alert_records(ws.store, TARGET, "mon-fail", state="firing")[:1]
            assert failed["rule"] in ("failed", "notDesired")
            assert "NumberFormatException" in json.dumps(failed["evidence"])
            assert failed["link"] == "http://127.0.0.1:8088/jobs/mon-fail"
            assert failed["deliveries"] and failed["deliveries"][0]["ok"]

            # the job recovers: a good version of it runs
            good = ws.spec("mon-fail")
            assert good is not None
            from dataclasses import replace

            fixed = replace(good, sql=GOOD, model=good.model.model_copy(update={"sql": GOOD}))
            new_id = deploy_managed(ws, fixed, setup.started, version=2)
            wait_state(ws.client, new_id, "RUNNING")
            later = _passes_until(mon, lambda rs: _fired(rs, "resolved", "failed", "mon-fail"))
            assert _fired(later, "resolved", "failed", "mon-fail") == 1
        finally:
            mon.close()
    hooks = [r.body for r in setup.receiver.requests if r.path == "/hook"]
    mine = [
        (b["status"], b["alerts"][0]["labels"]["alertname"])
        for b in hooks
        if b["alerts"][0]["labels"]["job"] == "mon-fail"
    ]
    assert mine.count(("firing", "failed")) == 1 and mine.count(("resolved", "failed")) == 1

    runner = CliRunner()
    out = runner.invoke(
        main, ["alerts", "mon-fail", "--project", str(setup.root), "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)["alerts"]
    assert {(a["rule"], a["state"]) for a in listed} >= {("failed", "resolved")}
    text = runner.invoke(main, ["alerts", "--project", str(setup.root)]).output
    assert "mon-restart: " in text and "http://127.0.0.1:8088/jobs/mon-restart" in text


def wait_state_any(setup: Setup, name: str, *states: str) -> None:
    with open_workspace(setup.root, TARGET) as ws:
        wait_state(ws.client, setup.ids[name], *states, timeout=60)


def test_history_has_per_vertex_series_and_prints_sparklines(setup: Setup) -> None:
    with open_workspace(setup.root, TARGET) as ws:
        mon = Monitor(ws.project, ws.target, ws.client, ws.store, url=ws.url)
        try:

            def flowing(reports: list[dict[str, Any]]) -> bool:
                series = metrics_history(ws.project, ws.store, TARGET, "mon-ok", since=600)
                return len(reports) >= 3 and any(
                    v > 0 for _, v in series["series"].get("records_per_s", [])
                )

            _passes_until(mon, flowing)
        finally:
            mon.close()
        data = metrics_history(ws.project, ws.store, TARGET, "mon-ok", since=600)
    assert data["source"] == "store"
    names = set(data["series"])
    assert {"running", "restarts", "records_per_s", "busy_max"} <= names
    assert any(n.startswith("records_out_per_s[Source: words") for n in names), names
    out = CliRunner().invoke(main, ["metrics", "mon-ok", "--project", str(setup.root)])
    assert out.exit_code == 0, out.output
    assert "records_per_s" in out.output and any(c in out.output for c in "▁▂▃▄▅▆▇█")


@pytest.fixture
def prometheus(setup: Setup, flink_cluster: ClusterInfo, tmp_path: Path) -> Iterator[str]:
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if binary is None or promtool is None:
        pytest.skip("prometheus and promtool not found (apt-get install prometheus)")
    assert flink_cluster.prometheus, "the test cluster runs without the Prometheus reporter"
    rules = tmp_path / "rules.yml"
    out = CliRunner().invoke(
        main, ["alerts", "export", "--project", str(setup.root), "-o", str(rules)]
    )
    assert out.exit_code == 0, out.output
    check = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    scrape = [
        u.removeprefix("http://").removesuffix("/metrics")
        for u in flink_cluster.prometheus.values()
    ]
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{json.dumps(str(rules))}]\n"
        "scrape_configs:\n  - job_name: flink\n"
        f"    static_configs: [{{targets: {json.dumps(scrape)}}}]\n"
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "prometheus.log").open("w"),
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def _poll(url: str, path: str, done: Any, timeout: float = 45.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(f"{url}{path}", timeout=5).json()["data"]
            if done(last):
                return last
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{path} never got there; last answer: {last}")


def test_prometheus_evaluates_the_exported_rules_and_serves_history(
    setup: Setup, prometheus: str
) -> None:
    def scraped(data: Any) -> bool:
        return bool(data["result"])

    # Until its first scrape Prometheus sees no job at all (every absent() is true):
    # wait for it to see the running job, then for the alerts to settle.
    ok_up = '/api/v1/query?query=flink_jobmanager_job_uptime{job_name="mon_ok"}'
    _poll(prometheus, ok_up, scraped)

    def settled(data: Any) -> bool:
        states = {
            (a["labels"]["alertname"], a["labels"]["flinkops_job"]): a["state"]
            for a in data["alerts"]
        }
        return (
            states.get(("FlinkopsNotDesired", "mon-dead")) == "firing"
            and states.get(("FlinkopsRestarts", "mon-restart")) == "firing"
            and ("FlinkopsNotDesired", "mon-ok") not in states
        )

    alerts = _poll(prometheus, "/api/v1/alerts", settled)["alerts"]
    ok_alerts = {
        a["labels"]["alertname"] for a in alerts if a["labels"]["flinkops_job"] == "mon-ok"
    }
    assert "FlinkopsNotDesired" not in ok_alerts and "FlinkopsRestarts" not in ok_alerts
    # the same history function, reading from Prometheus
    yaml_file = setup.root / "flinkops.yaml"
    original = yaml_file.read_text()
    yaml_file.write_text(
        original.replace("metrics: {interval: 1s}", f'metrics: {{prometheus: "{prometheus}"}}')
    )
    try:
        with open_workspace(setup.root, TARGET) as ws:
            data = metrics_history(ws.project, ws.store, TARGET, "mon-restart", since=300)
            # the monitor itself then samples only states and reads series from Prometheus
            mon = Monitor(ws.project, ws.target, ws.client, ws.store, url=ws.url)
            want = {"state": "firing", "rule": "restarts", "job": "mon-restart"}
            try:  # Prometheus has only seconds of history: wait for 2 restarts in it
                report = _passes_until(mon, lambda rs: want in rs[-1]["open"])[-1]
            finally:
                mon.close()
    finally:
        yaml_file.write_text(original)
    assert report["series"] == len(report["jobs"])  # one "running" value per job, no more
    assert data["source"] == "prometheus"
    assert data["series"]["restarts"] and data["series"]["restarts"][-1][1] >= 2
