"""The JSON schemas and the pydantic models agree on valid and invalid documents, and
random documents, bytes and tagged scalars never crash the loader (hypothesis)."""

from __future__ import annotations

import contextlib
import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from flinkops.errors import FlinkopsError
from flinkops.spec import JobModel, ProjectModel, load_project
from flinkops.spec._yaml import load_documents

VALID_JOBS = [
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "INSERT INTO t SELECT 1"},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a-b-1", "labels": {"team": "x", "app.kubernetes.io/name": "y"}},
        "spec": {
            "sqlFile": "a.sql",
            "state": "suspended",
            "parallelism": 4,
            "upgradeMode": "last-state",
            "allowNonRestoredState": True,
            "flinkConfiguration": {"a": "1", "b": 2, "c": True},
            "savepointDir": "/sp",
            "targets": ["prod"],
            "health": {"window": "30s", "untilCheckpoint": True},
            "savepoints": {"schedule": "0 */6 * * *", "retain": {"count": 3, "maxAge": "7d"}},
            "overrides": {
                "prod": {
                    "parallelism": 8,
                    "health": {"timeout": 60},
                    "savepoints": {"schedule": 60},
                }
            },
        },
    },
]
INVALID_JOBS = [
    *(
        {
            "apiVersion": "flinkops/v1",
            "kind": "SqlJob",
            "metadata": {"name": "a"},
            "spec": {"sql": "x", "savepoints": bad},
        }
        for bad in (
            {"schedule": "soon"},
            {"schedule": -1},
            {"retain": {"count": 0}},
            {"retain": {"count": True}},
            {"retain": {"maxAge": "a week"}},
            {"retain": {"keep": 1}},
            {"cleanupCommand": []},
            {"cleanupCommand": [""]},
            {"every": "1h"},
        )
    ),
    {
        "apiVersion": "flinkops/v2",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x"},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "A"},
        "spec": {"sql": "x"},
    },
    {"apiVersion": "flinkops/v1", "kind": "SqlJob", "metadata": {"name": "a"}, "spec": {}},
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "sqlFile": "y"},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "parallelism": 0},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "parallelism": True},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "overrides": {"p": {"sql": "y"}}},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "health": {"window": "soon"}},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a", "x": 1},
        "spec": {"sql": "x"},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "flinkConfiguration": {"a": [1]}},
    },
    {
        "apiVersion": "flinkops/v1",
        "kind": "SqlJob",
        "metadata": {"name": "a"},
        "spec": {"sql": "x", "targets": ["a", "a"]},
    },
]
VALID_PROJECTS = [
    {"apiVersion": "flinkops/v1", "kind": "Project"},
    {
        "apiVersion": "flinkops/v1",
        "kind": "Project",
        "jobs": ["jobs/", "more.yaml"],
        "store": "sqlite:///x.db",
        "defaultTarget": "local",
        "targets": {
            "local": {
                "url": "http://localhost:8081",
                "headers": {"A": "b"},
                "savepointDir": "/sp",
                "health": {"window": 5},
            }
        },
        "savepoints": {
            "schedule": "1h",
            "retain": {"count": 5},
            "cleanupCommand": ["rm", "{path}"],
        },
    },
]
INVALID_PROJECTS = [
    {"apiVersion": "flinkops/v1", "kind": "Job"},
    {"apiVersion": "flinkops/v1", "kind": "Project", "targets": {"local": {}}},
    {"apiVersion": "flinkops/v1", "kind": "Project", "targets": {"l": {"url": "ftp://x"}}},
    {"apiVersion": "flinkops/v1", "kind": "Project", "targets": {"Bad": {"url": "http://x"}}},
    {"apiVersion": "flinkops/v1", "kind": "Project", "store": ""},
    {"apiVersion": "flinkops/v1", "kind": "Project", "extra": 1},
    {"apiVersion": "flinkops/v1", "kind": "Project", "savepoints": {"schedule": "hourly"}},
]


def _schema_ok(kind: str, doc: dict) -> bool:
    from flinkops.spec._schema import validators

    return validators()[kind].is_valid(doc)


def _model_ok(model: type, doc: dict) -> bool:
    try:
        model.model_validate(doc)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("doc", VALID_JOBS + INVALID_JOBS)
def test_job_schema_and_model_agree(doc: dict) -> None:
    assert _schema_ok("job", doc) == _model_ok(JobModel, doc) == (doc in VALID_JOBS)


@pytest.mark.parametrize("doc", VALID_PROJECTS + INVALID_PROJECTS)
def test_project_schema_and_model_agree(doc: dict) -> None:
    assert _schema_ok("project", doc) == _model_ok(ProjectModel, doc) == (doc in VALID_PROJECTS)


# ---- property-based: the loader fails only with its own error ---------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
_keys = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "metadata",
        "spec",
        "name",
        "sql",
        "sqlFile",
        "state",
        "parallelism",
        "overrides",
        "targets",
        "labels",
        "health",
        "flinkConfiguration",
        "x",
    ]
)
_docs = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=6)),
    max_leaves=25,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=_docs)
def test_random_documents_never_crash_the_loader(make_project, doc: object) -> None:
    root = make_project({"jobs/a.yaml": yaml.safe_dump(doc)})
    with contextlib.suppress(FlinkopsError):
        load_project(root, env={})


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_never_crash_the_yaml_reader(raw: bytes) -> None:
    _docs, problems = load_documents("x.yaml", raw)
    assert all(p.line >= 1 and p.col >= 1 for p in problems)


@settings(max_examples=150, deadline=None)
@given(
    tag=st.sampled_from(["!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary"]),
    value=st.text(max_size=20),
)
def test_random_tagged_scalars_never_crash_the_yaml_reader(tag: str, value: str) -> None:
    _docs, problems = load_documents("x.yaml", f"x: {tag} {json.dumps(value)}\n".encode())
    assert all(p.line >= 1 and p.col >= 1 for p in problems)
