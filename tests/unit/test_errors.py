"""One error tree: every error class flinkops raises is defined in ``errors.py`` and
drawn in its docstring under its base."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from flinkops import errors

SRC = Path(errors.__file__).parent
ERRORS = {
    name: cls
    for name, cls in vars(errors).items()
    if inspect.isclass(cls) and issubclass(cls, BaseException)
}


def _bases(node: ast.ClassDef) -> list[str]:
    return [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]


def test_no_error_class_is_defined_outside_errors_py():
    outside = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = _bases(node)
            if any(b in ERRORS or b.endswith(("Error", "Exception")) for b in bases):
                outside.append(f"{path.relative_to(SRC)}: {node.name}({', '.join(bases)})")
    assert outside == []


def test_every_error_class_is_drawn_in_the_tree_under_its_base():
    assert errors.__doc__ is not None
    parent: dict[str, str] = {}
    open_at: dict[int, str] = {}  # column -> the last class drawn there
    for line in errors.__doc__.splitlines():
        name = line.lstrip(" │├└─").split(" ")[0]
        if not line.startswith("    ") or name not in ERRORS:  # the tree is indented
            continue
        column = len(line) - len(line.lstrip(" │├└─"))
        parent[name] = open_at.get(column - 4, "")
        open_at[column] = name
    assert set(parent) == set(ERRORS)
    for name, cls in ERRORS.items():
        base = cls.__bases__[0].__name__
        assert parent[name] == ("" if base == "Exception" else base), name
