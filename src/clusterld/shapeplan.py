"""What the shapes read: the shapes graph compiled into read plans for incremental validation.

Every shape becomes a :class:`ShapePlan`: a small automaton (:class:`Nfa`) over triple steps
from a focus node to its value nodes (the ``sh:path``, with inverse, sequence, alternative and
``*``/``+``/``?`` paths), extra automata for what else is read from the focus (the other
predicate of ``sh:equals``/``sh:disjoint``/``sh:lessThan``/``sh:lessThanOrEquals``, the triple
patterns of SPARQL-based constraints), and what is read at each value node (types for
``sh:class``, every triple for ``sh:closed``, the shapes applied to it by ``sh:node``,
``sh:property``, ``sh:and``/``sh:or``/``sh:xone``/``sh:not`` and ``sh:qualifiedValueShape``).
Nothing here knows the clusterld shapes: it is derived from the shapes graph alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from clusterld.pathnfa import Nfa, path_ast
from clusterld.sparqlwalk import sparql_walk

SH_NS = str(SH._NS)
UNSUPPORTED_PARAMS = {SH.expression: "sh:expression", SH.js: "sh:js", SH.rule: "sh:rule",
                      SH.target: "sh:target (SHACL-AF custom target)"}


@dataclass
class ShapePlan:
    """What validating one shape at one focus node reads."""

    node: Node
    nfa: Nfa                                  # focus → value nodes (accepting states)
    walks: list[Nfa] = field(default_factory=list)   # other reads from the focus
    classes: frozenset[Node] = frozenset()    # sh:class, checked on each value node
    nested: list[Node] = field(default_factory=list)  # shapes applied to each value node
    closed: bool = False                      # sh:closed: every triple of each value node
    target_classes: frozenset[Node] = frozenset()
    target_nodes: frozenset[Node] = frozenset()
    subjects_of: frozenset[Node] = frozenset()
    objects_of: frozenset[Node] = frozenset()

    @property
    def targeted(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.subjects_of
                    or self.objects_of)


class ShapesPlan:
    """Every shape of a shapes graph compiled, with indexes from a read to the shapes doing it."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.unsupported: list[str] = []
        self.shapes: dict[Node, ShapePlan] = {}
        for node in sorted(_shape_nodes(shapes), key=str):
            if shapes.value(node, SH.deactivated) == Literal(True):
                continue
            try:
                self.shapes[node] = self._compile(node)
            except ValueError as err:
                self.unsupported.append(f"shape {node.n3()}: {err}")
        if any(shapes.subjects(RDF.type, SH.ConstraintComponent)):
            self.unsupported.append("custom constraint components (sh:ConstraintComponent)")
        for kind in ("SPARQLFunction", "SHACLFunction", "JSFunction"):
            if any(shapes.subjects(RDF.type, URIRef(SH_NS + kind))):
                self.unsupported.append(f"SHACL-AF functions (sh:{kind})")
        self.parents: dict[Node, list[Node]] = defaultdict(list)
        for plan in self.shapes.values():
            plan.nested = [n for n in plan.nested if n in self.shapes]
            for child in plan.nested:
                self.parents[child].append(plan.node)
        self.step_index: dict[tuple[Node | None, bool],
                              list[tuple[ShapePlan, Nfa, int, int]]] = defaultdict(list)
        for plan in self.shapes.values():
            for nfa in (plan.nfa, *plan.walks):
                for src, step, dst in {*nfa.transitions(), *nfa.checks}:
                    self.step_index[(step.pred, step.inverse)].append((plan, nfa, src, dst))
        self.class_index: dict[Node, list[ShapePlan]] = defaultdict(list)
        self.target_class_index: dict[Node, list[ShapePlan]] = defaultdict(list)
        for plan in self.shapes.values():
            for c in plan.classes:
                self.class_index[c].append(plan)
            for c in plan.target_classes:
                self.target_class_index[c].append(plan)
        self.closed = [p for p in self.shapes.values() if p.closed]
        self.subjects_of_index: dict[Node, list[ShapePlan]] = defaultdict(list)
        self.objects_of_index: dict[Node, list[ShapePlan]] = defaultdict(list)
        for plan in self.shapes.values():
            for q in plan.subjects_of:
                self.subjects_of_index[q].append(plan)
            for q in plan.objects_of:
                self.objects_of_index[q].append(plan)
        self.ground = {t for p in self.shapes.values() for w in p.walks for t in w.ground}
        self.targeted = [p for p in self.shapes.values() if p.targeted]
        self.classes = (frozenset(self.class_index) | frozenset(self.target_class_index)
                        | {o for _, p, o in self.ground if p == RDF.type})
        # whether some shape reads every type of a node (a path or pattern over rdf:type or
        # over any predicate, or sh:closed): then no entailed type is irrelevant
        self.reads_all_types = bool(self.closed) or any(
            pred in (RDF.type, None) for pred, _ in self.step_index)

    def _compile(self, node: Node) -> ShapePlan:
        g = self.graph
        for param, name in UNSUPPORTED_PARAMS.items():
            if (node, param, None) in g:
                raise ValueError(f"{name} is not supported")
        nfa = Nfa()
        path = g.value(node, SH.path)
        ast = path_ast(g, path) if path is not None else None
        nfa.accept.add(nfa.build(ast, nfa.start) if ast is not None else nfa.start)
        plan = ShapePlan(node=node, nfa=nfa)
        plan.classes = frozenset(g.objects(node, SH["class"]))
        nested = [*g.objects(node, SH.node), *g.objects(node, SH.property),
                  *g.objects(node, SH["not"]), *g.objects(node, SH.qualifiedValueShape)]
        for param in (SH["and"], SH["or"], SH.xone):
            for lst in g.objects(node, param):
                nested.extend(Collection(g, lst))
        if g.value(node, SH.qualifiedValueShapesDisjoint) == Literal(True):
            nested.extend(self._sibling_qualified_shapes(node))
        plan.nested = list(dict.fromkeys(nested))
        plan.closed = g.value(node, SH.closed) == Literal(True)
        for param in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in g.objects(node, param):
                walk = Nfa()
                walk.build(("p", other), walk.start)
                plan.walks.append(walk)
        for constraint in g.objects(node, SH.sparql):
            if g.value(constraint, SH.deactivated) == Literal(True):
                continue
            select = g.value(constraint, SH.select)
            if select is None:
                raise ValueError("a SPARQL constraint without sh:select")
            plan.walks.append(sparql_walk(str(select), _prefixes(g, constraint), ast))
        plan.target_classes = frozenset(g.objects(node, SH.targetClass)) | _implicit(g, node)
        plan.target_nodes = frozenset(g.objects(node, SH.targetNode))
        plan.subjects_of = frozenset(g.objects(node, SH.targetSubjectsOf))
        plan.objects_of = frozenset(g.objects(node, SH.targetObjectsOf))
        return plan

    def _sibling_qualified_shapes(self, node: Node) -> Iterator[Node]:
        g = self.graph
        for parent in g.subjects(SH.property, node):
            for sibling in g.objects(parent, SH.property):
                if sibling != node:
                    yield from g.objects(sibling, SH.qualifiedValueShape)


def _implicit(g: Graph, node: Node) -> frozenset[Node]:
    """pyshacl's implicit class target: a shape that is also an rdfs:Class."""
    classes = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
    is_class = any(t in classes for t in g.objects(node, RDF.type))
    return frozenset({node}) if is_class else frozenset()


def _shape_nodes(g: Graph) -> set[Node]:
    """The shapes of a shapes graph, found the way pyshacl finds them."""
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for pred in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf,
                 SH.property, SH.node):
        found |= set(g.subjects(pred, None))
    for pred in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        found |= set(g.objects(None, pred))
    for pred in (SH["and"], SH["or"], SH.xone):
        for lst in g.objects(None, pred):
            found |= set(Collection(g, lst))
    return found


def _prefixes(g: Graph, constraint: Node) -> str:
    """PREFIX declarations of a SPARQL constraint's sh:prefixes (sh:declare)."""
    lines = []
    for holder in g.objects(constraint, SH.prefixes):
        for decl in g.objects(holder, SH.declare):
            prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(lines)
