"""The RDFS closure pyshacl validates, read predicate by predicate for the whole graph at once.

:class:`clusterld.rdfsview.View` answers node by node; the set-at-a-time validator
(:mod:`clusterld.setshacl`) instead asks for *every* entailed ``(s, p, o)`` of a predicate, or
every instance of a class, once per validation. :class:`Closure` computes those from one lookup
per asserted predicate in the :class:`~clusterld.graphsource.GraphSource` plus the ontology
closure (:class:`~clusterld.rdfsview.Schema`, itself part of pyshacl's data graph), with the same
owlrl RDFS rules (sub-property, sub-class, domain, range) and the same precondition: the data
carries no schema triples of its own (checked by the caller).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from clusterld.graphsource import GraphSource, OxigraphSource
from clusterld.rdfsview import SCHEMA_PREDICATES, TYPE, Schema, Unsupported

Pairs = list[tuple[Node, Node]]


class Closure:
    """Entailed triples of a graph source + the ontology closure, by predicate and by class."""

    def __init__(self, schema: Schema, source: GraphSource, classes: Iterable[Node]) -> None:
        self.schema = schema
        self.source = source
        self.classes = frozenset(classes)  # the classes whose instances are asked for
        self._asserted: dict[Node, Pairs] = {}
        self._out: dict[Node, dict[Node, list[Node]]] = {}
        self._in: dict[Node, dict[Node, list[Node]]] = {}
        self._instances: dict[Node, set[Node]] | None = None
        if isinstance(source, OxigraphSource):
            self._tsv = TsvReader(source)
        if self.classes & (schema.resource | schema.property):
            raise Unsupported("a shape reads rdfs:Resource or rdf:Property membership")

    def asserted(self, q: Node) -> Pairs:
        """The asserted ``(s, o)`` of predicate ``q``: the source's, then the ontology's."""
        found = self._asserted.get(q)
        if found is None:
            if isinstance(self.source, OxigraphSource):
                found = self._tsv.pairs(q)
            else:
                found = [(s, o) for s, _, o in self.source.triples(None, q, None)]
            found.extend(self.schema.graph.subject_objects(q))
            self._asserted[q] = found
        return found

    def _pairs(self, p: Node) -> Iterable[tuple[Node, Node]]:
        if p == TYPE or p in SCHEMA_PREDICATES:
            raise Unsupported(f"a path or pattern walks {p.n3()}")
        subs = self.schema.subs_p(p)
        lists = [self.asserted(q) for q in subs]
        if len(lists) == 1 and not any(True for _ in self.schema.graph.triples((None, p, None))):
            return lists[0]  # one source, each triple once
        return dict.fromkeys(pair for pairs in lists for pair in pairs)

    def out_index(self, p: Node) -> dict[Node, list[Node]]:
        """Subject → its objects, for the entailed triples of ``p``."""
        return self._index(p, self._out, inverse=False)

    def in_index(self, p: Node) -> dict[Node, list[Node]]:
        """Object → its subjects, for the entailed triples of ``p``."""
        return self._index(p, self._in, inverse=True)

    def _index(self, p: Node, kept: dict[Node, dict[Node, list[Node]]],
               inverse: bool) -> dict[Node, list[Node]]:
        found = kept.get(p)
        if found is None:
            grouped: dict[Node, list[Node]] = defaultdict(list)
            for s, o in self._pairs(p):
                if inverse:
                    grouped[o].append(s)
                else:
                    grouped[s].append(o)
            found = kept[p] = dict(grouped)
        return found

    def instances(self, c: Node) -> set[Node]:
        """The entailed instances of ``c`` (one of the classes given at construction)."""
        if c not in self.classes:
            raise KeyError(c)
        if self._instances is None:
            self._instances = self._compute_instances()
        return self._instances.get(c, set())

    def _compute_instances(self) -> dict[Node, set[Node]]:
        """rdf:type (and sub-properties) up the sub-class closure, rdfs:domain, rdfs:range.

        A literal object of a ranged property gets the range's types too (owlrl's rdfs3 makes
        it the subject of rdf:type triples, so it becomes a focus node of sh:targetClass),
        though pyshacl's sh:class test fails on a literal whatever its types.
        """
        schema, wanted = self.schema, self.classes
        found: dict[Node, set[Node]] = defaultdict(set)
        for q in schema.type_preds:
            by_class: dict[Node, list[Node]] = defaultdict(list)
            for s, t in self.asserted(q):
                by_class[t].append(s)
            for t, members in by_class.items():
                for c in schema.supers_c(t) & wanted:
                    found[c].update(members)
        for q in schema.predicates:
            if q in schema.type_preds:
                continue
            domains = schema.domain_classes(q) & wanted
            ranges = schema.range_classes(q) & wanted
            if not domains and not ranges:
                continue
            pairs = self.asserted(q)
            if domains:
                subjects = {s for s, _ in pairs}
                for c in domains:
                    found[c] |= subjects
            if ranges:
                objects = {o for _, o in pairs}
                for c in ranges:
                    found[c] |= objects
        return found


ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
           "\\": "\\"}
_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else ESCAPES.get(m.group(3), m.group(3))
    return ESCAPE.sub(one, text) if "\\" in text else text


class TsvReader:
    """All the triples of a predicate in an :class:`OxigraphSource`, as rdflib terms, fast.

    Iterating ``quads_for_pattern`` builds Python quad objects (≈10 µs a triple); a SPARQL
    SELECT serialised as TSV by Oxigraph and split in Python costs a fraction of that. Terms
    come out as :func:`clusterld.graphsource.from_ox` makes them (tested on every kind).
    """

    def __init__(self, source: OxigraphSource) -> None:
        self.source = source
        self._iris: dict[str, URIRef] = {}
        self._typed: dict[str, Literal] = {}
        self._default_graph = source.graphs is None and any(
            True for _ in source.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def query(self, p: Node) -> str:
        """The SELECT of the distinct (s, o) of ``p`` in the graphs the source reads."""
        src = self.source
        pattern = f"?s <{p}> ?o"
        if src.graphs is not None:
            names = " ".join(f"<{g.value}>" for g in src.graphs)
            return (f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ {pattern} }} "
                    f"VALUES ?g {{ {names} }} }}")
        tests = [f"?g != <{g}>" for g in sorted(src.exclude)]
        tests += [f'!STRSTARTS(STR(?g), "{prefix}")' for prefix in src.exclude_prefixes]
        where = f"FILTER ({' && '.join(tests)})" if tests else ""
        named = f"{{ GRAPH ?g {{ {pattern} }} {where} }}"
        if not self._default_graph:  # the UNION costs a fifth of the query
            return f"SELECT DISTINCT ?s ?o WHERE {named}"
        return f"SELECT DISTINCT ?s ?o WHERE {{ {{ {pattern} }} UNION {named} }}"

    def pairs(self, p: Node) -> list[tuple[Node, Node]]:
        """The (s, o) of ``p``, each once."""
        if not isinstance(p, URIRef) or any(c in str(p) for c in '<>" {}|\\^`'):
            return [(s, o) for s, _, o in self.source.triples(None, p, None)]
        data = self.source.store.query(self.query(p)).serialize(  # type: ignore[union-attr]
            format=ox.QueryResultsFormat.TSV)
        lines = data.decode().split("\n")
        term, known = self.term, self._iris.get
        found = []
        for line in lines[1:]:
            if line:
                a, b = line.split("\t")
                found.append((known(a) or term(a), known(b) or term(b)))
        return found

    def term(self, text: str) -> Node:
        """One term in the SPARQL TSV syntax (Turtle terms) as an rdflib term."""
        first = text[0]
        if first == "<":
            iri = self._iris.get(text)
            if iri is None:
                iri = self._iris[text] = URIRef(_unescape(text[1:-1]))
            return iri
        if first == '"':
            end = text.rindex('"')
            value = _unescape(text[1:end])
            rest = text[end + 1:]
            if not rest:
                return Literal(value)
            if rest[0] == "@":
                return Literal(value, lang=rest[1:])
            datatype = rest[3:-1]
            if datatype in (_STRING, _LANG_STRING):
                return Literal(value)
            typed = self._typed.get(text)  # dates, years, counts: often repeated, slow to cast
            if typed is None:
                typed = self._typed[text] = Literal(value, datatype=self.term(rest[2:]))
            return typed
        if text.startswith("_:"):
            return BNode(text[2:])
        if text in ("true", "false"):
            return Literal(text, datatype=XSD.boolean)
        typed = self._typed.get(text)
        if typed is None:
            kind = XSD.double if "e" in text or "E" in text else (
                XSD.decimal if "." in text else XSD.integer)
            typed = self._typed[text] = Literal(text, datatype=kind)
        return typed


Walk = Callable[[Node], Sequence[Node]]  # a property path: node -> its value nodes


def sequence(parts: list[Walk]) -> Walk:
    """The walk of a sequence path."""
    def walk(node: Node) -> Sequence[Node]:
        current: Iterable[Node] = (node,)
        for part in parts:
            current = {m for n in current for m in part(n)}
        return tuple(current)
    return walk


def alternative(parts: list[Walk]) -> Walk:
    """The walk of an alternative path."""
    return lambda node: tuple({m for part in parts for m in part(node)})


def repeat_path(part: Walk, op: str) -> Walk:
    """The walk of a ``*``, ``+`` or ``?`` path."""
    def walk(node: Node) -> Sequence[Node]:
        if op == "?":
            return tuple({node, *part(node)})
        seen: set[Node] = set()
        todo = list(part(node))
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(part(n))
        if op == "*":
            seen.add(node)
        return tuple(seen)
    return walk
