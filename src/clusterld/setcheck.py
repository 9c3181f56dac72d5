"""SHACL conformance, shape by shape over all focus nodes at once (the set-at-a-time engine).

:class:`ShapeChecker` answers, for a shape and a set of nodes, whether each node conforms:
value nodes of every node along the shape's path in one pass over a predicate index of the
:class:`~clusterld.setdata.Closure`, then each constraint component over all of them, nested
shapes (``sh:node``, ``sh:property``, ``sh:or``, ``sh:not``, qualified shapes, ...) by the
conformance of the set of their value nodes, memoised per (shape, node).

It answers in three values: ``OK``, ``BAD`` (some validation result for sure) or ``UNSURE``
(a comparison whose outcome in pyshacl is not modelled here, e.g. an ordering of literals of
unrelated types). The validator re-runs pyshacl on every node that is not ``OK``, so an
``UNSURE`` only costs time; nested under ``sh:not`` it stays ``UNSURE``. The component
semantics follow pyshacl's code (``pyshacl.constraints.core``), not only the specification:
e.g. ``sh:languageIn`` matches the first subtag, ``sh:class`` fails on every literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, repeat

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from clusterld.pathnfa import PathAst, path_ast
from clusterld.rdfsview import Unsupported
from clusterld.setdata import Closure, alternative, repeat_path, sequence

OK, UNSURE, BAD = 0, 1, 2
MAX_DEPTH = 30
Values = dict[Node, Sequence[Node]]
Check = Callable[[Values, dict[Node, int]], None]
# parameters that do not constrain (or that the validator handles elsewhere)
PASSIVE = frozenset({SH.message, SH.name, SH.description, SH.severity, SH.order, SH.group,
                     SH.deactivated, SH.declare, SH.prefixes, SH.defaultValue, SH.path,
                     SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                     SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                     SH.qualifiedValueShapesDisjoint})
KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal)}
ACTUAL_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
    XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
    XSD.time: time, XSD.dateTime: datetime}


@dataclass
class Spec:
    """One shape: how to get its value nodes and the checks run on them."""

    node: Node
    path: PathAst | None
    checks: list[Check] = field(default_factory=list)


class ShapeChecker:
    """Conformance of nodes to shapes over a :class:`Closure`, memoised per (shape, node)."""

    def __init__(self, shapes: Graph, active: Iterable[Node], closure: Closure,
                 sparql: Callable[[Node, Node, list[Node]], set[Node]]) -> None:
        self.g = shapes
        self.active = frozenset(active)  # known, not deactivated shapes
        self.closure = closure
        self.sparql = sparql  # (shape, constraint, nodes) -> the nodes with a result
        self._specs: dict[Node, Spec | None] = {}
        self._memo: dict[Node, dict[Node, int]] = {}
        self._paths: dict[str, Callable[[Node], Sequence[Node]]] = {}
        self._depth = 0

    def statuses(self, shape: Node, nodes: Iterable[Node]) -> dict[Node, int]:
        """OK / UNSURE / BAD of each of ``nodes`` (and of others checked before) for ``shape``."""
        memo = self._memo.setdefault(shape, {})
        todo = [n for n in dict.fromkeys(nodes) if n not in memo]
        if todo:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise Unsupported("shapes nest too deeply (recursive shapes?)")
            try:
                memo.update(self._evaluate(shape, todo))
            finally:
                self._depth -= 1
        return memo

    def _evaluate(self, shape: Node, nodes: list[Node]) -> dict[Node, int]:
        status = dict.fromkeys(nodes, OK)
        spec = self.spec(shape)
        if spec is None:
            return status  # deactivated: conforms
        values: Values
        if spec.path is None:
            values = dict(zip(nodes, zip(nodes), strict=True))  # each its own value node
        elif spec.path[0] == "p":  # most property shapes: straight from the index
            get = self.closure.out_index(spec.path[1]).get
            values = dict(zip(nodes, map(get, nodes, repeat(())), strict=True))
        else:
            values = dict(zip(nodes, map(self._path(spec.path), nodes), strict=True))
        for check in spec.checks:
            check(values, status)
        return status

    # ---- compiling shapes ----------------------------------------------------------------

    def spec(self, shape: Node) -> Spec | None:
        """The compiled shape (None: deactivated or not a shape, i.e. always conforms)."""
        if shape in self._specs:
            return self._specs[shape]
        spec = None
        if shape in self.active:
            spec = self._compile(shape)
        self._specs[shape] = spec
        return spec

    def _compile(self, shape: Node) -> Spec:
        g = self.g
        path = g.value(shape, SH.path)
        spec = Spec(shape, path_ast(g, path) if path is not None else None)
        for p, o in sorted(g.predicate_objects(shape), key=str):
            if not str(p).startswith(str(SH)) or p in PASSIVE:
                continue
            make = COMPILERS.get(p)
            if make is None:
                name = str(p)[len(str(SH)):]
                raise Unsupported(f"sh:{name} is not supported by the set-at-a-time validator")
            spec.checks.append(make(self, shape, o))
        return spec

    def _path(self, ast: PathAst) -> Callable[[Node], Sequence[Node]]:
        key = repr(ast)  # the AST holds lists
        found = self._paths.get(key)
        if found is None:
            found = self._paths[key] = self._walker(ast, False)
        return found

    def _walker(self, ast: PathAst, inverse: bool) -> Callable[[Node], Sequence[Node]]:
        kind = ast[0]
        if kind == "p":
            index = (self.closure.in_index if inverse else self.closure.out_index)(ast[1])
            return lambda n: index.get(n, ())
        if kind == "inv":
            return self._walker(ast[1], not inverse)
        if kind in ("seq", "alt"):
            parts = [self._walker(a, inverse) for a in ast[1]]
            if kind == "seq" and inverse:
                parts.reverse()
            return sequence(parts) if kind == "seq" else alternative(parts)
        if kind in ("*", "+", "?"):
            return repeat_path(self._walker(ast[1], inverse), kind)
        raise Unsupported(f"property path {kind!r} is not supported")

    # ---- helpers for the checks ----------------------------------------------------------

    def nested(self, values: Values, child: Node) -> dict[Node, int]:
        """The statuses for ``child`` of every value node."""
        return self.statuses(child, chain.from_iterable(values.values()))


# ---- constraint components ----------------------------------------------------------------

def per_value(test: Callable[[Node], int]) -> Check:
    """A check whose outcome is the worst of a test of each value node (memoised per value)."""
    def run(values: Values, status: dict[Node, int]) -> None:
        cache: dict[Node, int] = {}
        for f, vs in values.items():
            worst = status[f]
            if worst == BAD:
                continue
            for v in vs:
                r = cache.get(v)
                if r is None:
                    r = cache[v] = test(v)
                if r > worst:
                    worst = r
                    if worst == BAD:
                        break
            status[f] = worst
    return run


def per_focus(test: Callable[[Node, Sequence[Node]], int]) -> Check:
    """A check of each focus node's whole set of value nodes."""
    def run(values: Values, status: dict[Node, int]) -> None:
        for f, vs in values.items():
            if status[f] != BAD:
                status[f] = max(status[f], test(f, vs))
    return run


