"""The data graph pyshacl validates, read lazily: RDFS closure of graph + contribution + ontology.

Full validation (:class:`clusterld.validate.Validator`) lets pyshacl copy the ontology's
RDFS/OWL axioms into the data graph ("inoculation") and run owlrl's RDFS closure over the
whole of it. :class:`Schema` reproduces that once for the ontology alone; :class:`View` then
answers, node by node, what that closure holds about a data node — its entailed outgoing and
incoming triples and its entailed types — from a few bound lookups in a
:class:`~clusterld.graphsource.GraphSource`. It reproduces the owlrl rules pyshacl runs
(rdfs2, 3, 4, 5, 7, 9, 11 and "every predicate is an rdf:Property") for data that carries no
schema triples of its own; data that does is reported by :meth:`Schema.is_schema_triple`.

A View can record every entailed triple it hands out: that record is exactly the part of the
closure that was read, and is what the incremental validator gives pyshacl.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from pyshacl import Validator as ShaclValidator
from pyshacl.graph_abstraction import DataGraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from clusterld.graphsource import GraphSource

SCHEMA_PREDICATES = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range})
SCHEMA_CLASSES = frozenset({RDFS.Class, RDF.Property, RDFS.Datatype,
                            RDFS.ContainerMembershipProperty})


class Unsupported(Exception):
    """The incremental path cannot answer this exactly: validate the whole graph instead."""


def ontology_closure(ontology: Graph | None) -> Graph:
    """The ontology part of pyshacl's data graph: the inoculated axioms after RDFS closure."""
    closed = Graph()
    if ontology is None:
        return closed
    runner = ShaclValidator(DataGraph.from_rdflib(Graph()), shacl_graph=Graph(),
                            ont_graph=ontology, options={"inference": "rdfs"})
    runner.run()
    for triple in runner.target_graph.triples((None, None, None)):  # type: ignore[union-attr]
        closed.add(triple)
    return closed


class Schema:
    """Sub-class/sub-property/domain/range closures of the ontology, as the RDFS closure sees them."""

    def __init__(self, ontology: Graph | None) -> None:
        self.graph = ontology_closure(ontology)
        g = self.graph
        self._supers_p: dict[Node, set[Node]] = {}
        self._subs_p: dict[Node, set[Node]] = {}
        for s, o in g.subject_objects(RDFS.subPropertyOf):
            self._supers_p.setdefault(s, {s}).add(o)
            self._subs_p.setdefault(o, {o}).add(s)
        self._supers_c: dict[Node, set[Node]] = {}
        self._subs_c: dict[Node, set[Node]] = {}
        for s, o in g.subject_objects(RDFS.subClassOf):
            self._supers_c.setdefault(s, {s}).add(o)
            self._subs_c.setdefault(o, {o}).add(s)
        self._domains: dict[Node, set[Node]] = {}
        self._ranges: dict[Node, set[Node]] = {}
        for s, o in g.subject_objects(RDFS.domain):
            self._domains.setdefault(s, set()).add(o)
        for s, o in g.subject_objects(RDFS.range):
            self._ranges.setdefault(s, set()).add(o)
        known = set(self._supers_p) | set(self._subs_p) | set(self._domains) | set(self._ranges)
        self.range_preds = frozenset(p for p in known if self.range_classes(p))
        self.type_preds = self.subs_p(RDF.type)
        self.classes = frozenset(set(self._supers_c) | set(self._subs_c)
                                 | {c for cs in self._domains.values() for c in cs}
                                 | {c for cs in self._ranges.values() for c in cs})

    def supers_p(self, p: Node) -> frozenset[Node]:
        """``p`` and its super-properties."""
        return frozenset(self._supers_p.get(p, {p}))

    def subs_p(self, p: Node) -> frozenset[Node]:
        """``p`` and its sub-properties."""
        return frozenset(self._subs_p.get(p, {p}))

    def supers_c(self, c: Node) -> frozenset[Node]:
        """``c`` and its super-classes."""
        return frozenset(self._supers_c.get(c, {c}))

    def subs_c(self, c: Node) -> frozenset[Node]:
        """``c`` and its sub-classes."""
        return frozenset(self._subs_c.get(c, {c}))

    @cache  # noqa: B019 — a Schema lives as long as its validator
    def domain_classes(self, p: Node) -> frozenset[Node]:
        """The classes a subject of ``p`` is entailed to have."""
        return frozenset(c for q in self.supers_p(p) for d in self._domains.get(q, ())
                         for c in self.supers_c(d))

    @cache  # noqa: B019
    def range_classes(self, p: Node) -> frozenset[Node]:
        """The classes an object of ``p`` is entailed to have."""
        return frozenset(c for q in self.supers_p(p) for r in self._ranges.get(q, ())
                         for c in self.supers_c(r))

    @cache  # noqa: B019
    def range_preds_for(self, c: Node) -> frozenset[Node]:
        """The predicates whose objects are entailed to be instances of ``c``."""
        return frozenset(p for p in self.range_preds if c in self.range_classes(p))

    def is_schema_triple(self, triple: tuple[Node, Node, Node]) -> bool:
        """Whether a data triple would change the schema (then the closure is not local)."""
        _, p, o = triple
        supers = self.supers_p(p)
        if supers & SCHEMA_PREDICATES:
            return True
        if (self.domain_classes(p) | self.range_classes(p)) & SCHEMA_CLASSES:
            return True
        return RDF.type in supers and bool(self.supers_c(o) & SCHEMA_CLASSES)


