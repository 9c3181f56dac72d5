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

import itertools
from collections.abc import Iterable
from functools import cache

from pyshacl import Validator as ShaclValidator
from pyshacl.graph_abstraction import DataGraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from clusterld.graphsource import GraphSource

TYPE, RESOURCE, PROPERTY = RDF.type, RDFS.Resource, RDF.Property
SUBPROPERTY = RDFS.subPropertyOf
INCOMING = 100  # incoming triples read at once for a node (more: looked up per predicate)
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
    """Sub-class, sub-property, domain and range closures of the ontology (RDFS closure)."""

    def __init__(self, ontology: Graph | None) -> None:
        self.graph = ontology_closure(ontology)
        g = self.graph
        self.index = TripleIndex(g)
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
        self.predicates = frozenset(known)  # every property the schema says something about
        self.range_preds = frozenset(p for p in known if self.range_classes(p))
        self.type_preds = self.subs_p(RDF.type)
        self.resource, self.property = self.supers_c(RESOURCE), self.supers_c(PROPERTY)
        self._range_preds_memo: dict[frozenset[Node], frozenset[Node]] = {}
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

    def range_preds_for_all(self, classes: frozenset[Node]) -> frozenset[Node]:
        """The predicates whose objects are entailed to be in one of ``classes``."""
        found = self._range_preds_memo.get(classes)
        if found is None:
            found = self._range_preds_memo[classes] = frozenset(
                p for c in classes for p in self.range_preds_for(c))
        return found

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
        self._incoming: dict[Node, frozenset[Node] | None] = {}
        self._in_any: dict[tuple[Node, Node], bool] = {}
        self._pred: dict[Node, bool] = {}

    def exists(self, s: Node | None, p: Node | None, o: Node | None) -> bool:
        """Whether some triple of the source matches (the source's fast path if it has one)."""
        exists = getattr(self.source, "exists", None)
        if exists is not None:
            return bool(exists(s, p, o))
        return next(iter(self.source.triples(s, p, o)), None) is not None

    def out(self, x: Node) -> list[tuple[Node, Node]]:
        found = self._out.get(x)
        if found is None:
            found = self._out[x] = [(p, o) for _, p, o in self.source.triples(x, None, None)]
        return found

    def in_predicates(self, x: Node) -> frozenset[Node] | None:
        """The predicates of the triples pointing at ``x``, when there are at most INCOMING
        such triples (else None: a hub, asked predicate by predicate).

        One lookup then answers all the "is there an incoming p?" questions that type
        entailment asks about a node (one per rdfs:range of the ontology).
        """
        if x in self._incoming:
            return self._incoming[x]
        fast = getattr(self.source, "in_predicates", None)
        if fast is not None:
            found = fast(x, INCOMING)
        else:
            triples = list(itertools.islice(self.source.triples(None, None, x), INCOMING + 1))
            found = frozenset(p for _, p, _ in triples) if len(triples) <= INCOMING else None
        self._incoming[x] = found
        return found

    def inc(self, x: Node, p: Node | None) -> list[tuple[Node, Node]]:
        found = self._in.get((x, p))
        if found is None:
            preds = self.in_predicates(x)
            if preds is not None and (not preds or (p is not None and p not in preds)):
                found = []
            else:
                found = [(s, q) for s, q, _ in self.source.triples(None, p, x)]
            self._in[(x, p)] = found
        return found

    def has_in(self, x: Node, p: Node) -> bool:
        preds = self.in_predicates(x)
        if preds is not None:
            return p in preds
        key = (x, p)
        found = self._in_any.get(key)
        if found is None:
            found = self._in_any[key] = self.exists(None, p, x)
        return found

    def used_as_predicate(self, x: Node) -> bool:
        found = self._pred.get(x)
        if found is None:
            found = self._pred[x] = self.exists(None, x, None)
        return found

    def is_object(self, x: Node) -> bool:
        preds = self.in_predicates(x)
        return preds is None or bool(preds)


