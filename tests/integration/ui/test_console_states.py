"""One name per state on every part of the console: Flink's ``CANCELED`` for what a
job is, the spec's word (``running``, ``suspended``) for what it should be. Runs on
the console's cluster and jobs (conftest); it cancels the unmanaged job, so it runs
after the console's other modules."""

from __future__ import annotations

import re
from typing import Any

import httpx

from flinkops.flink.rest import FlinkClient
from tests.integration.conftest import wait_state
from tests.integration.ui.conftest import Console, shot


def test_cards_badges_and_api_say_canceled_and_the_specs_words(
    console: Console, flink_client: FlinkClient, page: Any
) -> None:
    flink_client.cancel(console.ids["unmanaged"])
    wait_state(flink_client, console.ids["unmanaged"], "CANCELED")
    page.goto(console.url + "/?state=CANCELED")
    card = page.locator('a.card[data-count="CANCELED"]')
    assert card.locator(".card-value").inner_text() == "1"
    assert page.locator("#unmanaged tbody tr span.badge").inner_text() == "CANCELED"
    assert page.locator("a.card.on").get_attribute("data-count") == "CANCELED"
    shot(page, "overview-canceled-state-names")
    page.goto(console.url + "/")
    badges = dict(
        page.locator("#jobs tbody tr[data-job]").evaluate_all(
            "rows => rows.map(r => [r.dataset.job, r.querySelector('.badge.outline').textContent])"
        )
    )
    assert badges == {"ui-failing": "running", "ui-live": "running", "ui-paused": "suspended"}
    text = page.locator("main").inner_text()
    assert "CANCELLED" not in text.upper()  # never the other spelling
    api = httpx.get(console.url + "/api/status").json()
    [unmanaged] = [u for u in api["unmanaged"] if u["job_id"] == console.ids["unmanaged"]]
    assert unmanaged["current"] == unmanaged["flink_state"] == "CANCELED"
    page.goto(console.url + "/jobs/ui-paused")
    desired = page.locator(".badge.outline").first.text_content()
    assert re.fullmatch(r"desired suspended", desired.strip()), desired