class SourceCache:
    """Memoised lookups in a graph source (shared by the views before and after a change)."""

    def __init__(self, source: GraphSource) -> None:
        self.source = source
        self._out: dict[Node, list[tuple[Node, Node]]] = {}
        self._in: dict[tuple[Node, Node | None], list[tuple[Node, Node]]] = {}
        self._in_any: dict[tuple[Node, Node], bool] = {}
        self._pred: dict[Node, bool] = {}
        self._object: dict[Node, bool] = {}

    def out(self, x: Node) -> list[tuple[Node, Node]]:
        found = self._out.get(x)
        if found is None:
            found = self._out[x] = [(p, o) for _, p, o in self.source.triples(x, None, None)]
        return found

    def inc(self, x: Node, p: Node | None) -> list[tuple[Node, Node]]:
        found = self._in.get((x, p))
        if found is None:
            found = self._in[(x, p)] = [(s, q) for s, q, _ in self.source.triples(None, p, x)]
        return found

    def has_in(self, x: Node, p: Node) -> bool:
        key = (x, p)
        if key in self._in:
            return bool(self._in[key])
        found = self._in_any.get(key)
        if found is None:
            found = self._in_any[key] = _first(self.source.triples(None, p, x))
        return found

    def used_as_predicate(self, x: Node) -> bool:
        found = self._pred.get(x)
        if found is None:
            found = self._pred[x] = _first(self.source.triples(None, x, None))
        return found

    def is_object(self, x: Node) -> bool:
        found = self._object.get(x)
        if found is None:
            found = self._object[x] = _first(self.source.triples(None, None, x))
        return found


def _first(triples: Iterable[object]) -> bool:
    return next(iter(triples), None) is not None


