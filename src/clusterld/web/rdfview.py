"""Reading the graph for the HTML pages: SPARQL rows, terms, labels and links.

Everything here sits on one callable that runs a SPARQL SELECT (the store's ``query``),
so the pages need nothing from the store beyond it. The default graph is assumed to be
the union of the named graphs, as on the public endpoint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from clusterld.schema import ONTOLOGY_NS, VOCAB_NS
from clusterld.web.labels import BUILTIN_LABELS, curie, humanise, local_name, pick

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
WIKIDATA = "http://www.wikidata.org/entity/"
CLD = ONTOLOGY_NS

LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label")
# what Reader.fetch_labels reads, in this order: names, titles, definitions, comments
LABEL_KINDS = tuple((kind, ox.NamedNode(p)) for kind, p in (
    ("name", SKOS + "prefLabel"), ("rdfs", RDFS + "label"), ("title", DCTERMS + "title"),
    ("def", SKOS + "definition"), ("comment", RDFS + "comment")))
# what a page shows of a source document
DOCUMENT_FIELDS = tuple((kind, ox.NamedNode(DCTERMS + kind))
                        for kind in ("title", "publisher", "issued"))
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Runner = Callable[[str], Any]


def iri(term: str) -> str:
    """``<term>`` for SPARQL text, refusing characters that would break out of the IRI: for
    the constants of our own vocabulary only (values go in ``Reader.select``'s bindings)."""
    if any(c in term for c in '<>"{}|^`\\ \n\r\t'):
        raise ValueError(f"not an IRI: {term!r}")
    return f"<{term}>"


def literal(text: str) -> str:
    """A SPARQL string literal (``"``, ``\\``, LF and CR are the only characters to escape)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\r", "\\r") + '"'


def values(var: str, terms: Iterable[str]) -> str:
    """``VALUES ?var { <a> <b> }`` of constants of our own vocabulary (values read from the
    graph or the request go in ``Reader.select``'s bindings instead)."""
    return f"VALUES ?{var} {{ {' '.join(iri(t) for t in terms)} }}"


def tagged_union(subject: str, value: str, kinds: Iterable[tuple[str, ox.NamedNode]]) -> str:
    """``{ ?subject <p> ?value BIND('kind' AS ?k) } UNION …`` over ``(kind, predicate)``
    constants (``LABEL_KINDS``, ``DOCUMENT_FIELDS``): the SPARQL twin of reading each
    predicate from the index."""
    return " UNION ".join(f"{{ ?{subject} {iri(p.value)} ?{value} BIND('{kind}' AS ?k) }}"
                          for kind, p in kinds)


LABELS_QUERY = f"SELECT ?s ?k ?l WHERE {{ {tagged_union('s', 'l', LABEL_KINDS)} }}"


def label_language(lang: str) -> str:
    """The page language as a label language: "fr" or "en"."""
    return "fr" if lang == "fr" else "en"


def _to_ox(term: Any) -> Term | None:
    """Accept pyoxigraph terms as they are and convert rdflib ones."""
    if term is None or isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    name = type(term).__name__
    if name == "URIRef":
        return ox.NamedNode(str(term))
    if name == "BNode":
        return ox.BlankNode(str(term))
    if name == "Literal":
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return ox.Literal(str(term))


def rows(result: Any) -> list[Row]:
    """Solutions of a SELECT as ``[{var: term}]`` (unbound variables left out)."""
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]
    out: list[Row] = []
    for solution in result:
        if isinstance(solution, dict):
            items = solution.items()
        elif hasattr(solution, "asdict"):
            items = solution.asdict().items()
        else:
            raise TypeError(f"cannot read a query solution of type {type(solution)}")
        out.append({str(k).lstrip("?"): t for k, v in items if (t := _to_ox(v)) is not None})
    return out


def number(term: Term | None, default: int = 0) -> int:
    """An integer literal's value."""
    try:
        return int(float(term.value)) if term is not None else default
    except ValueError:
        return default


@dataclass
class Labels:
    """Labels and definitions of terms, by language (``""`` for none)."""

    names: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    definitions: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(dict))

    def add(self, target: str, kind: str, text: str, lang: str) -> None:
        """Record a name (``kind`` "name") or a definition ("def")."""
        table = self.definitions if kind == "def" else self.names
        table[target].setdefault(lang, set()).add(text)

    def name(self, term: str, lang: str) -> str | None:
        """The term's name in ``lang`` or the fallback language."""
        return pick(self.names.get(term), lang)[0]

    def definition(self, term: str, lang: str) -> str | None:
        """The term's definition in ``lang`` or the fallback language."""
        return pick(self.definitions.get(term), lang)[0]


