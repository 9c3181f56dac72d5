"""Read-only "graph sources": triple-pattern lookups over an rdflib Graph or a pyoxigraph Store.

The incremental validator (:mod:`clusterld.incremental`) reads the knowledge graph only through
this protocol, one bound pattern at a time, so it works the same over the in-memory graph of
the tests and over the on-disk Oxigraph store of the server. Terms are always rdflib terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class GraphSource(Protocol):
    """What the incremental validator needs from the graph: pattern lookups (None = any)."""

    def triples(self, s: Node | None, p: Node | None, o: Node | None) -> Iterable[Triple]:
        """The triples matching the pattern, each once."""
        ...

    def contains(self, triple: Triple) -> bool:
        """Whether the (fully bound) triple is in the graph."""
        ...


class RdflibSource:
    """A :class:`GraphSource` over an rdflib Graph (a Dataset reads as the union of its graphs)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def triples(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        if s is not None and isinstance(s, Literal):
            return iter(())
        return self.graph.triples((s, p, o))  # type: ignore[arg-type,return-value]

    def contains(self, triple: Triple) -> bool:
        if isinstance(triple[0], Literal):
            return False
        return triple in self.graph


_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class OxigraphSource:
    """A :class:`GraphSource` over a pyoxigraph Store: the union of its graphs, minus exclusions.

    ``graphs`` restricts the lookups to those named graphs (``None`` = every graph, the default
    graph included). ``exclude`` and ``exclude_prefixes`` leave out graphs by name or name
    prefix: the ontology graph, pending contributions, a store's own union copies (e.g.
    ``clusterld.entities.HIDDEN_PREFIX``) — what the shapes do not validate as data.
    """

    def __init__(self, store: ox.Store, *, graphs: Iterable[URIRef] | None = None,
                 exclude: Iterable[URIRef] = (), exclude_prefixes: Iterable[str] = ()) -> None:
        self.store = store
        self.graphs = None if graphs is None else [ox.NamedNode(str(g)) for g in graphs]
        self.exclude = {str(g) for g in exclude}
        self.exclude_prefixes = tuple(exclude_prefixes)
        self._filter = bool(self.exclude or self.exclude_prefixes)
        self._iris: dict[str, URIRef] = {}
        self._named: dict[URIRef, ox.NamedNode] = {}

    def _excluded(self, name: object) -> bool:
        value = _graph_name(name)
        return value is not None and (value in self.exclude
                                      or value.startswith(self.exclude_prefixes))

    def triples(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        if isinstance(s, Literal) or isinstance(p, (Literal, BNode)):
            return iter(())
        subject, predicate, obj = self._ox(s), self._ox(p), self._ox(o)
        if s is None and p is None:  # maybe a hub: stream (callers may stop early)
            return self._stream(subject, predicate, obj)
        quads = []
        for graph in self.graphs if self.graphs is not None else [None]:
            quads.extend(self.store.quads_for_pattern(subject, predicate, obj, graph))
        if self._filter:
            quads = [q for q in quads if not self._excluded(q.graph_name)]
        term = self._term
        found = [(s if s is not None else term(q.subject),
                  p if p is not None else term(q.predicate),
                  o if o is not None else term(q.object)) for q in quads]
        if len(found) > 1 and (self.graphs is None or len(self.graphs) > 1):
            found = list(dict.fromkeys(found))  # a triple may be in several graphs
        return iter(found)

    def _stream(self, subject: ox.Term | None, predicate: ox.Term | None,
                obj: ox.Term | None) -> Iterator[Triple]:
        seen: set[Triple] = set()
        for graph in self.graphs if self.graphs is not None else [None]:
            for quad in self.store.quads_for_pattern(subject, predicate, obj, graph):
                if self._filter and self._excluded(quad.graph_name):
                    continue
                triple = (self._term(quad.subject), self._term(quad.predicate),
                          self._term(quad.object))
                if triple not in seen:
                    seen.add(triple)
                    yield triple

    def in_predicates(self, o: Node, limit: int) -> frozenset[Node] | None:
        """The predicates of the triples pointing at ``o``; None when there are more than
        ``limit`` such triples (nothing but predicates is converted)."""
        obj = self._ox(o)
        found: set[str] = set()
        count = 0
        for graph in self.graphs if self.graphs is not None else [None]:
            for quad in self.store.quads_for_pattern(None, None, obj, graph):
                if self._filter and self._excluded(quad.graph_name):
                    continue
                count += 1
                if count > limit:
                    return None
                found.add(quad.predicate.value)
        return frozenset(self._term(ox.NamedNode(p)) for p in found)

    def contains(self, triple: Triple) -> bool:
        return self.exists(*triple)

    def exists(self, s: Node | None, p: Node | None, o: Node | None) -> bool:
        """Whether some triple matches (cheaper than :meth:`triples`: nothing is converted)."""
        if isinstance(s, Literal) or isinstance(p, (Literal, BNode)):
            return False
        subject, predicate, obj = self._ox(s), self._ox(p), self._ox(o)
        for graph in self.graphs if self.graphs is not None else [None]:
            for quad in self.store.quads_for_pattern(subject, predicate, obj, graph):
                if not self._filter or not self._excluded(quad.graph_name):
                    return True
        return False

    def _ox(self, term: Node | None) -> ox.Term | None:
        if term is None:
            return None
        if isinstance(term, URIRef):
            found = self._named.get(term)
            if found is None:
                found = self._named[term] = ox.NamedNode(str(term))
            return found
        return to_ox(term)

    def _term(self, term: ox.Term) -> Node:
        if isinstance(term, ox.NamedNode):
            iri = self._iris.get(term.value)
            if iri is None:
                iri = self._iris[term.value] = URIRef(term.value)
            return iri
        return from_ox(term)


def _graph_name(name: object) -> str | None:
    return name.value if isinstance(name, (ox.NamedNode, ox.BlankNode)) else None


def to_ox(term: Node) -> ox.Term:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_memo() -> Callable[[Node], ox.Term]:
    """:func:`to_ox` remembering its answers: for converting many quads that share terms."""
    cache: dict[Node, ox.Term] = {}

    def convert(term: Node) -> ox.Term:
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_ox(term)
        return found

    return convert


def from_ox(term: ox.Term) -> Node:
    """A pyoxigraph term as an rdflib term (``xsd:string`` literals become plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        if datatype == _LANG_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported pyoxigraph term: {term!r}")


def load_store(store: ox.Store, graph: Graph, graph_name: URIRef | None = None) -> None:
    """Add every triple of ``graph`` to ``store`` (in ``graph_name``, else the default graph)."""
    name = ox.NamedNode(str(graph_name)) if graph_name is not None else ox.DefaultGraph()
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)  # type: ignore[arg-type]
                      for s, p, o in graph)
