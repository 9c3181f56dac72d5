"""pyshacl driven shape by shape: validate chosen focus nodes against chosen shapes.

pyshacl's own entry point validates every target of every shape found in the data graph, and
its ``focus_nodes`` option also filters the nodes reached through ``sh:node``/``sh:property``
(so nested constraints are silently skipped). The incremental validator knows exactly which
shapes target which affected node, so it calls :meth:`pyshacl.shape.Shape.validate` with those
focus nodes — the same code pyshacl runs for each shape, minus the target search — on one
:class:`~pyshacl.shapes_graph.ShapesGraph` parsed once, and builds the report the way pyshacl
does. The caller must not use SHACL-AF rules, custom targets or functions (see
:class:`clusterld.shapeplan.ShapesPlan`).

One shortcut, invisible in the results: pyshacl evaluates the members of ``sh:or``/``sh:and``
and the object of ``sh:not`` in full, building a described result for each failure, then keeps
only whether they conform. Shapes reached *only* that way and made only of ``sh:class``,
``sh:or``, ``sh:and`` and ``sh:not`` (the disjointness checks ``sh:not [ sh:or ( [ sh:class
cld:Plan ] … ) ]`` of the clusterld shapes) are evaluated here for conformance alone, with
pyshacl's own class test (rdf:type, then rdfs:subClassOf* in the data graph).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pyshacl import Validator as PyshaclValidator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node


class QueryCachingGraph(Graph):
    """A data graph that parses each SPARQL text once (pyshacl sends one text per focus node)."""

    def __init__(self, queries: dict[str, Query]) -> None:
        super().__init__()
        self._queries = queries

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = self._queries.get(query_object)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(self.namespaces()))
                self._queries[query_object] = prepared
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


class ShaclRunner:
    """The shapes graph compiled once by pyshacl, run on given (shape, focus nodes) pairs."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = Graph(store="SimpleMemory")  # same terms, faster lookups
        for prefix, ns in shapes.namespaces():
            self.graph.bind(prefix, ns)
        for triple in shapes:
            self.graph.add(triple)
        self.shapes_graph = ShapesGraph(self.graph)
        self.shapes = {shape.node: shape for shape in self.shapes_graph.shapes}
        for shape in self.shapes.values():
            shape.set_advanced(True)  # as Validator's advanced=True does
        specs = conformance_only(self.graph)
        fast = type("ConformanceOnlyShape", (_ConformanceOnlyShape,),
                    {"__slots__": (), "specs": specs})
        for node in specs:
            if node in self.shapes:
                self.shapes[node].__class__ = fast
        self.queries: dict[str, Query] = {}

    def new_data_graph(self) -> QueryCachingGraph:
        """An empty data graph sharing this runner's parsed queries."""
        return QueryCachingGraph(self.queries)

    def validate(self, data: Graph, work: Mapping[Node, Sequence[Node]]) -> Graph:
        """The report graph of validating each ``work`` shape at its focus nodes in ``data``.

        Options as :class:`clusterld.validate.Validator`: all results, warnings (and infos)
        allowed; ``sh:conforms`` is pyshacl's verdict.
        """
        executor = SHACLExecutor(advanced_mode=True, abort_on_first=False, allow_infos=False,
                                 allow_warnings=True, iterate_rules=False, sparql_mode=False,
                                 max_validation_depth=15, focus_nodes=None, debug=False)
        target = DataGraph.from_rdflib(data)
        conforms, reports = True, []
        for node, focus in work.items():
            ok, found = self.shapes[node].validate(executor, target, focus=list(focus))
            conforms = conforms and ok
            reports.extend(found)
        report, _ = PyshaclValidator.create_validation_report(self.shapes_graph, conforms,
                                                              reports)
        return report


Spec = tuple[tuple[Node, ...], tuple[tuple[Node, ...], ...], tuple[tuple[Node, ...], ...],
             tuple[Node, ...]]  # sh:class values, sh:or lists, sh:and lists, sh:not shapes
SIMPLE_PARAMS = frozenset({SH["class"], SH["or"], SH["and"], SH["not"]})
ANNOTATIONS = frozenset({RDF.type, RDFS.comment, RDFS.label, SH.message, SH.name,
                         SH.description, SH.severity, SH.order, SH.group})


def conformance_only(g: Graph) -> dict[Node, Spec]:
    """The shapes whose results pyshacl always discards and that use only sh:class, sh:or,
    sh:and and sh:not (themselves on such shapes), with what they test."""
    def members(pred: Node) -> set[Node]:
        return {m for lst in g.objects(None, pred) for m in Collection(g, lst)}

    discarded = members(SH["or"]) | members(SH["and"]) | set(g.objects(None, SH["not"]))
    reported = (set(g.objects(None, SH.node)) | set(g.objects(None, SH.property))
                | set(g.objects(None, SH.qualifiedValueShape)) | members(SH.xone))
    candidates = {n for n in discarded - reported
                  if set(g.predicates(n)) <= SIMPLE_PARAMS | ANNOTATIONS
                  and set(g.objects(n, RDF.type)) <= {SH.NodeShape, SH.Shape}}
    specs = {n: (tuple(g.objects(n, SH["class"])),
                 tuple(tuple(Collection(g, lst)) for lst in g.objects(n, SH["or"])),
                 tuple(tuple(Collection(g, lst)) for lst in g.objects(n, SH["and"])),
                 tuple(g.objects(n, SH["not"]))) for n in candidates}
    changed = True
    while changed:  # a shortcut shape may only nest shortcut shapes
        changed = False
        for node, (_, ors, ands, nots) in list(specs.items()):
            nested = [m for lst in (*ors, *ands) for m in lst] + list(nots)
            if any(m not in specs for m in nested):
                del specs[node]
                changed = True
    return specs


class _ConformanceOnlyShape(Shape):
    """A pyshacl Shape answering only whether its focus nodes conform (no reports)."""

    __slots__ = ()
    specs: ClassVar[dict[Node, Spec]] = {}

    def validate(self, executor: Any, target_graph: Any, focus: Any = None,
                 _evaluation_path: Any = None) -> tuple[bool, list]:
        nodes = [focus] if not isinstance(focus, (list, tuple, set)) else focus
        return all(self._conforms(self.node, v, target_graph) for v in nodes), []

    def _conforms(self, node: Node, value: Node, graph: Any) -> bool:
        classes, ors, ands, nots = self.specs[node]
        return (all(_has_class(graph, value, c) for c in classes)
                and all(any(self._conforms(m, value, graph) for m in lst) for lst in ors)
                and all(self._conforms(m, value, graph) for lst in ands for m in lst)
                and not any(self._conforms(m, value, graph) for m in nots))


def _has_class(graph: Any, value: Node, cls: Node) -> bool:
    """pyshacl's sh:class test (ClassConstraintComponent, rdflib mode)."""
    if isinstance(value, Literal):
        return False
    return any(t == cls or cls in graph.transitive_objects(t, RDFS.subClassOf)
               for t in graph.objects(value, RDF.type))
