"""Incremental SHACL validation of a contribution against a large graph (issue 4, part 5).

Validating ``graph + contribution`` in full re-checks every node. Adding triples can only change
what a shape says about a focus node if the shape *reads* one of the triples the addition
entails, so:

1. **Delta** — the entailed triples the contribution adds to the RDFS closure that pyshacl
   validates (its own triples, their super-properties, the types they entail, ...), computed
   node by node by :class:`~clusterld.rdfsview.View` from bound lookups, before and after.
2. **Affected (shape, focus) pairs** — for each new triple, every place in the compiled shapes
   (:mod:`clusterld.shapeplan`) that reads such a triple, walked *backwards* along the property
   path that leads there and up through ``sh:node``/``sh:property``/``sh:or``/... nesting to a
   targeted shape and its focus node; plus new targets (new types, new subjects/objects of
   ``sh:targetSubjectsOf``/``sh:targetObjectsOf``). Where many nodes point at a node whose
   nested shape is touched, that nested shape is first validated there before and after, and
   the walk stops if its results did not change (a new label on a country does not re-check
   every organisation in it).
3. **Data graph** — from each affected focus node, walk *forwards* everything those shapes read
   (paths, nested shapes on value nodes, types for ``sh:class``, all triples for ``sh:closed``,
   pair constraints, SPARQL patterns) and record the entailed triples met on the way.
4. **Validate** the affected pairs in that small graph with pyshacl
   (:class:`~clusterld.shaclrun.ShaclRunner`: the same shape code, given focus nodes).

The report holds the results of the affected pairs: exactly those of full validation there.
Everywhere else full validation gives the results it gave before the contribution — none, for
a graph that conforms, as the server's graph does (it only takes conforming contributions).
When the shapes use something this analysis does not model (SHACL-AF rules, custom targets or
functions, custom constraint components, SPARQL with UNION/VALUES/subqueries/LIMIT), when the
graph or the contribution holds schema triples (sub-class, domain, ...), or when a ground SPARQL
pattern changes, it falls back to full validation of graph + contribution and says why
(``IncrementalReport.mode`` and ``reason``).
"""

from __future__ import annotations

import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from clusterld.graphsource import GraphSource, RdflibSource
from clusterld.pathnfa import Nfa, Step
from clusterld.rdfsview import (
    SCHEMA_CLASSES,
    SCHEMA_PREDICATES,
    SUBPROPERTY,
    TYPE,
    Schema,
    SourceCache,
    Unsupported,
    View,
)
from clusterld.shaclrun import ShaclRunner
from clusterld.shapeplan import ShapePlan, ShapesPlan
from clusterld.validate import Report, Validator, _results, tag_message_languages

