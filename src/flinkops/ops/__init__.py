"""The ops center: status, job details, savepoints, logs and diagnosis, read from the cluster
and the store. May import plan (the rules it shares with plan: in-place versions, what a next
start restores from), spec, sql, flink, store and errors; nothing above.

Each view is read by a ``collect_*`` function (I/O through FlinkClient and Store,
never changing a job except ``take_savepoint``, which leaves it running), returns
the JSON form documented in docs/ops-json.md, and ``render_*`` draws the text
form from that JSON. Jobs are read through ``flinkops.flink.live``, the read model plan
and apply use too. ``_diagnose`` holds the advice rules of `flinkops diagnose`;
``_logs`` picks a job's lines out of the cluster's logs.
"""

from flinkops.ops._actions import take_savepoint
from flinkops.ops._diagnose import diagnose_job, render_findings
from flinkops.ops._history import version_diff, version_pair
from flinkops.ops._logs import job_logs
from flinkops.ops._rest import checkpoint_config, job_metrics
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
from flinkops.ops._text import (
    human_count,
    human_ms,
    render_logs,
    render_show,
    render_status,
    table,
    version_label,
)

__all__ = [
    "COUNT_KEYS",
    "CURRENT_STATES",
    "LiveRow",
    "build_status",
    "checkpoint_config",
    "collect_show",
    "collect_status",
    "current_state",
    "diagnose_job",
    "filter_status",
    "find_job",
    "find_runs",
    "human_count",
    "human_ms",
    "job_logs",
    "job_metrics",
    "newest_run",
    "render_findings",
    "render_logs",
    "render_show",
    "render_status",
    "table",
    "take_savepoint",
    "version_diff",
    "version_label",
    "version_pair",
    "web_ui_url",
]
