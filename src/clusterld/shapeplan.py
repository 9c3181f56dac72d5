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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib import paths as rpaths
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

SH_NS = str(SH._NS)
PATH_PLACEHOLDER = URIRef("urn:clusterld:incremental:path")
UNSUPPORTED_ALGEBRA = frozenset({"Union", "Minus", "Graph", "ServiceGraphPattern", "values",
                                 "ToMultiSet", "Slice", "InlineData", "GroupOrUnionGraphPattern",
                                 "GraphGraphPattern", "MinusGraphPattern", "SubSelect"})
UNSUPPORTED_PARAMS = {SH.expression: "sh:expression", SH.js: "sh:js", SH.rule: "sh:rule",
                      SH.target: "sh:target (SHACL-AF custom target)"}

# ("p", iri) | ("any", [inverse?]) | ("inv", ast) | ("seq", [ast]) | ("alt", [ast]) | (op, ast),
# op one of "*", "+", "?"
PathAst = tuple


@dataclass(frozen=True)
class Step:
    """One triple traversed: (node, pred, next) or, inverse, (next, pred, node); pred None = any."""

    pred: Node | None
    inverse: bool = False


class Nfa:
    """A non-deterministic automaton over steps; a state may be pinned to one node."""

    def __init__(self) -> None:
        self.count = 0
        self.start = self.state()
        self.accept: set[int] = set()
        self.edges: dict[int, list[tuple[Step, int]]] = defaultdict(list)
        self.back: dict[int, list[tuple[Step, int]]] = defaultdict(list)
        self.eps: dict[int, list[int]] = defaultdict(list)
        self.eps_back: dict[int, list[int]] = defaultdict(list)
        self.pins: dict[int, Node] = {}
        self.ground: list[tuple[Node, Node, Node]] = []  # focus-independent triples read
        self._kind: str | None = None

    def state(self) -> int:
        self.count += 1
        return self.count - 1

    def add(self, src: int, step: Step, dst: int) -> None:
        self.edges[src].append((step, dst))
        self.back[dst].append((step, src))

    def link(self, src: int, dst: int) -> None:
        self.eps[src].append(dst)
        self.eps_back[dst].append(src)

    def kind(self) -> str:
        """``identity`` (start accepts, nothing else), ``step`` (one step to accept) or ``nfa``.

        Computed once, when the automaton is complete (the walks take shortcuts for the first
        two, which are most property shapes).
        """
        if self._kind is None:
            self._kind = self._shape()
        return self._kind

    def _shape(self) -> str:
        edges = {k: v for k, v in self.edges.items() if v}
        eps = {k: v for k, v in self.eps.items() if v}
        if eps or self.pins or self.ground:
            return "nfa"
        if not edges and self.accept == {self.start}:
            return "identity"
        if (list(edges) == [self.start] and len(edges[self.start]) == 1
                and self.accept == {edges[self.start][0][1]}):
            return "step"
        return "nfa"

    def transitions(self) -> Iterator[tuple[int, Step]]:
        """Every (source state, step): each is a read of the step's triples at that state."""
        for src, edges in self.edges.items():
            for step, _ in edges:
                yield src, step

    def build(self, ast: PathAst, src: int, inverse: bool = False) -> int:
        """Add the path ``ast`` from ``src`` (reversed if ``inverse``); return its end state."""
        kind = ast[0]
        if kind == "p":
            dst = self.state()
            self.add(src, Step(ast[1], inverse), dst)
            return dst
        if kind == "any":
            dst = self.state()
            for inv in ast[1]:
                self.add(src, Step(None, inv != inverse), dst)
            return dst
        if kind == "inv":
            return self.build(ast[1], src, not inverse)
        if kind == "seq":
            for item in reversed(ast[1]) if inverse else ast[1]:
                src = self.build(item, src, inverse)
            return src
        if kind == "alt":
            dst = self.state()
            for item in ast[1]:
                self.link(self.build(item, src, inverse), dst)
            return dst
        if kind == "?":
            dst = self.state()
            self.link(src, dst)
            self.link(self.build(ast[1], src, inverse), dst)
            return dst
        loop = self.state()  # "*" and "+": a loop state, entered directly or after one pass
        if kind == "+":
            self.link(self.build(ast[1], src, inverse), loop)
        else:
            self.link(src, loop)
        self.link(self.build(ast[1], loop, inverse), loop)
        return loop


