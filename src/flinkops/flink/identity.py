"""Which spec and version a live Flink job is, carried by the job itself.

flinkops submits every job with ``pipeline.global-job-parameters`` holding its
identity (``flinkops.name``, ``flinkops.version``, ``flinkops.spec-hash``,
``flinkops.target``, ``flinkops.project``). Flink hands these back from ``GET /jobs/:id/config`` as
``execution-config.user-config``, so the cluster alone tells flinkops which
spec and version each running job is, and whose: ``flinkops.project`` is the
project's id (``project:`` in ``flinkops.yaml``), so two projects that share a
session cluster and a target name tell their jobs apart. Jobs submitted before
projects had ids carry none ("legacy" jobs, ``project == ""``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "GLOBAL_JOB_PARAMETERS",
    "JobIdentity",
    "format_global_job_parameters",
    "merge_global_job_parameters",
    "parse_global_job_parameters",
]

GLOBAL_JOB_PARAMETERS = "pipeline.global-job-parameters"
_PREFIX = "flinkops."


@dataclass(frozen=True)
class JobIdentity:
    """A managed job's spec name, applied version, spec hash, target and project id
    (``""``: submitted before projects had ids)."""

    name: str
    version: int
    spec_hash: str
    target: str
    project: str = ""

    def to_params(self) -> dict[str, str]:
        """The global job parameters that carry this identity."""
        params = {
            "flinkops.name": self.name,
            "flinkops.version": str(self.version),
            "flinkops.spec-hash": self.spec_hash,
            "flinkops.target": self.target,
        }
        if self.project:
            params["flinkops.project"] = self.project
        return params

    @classmethod
    def from_user_config(cls, user_config: Mapping[str, object] | None) -> JobIdentity | None:
        """The identity in a job's ``user-config``, or None for a job flinkops did not submit."""
        if not user_config:
            return None
        name = user_config.get("flinkops.name")
        if not name:
            return None
        try:
            version = int(str(user_config.get("flinkops.version", "0")))
        except ValueError:
            version = 0
        return cls(
            name=str(name),
            version=version,
            spec_hash=str(user_config.get("flinkops.spec-hash", "")),
            target=str(user_config.get("flinkops.target", "")),
            project=str(user_config.get("flinkops.project", "")),
        )


def _check(text: str, what: str) -> str:
    # Flink splits the value on ',' and each pair on the first ':'.
    if "," in text or (what == "key" and ":" in text):
        raise ValueError(f"a global job parameter {what} cannot contain ',' or ':' here: {text!r}")
    return text


def format_global_job_parameters(params: Mapping[str, str]) -> str:
    """``{"k1": "v1", "k2": "v2"}`` -> ``"k1:v1,k2:v2"`` (Flink's map syntax)."""
    return ",".join(f"{_check(k, 'key')}:{_check(v, 'value')}" for k, v in params.items())


def parse_global_job_parameters(value: str) -> dict[str, str]:
    """``"k1:v1,k2:v2"`` -> dict; tolerates blanks and Flink's quoted ``'k':'v'`` form."""
    out: dict[str, str] = {}
    for pair in value.split(","):
        if ":" not in pair:
            continue
        k, v = pair.split(":", 1)
        out[k.strip().strip("'\"")] = v.strip().strip("'\"")
    return out


def merge_global_job_parameters(
    flink_configuration: Mapping[str, str] | None, identity: JobIdentity
) -> dict[str, str]:
    """A copy of ``flink_configuration`` whose global job parameters also carry ``identity``.

    A user's own ``pipeline.global-job-parameters`` survive; flinkops's keys win.
    """
    conf = dict(flink_configuration or {})
    params = parse_global_job_parameters(conf.get(GLOBAL_JOB_PARAMETERS, ""))
    params = {k: v for k, v in params.items() if not k.startswith(_PREFIX)}
    params.update(identity.to_params())
    conf[GLOBAL_JOB_PARAMETERS] = format_global_job_parameters(params)
    return conf
