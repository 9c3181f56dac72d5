"""Incremental SHACL validation of a contribution against a large graph (issue 4, part 5).

Validating ``graph + contribution`` in full re-checks every node. Adding triples can only change
the results of the focus nodes whose shapes *read* one of the triples the addition entails, so:

1. **Delta** — the entailed triples the contribution adds to the RDFS closure pyshacl validates
   (its own triples, their super-properties, the types they entail, ...), computed node by node
   by :class:`~clusterld.rdfsview.View` from bound lookups before and after.
2. **Affected focus nodes** — for each new triple, every place in the compiled shapes
   (:mod:`clusterld.shapeplan`) that reads such a triple, walked *backwards* through the
   property path that leads there and up through ``sh:node``/``sh:property``/... nesting to
   the target of a top-level shape. New targets (new types, new subjects/objects of
   ``sh:targetSubjectsOf``/``sh:targetObjectsOf``) are affected too.
3. **Data graph** — from each affected focus node, walk *forwards* everything its shapes read
   (paths, nested shapes on value nodes, types for ``sh:class``, all triples for ``sh:closed``,
   pair constraints, SPARQL patterns) and record the entailed triples met on the way.
4. **Validate** that small graph with pyshacl (same shapes, types already entailed) and keep the
   results whose focus node is affected. Results elsewhere are those of the graph before.

When the shapes use something this analysis does not model (SHACL-AF rules or targets, custom
constraint components, SPARQL with UNION/subqueries/...), or the contribution changes the
schema (sub-class, domain, ... triples), it falls back to full validation and says so.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from clusterld.graphsource import GraphSource, RdflibSource
from clusterld.rdfsview import SCHEMA_CLASSES, SCHEMA_PREDICATES, Schema, SourceCache, Unsupported, View
from clusterld.shapeplan import Nfa, ShapePlan, ShapesPlan, Step
from clusterld.validate import Report, Validator, _results

Triple = tuple[Node, Node, Node]
ALLOWED_SEVERITIES = ("Info", "Warning")  # Validator runs pyshacl with allow_warnings=True


@dataclass
class IncrementalReport(Report):
    """A validation report plus how it was obtained."""

    focus_nodes: set[Node] = field(default_factory=set)
    data_triples: int = 0
    mode: str = "incremental"   # or "full" (fallback)
    reason: str = ""
    seconds: float = 0.0


class IncrementalValidator:
    """Validates contributions against a graph source, reading only what the shapes need."""

    def __init__(self, shapes: Graph | None = None, ontology: Graph | None = None) -> None:
        self.full = Validator(shapes, ontology)
        self.shapes, self.ontology = self.full.shapes, self.full.ontology
        self.schema = Schema(self.ontology)
        self.plan = ShapesPlan(self.shapes)
        self._shapes = Graph(store="SimpleMemory")  # same terms, faster lookups for pyshacl
        for prefix, ns in self.shapes.namespaces():
            self._shapes.bind(prefix, ns)
        for triple in self.shapes:
            self._shapes.add(triple)
        self._target_classes = frozenset(c for p in self.plan.targeted for c in p.target_classes)
        self._subjects_of = {q for p in self.plan.targeted for q in p.subjects_of}
        self._objects_of = {q for p in self.plan.targeted for q in p.objects_of}
        self._queries: dict[str, Query] = {}

    @classmethod
    def from_validator(cls, validator: Validator) -> IncrementalValidator:
        """Share the shapes and ontology of a full validator."""
        return cls(validator.shapes, validator.ontology)

    # ---- entry point ---------------------------------------------------------------------

    def validate(self, contribution: Graph, source: GraphSource | Graph) -> IncrementalReport:
        """Validate ``source + contribution``, reporting on the focus nodes the contribution affects."""
        started = time.perf_counter()
        if isinstance(source, Graph):
            source = RdflibSource(source)
        if self.plan.unsupported:
            report = self._full(contribution, source, "; ".join(self.plan.unsupported))
        else:
            try:
                report = self._incremental(contribution, source)
            except Unsupported as err:
                report = self._full(contribution, source, str(err))
        report.seconds = time.perf_counter() - started
        return report

    def affected(self, contribution: Graph, source: GraphSource) -> set[Node]:
        """The focus nodes whose results the contribution may change (may raise Unsupported)."""
        cache = SourceCache(source)
        self._check_source(cache)
        old, new = View(self.schema, cache), View(self.schema, cache, contribution)
        added = [t for t in contribution if not self._asserted(t, cache)]
        schema_triples = [t for t in added if self.schema.is_schema_triple(t)]
        if schema_triples:
            raise Unsupported(f"the contribution changes the schema: {schema_triples[0]}")
        return self._affected(self._delta(added, old), new)

    # ---- the four steps ------------------------------------------------------------------

    def _incremental(self, contribution: Graph, source: GraphSource) -> IncrementalReport:
        cache = SourceCache(source)
        self._check_source(cache)
        old, new = View(self.schema, cache), View(self.schema, cache, contribution)
        added = [t for t in contribution if not self._asserted(t, cache)]
        schema_triples = [t for t in added if self.schema.is_schema_triple(t)]
        if schema_triples:
            raise Unsupported(f"the contribution changes the schema: {schema_triples[0]}")
        candidates = self._affected(self._delta(added, old), new)
        data = _DataGraph(self._queries)
        new.record = data
        focus = {f for f in candidates if self._gather(f, new)}
        new.record = None
        if not focus:
            return IncrementalReport(conforms=True, focus_nodes=focus, data_triples=len(data))
        conforms, results_graph, _ = shacl_validate(
            data, shacl_graph=self._shapes, inference="none", abort_on_first=False,
            allow_warnings=True, advanced=True, inplace=True)
        kept = _keep(results_graph, focus)
        results = _results(kept)  # nested sh:detail results included, as Validator does
        ok = not any(str(kept.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
                     not in ALLOWED_SEVERITIES for r in kept.objects(None, SH.result))
        kept.set((next(kept.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(ok)))
        return IncrementalReport(conforms=ok, results=results, graph=kept, focus_nodes=focus,
                                 data_triples=len(data))

    def _delta(self, added: Iterable[Triple], old: View) -> set[Triple]:
        """The entailed triples that ``added`` brings into the closure (not there before)."""
        schema = self.schema
        delta: set[Triple] = set()
        resource, prop = schema.supers_c(RDFS.Resource), schema.supers_c(RDF.Property)
        for a, p, b in added:
            supers = schema.supers_p(p)
            types: dict[Node, set[Node]] = {a: set(resource), b: set(resource)}
            types[a] |= schema.domain_classes(p)
            types[b] |= schema.range_classes(p)
            if RDF.type in supers:
                types[a] |= schema.supers_c(b)
            for q in supers:
                if q != RDF.type and not old.holds((a, q, b)):
                    delta.add((a, q, b))
                if not old.used_as_predicate(q):
                    types.setdefault(q, set()).update(prop)
                    delta.add((q, RDFS.subPropertyOf, q))
            for x, classes in types.items():
                delta.update((x, RDF.type, c) for c in classes if not old.has_type(x, c))
        return delta

    def _affected(self, delta: set[Triple], view: View) -> set[Node]:
        """Focus nodes of targeted shapes whose reads meet a triple of ``delta``."""
        plan = self.plan
        roots: set[Node] = set()
        dirty: set[tuple[Node, Node]] = set()
        todo: list[tuple[ShapePlan, Node]] = []

        def reached(shape: ShapePlan, nfa: Nfa, state: int, node: Node) -> None:
            todo.extend((shape, f) for f in backward(nfa, state, node, view))

        def at_values(shape: ShapePlan, node: Node) -> None:
            for state in shape.nfa.accept:
                reached(shape, shape.nfa, state, node)

        changed = delta & plan.ground
        if changed:
            raise Unsupported(f"a focus-independent SPARQL pattern changes: {min(changed)}")
        for s, q, o in delta:
            for pred in (q, None):
                for shape, nfa, state in plan.step_index.get((pred, False), ()):
                    reached(shape, nfa, state, s)
                for shape, nfa, state in plan.step_index.get((pred, True), ()):
                    reached(shape, nfa, state, o)
            if q == RDF.type:
                for shape in plan.class_index.get(o, ()):
                    at_values(shape, s)
                if o in self._target_classes:
                    roots.add(s)
            for shape in plan.closed:
                at_values(shape, s)
            if q in self._subjects_of:
                roots.add(s)
            if q in self._objects_of:
                roots.add(o)
        while todo:
            shape, node = todo.pop()
            if (shape.node, node) in dirty:
                continue
            dirty.add((shape.node, node))
            if shape.targeted:
                roots.add(node)
            for parent in plan.parents.get(shape.node, ()):
                at_values(plan.shapes[parent], node)
        return roots

    def _gather(self, focus: Node, view: View) -> bool:
        """Record what validating ``focus`` reads; False when it is no shape's target."""
        classes = view.types(focus, self._target_classes) if self._target_classes else set()
        todo: list[tuple[ShapePlan, Node]] = []
        for shape in self.plan.targeted:
            if (focus in shape.target_nodes or classes & shape.target_classes
                    or any(view.out(focus, p) for p in shape.subjects_of)
                    or any(_some_in(view, focus, p) for p in shape.objects_of)):
                todo.append((shape, focus))
        if not todo:
            return False
        seen: set[tuple[Node, Node]] = set()
        while todo:
            shape, node = todo.pop()
            if (shape.node, node) in seen:
                continue
            seen.add((shape.node, node))
            values = forward(shape.nfa, node, view)
            for walk in shape.walks:
                forward(walk, node, view)
                for triple in walk.ground:
                    view.read(triple)
            for value in values:
                if shape.classes:
                    view.types(value, shape.classes)
                if shape.closed:
                    view.out_all(value)
                todo.extend((self.plan.shapes[child], value) for child in shape.nested)
        return True

    # ---- helpers -------------------------------------------------------------------------

    def _asserted(self, triple: Triple, cache: SourceCache) -> bool:
        return triple in self.schema.graph or (
            not isinstance(triple[0], Literal) and cache.source.contains(triple))

    def _check_source(self, cache: SourceCache) -> None:
        """The graph itself must carry no schema triples (they belong in the ontology)."""
        source = cache.source
        for p in SCHEMA_PREDICATES:
            for q in self.schema.subs_p(p):
                if next(iter(source.triples(None, q, None)), None) is not None:
                    raise Unsupported(f"the graph holds schema triples ({q.n3()})")
        for c in SCHEMA_CLASSES:
            for sub in self.schema.subs_c(c):
                for q in self.schema.type_preds:
                    if next(iter(source.triples(None, q, sub)), None) is not None:
                        raise Unsupported(f"the graph declares a {sub.n3()}")

    def _full(self, contribution: Graph, source: GraphSource, reason: str) -> IncrementalReport:
        """Fallback: validate the whole graph plus the contribution."""
        graph = Graph()
        for triple in source.triples(None, None, None):
            graph.add(triple)  # type: ignore[arg-type]
        graph += contribution
        report = self.full.validate(graph)
        return IncrementalReport(conforms=report.conforms, results=report.results,
                                 graph=report.graph, data_triples=len(graph), mode="full",
                                 reason=reason)


