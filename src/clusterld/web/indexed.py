"""The entity page's reads done on the store's indexes (embedded store only).

Each function gives the rows its SPARQL twin in ``entity``/``related`` gives, from plain
pattern lookups (``Reader.pattern``): no query to parse or plan, and no value written into a
query. ``tests/web/test_pages.py`` renders every page of the test graph both ways and
compares the bytes.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from clusterld.web.rdfview import (
    DCTERMS,
    DOCUMENT_FIELDS,
    OA,
    OWL,
    PROV,
    RDF,
    SKOS,
    Row,
    Term,
)

Pattern = Callable[..., Iterable[ox.Quad]]
INCOMING_MAX = 2_000  # more links to one entity: counted and sorted by SPARQL instead

_SUBJECT, _PREDICATE, _OBJECT = (ox.NamedNode(RDF + n) for n in ("subject", "predicate",
                                                                 "object"))
_DERIVED = ox.NamedNode(PROV + "wasDerivedFrom")
_START, _END = ox.NamedNode(OA + "start"), ox.NamedNode(OA + "end")
_PART_OF = ox.NamedNode(DCTERMS + "isPartOf")
_INVERSE_OF = ox.NamedNode(OWL + "inverseOf")
_PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")


def _by_predicate(pattern: Pattern, subject: ox.NamedNode | ox.BlankNode
                  ) -> dict[ox.NamedNode, list[Term]]:
    found: dict[ox.NamedNode, list[Term]] = defaultdict(list)
    for q in pattern(subject):
        found[q.predicate].append(q.object)
    return found


def provenance_rows(pattern: Pattern, subjects: list[str]) -> list[Row]:
    """The statements on ``subjects`` with their spans: ``?s ?p ?o ?span`` and, when
    known, ``?start ?end ?doc`` (distinct rows)."""
    rows: dict[tuple, Row] = {}
    for s in subjects:
        for stated in pattern(None, _SUBJECT, ox.NamedNode(s)):
            data = _by_predicate(pattern, stated.subject)
            for p, o, span in itertools.product(data[_PREDICATE], data[_OBJECT],
                                                data[_DERIVED]):
                about = _by_predicate(pattern, span) if not isinstance(span, ox.Literal) \
                    else defaultdict(list)
                for start, end, doc in itertools.product(about[_START] or [None],
                                                         about[_END] or [None],
                                                         about[_PART_OF] or [None]):
                    row = {"s": stated.object, "p": p, "o": o, "span": span, "start": start,
                           "end": end, "doc": doc}
                    row = {k: v for k, v in row.items() if v is not None}
                    rows.setdefault(tuple(row.items()), row)
    return list(rows.values())


def document_rows(pattern: Pattern, docs: list[str]) -> list[Row]:
    """``?d ?k ?v``: the title, publisher and date of each source document."""
    return [{"d": node, "k": ox.Literal(kind), "v": q.object}
            for node in (ox.NamedNode(d) for d in docs)
            for kind, predicate in DOCUMENT_FIELDS for q in pattern(node, predicate)]


def owners(pattern: Pattern, nodes: list[str], links: list[str]) -> dict[str, str]:
    """The entity owning each struct node through one of ``links``."""
    found = {}
    for n in nodes:
        for link in links:
            for q in pattern(None, ox.NamedNode(link), ox.NamedNode(n)):
                found[n] = q.subject.value
    return found


def inverse_properties(pattern: Pattern, preds: list[str]) -> dict[str, str]:
    """The declared inverse (``owl:inverseOf``, either way) of each property."""
    found: dict[str, str] = {}
    for p in preds:
        node = ox.NamedNode(p)
        for q in pattern(node, _INVERSE_OF):
            if isinstance(q.object, ox.NamedNode):
                found.setdefault(p, q.object.value)
        for q in pattern(None, _INVERSE_OF, node):
            if isinstance(q.subject, ox.NamedNode):
                found.setdefault(p, q.subject.value)
    return found


def incoming(pattern: Pattern, subject: str, excluded: Iterable[str]
             ) -> dict[str, list[ox.NamedNode | ox.BlankNode]] | None:
    """The subjects linking to ``subject``, per property (``excluded`` left out); None when
    there are more than ``INCOMING_MAX`` links."""
    skip = set(excluded)
    found: dict[str, dict[ox.NamedNode | ox.BlankNode, None]] = defaultdict(dict)
    for n, q in enumerate(pattern(None, None, ox.NamedNode(subject))):
        if n >= INCOMING_MAX:
            return None
        if q.predicate.value not in skip:
            found[q.predicate.value].setdefault(q.subject, None)  # type: ignore[index]
    return {p: list(s) for p, s in found.items()}


def sort_key(pattern: Pattern, subject: ox.NamedNode, lang: str) -> str:
    """What the inverse links are sorted by: the lower-cased ``skos:prefLabel`` in ``lang``,
    else any, else the IRI (``MIN(LCASE(STR(COALESCE(?l1, ?l2, ?s))))``)."""
    labels = [q.object for q in pattern(subject, _PREF_LABEL)]
    chosen = [t.value for t in labels if isinstance(t, ox.Literal) and t.language == lang]
    if not chosen:
        chosen = [t.value if isinstance(t, ox.Literal | ox.NamedNode) else subject.value
                  for t in labels]
    return min(text.lower() for text in chosen) if chosen else subject.value.lower()
