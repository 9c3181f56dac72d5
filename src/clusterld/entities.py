"""Reading entities: the data document of an IRI, labels, listings, counts per class.

A mixin of :class:`clusterld.store.KnowledgeGraph`; it reads ``self.store`` through the
indexes (``quads_for_pattern``) and ``self.query`` (values bound with ``substitutions=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clusterld import results

if TYPE_CHECKING:
    from clusterld.store import Limits

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
LABELS = (ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(RDFS + "label"))
RDF_SUBJECT = ox.NamedNode(RDF + "subject")
DERIVED = ox.NamedNode(PROV + "wasDerivedFrom")
PART_OF = ox.NamedNode(DCTERMS + "isPartOf")
DATE_TYPES = ("date", "gYear", "gYearMonth", "dateTime")
HIDDEN_PREFIX = "urn:x-clusterld:union:"  # the store's own union graphs
TABLE_SIZE = 50_000  # entries of a table of shared quads (see EntityViews._table)


def visible(quad: ox.Quad) -> bool:
    """False for the copies in the store's union graph."""
    g = quad.graph_name
    return not (isinstance(g, ox.NamedNode) and g.value.startswith(HIDDEN_PREFIX))


@dataclass
class Description:
    """What a data document says about one IRI, as quads in their source graphs."""

    iri: str
    quads: list[ox.Quad] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)  # graphs holding facts on the IRI
    truncated: bool = False  # incoming links were cut at ``Limits.describe_limit``

    def __bool__(self) -> bool:
        return bool(self.quads)

    def triples(self) -> list[ox.Triple]:
        """The quads as triples, duplicates dropped, order kept."""
        seen: dict[ox.Triple, None] = {}
        for q in self.quads:
            seen.setdefault(ox.Triple(q.subject, q.predicate, q.object), None)
        return list(seen)

    def serialize(self, media_type: str) -> bytes:
        """The document in ``media_type`` (quads for TriG/N-Quads, else triples)."""
        return results.rdf(self.quads, media_type)


@dataclass
class Page:
    """One page of a listing and the total it was cut from."""

    items: list[str]
    total: int
    offset: int
    limit: int


