"""The console served by `flinkops ui` against real jobs, read by a real browser."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from flinkops.workspace import open_workspace
from tests.conftest import REPO
from tests.integration.ui.conftest import EVIL_NAME, EVIL_TEXT, TARGET, Console, shot


def _counts(page: Any) -> dict[str, int]:
    cards = page.locator("a.card")
    return {
        cards.nth(i).get_attribute("data-count"): int(
            cards.nth(i).locator(".card-value").inner_text()
        )
        for i in range(cards.count())
    }


def _rows(page: Any) -> list[str]:
    return page.locator("#jobs tbody tr[data-job]").evaluate_all(
        "rows => rows.map(r => r.dataset.job)"
    )


def test_overview_counts_and_a_card_click_filters(console: Console, page: Any) -> None:
    api = httpx.get(f"{console.url}/api/status").json()
    page.goto(console.url + "/")
    counts = _counts(page)
    assert counts == api["counts"]
    assert (counts["total"], counts["RUNNING"], counts["FAILED"]) == (4, 2, 1)
    current = dict(
        page.locator("#jobs tbody tr[data-job]").evaluate_all(
            "rows => rows.map(r => [r.dataset.job, r.dataset.current])"
        )
    )
    assert current == {"ui-failing": "FAILED", "ui-live": "RUNNING", "ui-paused": "SUSPENDED"}
    shot(page, "overview")
    read_at = page.locator(".refreshed").inner_text()  # "Read at <time> · refreshes every 1s"
    page.wait_for_function(
        "before => document.querySelector('.refreshed').textContent.trim() !== before.trim()",
        arg=read_at,
        timeout=15_000,
    )  # the page refreshed itself
    page.click('a.card[data-count="FAILED"]')
    page.wait_for_url(re.compile(r"state=FAILED"))
    assert _rows(page) == ["ui-failing"]
    assert _counts(page)["total"] == 4  # the cards still count every job
    assert page.locator("#unmanaged").count() == 0
    page.click('a.card[data-count="RUNNING"]')
    page.wait_for_url(re.compile(r"state=RUNNING"))
    assert _rows(page) == ["ui-live"]
    assert page.locator("#unmanaged tbody tr").count() == 1
    shot(page, "overview-running")


def test_job_page_draws_the_dag_and_lists_checkpoints(console: Console, page: Any) -> None:
    page.goto(f"{console.url}/jobs/ui-live")
    dag = page.locator("#dag-svg")
    assert dag.locator("g.vertex").count() == 2
    assert dag.locator("g.edge").count() == 1
    assert "HASH" in dag.locator("g.edge").text_content()
    assert re.search(r"out [\d,]+", dag.locator("g.vertex").first.text_content())
    shot(page, "job")
    page.wait_for_function(
        "url => fetch(url).then(r => r.json()).then(j => j.live.checkpoints.counts.completed > 0)",
        arg=f"{console.url}/api/jobs/ui-live",
        timeout=30_000,
    )
    page.reload()
    page.click('a[data-tab="checkpoints"]')
    history = page.locator("#checkpoint-history tbody")
    # the tab switch runs on the page's hashchange event, after the click returns: wait for it
    expect(history).to_be_visible()
    expect(history).to_contain_text("COMPLETED")
    shot(page, "job-checkpoints")
    page.click('a[data-tab="lineage"]')
    assert page.locator("#job-lineage-svg .col").count() >= 3
    page.click('a[data-tab="logs"]')
    expect(page.locator("#log-text")).to_have_text(re.compile(r"\S"))  # the JobManager's log tail


def test_job_page_lists_the_exception_and_runs_no_markup(console: Console, page: Any) -> None:
    page.goto(f"{console.url}/jobs/ui-failing#exceptions")
    assert page.locator("#job-current").inner_text() == "FAILED"
    history = page.locator("#exception-history tbody tr")
    assert history.count() >= 1
    text = page.locator("#exceptions").inner_text()
    assert EVIL_TEXT in text  # shown as text ...
    assert page.locator("#exceptions img").count() == 0  # ... not as an element
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    shot(page, "job-exceptions")


def test_a_job_named_with_markup_executes_nothing(console: Console, page: Any) -> None:
    page.goto(console.url + "/")
    assert page.locator("#unmanaged td.name a").inner_text() == EVIL_NAME
    page.click("#unmanaged td.name a")
    page.wait_for_url(re.compile(console.ids["unmanaged"]))
    assert page.locator("#job-name").inner_text() == EVIL_NAME
    assert page.locator("main img, main script").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None and page.dialogs == []


def test_a_savepoint_from_the_console_is_confirmed_and_recorded(
    console: Console, page: Any
) -> None:
    page.goto(f"{console.url}/jobs/ui-live#operations")
    page.click('a.button[href$="/actions/savepoint"]')
    assert "Savepoint ui-live?" in page.locator("h2").first.inner_text()
    shot(page, "action-confirm")
    page.click("#confirm")  # a form post: the savepoint is taken before the page answers
    page.wait_for_selector("#action-summary, #error-message", timeout=120_000)
    assert page.locator("#action-summary").count() == 1, page.locator("main").inner_text()
    summary = page.locator("#action-summary").inner_text()
    assert summary.startswith("savepoint taken: ")
    location = summary.removeprefix("savepoint taken: ")
    shot(page, "action-done")
    with open_workspace(console.root, TARGET) as ws:
        assert ws.store.latest_savepoint(TARGET, "ui-live").location == location
        steps = [(e.step, e.message) for e in ws.store.events(TARGET, "ui-live", 5)]
    assert ("console", f"savepoint from the console: savepoint taken: {location}") in steps
    page.goto(f"{console.url}/jobs/ui-live#checkpoints")
    assert location in page.locator("#savepoints").inner_text()


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    resp = httpx.post(f"{console.url}/jobs/ui-live/actions/savepoint", data={"csrf": "x"})
    assert resp.status_code == 403 and "CSRF" in resp.text


def test_suspend_resume_rollback_are_shown_as_git_changes(console: Console, page: Any) -> None:
    page.goto(f"{console.url}/jobs/ui-paused#operations")
    text = page.locator("#gitops").inner_text()
    assert "spec.state: running" in text and "jobs/ui-paused.yaml" in text


def test_lineage_page_draws_the_cross_job_edge_of_the_examples(serve: Any, page: Any) -> None:
    url, _ = serve("--project", str(REPO))
    page.goto(url + "/lineage")
    edge = page.locator('svg.lineage g.ledge.job[data-from="clean-orders: clean_orders"]')
    assert edge.get_attribute("data-to") == "customer-revenue: clean_orders"
    assert "clean-orders → customer-revenue" in edge.text_content()
    page.click('[data-col="clean-orders: raw_orders.amount_cents"]')
    hits = page.locator("svg.lineage .col.hit").evaluate_all("cs => cs.map(c => c.dataset.col)")
    assert "customer-revenue: customer_revenue.revenue" in hits
    # each column edge says what happened on it: the revenue is an aggregate (SUM)
    what = page.locator("svg.lineage g.ledge.column").evaluate_all(
        "gs => gs.map(g => g.dataset.what)"
    )
    assert "SUM" in what and "identity" in what
    shot(page, "lineage")


def test_non_local_binding_needs_the_token(serve: Any, page: Any) -> None:
    url, _ = serve("--project", str(REPO), "--token", "s3cret-ui-token", host="0.0.0.0")
    assert page.goto(url + "/").status == 401
    assert httpx.get(url + "/api/status").status_code == 401
    ok = httpx.get(url + "/api/lineage", headers={"authorization": "Bearer s3cret-ui-token"})
    assert ok.status_code == 200
    assert page.goto(url + "/lineage?token=s3cret-ui-token").status == 200


def test_restart_in_place_resubmits_the_same_spec_from_a_savepoint(console: Console) -> None:
    with httpx.Client(base_url=console.url, timeout=120) as http:
        confirm = http.get("/jobs/ui-live/actions/restart")
        csrf = confirm.text.split('name="csrf" value="')[1].split('"')[0]
        refused = http.post("/jobs/ui-failing/actions/restart", data={"csrf": csrf})
        assert refused.status_code == 502 and "not running" in refused.text
        done = http.post("/jobs/ui-live/actions/restart", data={"csrf": csrf})
        assert done.status_code == 200, done.text
        assert "restart: done" in done.text
        row = next(j for j in http.get("/api/status").json()["jobs"] if j["name"] == "ui-live")
    assert row["job_id"] != console.ids["ui-live"]
    assert (row["current"], row["in_sync"], row["version"]) == ("RUNNING", True, 2)
    with open_workspace(console.root, TARGET) as ws:
        v2 = ws.store.version(TARGET, "ui-live", 2)
        steps = [e.step for e in ws.store.events(TARGET, "ui-live", 20)]
    assert v2 is not None and v2.restored_from and "savepoint" in v2.restored_from
    assert v2.spec_hash == ws.spec("ui-live").spec_hash
    assert steps.count("console") >= 2 and "restart" in steps


def test_versions_page_after_the_restart(console: Console, page: Any) -> None:
    page.goto(f"{console.url}/jobs/ui-live/versions")
    assert page.locator("#version-list tbody tr").count() == 2
    assert "The SQL is the same." in page.locator("main").inner_text()
    assert page.locator("#config-diff tr.d-changed").count() == 0
    shot(page, "versions")
