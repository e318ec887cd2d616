"""The console over a project file that breaks under it and is fixed again: it keeps
serving, says what is wrong where (as `validate` does) in a banner, and recovers on
the next request. Runs on the console's cluster and jobs (conftest)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.integration.ui.conftest import Console, shot


def test_a_broken_project_file_is_a_banner_until_it_is_fixed(console: Console, page: Any) -> None:
    project = console.root / "flinkops.yaml"
    good = project.read_text()
    page.goto(console.url + "/")
    assert page.locator("#project-error").count() == 0
    try:
        # the store's password now comes from a variable the console's process lacks
        project.write_text(
            good.replace("store: .flinkops/state.db", "store: ${env:FO_PG_PASSWORD}")
        )
        banner = page.locator("#project-error")
        expect(banner).to_be_visible(timeout=15_000)  # the overview's own refresh shows it
        text = banner.inner_text()
        assert "flinkops.yaml:4:8: environment variable FO_PG_PASSWORD is not set" in text
        assert page.locator("#jobs tbody tr[data-job]").count() == 3  # still serving
        shot(page, "project-file-broken-banner")
        api = httpx.get(console.url + "/api/status").json()
        assert "FO_PG_PASSWORD" in api["project_error"] and api["counts"]["total"] == 4
        page.goto(console.url + "/jobs/ui-live")
        assert "FO_PG_PASSWORD" in page.locator("#project-error").inner_text()
    finally:
        project.write_text(good)
    page.goto(console.url + "/")
    assert page.locator("#project-error").count() == 0
    assert "project_error" not in httpx.get(console.url + "/api/status").json()
