"""The views in process, against a store with versions and an unreachable cluster."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from flinkops.cli import main
from flinkops.flink.live import Scope
from flinkops.store import HistoryRecord, Outcome, Store
from tests.unit.ui.conftest import EVIL, SECRET


def test_overview_shows_unknown_and_reconnecting_when_the_cluster_is_down(
    client: TestClient,
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "RECONNECTING" in page.text
    assert 'data-count="UNKNOWN"' in page.text and 'href="/jobs/job-a"' in page.text
    api = client.get("/api/status").json()
    assert api["reachable"] is False and api["counts"]["UNKNOWN"] == 1
    assert [j["current"] for j in api["jobs"]] == ["UNKNOWN"]


def test_status_api_is_the_cli_json(client: TestClient, project: Path) -> None:
    cli = CliRunner().invoke(
        main, ["status", "--project", str(project), "--format", "json", "--reconnect-timeout", "0"]
    )
    expected = json.loads(cli.stdout)
    got = client.get("/api/status").json()
    for doc in (expected, got):
        doc.pop("now")
        doc["error"] = bool(doc["error"])  # the OS's wording of "connection refused" may vary
    assert got == expected


def test_card_filter_keeps_counts_whole(client: TestClient) -> None:
    filtered = client.get("/api/status?state=RUNNING").json()
    assert filtered["jobs"] == [] and filtered["counts"]["total"] == 1
    page = client.get("/?state=RUNNING")
    assert "No managed jobs match this filter" in page.text
    assert client.get("/?type=batch").text.count('data-job="') == 0


def test_job_page_shows_the_store_side_and_escapes_markup(client: TestClient) -> None:
    page = client.get("/jobs/job-a")
    assert page.status_code == 200
    assert EVIL not in page.text and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page.text
    assert "did not answer" in page.text  # the message of show
    assert 'id="version-list"' in page.text and "v2" in page.text
    assert "flinkops monitor" in page.text  # where the history comes from
    assert "spec.state: suspended" in page.text and "flinkops rollback job-a --to 1" in page.text
    api = client.get("/api/jobs/job-a").json()
    assert api["current"] == "UNKNOWN" and [v["version"] for v in api["versions"]] == [1, 2]
    assert api["monitor"]["available"] is False and api["edges"] == []
    # which snapshot the next start would use, as VVP shows it
    assert api["next_restore"] == "empty state (no savepoint or checkpoint recorded)"
    assert 'id="next-restore"' in page.text and api["next_restore"] in page.text
    assert api["events"][1]["message"].endswith(EVIL)  # JSON keeps the text, HTML escapes it


def test_secrets_are_redacted_on_pages_and_in_the_api(client: TestClient) -> None:
    for path in (
        "/jobs/job-a",
        "/api/jobs/job-a",
        "/api/jobs/job-a/events",
        "/jobs/job-a/versions",
    ):
        body = client.get(path).text
        assert SECRET not in body, path
    assert "a log line leaked ***" in client.get("/jobs/job-a").text


def test_the_overview_refreshes_from_a_fragment_of_itself(client: TestClient) -> None:
    page = client.get("/")
    assert 'data-refresh="5.0"' in page.text and "/static/app.js" in page.text
    fragment = client.get("/?partial=1").text
    assert "<html" not in fragment and 'data-count="total"' in fragment


def test_cli_refuses_a_non_local_binding_without_a_token(project: Path) -> None:
    result = CliRunner(env={"FLINKOPS_UI_TOKEN": None}).invoke(
        main, ["ui", "--project", str(project), "--host", "0.0.0.0"]
    )
    assert result.exit_code == 1
    assert "refusing to serve the console on 0.0.0.0 without a token" in result.stderr


def test_unknown_job_is_a_404_page_not_a_traceback(client: TestClient) -> None:
    page = client.get("/jobs/nope")
    assert page.status_code == 404 and "no job &#39;nope&#39;" in page.text
    assert "Traceback" not in page.text
    assert client.get("/api/jobs/nope").json()["error"].startswith("no job 'nope'")


def test_versions_page_diffs_sql_and_configuration_side_by_side(client: TestClient) -> None:
    page = client.get("/jobs/job-a/versions?a=1&b=2")
    assert page.status_code == 200
    assert 'class="d-changed"' in page.text
    # the changed word is marked on both sides
    assert "<mark>SUM</mark>(v)" in page.text and "<mark>MAX</mark>(v)" in page.text
    assert (
        '<td class="mono">parallelism</td><td class="what"><span class="chg chg-changed">'
        'changed</span></td><td class="l">1</td><td class="r">2</td>'
    ) in page.text
    assert 'id="config-summary">1 changed · 0 added · 0 removed<' in page.text
    unified = client.get("/jobs/job-a/versions?a=1&b=2&view=unified").text
    assert '<td class="m">-</td><td class="u l">INSERT INTO snk SELECT id, <mark>SUM' in unified
    assert '<td class="m">+</td><td class="u r">INSERT INTO snk SELECT id, <mark>MAX' in unified
    api = client.get("/api/jobs/job-a/versions?a=1&b=2").json()
    assert (api["diff"]["from"], api["diff"]["to"]) == (1, 2)
    assert "-INSERT INTO snk SELECT id, SUM(v)" in api["diff"]["sql_diff"]
    assert "parallelism: 1 -> 2" in api["diff"]["config_diff"]
    assert client.get("/api/jobs/job-a/versions?a=1&b=9").status_code == 404


def test_lineage_page_and_impact_api(client: TestClient) -> None:
    page = client.get("/lineage")
    assert 'data-col="job-a: src.v"' in page.text and 'class="impact-data"' in page.text
    api = client.get("/api/lineage").json()
    assert set(api) == {"tables", "columns", "jobs", "warnings"}
    assert client.get("/api/lineage?impact=src.v").json() == {
        "column": "src.v",
        "impact": ["job-a: snk.total"],
    }


def test_actions_are_off_by_default(client: TestClient) -> None:
    assert client.get("/jobs/job-a/actions/savepoint").status_code == 403
    assert client.post("/jobs/job-a/actions/savepoint").status_code == 403
    assert "--allow-actions" in client.get("/jobs/job-a").text


def test_an_action_asks_confirmation_and_needs_the_csrf_token(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(allow_actions=True)
    confirm = client.get("/jobs/job-a/actions/diagnose")
    assert confirm.status_code == 200 and 'name="csrf"' in confirm.text
    assert client.post("/jobs/job-a/actions/diagnose", data={"csrf": "forged"}).status_code == 403
    assert client.get("/jobs/job-a/actions/delete").status_code == 403
    csrf = confirm.text.split('name="csrf" value="')[1].split('"')[0]
    cross = client.post(
        "/jobs/job-a/actions/diagnose", data={"csrf": csrf}, headers={"origin": "http://evil"}
    )
    assert cross.status_code == 403
    done = client.post("/jobs/job-a/actions/diagnose", data={"csrf": csrf})
    assert done.status_code == 502  # the cluster is down: the error page says so
    events = client.get("/api/jobs/job-a/events").json()
    assert (
        events[0]["step"] == "console"
        and "diagnose from the console failed" in events[0]["message"]
    )
    assert events[1]["message"].startswith("diagnose requested from the console")


def test_token_is_checked_on_every_request(make_client: Callable[..., TestClient]) -> None:
    client = make_client(token="s3cret-token")
    for path in ("/", "/api/status", "/lineage", "/static/app.css", "/jobs/job-a"):
        assert client.get(path).status_code == 401, path
    assert (
        client.get("/api/status", headers={"authorization": "Bearer s3cret-token"}).status_code
        == 200
    )
    first = client.get("/lineage?token=s3cret-token", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("/lineage")
    assert client.get("/lineage").status_code == 200  # the cookie set by the redirect


def test_a_rebound_host_name_is_refused(client: TestClient) -> None:
    assert client.get("/api/status", headers={"host": "evil.example:8088"}).status_code == 403


def test_pages_carry_a_content_security_policy(client: TestClient) -> None:
    csp = client.get("/lineage").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert client.get("/static/app.js").status_code == 200


def test_data_curves_and_alerts_are_drawn_once_monitoring_has_history(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def history(
        store: object, target: str, job: str, project: object = None, since: float = 0
    ) -> dict[str, Any]:
        return {
            "available": True,
            "reason": None,
            "series": {"records_in_per_second": [[0, 1.0], [1000, 3.0]], "restarts": [[0, 0]]},
            "alerts": [{"at": "2026-12-01T00:00:00Z", "rule": "lag", "severity": "warning",
                        "message": "lag over 1m", "state": "resolved",
                        "resolved_at": "2026-12-01T00:05:00Z"}],
            "alert_counts": {"firing": 0, "resolved": 1},
            "since_ms": 0,
            "until_ms": 3_600_000,
        }  # fmt: skip

    monkeypatch.setattr("flinkops.ui._read.monitor_history", history)
    page = client.get("/jobs/job-a").text
    assert '<polyline class="series" points="44.0,105.6 44.1,56.8"/>' in page
    assert "records in per second" in page and ">records/s<" in page
    assert '<circle class="series"' in page  # one point: a dot, not a line
    assert 'href="?window=24h#overview"' in page
    assert "lag over 1m" in page and 'id="monitor-hint"' not in page
    assert '<span class="count" id="alerts-resolved" title="resolved">1</span>' in page
    assert "0 firing · 1 resolved" in page and "2026-12-01T00:05:00Z" in page


def test_the_logs_api_is_the_cli_json_with_its_text_redacted(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []

    def fake_logs(
        client: object, *, target: str, name: str, stdout: bool, store: object, scope: Scope
    ) -> dict[str, Any]:
        asked.append(stdout)
        assert scope.target == target and scope.project  # the project's jobs only
        sources = [
            {"kind": "jobmanager", "id": "jobmanager", "lines": [f"a {EVIL}"], "error": None},
            {"kind": "taskmanager", "id": "tm-1", "lines": [f"pw {SECRET}"], "error": None},
        ]
        return {
            "job": name,
            "job_id": "j1",
            "job_ids": ["j1"],
            "stdout": stdout,
            "sources": sources,
        }

    monkeypatch.setattr("flinkops.ui._read.job_logs", fake_logs)
    api = client.get("/api/jobs/job-a/logs?stdout=1").json()
    assert asked == [True] and api["error"] is None
    assert [s["id"] for s in api["sources"]] == ["jobmanager", "tm-1"]
    assert api["text"] == f"[jobmanager] a {EVIL}\n[taskmanager tm-1] pw ***"
    assert client.get("/api/jobs/job-a/logs").json()["stdout"] is False


def test_versions_page_shows_the_history_rows(client: TestClient, project: Path) -> None:
    with Store(str(project / "state.db")) as store:
        for job_id in ("job-one", "job-two"):  # two rollbacks to version 1
            store.append_history(
                HistoryRecord(
                    "local", "job-a", 1, "rollback", Outcome.APPLIED, git_commit="abc123def4567",
                    git_author="Ann <ann@example.com>", job_id=job_id, restored_from="file:///sp",
                )
            )  # fmt: skip
    api = client.get("/api/jobs/job-a/versions").json()
    assert [(h["seq"], h["action"], h["job_id"]) for h in api["history"]] == [
        (1, "rollback", "job-one"),
        (2, "rollback", "job-two"),
    ]
    page = client.get("/jobs/job-a/versions")
    assert 'id="history-list"' in page.text and "abc123def456" in page.text
    assert "job-one" in page.text and "job-two" in page.text


def test_a_broken_project_file_is_a_banner_and_recovers_on_the_next_request(
    client: TestClient, project: Path
) -> None:
    assert client.get("/").status_code == 200  # loads once: the last good project
    good = (project / "flinkops.yaml").read_text()
    (project / "flinkops.yaml").write_text(good.replace("store: state.db", "store: ${env:FO_PG}"))
    page = client.get("/")
    assert page.status_code == 200 and 'id="project-error"' in page.text
    # located as `validate` says it: file, line and column, and the JSON pointer
    assert "flinkops.yaml:4:8: environment variable FO_PG is not set" in page.text
    assert "(at /store)" in page.text and 'data-job="job-a"' in page.text
    api = client.get("/api/status").json()
    assert "FO_PG is not set" in api["project_error"] and api["jobs"][0]["name"] == "job-a"
    assert 'id="project-error"' in client.get("/jobs/job-a").text
    (project / "flinkops.yaml").write_text(good)
    page = client.get("/")
    assert page.status_code == 200 and 'id="project-error"' not in page.text
    assert "project_error" not in client.get("/api/status").json()


def test_a_project_broken_from_the_start_is_an_error_page_with_the_located_error(
    make_client: Callable[..., TestClient], project: Path
) -> None:
    (project / "flinkops.yaml").write_text("apiVersion: flinkops/v1\nkind: Project\ntargets: {")
    client = make_client()
    page = client.get("/")
    assert page.status_code == 400 and 'id="project-error"' in page.text
    assert "flinkops.yaml:3:" in page.text and "malformed YAML" in page.text
    assert "Nothing can be shown until they load" in page.text
    assert "malformed YAML" in client.get("/api/status").json()["error"]
