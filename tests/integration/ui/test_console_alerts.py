"""What is wrong now: a failing job's alert, from `flinkops monitor` to the console's
overview badge, the job's Alerts tab, `status` and a real Alertmanager.

Runs on the console's cluster and jobs (conftest): ``ui-failing`` is FAILED.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from flinkops.cli import main
from flinkops.monitor import Monitor
from flinkops.workspace import open_workspace
from tests.integration._wait import wait_until
from tests.integration.monitor.alertmanager import alerts_in, running_alertmanager
from tests.integration.ui.conftest import TARGET, Console, shot


@pytest.fixture(scope="module")
def alerting(console: Console, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One monitor pass over the console's project, whose alerts go to a real
    Alertmanager (its URL); flinkops.yaml is put back afterwards."""
    project = console.root / "flinkops.yaml"
    original = project.read_text()
    with running_alertmanager(tmp_path_factory.mktemp("am")) as am:
        project.write_text(
            original + f"alerts:\n  consoleUrl: {console.url}\n"
            f"  channels:\n    am: {{type: alertmanager, url: '{am}'}}\n"
        )
        try:
            with open_workspace(console.root, TARGET) as ws:
                mon = Monitor(ws.project, ws.target, ws.client, ws.store, url=ws.url)
                try:
                    fired = wait_until(
                        lambda: _fired(mon.run_once(wait_deliveries=True)),
                        what="the monitor fires ui-failing's `failed` alert",
                    )
                finally:
                    mon.close()
            assert fired == [("firing", "failed", "ui-failing")]
            yield am
        finally:
            project.write_text(original)


def _fired(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(t["status"], t["rule"], t["job"]) for t in report["transitions"]]


def test_a_failing_jobs_alert_reaches_the_overview_and_alertmanager(
    console: Console, alerting: str, page: Any
) -> None:
    page.goto(console.url + "/")
    head = page.locator("#firing-alerts")
    assert head.get_attribute("data-firing") == "1"
    assert head.inner_text().startswith("1 firing alert")
    rows = page.locator("#jobs tbody tr[data-job]")
    assert rows.first.get_attribute("data-job") == "ui-failing"  # firing first
    badge = rows.first.locator("td.alerts a.badge")
    assert re.fullmatch(r"critical · failed · \d+s", badge.inner_text()), badge.inner_text()
    assert "sev-critical" in (badge.get_attribute("class") or "")
    assert page.locator('#jobs tr[data-job="ui-live"] td.alerts').inner_text() == "-"
    shot(page, "overview-firing-alert")

    badge.click()  # to the job's Alerts tab
    page.wait_for_url(re.compile(r"/jobs/ui-failing#alerts$"))
    assert page.locator("#alerts-firing").inner_text() == "1"
    assert page.locator("#alert-counts").inner_text() == "1 firing · 0 resolved"
    row = page.locator('#alert-records tbody tr[data-state="firing"]')
    assert row.count() == 1 and "failed" in row.inner_text()
    shot(page, "job-alerts-tab")

    # Alertmanager has it, with the console's link, and status says the same
    [am_alert] = wait_until(
        lambda: alerts_in(alerting, job="ui-failing"), what="the alert in Alertmanager"
    )
    assert am_alert["labels"]["alertname"] == "failed"
    assert am_alert["labels"]["severity"] == "critical"
    assert am_alert["annotations"]["console"] == f"{console.url}/jobs/ui-failing"
    assert "NumberFormatException" in am_alert["annotations"]["evidence"]
    assert am_alert["status"]["state"] == "active"

    runner = CliRunner()
    args = ["status", "--project", str(console.root)]
    status = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    assert status["alerts"]["firing"] == 1
    first = status["jobs"][0]
    assert first["name"] == "ui-failing" and first["alerts"][0]["rule"] == "failed"
    text = runner.invoke(main, args).output
    assert "FIRING ALERTS 1" in text and re.search(r"ui-failing .* critical failed \d", text)


def test_the_user_can_sort_the_overview_by_name(console: Console, alerting: str, page: Any):
    page.goto(console.url + "/?sort=name")
    names = page.locator("#jobs tbody tr[data-job]").evaluate_all(
        "rows => rows.map(r => r.dataset.job)"
    )
    assert names == sorted(names)
    assert page.locator("a.sort.on").text_content() == "Job"