class _DataGraph(Graph):
    """The small data graph; parses each SPARQL query once (pyshacl sends one text per focus)."""

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


def _some_in(view: View, node: Node, p: Node) -> bool:
    """Whether some entailed (?, p, node) exists; records one witness only."""
    record, view.record = view.record, None
    try:
        subjects = view.inc(node, p)
    finally:
        view.record = record
    if subjects and record is not None:
        record.add((subjects[0], p, node))  # type: ignore[arg-type]
    return bool(subjects)


def _step(view: View, node: Node, step: Step, backwards: bool) -> list[Node]:
    """The nodes one step away (forwards, or backwards against the step's direction)."""
    inverse = step.inverse != backwards
    if step.pred is None:
        return [s for s, _ in view.in_all(node)] if inverse else [o for _, o in view.out_all(node)]
    return view.inc(node, step.pred) if inverse else view.out(node, step.pred)


def forward(nfa: Nfa, focus: Node, view: View) -> set[Node]:
    """Walk ``nfa`` from ``focus`` (reads recorded by the view); the nodes at accepting states."""
    return _walk(nfa, [(nfa.start, focus)], view, backwards=False, goal=nfa.accept)


def backward(nfa: Nfa, state: int, node: Node, view: View) -> set[Node]:
    """The focus nodes from which ``nfa`` reaches ``state`` at ``node``."""
    return _walk(nfa, [(state, node)], view, backwards=True, goal={nfa.start})


