"""The worker groups of ``make test`` name test files that exist (a moved file would
otherwise fall out of its group silently and set its module fixtures up on every worker)."""

from __future__ import annotations

from pathlib import Path

from tests.xdist_groups import ONE_WORKER_GROUPS, group_of

REPO = Path(__file__).resolve().parents[2]


def test_every_group_prefix_names_an_existing_test_file_or_folder() -> None:
    for prefix in ONE_WORKER_GROUPS:
        path = REPO / prefix.removesuffix("::")
        assert path.exists(), f"{prefix} names no test file or folder"


def test_a_grouped_module_goes_whole_to_its_group_and_others_go_alone() -> None:
    assert group_of("tests/integration/ui/test_console.py::test_versions_page") == (
        "console-cluster"
    )
    assert group_of("tests/integration/test_ops.py::test_status_rows_and_counts") == "ops-jobs"
    assert group_of("tests/integration/test_ops_extra.py::test_x") is None
    assert group_of("tests/integration/apply/test_apply.py::test_lifecycle") is None
