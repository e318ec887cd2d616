from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from flinkops.cli import main
from tests.conftest import REPO, job_yaml


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_repo_project_is_valid() -> None:
    code, out, err = run("validate", "--project", str(REPO))
    assert code == 0, err
    assert "4 job specs valid" in out


def test_sql_syntax_error_is_located_in_the_yaml(make_project) -> None:
    sql = (
        "CREATE TABLE src (id INT) WITH ('connector' = 'datagen');\n"
        "INSERT INTO snk\nSELECT id FROM src WHERE id >;\n"
    )
    root = make_project({"jobs/a.yaml": job_yaml(sql=sql)})
    code, out, _err = run("validate", "--project", str(root), "--format", "json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert len(problems) == 1
    # the SQL block starts on line 7 of the file; the bad statement's 2nd line is line 9
    assert (problems[0]["path"], problems[0]["line"], problems[0]["pointer"]) == (
        "jobs/a.yaml",
        9,
        "/spec/sql",
    )
    lines = (root / "jobs/a.yaml").read_text().splitlines()
    assert "WHERE id >" in lines[problems[0]["line"] - 1]


def test_broken_copy_of_repo_reports_every_problem(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "jobs", copy / "jobs")
    shutil.copy(REPO / "flinkops.yaml", copy / "flinkops.yaml")
    spec = copy / "jobs" / "orders-per-minute.yaml"
    spec.write_text(spec.read_text().replace("upgradeMode: savepoint", "upgradeMod: savepoint"))
    (copy / "jobs" / "sql" / "clean-orders.sql").unlink()
    code, out, err = run("validate", "--project", str(copy))
    assert code == 1
    assert (
        "jobs/orders-per-minute.yaml:11:3: unknown key 'upgradeMod'; did you mean "
        "'upgradeMode'?" in err
    )
    assert "jobs/clean-orders.yaml:14:12: sqlFile 'sql/clean-orders.sql' not found" in err
    assert "Traceback" not in err + out


def test_no_project_file_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("validate", "--project", str(tmp_path))
    assert code == 1 and "no flinkops.yaml here" in err and "Traceback" not in err


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("flinkops, version ")


def test_duplicate_name_is_reported_beside_a_schema_error(make_project) -> None:
    bad = job_yaml("same", extra="upgradeMod: savepoint\n")
    root = make_project({"jobs/a.yaml": job_yaml("same"), "jobs/b.yaml": bad})
    code, out, _err = run("validate", "--project", str(root), "--format", "json")
    assert code == 1
    found = {(p["path"], p["line"], p["message"]) for p in json.loads(out)["problems"]}
    assert ("jobs/b.yaml", 4, "duplicate job name 'same' (also in jobs/a.yaml:4:9)") in found
    assert any(m.startswith("unknown key 'upgradeMod'") for _, _, m in found), found


def test_duplicate_name_is_reported_when_the_first_file_is_broken(make_project) -> None:
    bad = job_yaml("same", extra="upgradeMod: savepoint\n")
    root = make_project({"jobs/a.yaml": bad, "jobs/b.yaml": job_yaml("same")})
    code, out, _err = run("validate", "--project", str(root), "--format", "json")
    messages = [p["message"] for p in json.loads(out)["problems"]]
    assert code == 1
    assert "duplicate job name 'same' (also in jobs/a.yaml:4:9)" in messages, messages


def test_bad_tagged_scalar_is_a_located_problem(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "jobs", copy / "jobs")
    shutil.copy(REPO / "flinkops.yaml", copy / "flinkops.yaml")
    spec = copy / "jobs" / "orders-per-minute.yaml"
    spec.write_text(spec.read_text().replace("parallelism: 1", "parallelism: !!int abc"))
    code, out, err = run("validate", "--project", str(copy))
    assert code == 1
    assert "jobs/orders-per-minute.yaml:10:16: bad value: 'abc' is not a valid !!int" in err
    assert "Traceback" not in err + out


def test_validate_uses_the_loaders_relative_paths() -> None:
    from flinkops.spec import _load as _spec_load
    from flinkops.spec import validate

    assert validate.relative_path is _spec_load.relative_path


# ---- Flink's planner errors, located (spec/validate.py flink_location)

SET_SQL = (
    "-- counts\n"
    "CREATE TABLE src (id INT) WITH ('connector' = 'datagen');\n"
    "EXECUTE STATEMENT SET BEGIN\n"
    "  INSERT INTO a SELECT id FROM src;\n"
    "  INSERT INTO b\n"
    "  SELECT idd FROM src;\n"
    "END;\n"
)


def test_runner_statements_are_located_where_they_start_in_the_sql() -> None:
    from flinkops.flink.runner import normalize_statements
    from flinkops.spec.validate import runner_statements
    from flinkops.sql import split_statements

    located = runner_statements(SET_SQL)
    # the runner executes exactly these statements, in this order
    texts = normalize_statements([s.text for s in split_statements(SET_SQL)])
    assert [s.text for s in located] == texts
    assert [(s.line, s.col) for s in located] == [(2, 1), (4, 3), (5, 3)]


def test_flinks_statement_relative_position_is_mapped_to_the_yaml(make_project) -> None:
    from flinkops.flink.runner import Rejection
    from flinkops.spec import load_project
    from flinkops.spec.validate import flink_location, flink_problem

    root = make_project({"jobs/a.yaml": job_yaml(sql=SET_SQL)})
    (job,) = load_project(root).jobs_for("local")
    lines = (root / "jobs/a.yaml").read_text().splitlines()
    # statement 2 is "INSERT INTO b\n  SELECT idd FROM src": Flink says line 2, column 10
    file, line, col = flink_location(job, Rejection("Column 'idd' not found", 2, 2, 10), root)
    assert (file, lines[line - 1][col - 1 : col + 2]) == ("jobs/a.yaml", "idd")
    # on a statement's first line, the column counts from where the statement starts
    file, line, col = flink_location(job, Rejection("Object 'b' not found", 2, 1, 13), root)
    assert lines[line - 1][col - 1] == "b" and lines[line - 1].strip() == "INSERT INTO b"
    # no statement named: the SQL's first character; a statement without a position: its start
    assert flink_location(job, Rejection("no INSERT"), root)[1:] == (job.sql_line, job.sql_col)
    _, line, col = flink_location(job, Rejection("planner failed", 1), root)
    assert lines[line - 1][col - 1 :] == "INSERT INTO a SELECT id FROM src;"
    problem = flink_problem(job, Rejection("Column 'idd' not found", 2, 2, 10), root)
    assert str(problem).endswith(": Flink: Column 'idd' not found (at /spec/sql)")


def test_a_sql_files_position_is_its_own(make_project) -> None:
    from flinkops.flink.runner import Rejection
    from flinkops.spec import load_project
    from flinkops.spec.validate import flink_problem

    spec = "apiVersion: flinkops/v1\nkind: SqlJob\nmetadata:\n  name: a\nspec:\n  sqlFile: a.sql\n"
    root = make_project({"jobs/a.yaml": spec, "jobs/a.sql": SET_SQL})
    (job,) = load_project(root).jobs_for("local")
    problem = flink_problem(job, Rejection("Column 'idd' not found", 2, 2, 10), root)
    assert (problem.path, problem.line, problem.col, problem.pointer) == (
        "jobs/a.sql",
        6,
        10,
        "/spec/sqlFile",
    )


def test_validate_target_must_name_a_target(make_project) -> None:
    from tests.conftest import PROJECT_YAML

    root = make_project(
        {"jobs/a.yaml": job_yaml()}, project=PROJECT_YAML + "validateTarget: staging\n"
    )
    code, _out, err = run("validate", "--project", str(root))
    assert code == 1
    assert "validateTarget 'staging' is not a target" in err


def test_offline_and_target_exclude_each_other(make_project) -> None:
    root = make_project({"jobs/a.yaml": job_yaml()})
    code, _out, err = run("validate", "--project", str(root), "--offline", "--target", "local")
    assert code == 2
    assert "--offline and --target exclude each other" in err
