"""collect_show and take_savepoint of a job the cluster cannot identify."""

from __future__ import annotations

import httpx
import pytest

from flinkops.flink.rest import FlinkClient
from flinkops.store import Store
from tests.unit.ops.helpers import NOW, version


def test_show_and_savepoint_of_a_job_that_may_be_running_unidentified() -> None:
    from flinkops.errors import FlinkError
    from flinkops.ops import collect_show, render_show, take_savepoint

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            job = {"jid": "x1", "name": "orders", "state": "RUNNING", "start-time": NOW}
            return httpx.Response(200, json={"jobs": [job]})
        return httpx.Response(503, json={"errors": ["Service temporarily unavailable"]})

    client = FlinkClient("http://flink", transport=httpx.MockTransport(handle), retries=0)
    with Store(":memory:") as store:
        store.record_version(version("orders", 1, "applied"))
        data = collect_show(
            client, store, target="local", url="u", name="orders", spec=None, redact=lambda x: x
        )
        with pytest.raises(FlinkError, match="may be running on target 'local' as x1"):
            take_savepoint(client, store, target="local", name="orders", spec=None)
    assert (data["current"], data["running"], data["live"]) == ("UNKNOWN", False, None)
    assert data["unidentified"][0]["job_id"] == "x1"
    assert "may be running as x1 (RUNNING)" in render_show(data)
