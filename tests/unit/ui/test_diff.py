from __future__ import annotations

from flinkops.ui._diff import config_rows, flatten, side_by_side, words


def test_side_by_side_pairs_changed_lines_and_keeps_numbers() -> None:
    rows = side_by_side("a\nb\nc\n", "a\nB\nc\nd\n")
    assert [(r["kind"], r["left"], r["right"]) for r in rows] == [
        ("same", "a", "a"),
        ("changed", "b", "B"),
        ("same", "c", "c"),
        ("added", None, "d"),
    ]
    assert (rows[3]["left_no"], rows[3]["right_no"]) == (None, 4)


def test_side_by_side_of_a_replaced_block_of_unequal_length() -> None:
    rows = side_by_side("x\ny\n", "z\n")
    assert [r["kind"] for r in rows] == ["changed", "removed"]


def test_config_rows_flatten_nested_values() -> None:
    flat = flatten({"a": {"b": 1}, "l": [True, False]})
    assert flat == {"a.b": "1", "l.0": "true", "l.1": "false"}
    rows = config_rows({"p": 1, "c": {"k": "v"}}, {"p": 2, "n": None})
    assert {r["key"]: r["kind"] for r in rows} == {"c.k": "removed", "n": "added", "p": "changed"}


def test_the_changed_words_of_a_changed_line_are_marked() -> None:
    left, right = words("SELECT id, SUM(v) FROM t", "SELECT id, MAX(v) FROM t")
    assert [t for t, changed in left if changed] == ["SUM"]
    assert [t for t, changed in right if changed] == ["MAX"]
    assert "".join(t for t, _ in right) == "SELECT id, MAX(v) FROM t"
    [row] = side_by_side("a = 1", "a = 2")
    assert row["kind"] == "changed" and row["right_parts"] == [("a = ", False), ("2", True)]
