"""SHACL validation of a built dataset, with a report that people and the CLI can read.

A missing or unreadable shapes file is a hard failure: validating against nothing would
silently pass everything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg.errors import KGError
from kg.rdf.convert import union_graph


class ShapesError(KGError):
    """The SHACL shapes could not be read."""

    exit_code = 3


@dataclass(frozen=True)
class ShapeResult:
    """One finding: which node, which property, how bad, and what to do."""

    focus: str
    path: str | None
    severity: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """Whether the data conforms (warnings allowed), and every finding."""

    conforms: bool
    results: tuple[ShapeResult, ...]

    @property
    def violations(self) -> tuple[ShapeResult, ...]:
        """Findings that block a publish."""
        return tuple(r for r in self.results if r.severity == "violation")

    @property
    def warnings(self) -> tuple[ShapeResult, ...]:
        """Findings that are reported but do not block."""
        return tuple(r for r in self.results if r.severity != "violation")


def shapes_checksum(path: Path | None = None) -> str:
    """The SHA-256 of the shapes a build checks with (ours, or ``path``); "" if unreadable."""
    try:
        data = path.read_bytes() if path else files("kg.rdf").joinpath("shapes.ttl").read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(data).hexdigest()


def load_shapes(path: Path | None = None) -> Graph:
    """Our shapes (``kg/rdf/shapes.ttl``) or another file; raises when it cannot be read."""
    shapes = Graph()
    try:
        text = (
            path.read_text("utf-8")
            if path
            else files("kg.rdf").joinpath("shapes.ttl").read_text("utf-8")
        )
        shapes.parse(data=text, format="turtle")
    except (OSError, ValueError) as exc:
        raise ShapesError(
            f"cannot read the SHACL shapes ({path or 'kg/rdf/shapes.ttl'}): {exc}"
        ) from exc
    if not any(True for _ in shapes.subjects()):
        raise ShapesError(f"the SHACL shapes file {path or 'kg/rdf/shapes.ttl'} is empty")
    return shapes


def validate_dataset(dataset: Dataset, shapes: Graph | None = None) -> ValidationReport:
    """Validate the union of all named graphs."""
    _, report, _ = shacl_validate(
        union_graph(dataset),
        shacl_graph=shapes if shapes is not None else load_shapes(),
        inference="none",
        allow_warnings=True,
    )
    assert isinstance(report, Graph)  # noqa: S101 - pyshacl returns a graph for a graph
    results = []
    for node in report.subjects(SH.resultSeverity, None):
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        message = report.value(node, SH.resultMessage)
        results.append(
            ShapeResult(
                focus=str(report.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,
                severity=str(severity).rsplit("#", 1)[-1].lower()
                if isinstance(severity, URIRef)
                else "violation",
                message=str(message) if isinstance(message, Literal) else "",
            )
        )
    results.sort(key=lambda r: (r.severity, r.focus, r.path or ""))
    return ValidationReport(not any(r.severity == "violation" for r in results), tuple(results))