def _walk(nfa: Nfa, start: list[tuple[int, Node]], view: View, *, backwards: bool,
          goal: set[int]) -> set[Node]:
    eps = nfa.eps_back if backwards else nfa.eps
    edges = nfa.back if backwards else nfa.edges
    seen = {pair for pair in start if nfa.pins.get(pair[0], pair[1]) == pair[1]}
    todo, found = list(seen), set()
    while todo:
        state, node = todo.pop()
        if state in goal:
            found.add(node)
        nexts = [(s, node) for s in eps.get(state, ())]
        for step, other in edges.get(state, ()):
            nexts.extend((other, n) for n in _step(view, node, step, backwards))
        for pair in nexts:
            if pair not in seen and nfa.pins.get(pair[0], pair[1]) == pair[1]:
                seen.add(pair)
                todo.append(pair)
    return found


def _keep(results: Graph, focus: set[Node]) -> Graph:
    """A copy of a pyshacl report graph with only the results on ``focus`` nodes."""
    kept = Graph()
    for prefix, ns in results.namespaces():
        kept.bind(prefix, ns)
    report = BNode()
    kept.add((report, RDF.type, SH.ValidationReport))
    for result in results.objects(None, SH.result):
        if results.value(result, SH.focusNode) not in focus:
            continue
        kept.add((report, SH.result, result))
        todo, seen = [result], {result}
        while todo:
            node = todo.pop()
            for p, o in results.predicate_objects(node):
                kept.add((node, p, o))
                if isinstance(o, BNode) and o not in seen:
                    seen.add(o)
                    todo.append(o)
    return kept
