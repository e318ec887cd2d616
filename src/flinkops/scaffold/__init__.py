"""The files a team's repository starts with (`flinkops init`) and the JSON schemas
shipped in the package (`flinkops schema`). May import errors only: it copies files
that ship in the package (``scaffold/files/``, ``schemas/``) and never overwrites one.

``scaffold`` writes ``flinkops.yaml`` (a ``local`` target for `flinkops local up`, more
with ``targets``), ``jobs/example.yaml``, the GitHub workflows (plan comment on pull
requests, apply on merge, the store URL from a secret), a pre-commit hook, a
``.gitignore`` and the job and project schemas under ``schemas/`` for the YAML language
server, each only where no file is. Template files whose names start with a dot are
shipped without it (``gitignore``, ``github/``), so package data carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flinkops.errors import FlinkopsError

__all__ = [
    "LOCAL_URL",
    "SCHEMAS",
    "Written",
    "project_document",
    "scaffold",
    "schema_dir",
    "write_schemas",
]

LOCAL_URL = "http://localhost:8081"
#: The schemas a team's files name in their ``$schema`` modelines.
SCHEMAS = ("job.schema.json", "project.schema.json")
_FILES = Path(__file__).parent / "files"
#: template path -> path in the team's repository
_TEMPLATES = {
    "jobs/example.yaml": "jobs/example.yaml",
    "github/workflows/flinkops-plan.yml": ".github/workflows/flinkops-plan.yml",
    "github/workflows/flinkops-apply.yml": ".github/workflows/flinkops-apply.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitignore": ".gitignore",
}


@dataclass(frozen=True)
class Written:
    """One file of the scaffold: written, or kept because a file was there."""

    path: str
    written: bool

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "written": self.written}


def schema_dir() -> Path:
    """Where the installed package keeps its JSON schemas (`flinkops schema --path`)."""
    return Path(__file__).resolve().parent.parent / "schemas"


def _write_new(path: Path, text: str, root: Path) -> Written:
    rel = path.relative_to(root).as_posix()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x") as f:
            f.write(text)
    except FileExistsError:
        return Written(rel, False)
    return Written(rel, True)


def write_schemas(directory: Path, *, overwrite: bool = True) -> list[Written]:
    """Copy the job and project schemas into ``directory`` (`flinkops schema --write`,
    which refreshes them after an upgrade; `init` writes only missing ones)."""
    out = []
    for name in SCHEMAS:
        text = (schema_dir() / name).read_text()
        target = directory / name
        if overwrite and target.exists():
            changed = target.read_text() != text
            if changed:
                target.write_text(text)
            out.append(Written(str(target), changed))
        else:
            written = _write_new(target, text, directory)
            out.append(Written(str(target), written.written))
    return out


def project_document(targets: Mapping[str, str], schemas: str = "schemas") -> str:
    """``flinkops.yaml`` with ``targets`` (name -> REST URL); the first is the default."""
    lines = [
        f"# yaml-language-server: $schema={schemas}/project.schema.json",
        "apiVersion: flinkops/v1",
        "kind: Project",
        "jobs: [jobs/]",
        "# The version store: an SQLite file for one person. A team and its CI share a",
        "# PostgreSQL store: set FLINKOPS_STORE=postgresql://... (the workflows do, from the",
        "# FLINKOPS_STORE_URL secret), which takes the place of this line.",
        "store: .flinkops/state.db",
        f"defaultTarget: {next(iter(targets))}",
        "targets:",
    ]
    for name, url in targets.items():
        lines.append(f"  {name}:")
        if name == "local":
            lines.append("    # the cluster `flinkops local up` starts on this machine")
        lines.append(f"    url: {url}")
        if name == "local":
            lines.append("    health: {window: 5s}  # a short health window for local trials")
    return "\n".join(lines) + "\n"


def scaffold(root: Path, targets: Mapping[str, str], *, pip_spec: str) -> list[Written]:
    """Write the project's files under ``root`` where none is; what was written or kept.
    ``targets`` maps target name to REST URL (``local`` first unless given otherwise);
    ``pip_spec`` is what the workflows `pip install`."""
    if root.exists() and not root.is_dir():
        raise FlinkopsError(f"{root} is not a directory")
    root.mkdir(parents=True, exist_ok=True)
    out = [_write_new(root / "flinkops.yaml", project_document(targets), root)]
    for template, dest in _TEMPLATES.items():
        text = (_FILES / template).read_text()
        text = text.replace("{schema_dir}", "../schemas").replace("{pip_spec}", pip_spec)
        out.append(_write_new(root / dest, text, root))
    for schema in write_schemas(root / "schemas", overwrite=False):
        rel = Path(schema.path).relative_to(root / "schemas")
        out.append(Written(f"schemas/{rel.as_posix()}", schema.written))
    return out
