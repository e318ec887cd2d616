"""The ops center: status, job details, savepoints and logs, read from the cluster and store.

Each view is read by a ``collect_*`` function (I/O through FlinkClient and Store,
never changing a job except ``take_savepoint``, which leaves it running), returns
the JSON form documented in docs/ops-json.md, and ``render_*`` draws the text
form from that JSON. Jobs are read through ``flinkops.flink.live``, the read model plan
and apply use too. ``flinkops.diagnose`` holds the advice rules.
"""

from flinkops.ops._actions import job_logs, take_savepoint
from flinkops.ops._history import version_diff, version_pair
from flinkops.ops._show import collect_show, find_job, find_runs, web_ui_url
from flinkops.ops._status import (
    COUNT_KEYS,
    CURRENT_STATES,
    LiveRow,
    build_status,
    collect_status,
    current_state,
    filter_status,
    newest_run,
)
from flinkops.ops._text import human_ms, render_show, render_status, version_label

__all__ = [
    "COUNT_KEYS",
    "CURRENT_STATES",
    "LiveRow",
    "build_status",
    "collect_show",
    "collect_status",
    "current_state",
    "filter_status",
    "find_job",
    "find_runs",
    "human_ms",
    "job_logs",
    "newest_run",
    "render_show",
    "render_status",
    "take_savepoint",
    "version_diff",
    "version_label",
    "version_pair",
    "web_ui_url",
]
