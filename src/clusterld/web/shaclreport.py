"""A SHACL report for people and programs: JSON with labels, or the ``sh:ValidationReport`` RDF.

Focus nodes, paths and values are named by their labels, looked up in the contribution, the
ontology (with the concept schemes) and the knowledge graph, in the asked language first.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from clusterld.graphsource import GraphSource, to_ox
from clusterld.incremental import IncrementalReport
from clusterld.web.labels import BUILTIN_LABELS, curie

LABELS = (SKOS.prefLabel, RDFS.label)


class Labeler:
    """Labels of nodes from several graphs, in one preferred language."""

    def __init__(self, graphs: list[Graph], source: GraphSource, lang: str) -> None:
        self.graphs = graphs
        self.source = source
        self.lang = lang

    def literals(self, node: URIRef) -> list[Literal]:
        """Every label literal of ``node`` (contribution, ontology, then the graph)."""
        found: list[Literal] = []
        for pred in LABELS:
            for graph in self.graphs:
                found.extend(o for o in graph.objects(node, pred) if isinstance(o, Literal))
            found.extend(o for _, _, o in self.source.triples(node, pred, None)
                         if isinstance(o, Literal))
        return list(dict.fromkeys(found))

    def label(self, node: Node | None) -> str | None:
        """The readable name of ``node``: a label in the language, else in another, else a
        short form of the IRI; a literal's lexical form."""
        if node is None:
            return None
        if isinstance(node, Literal):
            return str(node)
        if isinstance(node, BNode):
            return f"_:{node}"
        labels = self.literals(node)  # type: ignore[arg-type]
        for wanted in (self.lang, None):
            for label in labels:
                if wanted is None or (label.language or "").split("-")[0] == wanted:
                    return str(label)
        builtin = BUILTIN_LABELS.get(str(node))
        if builtin:
            return builtin.get(self.lang, builtin["en"])
        short = curie(str(node))
        return short if short != str(node) else str(node).rstrip("/#").rsplit("/", 1)[-1]


def _term(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def report_json(report: IncrementalReport, triples: int, labeler: Labeler) -> dict[str, Any]:
    """The report as the JSON of ``POST /validate`` (messages in the labeler's language)."""
    results = []
    for r in report.results:
        results.append({
            "focus": _term(r.focus), "focusLabel": labeler.label(r.focus),
            "path": _term(r.path) if isinstance(r.path, URIRef) else None,
            "pathLabel": labeler.label(r.path) if isinstance(r.path, URIRef) else None,
            "value": _term(r.value), "valueLabel": labeler.label(r.value),
            "severity": r.severity, "message": r.message(labeler.lang),
            "shape": _term(r.shape), "constraint": _term(r.constraint),
        })
    return {"conforms": report.conforms, "mode": report.mode, "triples": triples,
            "results": results}


def report_triples(report: IncrementalReport, labeler: Labeler) -> list[ox.Triple]:
    """The ``sh:ValidationReport`` graph plus the labels of the IRIs its results name."""
    graph = report.graph
    out = [ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
           for s, p, o in graph]
    named = {n for r in report.results for n in (r.focus, r.path, r.value)
             if isinstance(n, URIRef)}
    for node in sorted(named):
        for label in labeler.literals(node):
            out.append(ox.Triple(ox.NamedNode(str(node)), ox.NamedNode(str(RDFS.label)),
                                 to_ox(label)))  # type: ignore[arg-type]
    return out