def path_ast(shapes: Graph, node: Node) -> PathAst:
    """A SHACL property path (a node of the shapes graph) as a path AST."""
    if isinstance(node, URIRef):
        return ("p", node)
    if (node, RDF.first, None) in shapes:
        return ("seq", [path_ast(shapes, item) for item in Collection(shapes, node)])
    for pred, op in ((SH.inversePath, "inv"), (SH.zeroOrMorePath, "*"),
                     (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(node, pred)
        if inner is not None:
            return (op, path_ast(shapes, inner))
    alts = shapes.value(node, SH.alternativePath)
    if alts is not None:
        return ("alt", [path_ast(shapes, item) for item in Collection(shapes, alts)])
    raise ValueError(f"not a SHACL path: {node!r}")


def sparql_path_ast(path: object) -> PathAst:
    """An rdflib SPARQL property path as a path AST."""
    if isinstance(path, URIRef):
        return ("p", path)
    if isinstance(path, rpaths.InvPath):
        return ("inv", sparql_path_ast(path.arg))
    if isinstance(path, rpaths.SequencePath):
        return ("seq", [sparql_path_ast(a) for a in path.args])
    if isinstance(path, rpaths.AlternativePath):
        return ("alt", [sparql_path_ast(a) for a in path.args])
    if isinstance(path, rpaths.MulPath):
        return (path.mod, sparql_path_ast(path.path))
    if isinstance(path, rpaths.NegatedPath):
        return ("any", sorted({isinstance(a, rpaths.InvPath) for a in path.args}))
    raise ValueError(f"unsupported SPARQL path: {path!r}")


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
        self.step_index: dict[tuple[Node | None, bool], list[tuple[ShapePlan, Nfa, int]]] = (
            defaultdict(list))
        for plan in self.shapes.values():
            for nfa in (plan.nfa, *plan.walks):
                for src, step in set(nfa.transitions()):
                    self.step_index[(step.pred, step.inverse)].append((plan, nfa, src))
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
        self.classes = frozenset(self.class_index) | frozenset(self.target_class_index)

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


def sparql_walk(select: str, prefixes: str, path: PathAst | None) -> Nfa:
    """The triple patterns of a SPARQL constraint as an automaton rooted at ``$this``.

    Every pattern becomes a step both ways between its subject and object (only forward for
    rdf:type); variables and constants are states (constants pinned). Every state must be
    reachable from ``$this``, so that walking from the focus over-approximates the bindings
    of every variable, and every triple a solution can use is read. Ground patterns (no
    variable, e.g. ``<scheme> a skos:ConceptScheme``) do not depend on the focus: they are
    kept apart in ``nfa.ground`` and read as single triples.
    """
    query = select.replace("$PATH", f"<{PATH_PLACEHOLDER}>")
    try:
        algebra = prepareQuery(prefixes + "\n" + query).algebra
    except Exception as err:  # the parser raises many kinds
        raise ValueError(f"unparsable SPARQL constraint: {err}") from err
    patterns = []
    nfa = Nfa()
    for s, p, o in _patterns(algebra):
        if any(isinstance(t, (Variable, BNode)) for t in (s, p, o)) or p == PATH_PLACEHOLDER:
            patterns.append((s, p, o))
        elif isinstance(p, URIRef):
            nfa.ground.append((s, p, o))
        else:
            raise ValueError("a property path between two constants")
    states: dict[Node, int] = {Variable("this"): nfa.start}

    def state(term: Node) -> int:
        if term not in states:
            states[term] = nfa.state()
            if not isinstance(term, (Variable, BNode)):
                nfa.pins[states[term]] = term
        return states[term]

    pred_vars = {p for _, p, _ in patterns if isinstance(p, Variable)}
    for s, p, o in patterns:
        if {s, o} & pred_vars:
            raise ValueError("a predicate variable is also used as a node")
        if isinstance(p, Variable):
            ast: PathAst = ("any", [False, True])
        elif p == PATH_PLACEHOLDER:
            if path is None:
                raise ValueError("$PATH outside a property shape")
            ast = path
        else:
            ast = sparql_path_ast(p)
        src, dst = state(s), state(o)
        nfa.link(nfa.build(ast, src), dst)
        if not _reads_types(ast):
            nfa.link(nfa.build(ast, dst, inverse=True), src)
    reached = _reachable(nfa)
    missing = [t for t, s in states.items() if s not in reached]
    if missing:
        raise ValueError("SPARQL patterns not connected to $this: "
                         + ", ".join(sorted(t.n3() for t in missing)))
    return nfa


def _reads_types(ast: PathAst) -> bool:
    """Whether the path uses rdf:type (walking it backwards would enumerate instances)."""
    if ast[0] == "p":
        return ast[1] == RDF.type
    if ast[0] == "any":
        return False
    items = ast[1] if ast[0] in ("seq", "alt") else [ast[1]]
    return any(_reads_types(item) for item in items)


def _reachable(nfa: Nfa) -> set[int]:
    seen, todo = {nfa.start}, [nfa.start]
    while todo:
        state = todo.pop()
        for nxt in [*nfa.eps[state], *(d for _, d in nfa.edges[state])]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _patterns(value: object) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple pattern anywhere in a query's algebra (FILTER EXISTS included)."""
    if isinstance(value, CompValue):
        if value.name in UNSUPPORTED_ALGEBRA:
            raise ValueError(f"SPARQL {value.name} is not supported")
        triples = dict.get(value, "triples")  # CompValue.get returns the key when missing
        if triples is not None:
            flat = [t for triple in triples for t in (triple if isinstance(triple, list)
                                                      else [triple])]
            flat = [t for triple in flat for t in (triple if isinstance(triple, tuple)
                                                   else (triple,))]
            for i in range(0, len(flat) - 2, 3):
                yield flat[i], flat[i + 1], flat[i + 2]
        for key, item in value.items():
            if key != "triples" and not key.startswith("_"):
                yield from _patterns(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _patterns(item)


def iter_shapes(plan: ShapesPlan, nodes: Iterable[Node]) -> Iterator[ShapePlan]:
    """The compiled shapes among ``nodes`` (deactivated and unknown ones skipped)."""
    for node in nodes:
        found = plan.shapes.get(node)
        if found is not None:
            yield found