LabelRows = list[tuple[str, str, str]]  # (kind, text, lang) of one term


class LabelCache:
    """Label rows of terms shared by the requests while the data version stays the same.

    ``version`` is the knowledge graph's data version (every write changes it); the table
    is dropped when it changes, and when it holds ``max_terms`` terms.
    """

    def __init__(self, version: Callable[[], str], max_terms: int = 200_000) -> None:
        self.version = version
        self.max_terms = max_terms
        self._table: tuple[str, dict[str, LabelRows]] = ("", {})
        self._facts: tuple[str, dict[str, bool]] = ("", {})

    def fact(self, name: str, compute: Callable[[], bool]) -> bool:
        """A yes/no fact about the whole graph, computed once per data version."""
        version = self.version()  # before computing: a write meanwhile makes a new table
        current = self._facts
        if current[0] != version:
            current = self._facts = (version, {})
        if name not in current[1]:
            current[1][name] = compute()
        return current[1][name]

    def table(self) -> dict[str, LabelRows]:
        """The rows known at the current version (filled in by readers)."""
        version = self.version()
        current = self._table
        if current[0] != version or len(current[1]) >= self.max_terms:
            current = self._table = (version, {})
        return current[1]


class Reader:
    """Per-request access to the graph for the pages, in one language."""

    def __init__(self, run: Runner, base: str, lang: str,
                 cache: LabelCache | None = None,
                 pattern: Callable[..., Iterable[ox.Quad]] | None = None) -> None:
        self.run = run
        # (s, p, o) → matching quads of the default graph, when the store can read its
        # indexes directly (embedded); None: everything goes through ``run``
        self.pattern = pattern
        self.base = base
        self.lang = lang
        self.labels = Labels()
        self.cache = cache
        self._fetched: set[str] = set()

    def select(self, query: str, substitutions: dict[str, Any] | None = None) -> list[Row]:
        """Run a SELECT with the common prefixes declared; ``substitutions`` binds variables
        to a term, or to each term of a list (IRIs as strings): values from the request or
        the graph go there, never into the query text."""
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (
            ("rdf", RDF), ("rdfs", RDFS), ("skos", SKOS), ("dcterms", DCTERMS),
            ("prov", PROV), ("oa", OA), ("cld", CLD), ("xsd", XSD), ("owl", OWL)))
        if substitutions:
            return rows(self.run(head + query, substitutions=substitutions))
        return rows(self.run(head + query))

    def any_accepted(self) -> bool:
        """Whether some graph is an accepted contribution (once per data version)."""
        def compute() -> bool:
            return bool(self.select("SELECT ?g WHERE { ?g dcterms:dateAccepted ?a } LIMIT 1"))

        return self.cache.fact("accepted", compute) if self.cache is not None else compute()

    # -- labels -----------------------------------------------------------------------
    def fetch_labels(self, terms: Iterable[str]) -> None:
        """Load labels and definitions of ``terms`` (once each; from the shared cache
        when there is one)."""
        todo = sorted({t for t in terms if t and t not in self._fetched})
        if self.cache is None:
            self._query_labels(todo)
            return
        table = self.cache.table()
        missing = [t for t in todo if t not in table]
        found: dict[str, LabelRows] = {t: [] for t in missing}
        self._query_labels(missing, found)
        table.update(found)
        for term in todo:
            if term in found:
                continue
            self._fetched.add(term)
            for kind, text, lang in table[term]:
                self._add_label(term, kind, text, lang)

    def _add_label(self, term: str, kind: str, text: str, lang: str) -> None:
        if kind == "comment" and self.labels.definitions.get(term):
            return
        self.labels.add(term, "def" if kind in ("def", "comment") else "name", text, lang)

    def _query_labels(self, todo: list[str], found: dict[str, LabelRows] | None = None
                      ) -> None:
        if self.pattern is not None:  # the same rows, from the index without SPARQL
            self._fetched.update(todo)
            for term in todo:
                try:
                    node = ox.NamedNode(term)
                except ValueError:
                    continue
                for kind, predicate in LABEL_KINDS:
                    for q in self.pattern(node, predicate):
                        if isinstance(q.object, ox.Literal):
                            self._label_row(term, kind, q.object, found)
            return
        for start in range(0, len(todo), 200):
            chunk = todo[start:start + 200]
            self._fetched.update(chunk)
            for row in self.select(LABELS_QUERY, {"s": chunk}):
                if isinstance(row.get("l"), ox.Literal):
                    self._label_row(row["s"].value, row["k"].value, row["l"], found)

    def _label_row(self, term: str, kind: str, text: ox.Literal,
                   found: dict[str, LabelRows] | None) -> None:
        lang = text.language or ""
        if found is not None:
            found[term].append((kind, text.value, lang))
        self._add_label(term, kind, text.value, lang)

    def label(self, term: str) -> str:
        """The term's label in the page language (fetching it if needed), else a readable name."""
        if term not in self._fetched:
            self.fetch_labels([term])
        found = self.labels.name(term, self.lang)
        if found:
            return found
        if term in BUILTIN_LABELS:
            return BUILTIN_LABELS[term][self.lang if self.lang in ("en", "fr") else "en"]
        if term.startswith(CLD):
            return humanise(local_name(term))
        if term.startswith(self.base + "id/") or term.startswith(VOCAB_NS):
            return local_name(term).replace("-", " ")
        return curie(term)

    def definition(self, term: str) -> str | None:
        """The term's definition in the page language, if any."""
        if term not in self._fetched:
            self.fetch_labels([term])
        return self.labels.definition(term, self.lang)

    def label_lang(self, term: str) -> str | None:
        """The language of the label shown for ``term``."""
        return pick(self.labels.names.get(term), self.lang)[1]

    # -- links --------------------------------------------------------------------------
    def href(self, term: str) -> str | None:
        """Where a link to ``term`` goes on this site, ``None`` for an outside IRI."""
        id_ns = self.base + "id/"
        if term.startswith(id_ns):
            path = term[len(id_ns):].split("#", 1)[0]
            return f"/page/{path}" if path else None
        if term.startswith(VOCAB_NS):
            return f"/page/vocab/{term[len(VOCAB_NS):]}"
        if term.startswith(CLD) and "#" in term:
            return f"/class/{term[len(CLD):]}"
        return None

    def iri_for_path(self, path: str) -> str:
        """The IRI behind ``/page/<path>``."""
        if path.startswith("vocab/"):
            return VOCAB_NS + path[len("vocab/"):]
        return self.base + "id/" + path

    # -- small reads ----------------------------------------------------------------------
    def types(self, terms: Sequence[str]) -> dict[str, list[str]]:
        """The ``rdf:type`` values of each term."""
        found: dict[str, list[str]] = defaultdict(list)
        if not terms:
            return found
        if self.pattern is not None:
            a = ox.NamedNode(RDF + "type")
            for term in dict.fromkeys(terms):
                kinds = [q.object.value for q in self.pattern(ox.NamedNode(term), a)]
                if kinds:
                    found[term] = kinds
            return found
        for row in self.select("SELECT DISTINCT ?s ?t WHERE { ?s a ?t }",
                               {"s": list(dict.fromkeys(terms))}):
            found[row["s"].value].append(row["t"].value)
        return found

    def exists(self, term: str) -> bool:
        """True when ``term`` is the subject or the object of a triple."""
        if self.pattern is not None:
            node = ox.NamedNode(term)
            return any(True for _ in self.pattern(node)) or any(
                True for _ in self.pattern(None, None, node))
        return bool(self.select(
            "SELECT ?x WHERE { { ?t ?p ?x } UNION { ?x ?p ?t } } LIMIT 1", {"t": [term]}))
