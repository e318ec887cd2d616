"""YAML loading that keeps positions: every value is reachable by JSON pointer,
and every pointer maps to the 1-based (line, col) where it was written.

Duplicate keys, non-string keys, anchors that alias whole documents and other
surprises become located problems instead of silent overwrites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from flinkops.errors import Problem

__all__ = ["MAX_FILE_BYTES", "Document", "escape_pointer", "load_documents"]

MAX_FILE_BYTES = 1024 * 1024


def escape_pointer(token: str) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


@dataclass
class Document:
    """One YAML document of a file: its data, where it starts, and where each value is."""

    path: str
    data: Any
    line: int
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    block_scalars: dict[str, int] = field(default_factory=dict)

    def where(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Position of the value at ``pointer`` (or of its key), else of its closest parent."""
        table = self.key_positions if key else self.positions
        probe = pointer
        while True:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (self.line, 1)
            probe = probe.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str, *, key: bool = False) -> Problem:
        line, col = self.where(pointer, key=key)
        return Problem(self.path, line, col, message, pointer)


def _convert(node: yaml.Node, pointer: str, doc: Document, problems: list[Problem]) -> Any:
    """The plain data of ``node``, recording where each value (and key) was written."""
    mark = node.start_mark
    doc.positions[pointer] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        return _convert_mapping(node, pointer, doc, problems)
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, f"{pointer}/{i}", doc, problems) for i, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    return _convert_scalar(node, pointer, doc, problems)


def _convert_mapping(
    node: yaml.MappingNode, pointer: str, doc: Document, problems: list[Problem]
) -> dict[str, Any]:
    """A mapping with plain string keys; merge keys and duplicates become problems."""
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(
                _at(doc, key_node, "YAML merge keys (<<) are not supported in specs", pointer)
            )
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(_at(doc, key_node, "mapping keys must be plain strings", pointer))
            continue
        key = str(key_node.value)
        child = f"{pointer}/{escape_pointer(key)}"
        kpos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if key in out:
            first = doc.key_positions.get(child, kpos)
            message = f"duplicate key {key!r} (first at line {first[0]})"
            problems.append(_at(doc, key_node, message, child))
            continue
        doc.key_positions[child] = kpos
        out[key] = _convert(value_node, child, doc, problems)
    return out


def _convert_scalar(
    node: yaml.ScalarNode, pointer: str, doc: Document, problems: list[Problem]
) -> Any:
    """The scalar's value by YAML's safe rules; one that cannot be read becomes a problem."""
    if node.style in ("|", ">"):
        doc.block_scalars[pointer] = node.start_mark.line + 1
    constructor = yaml.SafeLoader(" ")
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(_at(doc, node, f"bad value: {exc}", pointer))
        return None
    except Exception:
        # A tag forces a conversion (``!!int abc``) that PyYAML's safe constructors fail
        # with whatever Python raises (ValueError, KeyError, IndexError, AttributeError):
        # each is a bad value in the spec, never a crash of the loader.
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(_at(doc, node, f"bad value: {node.value!r} is not a valid {tag}", pointer))
        return None
    finally:
        constructor.dispose()


def _at(doc: Document, node: yaml.Node, message: str, pointer: str) -> Problem:
    """A problem located where ``node`` starts."""
    mark = node.start_mark
    return Problem(doc.path, mark.line + 1, mark.column + 1, message, pointer)


def load_documents(path: str, raw: bytes) -> tuple[list[Document], list[Problem]]:
    """Parse every YAML document of a file; never raises for bad input, returns problems."""
    if len(raw) > MAX_FILE_BYTES:
        return [], [
            Problem(
                path, 1, 1, f"file is {len(raw)} bytes; specs are limited to {MAX_FILE_BYTES} bytes"
            )
        ]
    if b"\x00" in raw:
        return [], [Problem(path, 1, 1, "not a text file (contains NUL bytes)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Problem(path, line, 1, f"not UTF-8 text: {exc.reason} at byte {exc.start}")]
    problems: list[Problem] = []
    documents: list[Document] = []
    try:
        for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
            if node is None:
                continue
            doc = Document(path=path, data=None, line=node.start_mark.line + 1)
            doc.data = _convert(node, "", doc, problems)
            documents.append(doc)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or str(exc)
        if exc.context:
            reason = f"{exc.context}: {reason}"
        problems.append(Problem(path, line, col, f"malformed YAML: {reason}"))
    except yaml.YAMLError as exc:  # pragma: no cover - yaml raises marked errors in practice
        problems.append(Problem(path, 1, 1, f"malformed YAML: {exc}"))
    except RecursionError:
        problems.append(Problem(path, 1, 1, "malformed YAML: nesting too deep"))
    return documents, problems