class TripleIndex:
    """A small graph (contribution, ontology closure) indexed by subject, object and predicate."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self.out: dict[Node, list[tuple[Node, Node]]] = {}
        self.inc: dict[Node, list[tuple[Node, Node]]] = {}
        self.preds: set[Node] = set()
        for s, p, o in triples:
            self.out.setdefault(s, []).append((p, o))
            self.inc.setdefault(o, []).append((s, p))
            self.preds.add(p)

    def incoming(self, x: Node, p: Node | None) -> list[tuple[Node, Node]]:
        pairs = self.inc.get(x, ())
        return list(pairs) if p is None else [(s, q) for s, q in pairs if q == p]


class View:
    """The RDFS closure of source ∪ extra ∪ ontology, read node by node.

    When ``record`` is a Graph, every entailed triple handed out is added to it.
    """

    def __init__(self, schema: Schema, cache: SourceCache, extra: Graph | None = None,
                 relevant: frozenset[Node] | None = None) -> None:
        self.schema = schema
        self.cache = cache
        self.relevant = relevant  # types recorded by membership reads (None: all)
        self.extra = extra if extra is not None else Graph()
        self._record: Graph | None = None
        self._graphs = (TripleIndex(self.extra), schema.index)
        self._out: dict[Node, list[tuple[Node, Node]]] = {}
        self._in: dict[tuple[Node, Node | None], list[tuple[Node, Node]]] = {}
        self._types: dict[Node, tuple[set[Node], set[Node], set[str], set[Node]]] = {}
        self._noted: set[tuple[Node, Node, Node]] = set()

    @property
    def record(self) -> Graph | None:
        """Where the entailed triples handed out are recorded (None: nowhere)."""
        return self._record

    @record.setter
    def record(self, graph: Graph | None) -> None:
        if graph is not self._record:  # a new record starts empty
            self._noted = set()
            for entry in self._types.values():
                entry[3].clear()
        self._record = graph

    # ---- raw (asserted) triples --------------------------------------------------------

    def raw_out(self, x: Node) -> list[tuple[Node, Node]]:
        """Asserted (p, o) of ``x``."""
        found = self._out.get(x)
        if found is None:
            found = []
            if not isinstance(x, Literal):
                found.extend(self.cache.out(x))
                for index in self._graphs:
                    found.extend(index.out.get(x, ()))
            self._out[x] = found
        return found

    def raw_in(self, x: Node, p: Node | None) -> list[tuple[Node, Node]]:
        """Asserted (s, p) pointing at ``x`` (``p`` None: any predicate)."""
        found = self._in.get((x, p))
        if found is None:
            found = list(self.cache.inc(x, p))
            for index in self._graphs:
                found.extend(index.incoming(x, p))
            self._in[(x, p)] = found
        return found

    def has_raw_in(self, x: Node, p: Node) -> bool:
        found = self._in.get((x, p))
        if found is not None:
            return bool(found)
        return any(q == p for index in self._graphs for _, q in index.inc.get(x, ())) or (
            self.cache.has_in(x, p))

    def used_as_predicate(self, x: Node) -> bool:
        """Whether ``x`` is the predicate of an entailed triple (then it is an rdf:Property)."""
        if not isinstance(x, URIRef):
            return False
        if x == TYPE:
            return True
        return any(any(p in index.preds for index in self._graphs)
                   or self.cache.used_as_predicate(p) for p in self.schema.subs_p(x))

    def appears(self, x: Node) -> bool:
        """Whether ``x`` is in some asserted triple (then it is an rdfs:Resource)."""
        if self.raw_out(x) or self.used_as_predicate(x):
            return True
        return any(x in index.inc for index in self._graphs) or self.cache.is_object(x)

    # ---- entailed triples ----------------------------------------------------------------

    def types(self, x: Node, wanted: Iterable[Node] | None = None) -> set[Node]:
        """Entailed types of ``x``: all of them, or at least the ``wanted`` ones it has."""
        schema = self.schema
        entry = self._types.get(x)
        if entry is None:  # (types found, range predicates looked at, special cases, noted)
            found: set[Node] = set()
            for p, o in self.raw_out(x):
                if p in schema.type_preds:
                    found |= schema.supers_c(o)
                found |= schema.domain_classes(p)
            entry = self._types[x] = (found, set(), set(), set())
        found, checked, done, noted = entry
        want = None if wanted is None else frozenset(wanted)
        if want is None or not want <= found:
            range_preds = (schema.range_preds if want is None
                           else schema.range_preds_for_all(want))
            for p in range_preds:
                if p not in checked:
                    checked.add(p)
                    classes = schema.range_classes(p)
                    if not classes <= found and self.has_raw_in(x, p):
                        found |= classes
            if "resource" not in done and (want is None or want & schema.resource):
                done.add("resource")
                if not schema.resource <= found and self.appears(x):
                    found |= schema.resource
            if "property" not in done and (want is None or want & schema.property):
                done.add("property")
                if self.used_as_predicate(x):
                    found |= schema.property
        if self._record is not None:
            # a membership read records the relevant types only (pyshacl walks every type of
            # a value node for each sh:class); a full read records them all
            show = found if want is None or self.relevant is None else (
                found & (self.relevant | want))
            if not show <= noted:
                self._note((x, TYPE, t) for t in show - noted)
                noted |= show
        return set(found)

    def has_type(self, x: Node, c: Node) -> bool:
        return c in self.types(x, (c,))

    def out(self, x: Node, p: Node) -> list[Node]:
        """Objects of the entailed triples (x, p, ?)."""
        if p == TYPE:
            return list(self.types(x))
        subs = self.schema.subs_p(p)
        objects = {o for q, o in self.raw_out(x) if q in subs}
        if p == SUBPROPERTY and self.used_as_predicate(x):
            objects.add(x)
        self._note((x, p, o) for o in objects)
        return list(objects)

    def inc(self, x: Node, p: Node) -> list[Node]:
        """Subjects of the entailed triples (?, p, x)."""
        if p in self.schema.type_preds or TYPE in self.schema.supers_p(p):
            raise Unsupported("a path walks from a class to its instances (inverse rdf:type)")
        subjects = {s for q in self.schema.subs_p(p) for s, _ in self.raw_in(x, q)}
        if p == SUBPROPERTY and self.used_as_predicate(x):
            subjects.add(x)
        self._note((s, p, x) for s in subjects)
        return list(subjects)

    def some_in(self, x: Node, p: Node) -> bool:
        """Whether some entailed (?, p, x) exists; records one witness only."""
        record, self._record = self._record, None
        try:
            subjects = self.inc(x, p)
        finally:
            self._record = record
        if subjects:
            self._note([(subjects[0], p, x)])
        return bool(subjects)

    def out_all(self, x: Node) -> list[tuple[Node, Node]]:
        """Every entailed (p, o) of ``x``."""
        schema = self.schema
        pairs = {(q, o) for p, o in self.raw_out(x) for q in schema.supers_p(p) if q != TYPE}
        pairs |= {(TYPE, t) for t in self.types(x)}
        if self.used_as_predicate(x):
            pairs.add((SUBPROPERTY, x))
        self._note((x, p, o) for p, o in pairs)
        return list(pairs)

    def in_all(self, x: Node) -> list[tuple[Node, Node]]:
        """Every entailed (s, p) pointing at ``x``."""
        schema = self.schema
        if x in schema.classes or any(self.raw_in(x, p) for p in schema.type_preds):
            raise Unsupported("a query reads every triple pointing at a class")
        pairs = {(s, q) for s, p in self.raw_in(x, None) for q in schema.supers_p(p)}
        if self.used_as_predicate(x):
            pairs.add((x, SUBPROPERTY))
        self._note((s, p, x) for s, p in pairs)
        return list(pairs)

    def holds(self, triple: tuple[Node, Node, Node]) -> bool:
        """Whether the closure holds ``triple`` (not recorded)."""
        record, self._record = self._record, None
        try:
            return self.read(triple)
        finally:
            self._record = record

    def read(self, triple: tuple[Node, Node, Node]) -> bool:
        """Whether the closure holds ``triple`` (recorded if it does)."""
        s, p, o = triple
        if p == TYPE:
            return self.has_type(s, o)
        subs = self.schema.subs_p(p)
        found = any(q in subs and obj == o for q, obj in self.raw_out(s)) or (
            p == SUBPROPERTY and s == o and self.used_as_predicate(s))
        if found:
            self._note([triple])
        return found

    def _note(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        if self._record is not None:
            for triple in triples:
                if triple not in self._noted:
                    self._noted.add(triple)
                    self._record.add(triple)  # type: ignore[arg-type]
