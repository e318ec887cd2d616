"""The spec `flinkops import` writes for a running job, from what Flink gives back. Pure.

Flink gives back a running job's parallelism and global job parameters
(``GET /jobs/:id/config``) and its checkpointing (``GET /jobs/:id/checkpoints/config``),
not its SQL and not the ``table.*`` settings its planner used: the SQL is the file the
user names, and the document's header says what could not be read. ``adopted_configuration``
keeps what changes how the job runs and holds its state (checkpointing that differs from
Flink's defaults, the user's own global job parameters); ``spec_document`` renders the
YAML (``sqlFile`` when the SQL lies inside the project, the SQL inline otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from flinkops.flink.identity import GLOBAL_JOB_PARAMETERS, format_global_job_parameters

__all__ = ["adopted_configuration", "spec_document", "spec_name_of"]

_LONG_MAX = 2**63 - 1
#: Flink's checkpointing defaults: a value equal to these is left out of the spec.
_DEFAULT_TIMEOUT_MS = 600_000


def spec_name_of(job_name: str) -> str:
    """A DNS-label spec name for a Flink job name: ``Legacy Sums`` -> ``legacy-sums``."""
    slug = re.sub(r"[^a-z0-9-]+", "-", job_name.lower()).strip("-")
    return re.sub(r"-{2,}", "-", slug)[:63].strip("-") or "adopted-job"


def _duration(ms: int) -> str:
    """Milliseconds as a Flink duration: ``5000`` -> ``5s``, ``60000`` -> ``1min``."""
    for unit, size in (("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and 0 < value < _LONG_MAX else None


def adopted_configuration(
    user_config: Mapping[str, str], checkpoints: Mapping[str, Any]
) -> dict[str, str]:
    """The ``flinkConfiguration`` a spec needs to run the job as it runs now.

    ``user_config`` is the job's ``execution-config.user-config`` (its global job
    parameters; flinkops's own keys are left out), ``checkpoints`` its
    ``/checkpoints/config`` ({} when checkpointing is off)."""
    conf: dict[str, str] = {}
    if (interval := _positive(checkpoints.get("interval"))) is not None:
        conf["execution.checkpointing.interval"] = _duration(interval)
        if str(checkpoints.get("mode", "")).lower() == "at_least_once":
            conf["execution.checkpointing.mode"] = "AT_LEAST_ONCE"
        if (pause := _positive(checkpoints.get("min_pause"))) is not None:
            conf["execution.checkpointing.min-pause"] = _duration(pause)
        timeout = _positive(checkpoints.get("timeout"))
        if timeout is not None and timeout != _DEFAULT_TIMEOUT_MS:
            conf["execution.checkpointing.timeout"] = _duration(timeout)
        if checkpoints.get("unaligned_checkpoints") is True:
            conf["execution.checkpointing.unaligned.enabled"] = "true"
        if (tolerable := _positive(checkpoints.get("tolerable_failed_checkpoints"))) is not None:
            conf["execution.checkpointing.tolerable-failed-checkpoints"] = str(tolerable)
    params = {k: v for k, v in user_config.items() if not k.startswith("flinkops.")}
    if params:
        conf[GLOBAL_JOB_PARAMETERS] = format_global_job_parameters(params)
    return conf


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (inline SQL) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def spec_document(
    *,
    name: str,
    job_id: str,
    job_name: str,
    target: str,
    parallelism: int | None,
    configuration: Mapping[str, str],
    sql_file: str | None = None,
    sql: str | None = None,
    schema: str | None = None,
) -> str:
    """The YAML text of the adopted job's spec; ``sql_file`` (relative to the spec) or
    ``sql`` inline; ``schema`` the job schema's location for the YAML language server."""
    spec: dict[str, Any] = {"state": "running"}
    if parallelism is not None:
        spec["parallelism"] = parallelism
    spec["upgradeMode"] = "savepoint"
    if configuration:
        spec["flinkConfiguration"] = dict(configuration)
    if sql_file is not None:
        spec["sqlFile"] = sql_file
    else:
        spec["sql"] = (sql or "").strip() + "\n"
    doc = {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": name},
        "spec": spec,
    }
    header = [f"# yaml-language-server: $schema={schema}"] if schema else []
    header += [
        f"# Adopted by `flinkops import` from Flink job {job_id} ({job_name!r}) on target "
        f"{target}.",
        "# Flink gives back the parallelism, the global job parameters and the checkpointing;",
        "# not the SQL (this is the SQL given to import) nor table.* settings: add those here.",
    ]
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)
    return "\n".join(header) + "\n" + body
