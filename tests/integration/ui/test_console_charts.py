"""Data curves as charts, from real samples of `flinkops monitor` over ``ui-live``:
a time axis with ticks, a unit per series, the value under the pointer and a window
selector. Runs on the console's cluster and jobs (conftest)."""

from __future__ import annotations

import re
from typing import Any

from flinkops.monitor import Monitor, metrics_history
from flinkops.workspace import open_workspace
from tests.integration._wait import wait_until
from tests.integration.ui.conftest import TARGET, Console, shot


def _sample(console: Console) -> None:
    """Monitor passes until ui-live has a few samples of its input rate."""
    with open_workspace(console.root, TARGET) as ws:
        mon = Monitor(ws.project, ws.target, ws.client, ws.store, url=ws.url)

        def enough() -> bool:
            mon.run_once(wait_deliveries=True)
            series = metrics_history(None, ws.store, TARGET, "ui-live", since=600)["series"]
            rates = [k for k in series if k.startswith("records_in_per_s[")]
            return bool(rates) and len(series[rates[0]]) >= 4

        try:
            wait_until(enough, what="4 samples of ui-live's input rate", interval=1.0)
        finally:
            mon.close()


def _texts(svg_texts: Any) -> list[str]:
    """The text of SVG <text> elements (inner_text is for HTML elements)."""
    texts: list[str] = svg_texts.evaluate_all("ts => ts.map(t => t.textContent)")
    return texts


def test_job_curves_are_charts_with_time_units_readout_and_windows(
    console: Console, page: Any
) -> None:
    _sample(console)
    page.goto(f"{console.url}/jobs/ui-live")
    fig = page.locator('figure.chart[data-series="records_in_per_second"]')
    assert fig.locator(".unit").inner_text() == "records/s"
    ticks = _texts(fig.locator("text.xtick"))
    assert len(ticks) >= 3 and all(re.fullmatch(r"\d\d:\d\d", t) for t in ticks), ticks
    assert re.fullmatch(r"[\d.,K]+", fig.locator("text.ytick").last.text_content() or "")
    assert fig.locator("polyline.series").count() >= 1
    assert (
        page.locator('figure.chart[data-series="checkpoint_duration_ms"] .unit').inner_text()
        == "ms"
    )
    # the value under the pointer
    box = fig.locator("svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 12, box["y"] + box["height"] / 2)
    readout = fig.locator(".readout").inner_text()
    assert re.fullmatch(r"\d\d:\d\d:\d\d UTC · [\d.,K]+ records/s", readout), readout
    shot(page, "job-curves")
    page.click('#chart-windows a[data-window="15m"]')
    page.wait_for_url(re.compile(r"window=15m"))
    assert page.locator("#chart-windows a.on").inner_text() == "15m"
    ticks = page.locator('figure.chart[data-series="records_in_per_second"] text.xtick')
    assert ticks.count() >= 3
    page.click('#chart-windows a[data-window="7d"]')
    page.wait_for_url(re.compile(r"window=7d"))
    week = page.locator('figure.chart[data-series="records_in_per_second"] text.xtick')
    assert all(re.fullmatch(r"\d\d-\d\d", t) for t in _texts(week))
    shot(page, "job-curves-7d")
