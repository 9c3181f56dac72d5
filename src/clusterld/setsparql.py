"""SPARQL-based constraints (``sh:sparql``/``sh:select``) for many focus nodes at once.

pyshacl runs a constraint's SELECT once per focus node, ``$this`` pre-bound, over the whole
RDFS closure. Here the query runs with rdflib (as in pyshacl) over a small graph holding the
entailed triples of just the predicates and classes its patterns name, and:

* when ``$this`` is bound by a basic graph pattern at the top of the query (reached only
  through projections, filters, BINDs and joins), pre-binding it gives exactly the solutions
  of the query without it whose ``$this`` is that node, so the query runs once, ``$this``
  unbound, and its solutions are joined with the focus nodes;
* otherwise (``$this`` only in a ``FILTER NOT EXISTS``, say), once per focus node, pre-bound
  with ``initBindings`` as pyshacl does.

A focus node with at least one solution has a result (pyshacl makes one per solution).
"""

from __future__ import annotations

import itertools

from rdflib import Graph, URIRef, Variable
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from clusterld.pathnfa import PathAst, sparql_path_ast
from clusterld.rdfsview import Unsupported
from clusterld.setdata import Closure
from clusterld.shapeplan import _prefixes
from clusterld.sparqlwalk import _patterns

THIS = Variable("this")
PASS_THROUGH = frozenset({"SelectQuery", "Project", "Distinct", "Reduced", "Filter", "Extend"})


class SparqlConstraint:
    """One ``sh:sparql`` constraint: its parsed query and what it reads."""

    def __init__(self, shapes: Graph, constraint: Node) -> None:
        select = shapes.value(constraint, SH.select)
        if select is None:
            raise Unsupported("a SPARQL constraint without sh:select")
        text = str(select)
        if "$PATH" in text or "?PATH" in text:
            raise Unsupported("a SPARQL constraint using $PATH")
        try:
            self.query: Query = prepareQuery(_prefixes(shapes, constraint) + "\n" + text)
        except Exception as err:  # the parser raises many kinds
            raise Unsupported(f"unparsable SPARQL constraint: {err}") from err
        self.predicates: set[Node] = set()
        self.classes: set[Node] = set()
        try:
            patterns = list(_patterns(self.query.algebra, (), itertools.count(1)))
        except ValueError as err:
            raise Unsupported(str(err)) from err
        for _, p, o, _ in patterns:
            if isinstance(p, Variable):
                raise Unsupported("a SPARQL constraint with a variable predicate")
            if p == RDF.type:
                if not isinstance(o, URIRef):
                    raise Unsupported("a SPARQL constraint reading every type of a node")
                self.classes.add(o)
            elif isinstance(p, URIRef):
                self.predicates.add(p)
            else:
                self.predicates |= _path_predicates(sparql_path_ast(p))
        self.joinable = _binds_this(self.query.algebra)


def _path_predicates(ast: PathAst) -> set[Node]:
    if ast[0] == "p":
        if ast[1] == RDF.type:
            raise Unsupported("a SPARQL property path over rdf:type")
        return {ast[1]}
    if ast[0] == "any":
        raise Unsupported("a SPARQL negated property set")
    items = ast[1] if ast[0] in ("seq", "alt") else [ast[1]]
    return {p for item in items for p in _path_predicates(item)}


def _binds_this(node: object) -> bool:
    """Whether a top-level basic graph pattern binds ``$this`` (see the module docstring)."""
    if not isinstance(node, CompValue):
        return False
    if node.name == "BGP":
        return any(THIS in triple for triple in node.triples)
    if node.name in PASS_THROUGH:
        return _binds_this(node.p)
    if node.name == "Join":
        sides = (node.p1, node.p2)
        bound = [_binds_this(side) for side in sides]
        uses = [THIS in dict.get(side, "_vars", set()) for side in sides]
        return any(bound) and all(b or not u for b, u in zip(bound, uses, strict=True))
    return False


class SparqlChecks:
    """The SPARQL constraints of a shapes graph, evaluated over one :class:`Closure`."""

    def __init__(self, constraints: dict[Node, SparqlConstraint], closure: Closure) -> None:
        self.constraints = constraints
        self.classes = {c for sc in constraints.values() for c in sc.classes}
        self.closure = closure
        self._graph: Graph | None = None
        self._solutions: dict[Node, set[Node]] = {}  # joinable: every $this with a solution

    def graph(self) -> Graph:
        """The entailed triples every constraint may match (built on first use)."""
        if self._graph is None:
            graph = Graph()
            for sc in self.constraints.values():
                for p in sc.predicates - set(graph.predicates(unique=True)):
                    for s, objects in self.closure.out_index(p).items():
                        for o in objects:
                            graph.add((s, p, o))
            for c in self.classes:
                for x in self.closure.instances(c):
                    graph.add((x, RDF.type, c))
            self._graph = graph
        return self._graph

    def failing(self, shape: Node, constraint: Node, nodes: list[Node]) -> set[Node]:
        """Those of ``nodes`` for which the constraint's query has a solution."""
        sc = self.constraints[constraint]
        graph = self.graph()
        if sc.joinable:
            found = self._solutions.get(constraint)
            if found is None:
                found = self._solutions[constraint] = {
                    row.this for row in graph.query(sc.query)}  # type: ignore[union-attr]
            return found.intersection(nodes)
        return {n for n in nodes
                if len(graph.query(sc.query, initBindings={"this": n})) > 0}