def _class(checker: ShapeChecker, shape: Node, c: Node) -> Check:
    members = checker.closure.instances(c)
    return per_value(lambda v: OK if v in members and not isinstance(v, Literal) else BAD)


def _node_kind(checker: ShapeChecker, shape: Node, kind: Node) -> Check:
    types = KINDS.get(kind)
    if types is None:
        raise Unsupported(f"sh:nodeKind {kind.n3()}")
    return per_value(lambda v: OK if isinstance(v, types) else BAD)


def _datatype(checker: ShapeChecker, shape: Node, rule: Node) -> Check:
    """pyshacl's DatatypeConstraintComponent."""
    actual = ACTUAL_TYPES.get(rule)

    def real(v: Literal) -> bool:
        return actual is None or isinstance(v.value, actual)

    def test(v: Node) -> int:
        if not isinstance(v, Literal):
            return BAD
        if v.datatype == rule:
            ok = getattr(v, "ill_typed", None) is not True and real(v)
        elif rule == RDFS.Literal or (rule == RDFS.Datatype and v.datatype):
            ok = True
        elif v.datatype is None and v.language is None and rule == XSD.string:
            ok = real(v)
        else:
            ok = rule == RDF.langString and bool(v.language) and real(v)
        return OK if ok else BAD
    return per_value(test)


def _count(bound: int, at_least: bool) -> Callable[[Node, Sequence[Node]], int]:
    if at_least:
        return lambda f, vs: OK if len(vs) >= bound else BAD
    return lambda f, vs: OK if len(vs) <= bound else BAD


