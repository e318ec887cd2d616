"""A real Alertmanager (Debian's ``prometheus-alertmanager``) on a free loopback port,
for the tests: ``running_alertmanager(dir)`` starts it with a route to a receiver
that sends nowhere (the tests read its API), no HA cluster port, its own storage, and
stops it by PID when the block ends, even on failure."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from flinkops.flink.local import free_port
from tests.integration._procs import stop
from tests.integration._wait import wait_until

CONFIG = """\
route: {receiver: nowhere, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: nowhere}]
"""


@contextmanager
def running_alertmanager(workdir: Path) -> Iterator[str]:
    """Alertmanager's base URL while the block runs."""
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        pytest.skip("alertmanager not found (apt-get install prometheus-alertmanager)")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "alertmanager.yml").write_text(CONFIG)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "alertmanager.log"
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={workdir / 'alertmanager.yml'}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        wait_until(
            lambda: proc.poll() is None and _ready(url),
            what="alertmanager answers /-/ready",
            timeout=30,
            describe=lambda: log.read_text()[-2000:],
        )
        yield url
    finally:
        stop(proc)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def alerts_in(url: str, **labels: str) -> list[dict[str, Any]]:
    """Alertmanager's alerts (active, silenced and inhibited) whose labels match."""
    filters = [f'{k}="{v}"' for k, v in labels.items()]
    resp = httpx.get(f"{url}/api/v2/alerts", params={"filter": filters}, timeout=5)
    resp.raise_for_status()
    alerts: list[dict[str, Any]] = resp.json()
    return alerts


def silence(url: str, minutes: int = 30, **labels: str) -> str:
    """A silence on ``labels`` for ``minutes``; its id."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    body = {
        "matchers": [{"name": k, "value": v, "isRegex": False} for k, v in labels.items()],
        "startsAt": now.isoformat(),
        "endsAt": (now + timedelta(minutes=minutes)).isoformat(),
        "createdBy": "flinkops tests",
        "comment": "maintenance",
    }
    resp = httpx.post(f"{url}/api/v2/silences", json=body, timeout=5)
    resp.raise_for_status()
    silence_id: str = resp.json()["silenceID"]
    return silence_id
