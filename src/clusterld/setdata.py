"""The RDFS closure pyshacl validates, read predicate by predicate for the whole graph at once.

:class:`clusterld.rdfsview.View` answers node by node; the set-at-a-time validator
(:mod:`clusterld.setshacl`) instead asks for *every* entailed ``(s, p, o)`` of a predicate, or
every instance of a class, once per validation. :class:`Closure` computes those from one lookup
per asserted predicate in the :class:`~clusterld.graphsource.GraphSource` plus the ontology
closure (:class:`~clusterld.rdfsview.Schema`, itself part of pyshacl's data graph), with the same
owlrl RDFS rules (sub-property, sub-class, domain, range) and the same precondition: the data
carries no schema triples of its own (checked by the caller).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal
from rdflib.term import Node

from clusterld.graphsource import GraphSource
from clusterld.rdfsview import SCHEMA_PREDICATES, TYPE, Schema, Unsupported

Pairs = list[tuple[Node, Node]]


class Closure:
    """Entailed triples of a graph source + the ontology closure, by predicate and by class."""

    def __init__(self, schema: Schema, source: GraphSource, classes: Iterable[Node]) -> None:
        self.schema = schema
        self.source = source
        self.classes = frozenset(classes)  # the classes whose instances are asked for
        self._asserted: dict[Node, Pairs] = {}
        self._out: dict[Node, dict[Node, tuple[Node, ...]]] = {}
        self._in: dict[Node, dict[Node, tuple[Node, ...]]] = {}
        self._instances: dict[Node, set[Node]] | None = None
        if self.classes & (schema.resource | schema.property):
            raise Unsupported("a shape reads rdfs:Resource or rdf:Property membership")

    def asserted(self, q: Node) -> Pairs:
        """The asserted ``(s, o)`` of predicate ``q``: the source's, then the ontology's."""
        found = self._asserted.get(q)
        if found is None:
            found = [(s, o) for s, _, o in self.source.triples(None, q, None)]
            found.extend(self.schema.graph.subject_objects(q))
            self._asserted[q] = found
        return found

    def _pairs(self, p: Node) -> Iterable[tuple[Node, Node]]:
        if p == TYPE or p in SCHEMA_PREDICATES:
            raise Unsupported(f"a path or pattern walks {p.n3()}")
        subs = self.schema.subs_p(p)
        lists = [self.asserted(q) for q in subs]
        if len(lists) == 1 and not any(True for _ in self.schema.graph.triples((None, p, None))):
            return lists[0]  # one source, each triple once
        return dict.fromkeys(pair for pairs in lists for pair in pairs)

    def out_index(self, p: Node) -> dict[Node, tuple[Node, ...]]:
        """Subject → its objects, for the entailed triples of ``p``."""
        found = self._out.get(p)
        if found is None:
            grouped: dict[Node, list[Node]] = defaultdict(list)
            for s, o in self._pairs(p):
                grouped[s].append(o)
            found = self._out[p] = {s: tuple(os) for s, os in grouped.items()}
        return found

    def in_index(self, p: Node) -> dict[Node, tuple[Node, ...]]:
        """Object → its subjects, for the entailed triples of ``p``."""
        found = self._in.get(p)
        if found is None:
            grouped: dict[Node, list[Node]] = defaultdict(list)
            for s, o in self._pairs(p):
                grouped[o].append(s)
            found = self._in[p] = {o: tuple(ss) for o, ss in grouped.items()}
        return found

    def instances(self, c: Node) -> set[Node]:
        """The entailed instances of ``c`` (one of the classes given at construction)."""
        if c not in self.classes:
            raise KeyError(c)
        if self._instances is None:
            self._instances = self._compute_instances()
        return self._instances.get(c, set())

    def _compute_instances(self) -> dict[Node, set[Node]]:
        """rdf:type (and sub-properties) up the sub-class closure, rdfs:domain, rdfs:range.

        Literals get no types: pyshacl's sh:class test fails on a literal whatever its types,
        and owlrl does not make literals subjects.
        """
        schema, wanted = self.schema, self.classes
        found: dict[Node, set[Node]] = defaultdict(set)
        for q in schema.type_preds:
            by_class: dict[Node, list[Node]] = defaultdict(list)
            for s, t in self.asserted(q):
                by_class[t].append(s)
            for t, members in by_class.items():
                for c in schema.supers_c(t) & wanted:
                    found[c].update(members)
        for q in schema.predicates:
            if q in schema.type_preds:
                continue
            domains = schema.domain_classes(q) & wanted
            ranges = schema.range_classes(q) & wanted
            if not domains and not ranges:
                continue
            pairs = self.asserted(q)
            if domains:
                subjects = {s for s, _ in pairs}
                for c in domains:
                    found[c] |= subjects
            if ranges:
                objects = {o for _, o in pairs if not isinstance(o, Literal)}
                for c in ranges:
                    found[c] |= objects
        return found