def _min_count(checker: ShapeChecker, shape: Node, n: Node) -> Check:
    return per_focus(_count(int(n), True))  # type: ignore[arg-type]


def _max_count(checker: ShapeChecker, shape: Node, n: Node) -> Check:
    return per_focus(_count(int(n), False))  # type: ignore[arg-type]


def _string(v: Node) -> str:
    """pyshacl's value_node_to_string."""
    if isinstance(v, Literal) and v.value is not None and (
            v.datatype in (None, RDF.langString, XSD.string)):
        return str(v.value)
    return str(v)


def _pattern(checker: ShapeChecker, shape: Node, pattern: Node) -> Check:
    flags = 0
    given = checker.g.value(shape, SH.flags)
    if given is not None:
        text = str(given).lower()
        flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
    value = pattern.value if isinstance(pattern, Literal) else None
    source = str(value) if value is not None and len(value) > 1 else str(pattern)
    regex = re.compile(source, flags)
    return per_value(lambda v: BAD if isinstance(v, BNode) or not regex.search(_string(v))
                     else OK)


def _length(at_least: bool) -> Callable[[ShapeChecker, Node, Node], Check]:
    def make(checker: ShapeChecker, shape: Node, n: Node) -> Check:
        bound = int(n)  # type: ignore[arg-type]
        if at_least and bound == 0:
            return per_value(lambda v: OK)

        def test(v: Node) -> int:
            if isinstance(v, BNode):
                return BAD
            size = len(_string(v))
            return OK if (size >= bound if at_least else size <= bound) else BAD
        return per_value(test)
    return make


def _language_in(checker: ShapeChecker, shape: Node, lst: Node) -> Check:
    wanted = {str(x).lower() for x in Collection(checker.g, lst)}

    def test(v: Node) -> int:
        lang = v.language if isinstance(v, Literal) else None
        if not lang:
            return BAD
        if "*" in wanted or lang.lower() in wanted or lang.split("-")[0].lower() in wanted:
            return OK
        return BAD
    return per_value(test)


def _unique_lang(checker: ShapeChecker, shape: Node, flag: Node) -> Check:
    if not (isinstance(flag, Literal) and flag.value is True):
        return per_value(lambda v: OK)

    def test(f: Node, vs: Sequence[Node]) -> int:
        langs = [v.language.lower() for v in vs if isinstance(v, Literal) and v.language]
        return OK if len(langs) == len(set(langs)) else BAD
    return per_focus(test)


def _has_value(checker: ShapeChecker, shape: Node, value: Node) -> Check:
    return per_focus(lambda f, vs: OK if value in vs else BAD)


def _in(checker: ShapeChecker, shape: Node, lst: Node) -> Check:
    allowed = set(Collection(checker.g, lst))
    return per_value(lambda v: OK if v in allowed else BAD)


NUMBERS = (int, float, Decimal)


def compare(a: Node, b: Node, op: Callable[[object, object], bool]) -> int:
    """``op(a, b)`` for two numeric literals (or two dates, two strings); UNSURE otherwise."""
    if not isinstance(a, Literal) or not isinstance(b, Literal):
        return UNSURE
    x, y = a.value, b.value
    if isinstance(x, bool) or isinstance(y, bool) or getattr(a, "ill_typed", None) or (
            getattr(b, "ill_typed", None)):
        return UNSURE
    comparable = (isinstance(x, NUMBERS) and isinstance(y, NUMBERS)) or (
        type(x) is type(y) and isinstance(x, (date, str)) and not isinstance(x, datetime))
    if not comparable or (isinstance(x, float) and x != x) or (isinstance(y, float) and y != y):
        return UNSURE
    if isinstance(x, str) and (a.datatype, a.language) != (b.datatype, b.language):
        return UNSURE
    return OK if op(x, y) else BAD


def _bound(op: Callable[[object, object], bool]) -> Callable[[ShapeChecker, Node, Node], Check]:
    def make(checker: ShapeChecker, shape: Node, rule: Node) -> Check:
        return per_value(lambda v: compare(v, rule, op))
    return make


def _pair(op: Callable[[object, object], bool]) -> Callable[[ShapeChecker, Node, Node], Check]:
    def make(checker: ShapeChecker, shape: Node, other: Node) -> Check:
        index = checker.closure.out_index(other)

        def test(f: Node, vs: Sequence[Node]) -> int:
            return max((compare(v, o, op) for v in vs for o in index.get(f, ())), default=OK)
        return per_focus(test)
    return make


