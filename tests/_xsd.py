"""Validating an XML document against an XML Schema (XSD), with ``xmlschema`` (a
well-kept validator of the whole of XSD 1.0/1.1, so our checks are the standard's, not a
subset we would write). ``Schema(path).errors(element)`` lists each violation as
``<path>: <reason>``; an empty list means the document is valid."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

__all__ = ["Schema"]


class Schema:
    """An XSD file, read once."""

    def __init__(self, path: Path) -> None:
        self.schema = xmlschema.XMLSchema(str(path))

    def errors(self, doc: ET.Element) -> list[str]:
        """Every way ``doc`` breaks the schema (none: valid)."""
        return [f"{e.path}: {e.reason}" for e in self.schema.iter_errors(doc)]
