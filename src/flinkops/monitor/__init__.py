"""Monitoring: metric history, alert rules, alert records and channels. May import
savepoints (a pass takes the due savepoints), ops (the status it samples), spec, flink,
store and below; never apply, ui or cli.

Public interface (the CLI and the web console call these):

- ``metrics_history(project, store, target, job, since=3600)`` -> JSON-able history
  of a job's series, from the store or from Prometheus (``metrics.prometheus``).
- ``alert_records(store, target, job=None, state=None)`` -> JSON-able alert records
  (newest first) with their delivery attempts.
- ``Monitor`` (``run_once``, ``run``) — sampling, rules, alert state, channels.
- ``export_rules`` — the rules as Prometheus alerting rules.
- ``send_test(name, channel, target=, link=)`` — one test message through a channel.

Modules: ``sampler`` (Flink REST reads), ``rules`` (defaults, evaluation; pure),
``alerting`` (the state machine; pure), ``channels/`` (one class per channel kind,
its registry, delivery with retries), ``prometheus`` (export and history), ``history``
(the two history sources), ``loop`` (the monitor).
"""

from flinkops.monitor.history import alert_records, history_source, metrics_history
from flinkops.monitor.loop import DEFAULT_CONSOLE_URL, Monitor, MonitorSettings, settings_of
from flinkops.monitor.probe import send_test
from flinkops.monitor.prometheus import PrometheusHistory, export_rules

__all__ = [
    "DEFAULT_CONSOLE_URL",
    "Monitor",
    "MonitorSettings",
    "PrometheusHistory",
    "alert_records",
    "export_rules",
    "history_source",
    "metrics_history",
    "send_test",
    "settings_of",
]