def _node(checker: ShapeChecker, shape: Node, child: Node) -> Check:
    def run(values: Values, status: dict[Node, int]) -> None:
        child_status = checker.nested(values, child)
        for f, vs in values.items():
            worst = status[f]
            for v in vs:
                if worst == BAD:
                    break
                worst = max(worst, child_status[v])
            status[f] = worst
    return run


def _not(checker: ShapeChecker, shape: Node, child: Node) -> Check:
    def run(values: Values, status: dict[Node, int]) -> None:
        child_status = checker.nested(values, child)
        for f, vs in values.items():
            status[f] = max((status[f], *(BAD - child_status[v] for v in vs)))
    return run


def _logical(kind: str) -> Callable[[ShapeChecker, Node, Node], Check]:
    def make(checker: ShapeChecker, shape: Node, lst: Node) -> Check:
        members = list(Collection(checker.g, lst))

        def combine(states: list[int]) -> int:
            if kind == "and":
                return max(states, default=OK)
            if kind == "or":
                return OK if OK in states else (UNSURE if UNSURE in states else BAD)
            if UNSURE in states:  # xone
                return UNSURE
            return OK if states.count(OK) == 1 else BAD

        def run(values: Values, status: dict[Node, int]) -> None:
            tables = [checker.nested(values, m) for m in members]
            for f, vs in values.items():
                status[f] = max((status[f], *(combine([t[v] for t in tables]) for v in vs)))
        return run
    return make


def _qualified(checker: ShapeChecker, shape: Node, child: Node) -> Check:
    g = checker.g
    low, high = g.value(shape, SH.qualifiedMinCount), g.value(shape, SH.qualifiedMaxCount)
    siblings: list[Node] = []
    if g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
        siblings = [q for parent in g.subjects(SH.property, shape)
                    for sib in g.objects(parent, SH.property) if sib != shape
                    for q in g.objects(sib, SH.qualifiedValueShape)]

    def run(values: Values, status: dict[Node, int]) -> None:
        own = checker.nested(values, child)
        others = [checker.nested(values, s) for s in siblings]
        for f, vs in values.items():
            sure = maybe = 0
            for v in vs:
                state = max((own[v], *(BAD - t[v] for t in others)))
                sure += state == OK
                maybe += state == UNSURE
            outcome = OK
            if low is not None and sure < int(low):  # type: ignore[arg-type]
                outcome = UNSURE if sure + maybe >= int(low) else BAD  # type: ignore[arg-type]
            if high is not None and sure + maybe > int(high):  # type: ignore[arg-type]
                outcome = max(outcome, BAD if sure > int(high) else UNSURE)  # type: ignore[arg-type]
            status[f] = max(status[f], outcome)
    return run


def _sparql(checker: ShapeChecker, shape: Node, constraint: Node) -> Check:
    if checker.g.value(constraint, SH.deactivated) == Literal(True):
        return per_value(lambda v: OK)

    def run(values: Values, status: dict[Node, int]) -> None:
        for f in checker.sparql(shape, constraint, list(values)):
            status[f] = BAD
    return run


COMPILERS: dict[Node, Callable[[ShapeChecker, Node, Node], Check]] = {
    SH["class"]: _class, SH.nodeKind: _node_kind, SH.datatype: _datatype,
    SH.minCount: _min_count, SH.maxCount: _max_count, SH.pattern: _pattern,
    SH.minLength: _length(True), SH.maxLength: _length(False),
    SH.languageIn: _language_in, SH.uniqueLang: _unique_lang, SH.hasValue: _has_value,
    SH["in"]: _in,
    SH.minInclusive: _bound(lambda x, y: x >= y), SH.maxInclusive: _bound(lambda x, y: x <= y),
    SH.minExclusive: _bound(lambda x, y: x > y), SH.maxExclusive: _bound(lambda x, y: x < y),
    SH.lessThan: _pair(lambda x, y: x < y), SH.lessThanOrEquals: _pair(lambda x, y: x <= y),
    SH.node: _node, SH.property: _node, SH["not"]: _not,
    SH["and"]: _logical("and"), SH["or"]: _logical("or"), SH.xone: _logical("xone"),
    SH.qualifiedValueShape: _qualified, SH.sparql: _sparql,
}
