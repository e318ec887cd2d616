from __future__ import annotations

import pytest

from flinkops.flink.identity import (
    JobIdentity,
    format_global_job_parameters,
    merge_global_job_parameters,
    parse_global_job_parameters,
)

ID = JobIdentity(name="orders-agg", version=4, spec_hash="0123abcd", target="prod")


def test_round_trip_through_user_config() -> None:
    params = ID.to_params()
    assert params == {
        "flinkops.name": "orders-agg",
        "flinkops.version": "4",
        "flinkops.spec-hash": "0123abcd",
        "flinkops.target": "prod",
    }
    assert JobIdentity.from_user_config(params) == ID
    assert JobIdentity.from_user_config({"other": "x"}) is None
    assert JobIdentity.from_user_config(None) is None


def test_merge_keeps_user_parameters_and_replaces_stale_identity() -> None:
    conf = {
        "pipeline.global-job-parameters": "team:payments, flinkops.version:1",
        "parallelism.default": "2",
    }
    merged = merge_global_job_parameters(conf, ID)
    params = parse_global_job_parameters(merged["pipeline.global-job-parameters"])
    assert params["team"] == "payments"
    assert params["flinkops.version"] == "4"
    assert merged["parallelism.default"] == "2"
    assert conf["pipeline.global-job-parameters"].startswith("team")  # input untouched


def test_format_refuses_separators() -> None:
    assert format_global_job_parameters({"a": "1", "b": "x:y"}) == "a:1,b:x:y"
    with pytest.raises(ValueError):
        format_global_job_parameters({"a": "1,2"})
