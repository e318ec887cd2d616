"""The statements a pinned spec is submitted with (apply/_pinned.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flinkops.apply._pinned import keep_plan, pinned_program
from flinkops.errors import ApplyError
from flinkops.store import Store

DDL = "CREATE TABLE src (k INT) WITH ('connector' = 'datagen')"
SET_SQL = f"""{DDL};
CREATE TABLE a (k INT) WITH ('connector' = 'blackhole');
CREATE TABLE b (k INT) WITH ('connector' = 'blackhole');
EXECUTE STATEMENT SET BEGIN
INSERT INTO a SELECT k FROM src;
INSERT INTO b SELECT k FROM src;
END;
"""


def test_the_first_submit_compiles_then_the_plan_is_kept(make_spec, tmp_path: Path) -> None:
    spec = make_spec(sql=f"{DDL};\nCREATE TABLE a (k INT) WITH ('connector' = 'blackhole');\n"
                     "INSERT INTO a SELECT k FROM src;\n", compiled_plan="pin")  # fmt: skip
    with Store(str(tmp_path / "s.db")) as store:
        statements, path, kept = pinned_program(store, "t", "job-a", spec, tmp_path / "plans")
        assert not kept and statements[0].startswith("SET 'table.plan.force-recompile'")
        assert statements[-2] == f"COMPILE PLAN '{path}' FOR INSERT INTO a SELECT k FROM src"
        assert statements[-1] == f"EXECUTE PLAN '{path}'"
        path.write_text('{"flinkVersion": "1.20"}')  # what Flink's COMPILE PLAN wrote
        keep_plan(store, "t", "job-a", 1, spec, path, "1.20.5")
        path.unlink()
        again, path2, kept = pinned_program(store, "t", "job-a", spec, tmp_path / "plans")
        assert kept and again == [f"EXECUTE PLAN '{path2}'"]
        assert path2.read_text() == '{"flinkVersion": "1.20"}'


def test_a_statement_set_is_compiled_whole(make_spec, tmp_path: Path) -> None:
    spec = make_spec(sql=SET_SQL, compiled_plan="pin")
    with Store(str(tmp_path / "s.db")) as store:
        statements, path, _ = pinned_program(store, "t", "job-a", spec, tmp_path)
    assert statements[-2] == (
        f"COMPILE PLAN '{path}' FOR STATEMENT SET BEGIN INSERT INTO a SELECT k FROM src; "
        "INSERT INTO b SELECT k FROM src; END"
    )
    assert len(statements) == 6  # SET, three CREATE TABLE, COMPILE PLAN, EXECUTE PLAN


def test_no_plan_directory_is_refused(make_spec, tmp_path: Path) -> None:
    with Store(str(tmp_path / "s.db")) as store, pytest.raises(ApplyError, match="directory"):
        pinned_program(store, "t", "job-a", make_spec(compiled_plan="pin"), None)
