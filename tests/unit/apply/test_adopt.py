"""What `flinkops import` writes for a running job (``apply/_adopted_spec.py``) and which
unmanaged job a reference names. Pure."""

from __future__ import annotations

import pytest
import yaml

from flinkops.apply._adopted_spec import adopted_configuration, spec_document, spec_name_of
from flinkops.apply.adopt import RunningJob, find_unmanaged
from flinkops.errors import ImportRefused


def test_configuration_keeps_checkpointing_that_differs_and_the_users_parameters() -> None:
    conf = adopted_configuration(
        {"team": "payments", "flinkops.name": "x"},
        {"interval": 60000, "mode": "at_least_once", "min_pause": 500, "timeout": 600000},
    )
    assert conf == {
        "execution.checkpointing.interval": "1min",
        "execution.checkpointing.mode": "AT_LEAST_ONCE",
        "execution.checkpointing.min-pause": "500ms",
        "pipeline.global-job-parameters": "team:payments",
    }


def test_checkpointing_off_leaves_no_checkpoint_keys() -> None:
    assert adopted_configuration({}, {"interval": 2**63 - 1}) == {}
    assert adopted_configuration({}, {}) == {}


@pytest.mark.parametrize(
    ("flink", "spec"),
    [("Legacy Sums", "legacy-sums"), ("insert-into_default.snk", "insert-into-default-snk"),
     ("___", "adopted-job")],
)  # fmt: skip
def test_spec_name_of_a_flink_job_name(flink: str, spec: str) -> None:
    assert spec_name_of(flink) == spec


def test_spec_document_is_a_job_spec_with_sql_inline_or_by_file() -> None:
    common = {
        "name": "sums", "job_id": "abc", "job_name": "legacy", "target": "local",
        "parallelism": 2, "configuration": {"execution.checkpointing.interval": "5s"},
    }  # fmt: skip
    inline = yaml.safe_load(spec_document(**common, sql="CREATE TABLE a (x INT);\nSELECT 1;"))
    assert inline["metadata"] == {"name": "sums"}
    assert inline["spec"]["sql"] == "CREATE TABLE a (x INT);\nSELECT 1;\n"
    assert inline["spec"]["parallelism"] == 2 and inline["spec"]["upgradeMode"] == "savepoint"
    by_file = spec_document(**common, sql_file="../sql/sums.sql")
    assert "sqlFile: ../sql/sums.sql" in by_file and "abc" in by_file.splitlines()[0]


def _job(job_id: str, name: str) -> RunningJob:
    return RunningJob(job_id, name, "RUNNING", 0, 1, {}, {})


def test_find_unmanaged_by_id_or_name_and_refuses_ambiguity() -> None:
    jobs = [_job("a1", "x"), _job("b2", "y"), _job("c3", "y")]
    assert find_unmanaged(jobs, "a1").job_id == "a1"
    assert find_unmanaged(jobs, "x").job_id == "a1"
    with pytest.raises(ImportRefused, match="2 unmanaged jobs are named 'y'"):
        find_unmanaged(jobs, "y")
    with pytest.raises(ImportRefused, match="import --list"):
        find_unmanaged(jobs, "nope")