Triple = tuple[Node, Node, Node]
ALLOWED_SEVERITIES = ("Info", "Warning")  # Validator runs pyshacl with allow_warnings=True
# Above this many other nodes pointing at a node whose nested shape is touched, first check
# that the nested shape's results there changed at all (two tiny validations) before
# re-validating all those nodes.
FAN_OUT = 2
SOURCE_CHECK_SECONDS = 10.0


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
        self.runner = ShaclRunner(self.shapes)
        self._source_checked: weakref.WeakKeyDictionary[GraphSource, float] = (
            weakref.WeakKeyDictionary())

    @classmethod
    def from_validator(cls, validator: Validator) -> IncrementalValidator:
        """Share the shapes and ontology of a full validator."""
        return cls(validator.shapes, validator.ontology)

    # ---- entry point ---------------------------------------------------------------------

    def validate(self, contribution: Graph, source: GraphSource | Graph) -> IncrementalReport:
        """Validate ``source + contribution``; report on the focus nodes it affects."""
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

    def data_graph(self, contribution: Graph, source: GraphSource | Graph
                   ) -> tuple[set[Node], Graph]:
        """The affected focus nodes and the part of the closure their validation reads.

        Raises :class:`~clusterld.rdfsview.Unsupported` when that cannot be decided locally.
        """
        work, data = self._prepare(contribution, source)
        return set(work), data

    def _prepare(self, contribution: Graph, source: GraphSource | Graph
                 ) -> tuple[dict[Node, list[ShapePlan]], Graph]:
        """Steps 1–3: each affected focus node with the shapes to re-run on it; the data graph."""
        if isinstance(source, Graph):
            source = RdflibSource(source)
        cache = SourceCache(source)
        self._check_source(cache)
        old = View(self.schema, cache, relevant=self.plan.classes)
        new = View(self.schema, cache, contribution, relevant=self.plan.classes)
        added = [t for t in contribution if not self._asserted(t, cache)]
        schema_triples = [t for t in added if self.schema.is_schema_triple(t)]
        if schema_triples:
            raise Unsupported(f"the contribution changes the schema: {schema_triples[0]}")
        roots = self._affected(self._delta(added, old), old, new)
        data = self.runner.new_data_graph()
        new.record = data
        work = {}
        for focus, names in roots.items():
            shapes = self._targeting(focus, [self.plan.shapes[n] for n in names], new)
            if shapes:
                self._read([(shape, focus) for shape in shapes], new)
                work[focus] = shapes
        new.record = None
        return work, data

    # ---- the four steps ------------------------------------------------------------------

    def _incremental(self, contribution: Graph, source: GraphSource) -> IncrementalReport:
        work, data = self._prepare(contribution, source)
        focus = set(work)
        by_shape: dict[Node, list[Node]] = {}
        for node, shapes in work.items():
            for shape in shapes:
                by_shape.setdefault(shape.node, []).append(node)
        kept = _keep(self.runner.validate(data, by_shape), focus)
        # pyshacl's verdict: no top-level result of a severity other than Info or Warning
        ok = not any(str(kept.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
                     not in ALLOWED_SEVERITIES for r in kept.objects(None, SH.result))
        kept.add((next(kept.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(ok)))
        tag_message_languages(kept, self.shapes)
        return IncrementalReport(conforms=ok, results=_results(kept), graph=kept,
                                 focus_nodes=focus, data_triples=len(data))

    def _delta(self, added: Iterable[Triple], old: View) -> set[Triple]:
        """The entailed triples that ``added`` brings into the closure (not there before)."""
        schema = self.schema
        delta: set[Triple] = set()
        # rdfs:Resource and rdf:Property typing only matters to shapes that look at them
        everything = self.plan.reads_all_types
        resource = schema.resource if everything or schema.resource & self.plan.classes else ()
        prop = schema.property if everything or schema.property & self.plan.classes else ()
        for a, p, b in added:
            supers = schema.supers_p(p)
            types: dict[Node, set[Node]] = {a: set(resource), b: set(resource)}
            types[a] |= schema.domain_classes(p)
            types[b] |= schema.range_classes(p)
            if TYPE in supers:
                types[a] |= schema.supers_c(b)
            for q in supers:
                if q != TYPE and not old.holds((a, q, b)):
                    delta.add((a, q, b))
                if prop and not old.used_as_predicate(q):
                    types.setdefault(q, set()).update(prop)
                    delta.add((q, SUBPROPERTY, q))
            for x, classes in types.items():
                if not everything:
                    classes &= self.plan.classes
                delta.update((x, TYPE, c) for c in classes if not old.has_type(x, c))
        return delta

    def _affected(self, delta: set[Triple], old: View, new: View) -> dict[Node, set[Node]]:
        """Focus nodes whose results may change, each with the targeted shapes to re-run.

        A read that meets a triple of ``delta`` makes its (shape, focus) dirty; dirtiness goes
        up to the shapes nesting it (sh:node, sh:property, ...), walking property paths
        backwards — unless the nested shape's results at that node are the same before and
        after (checked by validating just that), so that a harmless change on a hub (a new
        label on a country) does not reach every node pointing at it.
        """
        plan = self.plan
        roots: dict[Node, set[Node]] = defaultdict(set)
        dirty: set[tuple[Node, Node]] = set()
        todo: list[tuple[ShapePlan, Node]] = []

        def reached(shape: ShapePlan, nfa: Nfa, state: int, node: Node) -> None:
            todo.extend((shape, f) for f in backward(nfa, state, node, new))

        def at_values(shape: ShapePlan, node: Node) -> None:
            for state in shape.nfa.accept:
                reached(shape, shape.nfa, state, node)

        ground = delta & plan.ground
        if ground:
            raise Unsupported(f"a focus-independent SPARQL pattern changes: {min(ground)}")
        for s, q, o in delta:
            for pred in (q, None):  # a step reads (s q o) at s forwards, at o backwards
                for inverse, here, there in ((False, s, o), (True, o, s)):
                    for shape, nfa, src, dst in plan.step_index.get((pred, inverse), ()):
                        if nfa.anchored and dst == nfa.start:  # a check of a triple to $this
                            todo.append((shape, there))
                        else:
                            reached(shape, nfa, src, here)
            if q == TYPE:
                for shape in plan.class_index.get(o, ()):
                    at_values(shape, s)
                for shape in plan.target_class_index.get(o, ()):
                    roots[s].add(shape.node)  # a new target
            for shape in plan.closed:
                at_values(shape, s)
            for shape in plan.subjects_of_index.get(q, ()):
                roots[s].add(shape.node)
            for shape in plan.objects_of_index.get(q, ()):
                roots[o].add(shape.node)
        while todo:
            shape, node = todo.pop()
            if (shape.node, node) in dirty:
                continue
            dirty.add((shape.node, node))
            if shape.targeted:
                roots[node].add(shape.node)
            parents = []
            for name in plan.parents.get(shape.node, ()):
                parent = plan.shapes[name]
                parents.extend((parent, f) for state in parent.nfa.accept
                               for f in backward(parent.nfa, state, node, new)
                               if (name, f) not in dirty)
            if len({f for _, f in parents} - {node}) > FAN_OUT and not self._changed(
                    shape, node, old, new):  # many nodes point here: check first
                continue
            todo.extend(parents)
        return roots

    def _changed(self, shape: ShapePlan, node: Node, old: View, new: View) -> bool:
        """Whether validating ``node`` against ``shape`` gives other results after the change."""
        keys = []
        for view in (old, new):
            data = self.runner.new_data_graph()
            view.record = data
            try:
                self._read([(shape, node)], view)
            finally:
                view.record = None
            keys.append(result_keys(self.runner.validate(data, {shape.node: [node]})))
        return keys[0] != keys[1]

    def _targeting(self, focus: Node, shapes: list[ShapePlan], view: View) -> list[ShapePlan]:
        """Those of ``shapes`` that target ``focus`` (what makes it a target is recorded)."""
        classes = {c for shape in shapes for c in shape.target_classes}
        types = view.types(focus, classes) if classes else set()
        return [shape for shape in shapes
                if focus in shape.target_nodes or types & shape.target_classes
                or any(view.out(focus, p) for p in shape.subjects_of)
                or any(view.some_in(focus, p) for p in shape.objects_of)]

    def _read(self, todo: list[tuple[ShapePlan, Node]], view: View) -> None:
        """Read (and record, if the view records) what validating each (shape, node) reads."""
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

    # ---- helpers -------------------------------------------------------------------------

    def _asserted(self, triple: Triple, cache: SourceCache) -> bool:
        return triple in self.schema.graph or (
            not isinstance(triple[0], Literal) and cache.source.contains(triple))

    def _check_source(self, cache: SourceCache) -> None:
        """The graph itself must carry no schema triples (they belong in the ontology).

        Checked at most every SOURCE_CHECK_SECONDS per source: the graph only gets them
        through a maintainer's write (contributions are checked each time, and a contribution
        with schema triples goes to full validation), and with the ontology graph in the same
        store the check reads all its schema triples.
        """
        checked = self._source_checked.get(cache.source)
        now = time.monotonic()
        if checked is not None and now - checked < SOURCE_CHECK_SECONDS:
            return
        for p in SCHEMA_PREDICATES:
            for q in self.schema.subs_p(p):
                if cache.exists(None, q, None):
                    raise Unsupported(f"the graph holds schema triples ({q.n3()})")
        for c in SCHEMA_CLASSES:
            for sub in self.schema.subs_c(c):
                for q in self.schema.type_preds:
                    if cache.exists(None, q, sub):
                        raise Unsupported(f"the graph declares a {sub.n3()}")
        self._source_checked[cache.source] = now

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


def result_keys(report: Graph) -> list[tuple[Node | None, ...]]:
    """The results of a report graph (nested ones too) as sorted comparable tuples."""
    keys = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        keys.append(tuple(report.value(node, p) for p in (
            SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
            SH.sourceConstraintComponent, SH.resultSeverity)))
    return sorted(keys, key=str)


def _step(view: View, node: Node, step: Step, backwards: bool) -> list[Node]:
    """The nodes one step away (forwards, or backwards against the step's direction)."""
    inverse = step.inverse != backwards
    if step.pred is None:
        return [s for s, _ in view.in_all(node)] if inverse else [o for _, o in view.out_all(node)]
    return view.inc(node, step.pred) if inverse else view.out(node, step.pred)


def forward(nfa: Nfa, focus: Node, view: View) -> set[Node]:
    """Walk ``nfa`` from ``focus`` (reads recorded by the view); the nodes at accepting states."""
    kind = nfa.kind()
    if kind == "identity":
        return {focus}
    if kind == "step":
        return set(_step(view, focus, nfa.edges[nfa.start][0][0], backwards=False))
    return _walk(nfa, [(nfa.start, focus)], view, backwards=False, goal=nfa.accept,
                 focus=focus)


def backward(nfa: Nfa, state: int, node: Node, view: View) -> set[Node]:
    """The focus nodes from which ``nfa`` reaches ``state`` at ``node``."""
    kind = nfa.kind()
    if state == nfa.start and kind != "nfa":
        return {node}
    if kind == "step":
        return set(_step(view, node, nfa.edges[nfa.start][0][0], backwards=True))
    return _walk(nfa, [(state, node)], view, backwards=True, goal={nfa.start})


def _walk(nfa: Nfa, start: list[tuple[int, Node]], view: View, *, backwards: bool,
          goal: set[int], focus: Node | None = None) -> set[Node]:
    eps = nfa.eps_back if backwards else nfa.eps
    edges = nfa.back if backwards else nfa.edges
    seen = {pair for pair in start if nfa.pins.get(pair[0], pair[1]) == pair[1]}
    todo, found = list(seen), set()
    while todo:
        state, node = todo.pop()
        if state in goal:
            found.add(node)
            if nfa.anchored and backwards:
                continue  # $this is the focus: nothing comes before it
        nexts = [(s, node) for s in eps.get(state, ())]
        for step, other in edges.get(state, ()):
            nexts.extend((other, n) for n in _step(view, node, step, backwards))
        for pair in nexts:
            if pair not in seen and nfa.pins.get(pair[0], pair[1]) == pair[1]:
                seen.add(pair)
                todo.append(pair)
    if not backwards:
        for src, step, dst in nfa.checks:  # read-only steps between bound variables
            for state, node in list(seen):
                if state != src:
                    continue
                if nfa.anchored and dst == nfa.start:
                    _check(view, node, step, focus)  # one triple, to the focus
                else:
                    _step(view, node, step, backwards=False)
    return found


def _check(view: View, node: Node, step: Step, focus: Node | None) -> bool:
    """Whether ``step`` leads from ``node`` to ``focus`` (reading only that)."""
    if focus is None:
        return False
    if step.pred is None:
        return focus in _step(view, node, step, backwards=False)
    triple = (focus, step.pred, node) if step.inverse else (node, step.pred, focus)
    return view.read(triple)


def _keep(results: Graph, focus: set[Node], conforms: bool | None = None) -> Graph:
    """A copy of a pyshacl report graph with only the results on ``focus`` nodes (and their
    nested sh:detail results)."""
    kept = Graph()
    for prefix, ns in results.namespaces():
        kept.bind(prefix, ns)
    report = BNode()
    kept.add((report, RDF.type, SH.ValidationReport))
    if conforms is not None:
        kept.add((report, SH.conforms, Literal(conforms)))
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
