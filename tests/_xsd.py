"""Validating an XML document against an XML Schema (XSD) with the standard library only.

The test environment has neither lxml nor xmlschema, so this reads the schema itself and
checks a document against the subset of XML Schema that ``tests/data/junit.xsd`` uses:
global and local ``xs:element`` (``type`` or an inline ``xs:complexType``, ``minOccurs``,
``maxOccurs``), named complex and simple types, ``xs:sequence`` and ``xs:choice`` (nested,
with occurrences), ``xs:attribute`` (``use="required"``; undeclared attributes are
errors), ``xs:simpleContent`` extending ``xs:string``, and the value types ``xs:string``,
``xs:decimal``, ``xs:nonNegativeInteger`` and restrictions of them by ``minInclusive``.
Anything else in a schema raises NotImplementedError rather than being ignored.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

__all__ = ["Schema"]

XS = "{http://www.w3.org/2001/XMLSchema}"
_VALUE = {
    "xs:string": re.compile(r".*", re.DOTALL),
    "xs:decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "xs:nonNegativeInteger": re.compile(r"\+?\d+"),
}
_COMPLEX_PARTS = {f"{XS}{t}" for t in ("sequence", "choice", "attribute", "simpleContent")}


class Schema:
    """An XSD file; ``errors(document_root)`` lists where the document breaks it."""

    def __init__(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        self.elements = {e.get("name"): e for e in root.findall(f"{XS}element")}
        self.complex = {t.get("name"): t for t in root.findall(f"{XS}complexType")}
        self.simple = {t.get("name"): t for t in root.findall(f"{XS}simpleType")}

    def errors(self, doc: ET.Element) -> list[str]:
        decl = self.elements.get(doc.tag)
        if decl is None:
            return [f"/{doc.tag}: not a root element the schema declares"]
        out: list[str] = []
        self._element(decl, doc, f"/{doc.tag}", out)
        return out

    def _element(self, decl: ET.Element, el: ET.Element, path: str, out: list[str]) -> None:
        type_name = decl.get("type")
        if type_name and (type_name.startswith("xs:") or type_name in self.simple):
            if len(el) or el.attrib:
                out.append(f"{path}: text only (no child elements, no attributes)")
            self._value(type_name, el.text or "", path, out)
            return
        ctype = self.complex[type_name] if type_name else decl.find(f"{XS}complexType")
        assert ctype is not None, f"element {decl.get('name')} has no type"
        self._complex(ctype, el, path, out)

    def _complex(self, ctype: ET.Element, el: ET.Element, path: str, out: list[str]) -> None:
        unknown = [c.tag for c in ctype if c.tag not in _COMPLEX_PARTS]
        if unknown:
            raise NotImplementedError(f"schema construct not supported here: {unknown}")
        simple = ctype.find(f"{XS}simpleContent")
        holder = ctype if simple is None else simple.find(f"{XS}extension")
        assert holder is not None
        self._attributes(holder, el, path, out)
        if simple is not None:
            if len(el):
                out.append(f"{path}: text only, got child elements {[c.tag for c in el]}")
            self._value(holder.get("base", ""), el.text or "", path, out)
            return
        if (el.text or "").strip() or any((c.tail or "").strip() for c in el):
            out.append(f"{path}: text is not allowed here, only elements")
        model = next((c for c in ctype if c.tag in (f"{XS}sequence", f"{XS}choice")), None)
        names = [c.tag for c in el]
        if model is None:
            if names:
                out.append(f"{path}: no child elements allowed, got {names}")
            return
        if len(names) not in _match(model, names, 0):
            out.append(f"{path}: children {names} do not follow the schema's content model")
            return
        decls = {e.get("name"): e for e in _element_particles(model)}
        for i, child in enumerate(el):
            self._element(decls[child.tag], child, f"{path}/{child.tag}[{i}]", out)

    def _attributes(self, holder: ET.Element, el: ET.Element, path: str, out: list[str]) -> None:
        declared = {a.get("name"): a for a in holder.findall(f"{XS}attribute")}
        out.extend(
            f"{path}: attribute {n!r} is not allowed" for n in el.attrib if n not in declared
        )
        for name, attr in declared.items():
            value = el.get(name or "")
            if value is None:
                if attr.get("use") == "required":
                    out.append(f"{path}: attribute {name!r} is required")
                continue
            self._value(attr.get("type", "xs:string"), value, f"{path}/@{name}", out)

    def _value(self, type_name: str, text: str, path: str, out: list[str]) -> None:
        if type_name in self.simple:
            restriction = self.simple[type_name].find(f"{XS}restriction")
            assert restriction is not None, f"simple type {type_name} is not a restriction"
            base = restriction.get("base", "")
            before = len(out)
            self._value(base, text, path, out)
            low = restriction.find(f"{XS}minInclusive")
            if (
                low is not None
                and len(out) == before
                and Decimal(text) < Decimal(low.get("value", ""))
            ):
                out.append(f"{path}: {text!r} is below {low.get('value')}")
            return
        pattern = _VALUE.get(type_name)
        if pattern is None:
            raise NotImplementedError(f"value type not supported here: {type_name}")
        if not pattern.fullmatch(text.strip() if type_name != "xs:string" else text):
            out.append(f"{path}: {text!r} is not an {type_name}")


def _element_particles(model: ET.Element) -> list[ET.Element]:
    """The xs:element particles of a content model (not those of nested element types)."""
    found: list[ET.Element] = []
    for item in model:
        if item.tag == f"{XS}element":
            found.append(item)
        elif item.tag in (f"{XS}sequence", f"{XS}choice"):
            found.extend(_element_particles(item))
    return found


def _match(particle: ET.Element, names: list[str], pos: int) -> set[int]:
    """Every position in ``names`` where ``particle`` (with its occurrences) can end when
    it starts at ``pos``."""
    low = int(particle.get("minOccurs", "1"))
    most = particle.get("maxOccurs", "1")
    high = len(names) + 1 if most == "unbounded" else int(most)
    ends, result = {pos}, ({pos} if low == 0 else set())
    for count in range(1, high + 1):
        ends = {end for start in ends for end in _once(particle, names, start)}
        if not ends:
            break
        if count >= low:
            result |= ends
    return result


def _once(particle: ET.Element, names: list[str], pos: int) -> set[int]:
    if particle.tag == f"{XS}element":
        return {pos + 1} if pos < len(names) and names[pos] == particle.get("name") else set()
    if particle.tag == f"{XS}sequence":
        ends = {pos}
        for item in particle:
            ends = {end for start in ends for end in _match(item, names, start)}
        return ends
    if particle.tag == f"{XS}choice":
        return set().union(*(_match(item, names, pos) for item in particle))
    raise NotImplementedError(f"content model particle not supported here: {particle.tag}")
