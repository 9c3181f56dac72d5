"""What a SPARQL-based constraint reads, as an automaton rooted at ``$this``.

The query's triple patterns are grouped by scope: the main group, each OPTIONAL group and each
FILTER (NOT) EXISTS group. A variable belongs to the outermost group it occurs in; every
solution of that group satisfies each of the group's patterns, so the candidate bindings of a
variable can be derived from any *one* pattern of its group linking it to a variable already
bound (or to ``$this``): those are the *steps* of the automaton, and walking them from the
focus over-approximates every variable's bindings without following links that do not bind it
(``FILTER NOT EXISTS { $this cld:party ?value }`` does not make every agreement of a party a
candidate). Patterns between variables bound elsewhere are *checks*: their triples are read from
one side (only the one triple when the other side is ``$this``). Patterns without variables are
*ground*: read as single triples, independent of the focus. UNION, MINUS, VALUES, sub-queries,
LIMIT/OFFSET and GRAPH are not modelled (the caller falls back to full validation).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from rdflib import BNode, URIRef, Variable
from rdflib.namespace import RDF
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from clusterld.pathnfa import Nfa, PathAst, Step, sparql_path_ast

PATH_PLACEHOLDER = URIRef("urn:clusterld:incremental:path")
UNSUPPORTED_ALGEBRA = frozenset({"Union", "Minus", "Graph", "ServiceGraphPattern", "values",
                                 "ToMultiSet", "Slice", "InlineData", "GroupOrUnionGraphPattern",
                                 "GraphGraphPattern", "MinusGraphPattern", "SubSelect"})
Group = tuple[int, ...]
THIS = Variable("this")


def sparql_walk(select: str, prefixes: str, path: PathAst | None) -> Nfa:
    """The reads of a SPARQL constraint (``$PATH`` is ``path``) from ``$this``."""
    query = select.replace("$PATH", f"<{PATH_PLACEHOLDER}>")
    try:
        algebra = prepareQuery(prefixes + "\n" + query).algebra
    except Exception as err:  # the parser raises many kinds
        raise ValueError(f"unparsable SPARQL constraint: {err}") from err
    nfa = Nfa()
    nfa.anchored = True
    patterns: list[tuple[Node, Node, Node, Group]] = []
    for s, p, o, group in _patterns(algebra, (), itertools.count(1)):
        if _is_var(s) or _is_var(p) or _is_var(o) or p == PATH_PLACEHOLDER:
            patterns.append((s, p, o, group))
        elif isinstance(p, URIRef):
            nfa.ground.append((s, p, o))
        else:
            raise ValueError("a property path between two constants")
    pred_vars = {p for _, p, _, _ in patterns if _is_var(p)}
    if any(s in pred_vars or o in pred_vars for s, _, o, _ in patterns):
        raise ValueError("a predicate variable is also used as a node")
    groups: dict[Node, set[Group]] = {}
    for s, _, o, group in patterns:
        for term in (s, o):
            groups.setdefault(term, set()).add(group)
    states: dict[tuple[Node, Group], int] = {(THIS, ()): nfa.start}

    def home(term: Node, group: Group) -> Group:
        if term == THIS or not _is_var(term):
            return ()
        return next(group[:i] for i in range(len(group) + 1) if group[:i] in groups[term])

    def state(term: Node, group: Group) -> int:
        key = (term, home(term, group))
        if key not in states:
            states[key] = nfa.state()
            if not _is_var(term):
                nfa.pins[states[key]] = term
        return states[key]

    # candidate derivations: a term bound by this group can be derived from the other end
    candidates = []
    for i, (s, p, o, group) in enumerate(patterns):
        ast = _ast(p, path)
        src, dst = state(s, group), state(o, group)
        if o != THIS and (not _is_var(o) or home(o, group) == group):
            candidates.append((i, src, ast, False, dst))
        if s != THIS and (not _is_var(s) or home(s, group) == group) and not _reads_types(ast):
            candidates.append((i, dst, ast, True, src))
    # a spanning tree from $this: each state derived through the first candidate reaching it
    # (every solution satisfies that pattern); the other patterns are only read, as checks
    reached, used, grew = {nfa.start}, set(), True
    while grew:
        grew = False
        for i, src, ast, inverse, dst in candidates:
            if src in reached and dst not in reached:
                nfa.link(nfa.build(ast, src, inverse), dst)
                reached.add(dst)
                used.add(i)
                grew = True
    for i, (s, p, o, group) in enumerate(patterns):
        if i in used:
            continue
        ast = _ast(p, path)
        if ast[0] not in ("p", "any"):
            raise ValueError("a property path that is not a tree edge of the query")
        nfa.checks.append((state(s, group), Step(ast[1] if ast[0] == "p" else None),
                           state(o, group)))
    reached = _reachable(nfa)
    missing = [t for (t, _), s in states.items() if s not in reached]
    if missing:
        raise ValueError("SPARQL patterns not connected to $this: "
                         + ", ".join(sorted(t.n3() for t in missing)))
    return nfa


def _is_var(term: object) -> bool:
    return isinstance(term, (Variable, BNode))


def _ast(p: Node, path: PathAst | None) -> PathAst:
    if _is_var(p):
        return ("any", [False, True])
    if p == PATH_PLACEHOLDER:
        if path is None:
            raise ValueError("$PATH outside a property shape")
        return path
    return sparql_path_ast(p)


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
        for nxt in [*nfa.eps.get(state, ()), *(d for _, d in nfa.edges.get(state, ()))]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _patterns(value: object, group: Group, ids: Iterator[int]
              ) -> Iterator[tuple[Node, Node, Node, Group]]:
    """Every triple pattern of a query's algebra, with the group (scope) it is in."""
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
                yield flat[i], flat[i + 1], flat[i + 2], group
        for key, item in value.items():
            if key == "triples" or key.startswith("_"):
                continue
            inner = group
            if (value.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS") and key == "graph") or (
                    value.name == "LeftJoin" and key in ("p2", "expr")):
                inner = (*group, next(ids))  # an EXISTS or OPTIONAL group of its own
            yield from _patterns(item, inner, ids)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _patterns(item, group, ids)