class EntityViews:
    """Entity-level reads of the knowledge graph."""

    store: ox.Store
    limits: Limits
    _union: ox.NamedNode

    def query(self, sparql: str, *, substitutions: Mapping[str, Any] | None = None) -> Any:
        raise NotImplementedError

    @property
    def version(self) -> str:
        raise NotImplementedError

    def _table(self, name: str) -> dict[Any, tuple[ox.Quad, ...]]:
        """A table of quads shared by the requests while the data version stays the same
        (``labels``: the label quads of documents' neighbours, ~80 index reads a document
        otherwise; ``sources``: what a text span or a source graph brings along, which every
        entity citing it shares). A reader fills the tables of the version it started with:
        a write makes new ones."""
        version = self.version
        current: tuple[str, dict[str, dict]] | None = getattr(self, "_tables", None)
        if current is None or current[0] != version:
            current = self._tables = (version, {})
        table = current[1].get(name)
        if table is None or len(table) >= TABLE_SIZE:
            table = current[1][name] = {}
        return table

    def _pattern(self, s: Any = None, p: Any = None, o: Any = None,
                 graphs: bool = False) -> list[ox.Quad]:
        """Matching quads: in their source graphs, or once each from the union graph."""
        if graphs:
            return [q for q in self.store.quads_for_pattern(s, p, o, None) if visible(q)]
        return list(self.store.quads_for_pattern(s, p, o, self._union))

    def exists(self, iri: str) -> bool:
        """Whether the IRI is the subject of some triple."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return next(iter(self.store.quads_for_pattern(node, None, None, None)), None) is not None

    def describe(self, iri: str, *, graphs: bool = False) -> Description:
        """The data document of an IRI: its triples (and those of the nodes it owns, whose
        IRIs extend its own), labels of what they point to, the triples pointing to it
        (at most ``Limits.describe_limit``), and where its facts come from: the reified
        statements, their text spans and source documents, and the descriptions of the
        source graphs. With ``graphs`` each quad keeps its source graph (for TriG and
        N-Quads); else each triple comes once. Empty when nothing is known."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return Description(iri)
        own = self._pattern(node, graphs=graphs)
        if not own:
            return Description(iri)
        owned = {q.object for q in own if isinstance(q.object, ox.NamedNode)
                 and q.object.value.startswith(iri + "/")}
        for child in owned:
            own += self._pattern(child, graphs=graphs)
        out: dict[ox.Quad, None] = dict.fromkeys(own)
        limit = self.limits.describe_limit
        source = self.store.quads_for_pattern(None, None, node, None if graphs else self._union)
        # with graphs, the source graphs and the union copy both hold each link
        incoming = [q for q in islice(source, 2 * limit + 2 if graphs else limit + 1)
                    if not graphs or visible(q)]
        truncated = len(incoming) > limit
        incoming = incoming[:limit]
        out.update(dict.fromkeys(incoming))
        neighbours = {q.object for q in own if isinstance(q.object, ox.NamedNode)}
        neighbours |= {q.subject for q in incoming if isinstance(q.subject, ox.NamedNode)}
        neighbours -= owned | {node}
        labels = self._table("labels")
        for other in neighbours:
            found = labels.get((other, graphs))
            if found is None:
                found = labels[other, graphs] = tuple(
                    q for label in LABELS for q in self._pattern(other, label, graphs=graphs))
            out.update(dict.fromkeys(found))
        spans: set[Any] = set()
        for subject in [node, *owned]:  # provenance: reified statements → spans → documents
            for st in self._pattern(None, RDF_SUBJECT, subject, graphs=graphs):
                for q in self._pattern(st.subject, graphs=graphs):
                    out.setdefault(q, None)
                    if q.predicate == DERIVED:
                        spans.add(q.object)
        names = sorted({q.graph_name.value for q in self.store.quads_for_pattern(
            node, ox.NamedNode(RDF + "type"), None, None) if visible(q)
            and isinstance(q.graph_name, ox.NamedNode)})
        shared = self._table("sources")
        for subject, follow in [*((s, PART_OF) for s in sorted(spans, key=str)),
                                *((ox.NamedNode(g), DERIVED) for g in names)]:
            found = self._subject_quads(shared, subject, graphs)
            out.update(dict.fromkeys(found))
            for q in found:  # a span's document, a source graph's origin
                if q.predicate == follow:
                    out.update(dict.fromkeys(self._subject_quads(shared, q.object, graphs)))
        return Description(iri, list(out), names, truncated)

    def _subject_quads(self, table: dict[Any, tuple[ox.Quad, ...]], subject: Any,
                       graphs: bool) -> tuple[ox.Quad, ...]:
        """The quads of a text span, source document or source graph, kept in ``table``."""
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            return ()
        found = table.get((subject, graphs))
        if found is None:
            found = table[subject, graphs] = tuple(self._pattern(subject, graphs=graphs))
        return found

    def label(self, iri: str, lang: str = "en") -> str | None:
        """The IRI's label in ``lang`` (skos:prefLabel, else rdfs:label), else in English,
        French or no language, else None."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return None
        found: dict[str, str] = {}
        for rank, predicate in enumerate(LABELS):
            for q in self.store.quads_for_pattern(node, predicate, None, None):
                if isinstance(q.object, ox.Literal):
                    found.setdefault(f"{rank}:{q.object.language or ''}", q.object.value)
        for key in (f"0:{lang}", f"1:{lang}", "0:en", "1:en", "0:fr", "1:fr", "0:", "1:"):
            if key in found:
                return found[key]
        return found[min(found)] if found else None

    def instances(self, class_iri: str, offset: int = 0, limit: int = 50,
                  filters: Mapping[str, Any] | None = None, *,
                  year: int | None = None) -> Page:
        """Subjects typed ``class_iri`` (asserted type), sorted by IRI, one page of them.

        ``filters`` maps a property IRI to the value it must have (an IRI string or a
        pyoxigraph term); ``year`` keeps subjects with some date in that year.
        """
        offset, limit = max(0, int(offset)), max(0, min(int(limit), 10_000))
        subs: dict[str, Any] = {"class": class_iri}
        patterns = ["?s a ?class ."]
        for i, (prop, value) in enumerate((filters or {}).items()):
            patterns.append(f"?s ?fp{i} ?fv{i} .")
            subs[f"fp{i}"], subs[f"fv{i}"] = prop, value
        if year is not None:
            types = ", ".join(f"xsd:{t}" for t in DATE_TYPES)
            patterns.append(f"?s ?dp ?d . FILTER(DATATYPE(?d) IN ({types})) "
                            "BIND(SUBSTR(STR(?d), 1, 4) AS ?year)")
            subs["year"] = ox.Literal(f"{int(year):04d}")
        where = " ".join(patterns)
        rows = self.query("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
                          f"SELECT * WHERE {{ {where} }}", substitutions=subs)
        subjects = sorted({r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode)})
        return Page(subjects[offset:offset + limit], len(subjects), offset, limit)

    def class_counts(self) -> dict[str, int]:
        """Distinct instances per asserted class, largest first."""
        rows = self.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c "
                          "ORDER BY DESC(?n) ?c")
        return {r["c"].value: int(r["n"].value) for r in rows
                if isinstance(r["c"], ox.NamedNode)}
