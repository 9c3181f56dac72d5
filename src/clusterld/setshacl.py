"""Full SHACL validation set at a time: each shape over all its focus nodes at once (issue 6).

:class:`~clusterld.sharded.ShardedValidator` runs pyshacl's shape code focus node by focus node
(≈0.8 ms each). :class:`SetValidator` instead

1. reads the RDFS closure the shapes need once for the whole graph
   (:class:`~clusterld.setdata.Closure`: the entailed triples of each predicate a path or a
   pattern walks, the entailed instances of each class a shape names), from one lookup per
   predicate in the graph source plus the ontology closure;
2. evaluates every targeted shape over all its focus nodes at once
   (:class:`~clusterld.setcheck.ShapeChecker`: value nodes per path in one pass, each
   constraint component over all of them, nested shapes by the conformance of the set of
   their value nodes, SPARQL constraints through :mod:`clusterld.setsparql`);
3. re-runs pyshacl's own shape code (:meth:`ShardedValidator.validate_chunk`, on the
   recorded part of the closure) on the focus nodes found not to conform — or whose
   conformance the engine does not decide (``UNSURE``) — to build the report, so its results,
   messages included, are pyshacl's.

A conforming graph thus costs step 1 and 2 only. Shapes using what the engine does not model
(``sh:closed``, ``sh:equals``, property paths over ``rdf:type``, ...) fall back to the sharded
validator (which itself falls back to pyshacl on the whole graph) with the reason in
``ShardedReport.reason``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from clusterld.graphsource import GraphSource, RdflibSource
from clusterld.incremental import IncrementalValidator
from clusterld.rdfsview import SourceCache, Unsupported
from clusterld.setcheck import OK, UNSURE, ShapeChecker
from clusterld.setdata import Closure
from clusterld.setsparql import SparqlChecks, SparqlConstraint
from clusterld.shapeplan import ShapePlan
from clusterld.sharded import ShardedReport, ShardedValidator, merge
from clusterld.validate import _results

CHUNK = 2_000  # focus nodes per pyshacl re-run


@dataclass
class SetReport(ShardedReport):
    """A full validation report; ``flagged`` focus nodes were re-run through pyshacl."""

    mode: str = "set"
    flagged: int = 0
    unsure: int = 0


class SetValidator:
    """Validates a whole graph shape by shape, over all focus nodes at once."""

    def __init__(self, incremental: IncrementalValidator | None = None) -> None:
        self.sharded = ShardedValidator(incremental)
        self.inc = self.sharded.inc
        self.plan, self.schema = self.inc.plan, self.inc.schema
        self.unsupported = list(self.plan.unsupported)
        self.constraints: dict[Node, SparqlConstraint] = {}
        shapes = self.inc.shapes
        for shape in self.plan.shapes:
            for constraint in shapes.objects(shape, SH.sparql):
                if shapes.value(constraint, SH.deactivated) == Literal(True):
                    continue
                try:
                    self.constraints[constraint] = SparqlConstraint(shapes, constraint)
                except Unsupported as err:
                    self.unsupported.append(str(err))

    def validate(self, data: Graph | GraphSource, *, processes: int = 1) -> ShardedReport:
        """Validate ``data`` (without the ontology, as :class:`Validator` takes it)."""
        started = time.perf_counter()
        source = RdflibSource(data) if isinstance(data, Graph) else data
        try:
            if self.unsupported:
                raise Unsupported("; ".join(self.unsupported))
            self.inc._check_source(SourceCache(source))
            focus, flagged, unsure = self.flag(source)
        except Unsupported as err:
            report = self.sharded.validate(source, processes=processes)
            report.reason = "; ".join(r for r in (f"set-at-a-time: {err}", report.reason) if r)
            report.seconds = time.perf_counter() - started
            return report
        chunks = [flagged[i:i + CHUNK] for i in range(0, len(flagged), CHUNK)]
        merged = merge(self.sharded._run(source, chunks, processes), self.inc.shapes)
        return SetReport(conforms=merged.conforms, results=_results(merged.graph),
                         graph=merged.graph, focus_nodes=focus, chunks=len(chunks),
                         flagged=len(flagged), unsure=unsure,
                         seconds=time.perf_counter() - started)

    def flag(self, source: GraphSource) -> tuple[int, list[Node], int]:
        """How many focus nodes; those that may have results (sorted); how many undecided."""
        sparql_classes = {c for sc in self.constraints.values() for c in sc.classes}
        closure = Closure(self.schema, source, self.plan.classes | sparql_classes)
        sparql = SparqlChecks(self.constraints, closure)
        checker = ShapeChecker(self.inc.shapes, self.plan.shapes, closure, sparql.failing)
        focus: set[Node] = set()
        flagged: set[Node] = set()
        unsure: set[Node] = set()
        for shape in self.plan.targeted:
            targets = self.targets(shape, closure)
            focus |= targets
            status = checker.statuses(shape.node, targets)
            for node in targets:
                if status[node] != OK:
                    flagged.add(node)
                    if status[node] == UNSURE:
                        unsure.add(node)
        ordered = sorted(flagged, key=lambda n: (type(n).__name__, str(n)))
        return len(focus), ordered, len(unsure)

    def targets(self, shape: ShapePlan, closure: Closure) -> set[Node]:
        """The focus nodes of a targeted shape in the closure."""
        found = set(shape.target_nodes)
        for c in shape.target_classes:
            found |= closure.instances(c)
        for p in shape.subjects_of:
            found.update(closure.out_index(p))
        for p in shape.objects_of:
            found.update(closure.in_index(p))
        return found
