"""pyshacl driven shape by shape: validate chosen focus nodes against chosen shapes.

pyshacl's own entry point validates every target of every shape found in the data graph, and
its ``focus_nodes`` option also filters the nodes reached through ``sh:node``/``sh:property``
(so nested constraints are silently skipped). The incremental validator knows exactly which
shapes target which affected node, so it calls :meth:`pyshacl.shape.Shape.validate` with those
focus nodes — the same code pyshacl runs for each shape, minus the target search — on one
:class:`~pyshacl.shapes_graph.ShapesGraph` parsed once, and builds the report the way pyshacl
does. The caller must not use SHACL-AF rules, custom targets or functions (see
:class:`clusterld.shapeplan.ShapesPlan`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pyshacl import Validator as PyshaclValidator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph
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
