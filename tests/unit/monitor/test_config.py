"""metrics:/alerts: in flinkops.yaml and spec.alerts: schema-checked, located errors,
channels resolved with ${env:...} secrets; and the example failing job loads."""

from __future__ import annotations

import shutil

import pytest

from flinkops.errors import SpecError
from flinkops.monitor import settings_of
from flinkops.spec import load_project
from tests.conftest import PROJECT_YAML, REPO, job_yaml

ALERTS = """\
metrics:
  interval: 5s
  retention: {full: 12h, rollups: 240h}
alerts:
  consoleUrl: http://console.example:8088/
  channels:
    hook: {type: webhook, url: "${env:HOOK_URL}"}
    ding: {type: dingtalk, url: "https://oapi.dingtalk.com/robot/send", secret: "${env:DING}"}
    mail: {type: email, host: smtp.example.org, from: a@example.org, to: [b@example.org]}
  sendTo: [hook]
  rules:
    noRecords: {for: 15min}
"""


def test_settings_and_channels_with_env_secrets(make_project) -> None:
    root = make_project({"jobs/a.yaml": job_yaml()}, project=PROJECT_YAML + ALERTS)
    env = {"HOOK_URL": "https://hooks.example/abc-secret", "DING": "SECdingding"}
    project = load_project(root, env=env)
    settings = settings_of(project)
    assert (settings.interval, settings.full, settings.rollups) == (5.0, 43200.0, 864000.0)
    assert settings.console_url == "http://console.example:8088"
    assert settings.channels["hook"].url == "https://hooks.example/abc-secret"
    assert settings.send_to == ("hook",)
    assert (
        "SECdingding" in project.secrets and "https://hooks.example/abc-secret" in project.secrets
    )


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("restarts: {count: 0}", "flinkops.yaml:23:23: 0 is less than the minimum of 1"),
        ("lag: {for: soon}", "flinkops.yaml:23:16: 'soon' is not valid under any"),
        ("backpressure: {threshold: 1.5}", "flinkops.yaml:23:31: 1.5 is greater than the maximum"),
        ("failed: {count: 2}", "flinkops.yaml:23:14: unknown key 'count'"),
        ("failed: {severity: page}", "flinkops.yaml:23:24: 'page' is not one of: critical"),
    ],
)
def test_bad_thresholds_are_located(make_project, rules: str, expected: str) -> None:
    root = make_project(
        {"jobs/a.yaml": job_yaml()}, project=PROJECT_YAML + ALERTS + f"    {rules}\n"
    )
    with pytest.raises(SpecError) as err:
        load_project(root, env={"HOOK_URL": "https://h.example/x", "DING": "s"})
    assert expected in str(err.value)


def test_channels_need_their_fields_and_send_to_names_known_channels(make_project) -> None:
    bad = PROJECT_YAML + "alerts:\n  channels:\n    m: {type: email, host: h}\n"
    with pytest.raises(SpecError, match=r"flinkops.yaml:13:8: 'from' is required"):
        load_project(make_project({"jobs/a.yaml": job_yaml()}, project=bad), env={})
    job = job_yaml(extra="alerts:\n  sendTo: [hook, pager]\n  rules: {lag: {periods: 2}}\n")
    root = make_project({"jobs/a.yaml": job}, project=PROJECT_YAML + ALERTS)
    with pytest.raises(SpecError) as err:
        load_project(root, env={"HOOK_URL": "https://h.example/x", "DING": "s"})
    assert str(err.value).startswith(
        "jobs/a.yaml:7:20: unknown channel 'pager' (channels: ding, hook, mail)"
    )


def test_the_example_failing_job_is_a_valid_spec(make_project) -> None:
    root = make_project({})
    shutil.copy(REPO / "examples" / "failing-job.yaml", root / "jobs" / "failing-job.yaml")
    [job] = load_project(root, env={}).jobs
    assert job.name == "failing-demo" and job.flink_configuration["restart-strategy.type"] == "none"
    assert job.model.alerts is not None and job.model.alerts.rules is not None
