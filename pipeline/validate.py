"""Stage 6, validate: the TEI against the project's RELAX NG schema (a TEI P5
subset) and its Schematron integrity rules.  A build never writes an invalid
TEI file."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lxml import etree, isoschematron

from .model import Problem

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


class ValidationError(Exception):
    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


def schema_path(name: str) -> Path:
    """Schemas ship in schemas/ at the project root (and as package data when installed)."""
    local = SCHEMA_DIR / name
    if local.exists():
        return local
    return Path(str(resources.files("pipeline") / "schemas" / name))


@lru_cache(maxsize=1)
def relaxng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(schema_path("edition.rng"))))


@lru_cache(maxsize=1)
def schematron() -> isoschematron.Schematron:
    return isoschematron.Schematron(etree.parse(str(schema_path("edition.sch"))), store_report=True)


def safe_parser() -> etree.XMLParser:
    """No DTDs, no entities, no network: a TEI file is data, never instructions."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# libxml2's words for a few RELAX NG errors, said as an editor would need them.
LIBXML_WORDING = {
    "Expecting an element , got nothing": "a required child element is missing (schemas/edition.rnc says which)",
}


def node_at(doc: etree._ElementTree, path: str | None) -> etree._Element | None:
    """The element an error's XPath names, to say where it is; None when it cannot be found."""
    if not path:
        return None
    try:
        found = doc.xpath(path)
    except etree.XPathError:
        return None
    node = found[0] if isinstance(found, list) and found else None
    if isinstance(node, etree._Element):
        return node
    return node.getparent() if isinstance(node, etree._ElementUnicodeResult) else None


def validate_document(doc: etree._ElementTree, file: str) -> list[Problem]:
    problems: list[Problem] = []
    rng = relaxng()
    if not rng.validate(doc):
        for err in rng.error_log:
            element = node_at(doc, err.path)
            where = f"<{etree.QName(element).localname}>: " if element is not None else ""
            message = LIBXML_WORDING.get(err.message, err.message)
            problems.append(Problem("V001", f"RELAX NG: {where}{message}", file, err.line, "error"))
    sch = schematron()
    if not sch.validate(doc):
        report = sch.validation_report
        ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
        for failed in report.xpath("//svrl:failed-assert", namespaces=ns):
            text = " ".join("".join(failed.itertext()).split())
            location = re.sub(r"\*\[local-name\(\)='(\w+)' and namespace-uri\(\)='[^']*'\]", r"\1",
                              failed.get("location", ""))
            element = node_at(doc, failed.get("location", ""))
            line = element.sourceline if element is not None else None
            problems.append(Problem("V002", f"Schematron: {text} ({location})", file, line, "error"))
    return problems


def validate_bytes(data: bytes, file: str) -> list[Problem]:
    try:
        doc = etree.ElementTree(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError as exc:
        return [Problem("V000", f"not well-formed XML: {exc}", file, exc.lineno, "error")]
    return validate_document(doc, file)


def validate(path: Path) -> list[Problem]:
    """The entry: problems of a TEI file on disk (empty when valid)."""
    try:
        return validate_bytes(path.read_bytes(), path.name)
    except OSError as exc:
        return [Problem("V000", f"cannot read: {exc.strerror}", str(path), None, "error")]
