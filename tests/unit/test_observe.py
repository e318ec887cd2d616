from __future__ import annotations

import httpx

from flinkops.flink.rest import FlinkClient
from flinkops.observe import read_live


def test_read_live_by_name_reads_only_that_jobs_config() -> None:
    configs: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs/overview":
            return httpx.Response(
                200,
                json={
                    "jobs": [
                        {"jid": f"j{i}", "name": name, "state": "RUNNING", "start-time": i}
                        for i, name in enumerate(["agg", "other", "adhoc"])
                    ]
                },
            )
        configs.append(request.url.path)
        return httpx.Response(
            200,
            json={
                "jid": "j0",
                "name": "agg",
                "execution-config": {
                    "user-config": {
                        "flinkops.name": "agg",
                        "flinkops.version": "3",
                        "flinkops.spec-hash": "h",
                        "flinkops.target": "local",
                    }
                },
            },
        )

    client = FlinkClient("http://flink", transport=httpx.MockTransport(answer))
    [live] = read_live(client, "local", name="agg")
    assert (live.managed_name, live.version) == ("agg", 3)
    assert configs == ["/jobs/j0/config"]
    assert len(read_live(client, "local")) == 3
