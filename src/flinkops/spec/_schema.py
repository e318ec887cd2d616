"""The JSON schemas in ``schemas/`` (the contract) and their errors as located problems."""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from flinkops.errors import Problem
from flinkops.spec._yaml import Document, escape_pointer

__all__ = ["SCHEMA_DIR", "schema_problems", "validators"]

SCHEMA_DIR = Path(__file__).parent.parent / "schemas"


@cache
def validators() -> dict[str, jsonschema.protocols.Validator]:
    """The JSON schemas in schemas/ (self-contained, so plain jsonschema can use them)."""
    return {
        name: jsonschema.Draft202012Validator(
            json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
        )
        for name in ("job", "project", "test")
    }


def schema_problems(doc: Document, kind: str) -> list[Problem]:
    """Validate one document against its JSON schema; one located problem per error,
    in source order (jsonschema walks some keywords, additionalProperties among them,
    as a set, so its own order follows the hash seed)."""
    validator = validators()[kind]
    problems = []
    for error in validator.iter_errors(doc.data):
        problems.extend(_explain(error, doc))
    return sorted(problems, key=lambda p: (p.line, p.col, p.pointer, p.message))


def _pointer(path: Any) -> str:
    return "".join(f"/{escape_pointer(str(p))}" for p in path)


def _explain(error: jsonschema.ValidationError, doc: Document) -> list[Problem]:
    pointer = _pointer(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}  # a dict: from JSON
        allowed = set(schema.get("properties", {}))
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            child = f"{pointer}/{key}"
            out.append(doc.problem(child, f"unknown key {key!r}{hint}", key=True))
        return out
    if error.validator == "oneOf" and pointer.endswith("/spec"):
        inst = error.instance if isinstance(error.instance, dict) else {}
        if "sql" in inst and "sqlFile" in inst:
            return [
                doc.problem(pointer + "/sqlFile", "give either sql or sqlFile, not both", key=True)
            ]
        return [doc.problem(pointer, "missing SQL: give sql (inline) or sqlFile")]
    if error.validator == "required":
        return [
            doc.problem(pointer, error.message.replace("is a required property", "is required"))
        ]
    if error.validator == "const":
        return [doc.problem(pointer, f"must be {error.validator_value!r}, not {error.instance!r}")]
    if error.validator == "enum" and isinstance(error.validator_value, list):
        options = ", ".join(map(str, error.validator_value))
        return [doc.problem(pointer, f"{error.instance!r} is not one of: {options}")]
    if error.validator == "pattern" and pointer.endswith("/metadata/name"):
        return [
            doc.problem(
                pointer,
                f"bad job name {error.instance!r}: use lowercase letters, "
                "digits and '-', starting and ending with a letter or digit",
            )
        ]
    message = error.message
    if len(message) > 200:
        message = message[:200] + "..."
    return [doc.problem(pointer, message)]
