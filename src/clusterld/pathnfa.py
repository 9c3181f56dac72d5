"""Property paths as small automata over triple steps, walked forwards and backwards.

A SHACL ``sh:path`` (or a SPARQL property path) becomes a :class:`Nfa` whose transitions are
:class:`Step` s — one triple, forwards or backwards. Walking it forwards from a focus node gives
the value nodes (and the triples read on the way); walking it backwards from a node finds the
focus nodes whose walk reaches that node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib import paths as rpaths
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

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
        # SPARQL walks: the start state ($this) is the focus itself, and a step back into it
        # only checks one triple (to the focus), it does not read all the neighbours
        self.anchored = False
        self.checks: list[tuple[int, Step, int]] = []  # read-only steps (see sparqlwalk)
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
        if eps or self.pins or self.ground or self.checks or self.anchored:
            return "nfa"
        if not edges and self.accept == {self.start}:
            return "identity"
        if (list(edges) == [self.start] and len(edges[self.start]) == 1
                and self.accept == {edges[self.start][0][1]}):
            return "step"
        return "nfa"

    def transitions(self) -> Iterator[tuple[int, Step, int]]:
        """Every (source state, step, target state): a read of the step's triples at source."""
        for src, edges in self.edges.items():
            for step, dst in edges:
                yield src, step, dst

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


