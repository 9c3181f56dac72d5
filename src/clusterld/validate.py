"""Stage 3: SHACL validation against ``shapes/`` with the ontology for RDFS inference."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from clusterld.paths import data_path


@dataclass
class Result:
    """One SHACL validation result, with human-readable names."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: str
    messages: dict[str, str]
    shape: Node | None
    constraint: Node | None

    def message(self, lang: str = "en") -> str:
        """The shape's message in ``lang``, else any."""
        return self.messages.get(lang) or next(iter(self.messages.values()), "")


@dataclass
class Report:
    """The outcome of one validation run."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]


def load_graph(directory: Path) -> Graph:
    """All ``*.ttl`` files of a directory in one graph."""
    graph = Graph()
    for ttl in sorted(directory.glob("*.ttl")):
        graph.parse(ttl, format="turtle")
    return graph


class Validator:
    """Holds the shapes and ontology once; validates any number of data graphs."""

    def __init__(self, shapes: Graph | None = None, ontology: Graph | None = None) -> None:
        self.shapes = shapes if shapes is not None else load_graph(data_path("shapes"))
        self.ontology = ontology if ontology is not None else load_graph(data_path("ontology"))

    def validate(self, data: Graph) -> Report:
        """Validate ``data`` (the ontology is mixed in for RDFS inference, not validated)."""
        conforms, results_graph, _ = shacl_validate(
            data, shacl_graph=self.shapes, ont_graph=self.ontology, inference="rdfs",
            abort_on_first=False, allow_warnings=True, advanced=True,
        )
        tag_message_languages(results_graph, self.shapes)
        return Report(conforms=bool(conforms), results=_results(results_graph),
                      graph=results_graph)


PLACEHOLDER = re.compile(r"\\\{\\[?$]\w+\\\}")  # {?value} / {$this}, as re.escape writes them


def tag_message_languages(report: Graph, shapes: Graph) -> None:
    """Give back their language tags to the messages of SPARQL-based results.

    pyshacl fills in ``{?value}`` placeholders and writes the message as a new plain literal,
    dropping ``@fr``/``@en``; the tag is recovered from the constraint's ``sh:message``
    template the text was made from.
    """
    for result, message in list(report.subject_objects(SH.resultMessage)):
        if not isinstance(message, Literal) or message.language:
            continue
        constraint = report.value(result, SH.sourceConstraint)
        shape = report.value(result, SH.sourceShape)
        templates = [t for node in (constraint, shape) if node is not None
                     for t in shapes.objects(node, SH.message)
                     if isinstance(t, Literal) and t.language]
        for template in templates:
            pattern = PLACEHOLDER.sub(".*?", re.escape(str(template)))
            if re.fullmatch(pattern, str(message), re.S):
                report.remove((result, SH.resultMessage, message))
                report.add((result, SH.resultMessage, Literal(str(message),
                                                              lang=template.language)))
                break


def _results(graph: Graph) -> list[Result]:
    results = []
    nested = set(graph.objects(None, SH.detail))  # details of another result
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        if node in nested:
            continue
        messages: dict[str, str] = {}
        for msg in _own_messages_first(graph, node):
            lang = msg.language if isinstance(msg, Literal) and msg.language else "en"
            messages.setdefault(lang, str(msg))
        severity = graph.value(node, SH.resultSeverity)
        results.append(Result(
            focus=graph.value(node, SH.focusNode),  # type: ignore[arg-type]
            path=graph.value(node, SH.resultPath),
            value=graph.value(node, SH.value),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            messages=messages,
            shape=graph.value(node, SH.sourceShape),
            constraint=graph.value(node, SH.sourceConstraintComponent),
        ))
    results.sort(key=lambda r: (str(r.focus), str(r.path), str(r.value), r.message()))
    return results


def _own_messages_first(graph: Graph, result: Node) -> list[Node]:
    """The result's messages, those of its own constraint first (then in a fixed order).

    pyshacl gives a SPARQL-based result both the constraint's ``sh:message`` (with its
    ``{?var}`` placeholders filled in) and the shape's; the constraint's says what is wrong.
    """
    found = sorted(graph.objects(result, SH.resultMessage), key=str)
    constraint = graph.value(result, SH.sourceConstraint)
    if constraint is None or len(found) < 2:
        return found
    templates = [re.compile(PLACEHOLDER.sub(".*?", re.escape(str(t))), re.S)
                 for t in graph.objects(constraint, SH.message)]
    return sorted(found, key=lambda m: not any(t.fullmatch(str(m)) for t in templates))


def label_of(graph: Graph, node: Node | None, lang: str = "en") -> str:
    """A readable name for ``node``: its label in ``lang``, else its IRI/literal."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        labels = list(graph.objects(node, SKOS.prefLabel)) + list(graph.objects(node, RDFS.label))
        for label in labels:
            if isinstance(label, Literal) and label.language == lang:
                return f"{label} <{node}>"
        if labels:
            return f"{labels[0]} <{node}>"
        return f"<{node}>"
    return node.n3()


def format_report(report: Report, context: Graph, lang: str = "en") -> str:
    """The report as terminal text: one block per result."""
    if report.conforms:
        return "Conforms: yes"
    lines = [f"Conforms: no — {len(report.violations())} violation(s), "
             f"{len(report.results)} result(s)"]
    for result in report.results:
        lines.append(f"- {result.severity}: {result.message(lang)}")
        lines.append(f"  focus node: {label_of(context, result.focus, lang)}")
        if result.path is not None:
            lines.append(f"  path:       {label_of(context, result.path, lang)}")
        if result.value is not None:
            lines.append(f"  value:      {label_of(context, result.value, lang)}")
        if result.shape is not None and isinstance(result.shape, URIRef):
            lines.append(f"  shape:      <{result.shape}>")
    return "\n".join(lines)