class View:
    """The RDFS closure of source ∪ extra ∪ ontology, read node by node.

    When ``record`` is a Graph, every entailed triple handed out is added to it.
    """

    def __init__(self, schema: Schema, cache: SourceCache, extra: Graph | None = None) -> None:
        self.schema = schema
        self.cache = cache
        self.extra = extra if extra is not None else Graph()
        self.record: Graph | None = None
        self._graphs = (self.extra, schema.graph)

    # ---- raw (asserted) triples --------------------------------------------------------

    def raw_out(self, x: Node) -> list[tuple[Node, Node]]:
        """Asserted (p, o) of ``x``."""
        if isinstance(x, Literal):
            return []
        found = list(self.cache.out(x))
        for graph in self._graphs:
            found.extend(graph.predicate_objects(x))  # type: ignore[arg-type]
        return found

    def raw_in(self, x: Node, p: Node | None) -> list[tuple[Node, Node]]:
        """Asserted (s, p) pointing at ``x`` (``p`` None: any predicate)."""
        found = list(self.cache.inc(x, p))
        for graph in self._graphs:
            found.extend((s, q) for s, q, _ in graph.triples((None, p, x)))  # type: ignore[arg-type]
        return found

    def has_raw_in(self, x: Node, p: Node) -> bool:
        return self.cache.has_in(x, p) or any(
            (None, p, x) in graph for graph in self._graphs)  # type: ignore[operator]

    def used_as_predicate(self, x: Node) -> bool:
        """Whether ``x`` is the predicate of an entailed triple (then it is an rdf:Property)."""
        if not isinstance(x, URIRef):
            return False
        if x == RDF.type:
            return True
        return any(self.cache.used_as_predicate(p) or any(
            (None, p, None) in graph for graph in self._graphs)  # type: ignore[operator]
            for p in self.schema.subs_p(x))

    def appears(self, x: Node) -> bool:
        """Whether ``x`` is in some asserted triple (then it is an rdfs:Resource)."""
        if self.raw_out(x) or self.used_as_predicate(x):
            return True
        return self.cache.is_object(x) or any(
            (None, None, x) in graph for graph in self._graphs)  # type: ignore[operator]

    # ---- entailed triples ----------------------------------------------------------------

    def types(self, x: Node, wanted: Iterable[Node] | None = None) -> set[Node]:
        """Entailed types of ``x``: all of them, or at least the ``wanted`` ones it has."""
        schema = self.schema
        found: set[Node] = set()
        for p, o in self.raw_out(x):
            if p in schema.type_preds:
                found |= schema.supers_c(o)
            found |= schema.domain_classes(p)
        want = None if wanted is None else set(wanted)
        if want is None:
            range_preds: Iterable[Node] = schema.range_preds
        else:
            range_preds = {p for c in want for p in schema.range_preds_for(c)}
        for p in range_preds:
            if not schema.range_classes(p) <= found and self.has_raw_in(x, p):
                found |= schema.range_classes(p)
        resource, prop = schema.supers_c(RDFS.Resource), schema.supers_c(RDF.Property)
        if (want is None or want & resource) and not resource <= found and self.appears(x):
            found |= resource
        if (want is None or want & prop) and self.used_as_predicate(x):
            found |= prop
        if self.record is not None:
            for t in found:
                self.record.add((x, RDF.type, t))  # type: ignore[arg-type]
        return found

    def has_type(self, x: Node, c: Node) -> bool:
        return c in self.types(x, (c,))

    def out(self, x: Node, p: Node) -> list[Node]:
        """Objects of the entailed triples (x, p, ?)."""
        if p == RDF.type:
            return list(self.types(x))
        subs = self.schema.subs_p(p)
        objects = {o for q, o in self.raw_out(x) if q in subs}
        if p == RDFS.subPropertyOf and self.used_as_predicate(x):
            objects.add(x)
        self._note((x, p, o) for o in objects)
        return list(objects)

    def inc(self, x: Node, p: Node) -> list[Node]:
        """Subjects of the entailed triples (?, p, x)."""
        if p in self.schema.type_preds or RDF.type in self.schema.supers_p(p):
            raise Unsupported("a path walks from a class to its instances (inverse rdf:type)")
        subjects = {s for q in self.schema.subs_p(p) for s, _ in self.raw_in(x, q)}
        if p == RDFS.subPropertyOf and self.used_as_predicate(x):
            subjects.add(x)
        self._note((s, p, x) for s in subjects)
        return list(subjects)

    def out_all(self, x: Node) -> list[tuple[Node, Node]]:
        """Every entailed (p, o) of ``x``."""
        schema = self.schema
        pairs = {(q, o) for p, o in self.raw_out(x) for q in schema.supers_p(p) if q != RDF.type}
        pairs |= {(RDF.type, t) for t in self.types(x)}
        if self.used_as_predicate(x):
            pairs.add((RDFS.subPropertyOf, x))
        self._note((x, p, o) for p, o in pairs)
        return list(pairs)

    def in_all(self, x: Node) -> list[tuple[Node, Node]]:
        """Every entailed (s, p) pointing at ``x``."""
        schema = self.schema
        if x in schema.classes or any(self.raw_in(x, p) for p in schema.type_preds):
            raise Unsupported("a query reads every triple pointing at a class")
        pairs = {(s, q) for s, p in self.raw_in(x, None) for q in schema.supers_p(p)}
        if self.used_as_predicate(x):
            pairs.add((x, RDFS.subPropertyOf))
        self._note((s, p, x) for s, p in pairs)
        return list(pairs)

    def holds(self, triple: tuple[Node, Node, Node]) -> bool:
        """Whether the closure holds ``triple`` (not recorded)."""
        record, self.record = self.record, None
        try:
            return self.read(triple)
        finally:
            self.record = record

    def read(self, triple: tuple[Node, Node, Node]) -> bool:
        """Whether the closure holds ``triple`` (recorded if it does)."""
        s, p, o = triple
        if p == RDF.type:
            return self.has_type(s, o)
        subs = self.schema.subs_p(p)
        found = any(q in subs and obj == o for q, obj in self.raw_out(s)) or (
            p == RDFS.subPropertyOf and s == o and self.used_as_predicate(s))
        if found:
            self._note([triple])
        return found

    def _note(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        if self.record is not None:
            for triple in triples:
                self.record.add(triple)  # type: ignore[arg-type]
