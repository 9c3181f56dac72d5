"""Full SHACL validation in shards: every focus node, a chunk at a time, in small data graphs.

pyshacl validates a whole graph by first materialising its RDFS closure with owlrl (most of
the time at 100k triples and more, and it grows faster than the graph), then checking every
target. The incremental validator (:mod:`clusterld.incremental`) already knows, for one focus
node and the shapes targeting it, exactly which entailed triples their validation reads
(:meth:`~clusterld.incremental.IncrementalValidator._read`), so full validation can be done as:

1. the candidate focus nodes: every subject of the graph and of the ontology, every object of
   a predicate whose range is a targeted class or of a ``sh:targetObjectsOf`` predicate, every
   ``sh:targetNode``; each kept with the shapes that really target it (entailed types);
2. chunk by chunk, the part of the closure those (shape, focus) pairs read, recorded by an
   RDFS view, then :class:`~clusterld.shaclrun.ShaclRunner` (pyshacl's own shape code) on it;
3. optionally chunks in parallel worker processes (``fork``: the graph is shared, not copied).

The results are those of pyshacl on the whole graph (``tests/test_sharded.py`` compares them);
when the shapes use what the analysis does not model, or the data holds schema triples, it
falls back to :class:`clusterld.validate.Validator` and says why (``ShardedReport.mode``).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from clusterld.graphsource import GraphSource, RdflibSource
from clusterld.incremental import ALLOWED_SEVERITIES, IncrementalValidator
from clusterld.rdfsview import SourceCache, Unsupported, View
from clusterld.validate import Report, Validator, _results, tag_message_languages

Triple = tuple[Node, Node, Node]
_FORKED: tuple[ShardedValidator, GraphSource, list[list[Node]]] | None = None


@dataclass
class ShardedReport(Report):
    """A full validation report, with how it was obtained."""

    mode: str = "sharded"  # or "full" (fallback to pyshacl on the whole graph)
    reason: str = ""
    focus_nodes: int = 0
    chunks: int = 0
    seconds: float = 0.0


class _ParameterList(list):
    """pyshacl's list of constraint parameters with O(1) membership (same items, same order).

    ``Shape.validate`` tests every predicate of a shape with ``p in <list>``: a linear scan of
    rdflib term comparisons, a third of the time when shapes are run on small data graphs.
    """

    def __init__(self, items: Iterable[Node] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _ParameterList:  # type: ignore[override]
        return _ParameterList(self)

    def append(self, item: Node) -> None:  # type: ignore[override]
        super().append(item)
        self._members.add(item)


def faster_pyshacl_lookups() -> None:
    """Install :class:`_ParameterList` where pyshacl caches its constraint parameters."""
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    cached = getattr(shape.module, "CONSTRAINT_PARAMS", None)
    if cached is None or not isinstance(cached[0], _ParameterList):
        shape.module.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS),
                                          CONSTRAINT_PARAMETERS_MAP)


class ShardedValidator:
    """Validates a whole graph focus node by focus node, in chunks, optionally in parallel."""

    def __init__(self, incremental: IncrementalValidator | None = None) -> None:
        faster_pyshacl_lookups()
        self.inc = incremental or IncrementalValidator()
        self.plan, self.schema, self.runner = self.inc.plan, self.inc.schema, self.inc.runner

    def validate(self, data: Graph | GraphSource, *, chunk: int = 2_000,
                 processes: int = 1) -> ShardedReport:
        """Validate ``data`` (without the ontology, as :class:`Validator` takes it)."""
        started = time.perf_counter()
        source = RdflibSource(data) if isinstance(data, Graph) else data
        try:
            if self.plan.unsupported:
                raise Unsupported("; ".join(self.plan.unsupported))
            self.inc._check_source(SourceCache(source))
            nodes = self.candidates(source)
            chunks = [nodes[i:i + chunk] for i in range(0, len(nodes), chunk)]
            parts = self._run(source, chunks, processes)
        except Unsupported as err:
            report = self._full(source, str(err))
            report.seconds = time.perf_counter() - started
            return report
        report = merge(parts, self.inc.shapes)
        report.focus_nodes = sum(n for _, n in parts)
        report.chunks = len(chunks)
        report.seconds = time.perf_counter() - started
        return report

    def candidates(self, source: GraphSource) -> list[Node]:
        """Every node that may be a focus node (a superset; targeting is decided later)."""
        plan, schema = self.plan, self.schema
        found: set[Node] = set()
        for s, _, _ in source.triples(None, None, None):
            found.add(s)
        found.update(schema.index.out)
        target_classes = frozenset(c for shape in plan.targeted for c in shape.target_classes)
        preds = set(schema.range_preds_for_all(target_classes))
        preds.update(p for shape in plan.targeted for p in shape.objects_of)
        for p in preds:
            for q in schema.subs_p(p):
                # literals too: owlrl types a literal object by the range, and pyshacl then
                # takes it as a focus node of sh:targetClass
                found.update(o for _, _, o in source.triples(None, q, None))
        found.update(n for shape in plan.targeted for n in shape.target_nodes)
        if target_classes & (schema.resource | schema.property):
            raise Unsupported("a shape targets rdfs:Resource or rdf:Property")
        return sorted(found, key=lambda n: (type(n).__name__, str(n)))

    def _run(self, source: GraphSource, chunks: list[list[Node]],
             processes: int) -> list[tuple[list[Triple], int]]:
        global _FORKED
        if processes <= 1 or len(chunks) <= 1:
            return [self.validate_chunk(source, nodes) for nodes in chunks]
        _FORKED = (self, source, chunks)
        try:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(min(processes, len(chunks))) as pool:
                return pool.map(_forked_chunk, range(len(chunks)), chunksize=1)
        finally:
            _FORKED = None

    def validate_chunk(self, source: GraphSource, nodes: Iterable[Node]
                       ) -> tuple[list[Triple], int]:
        """The report triples of the shapes targeting ``nodes``; how many were focus nodes."""
        view = View(self.schema, SourceCache(source), relevant=self.plan.classes)
        data = self.runner.new_data_graph()
        view.record = data
        by_shape: dict[Node, list[Node]] = {}
        focus = 0
        for node in nodes:
            shapes = self.inc._targeting(node, self.plan.targeted, view)
            if not shapes:
                continue
            focus += 1
            self.inc._read([(shape, node) for shape in shapes], view)
            for shape in shapes:
                by_shape.setdefault(shape.node, []).append(node)
        view.record = None
        if not by_shape:
            return [], 0
        return list(self.runner.validate(data, by_shape)), focus

    def _full(self, source: GraphSource, reason: str) -> ShardedReport:
        graph = source.graph if isinstance(source, RdflibSource) else Graph()
        if not isinstance(source, RdflibSource):
            for triple in source.triples(None, None, None):
                graph.add(triple)  # type: ignore[arg-type]
        report = Validator(self.inc.shapes, self.inc.ontology).validate(graph)
        return ShardedReport(conforms=report.conforms, results=report.results,
                             graph=report.graph, mode="full", reason=reason)


def _forked_chunk(index: int) -> tuple[list[Triple], int]:
    assert _FORKED is not None
    validator, source, chunks = _FORKED
    return validator.validate_chunk(source, chunks[index])


def merge(parts: list[tuple[list[Triple], int]], shapes: Graph | None = None) -> ShardedReport:
    """One report from the chunks' report triples (pyshacl's verdict over all results); with
    ``shapes``, SPARQL-based messages get their language tags back."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    for triples, _ in parts:
        local = {s for s, p, o in triples if p == RDF.type and o == SH.ValidationReport}
        for s, p, o in triples:
            if s in local:
                if p == SH.result:
                    graph.add((report, SH.result, o))
            else:
                graph.add((s, p, o))
    ok = not any(str(graph.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
                 not in ALLOWED_SEVERITIES for r in graph.objects(report, SH.result))
    graph.add((report, SH.conforms, Literal(ok)))
    if shapes is not None:
        tag_message_languages(graph, shapes)
    return ShardedReport(conforms=ok, results=_results(graph), graph=graph)
