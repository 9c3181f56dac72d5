"""The writing core of the synthetic generator: sources, entities, facts and provenance.

It writes exactly the RDF the converter writes (``docs/design.md``): per source a named
graph with the facts, each fact's text span and a reified statement per triple, the
entity's ``rdf:type`` and labels in every graph that has a fact on it, and the source
documents described in the metadata graph. :mod:`bench.synth_world` decides what to say.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date as Date

from bench import synth_io as io
from bench.synth_vocab import PUBLISHERS, Concepts

CLD = "https://w3id.org/clusterld/ontology#"
VOCAB = "https://w3id.org/clusterld/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"

TYPE = io.iri(io.RDF + "type")
PREF = io.iri(SKOS + "prefLabel")
LABEL = io.iri(RDFS + "label")
ALT = io.iri(SKOS + "altLabel")
DESC = io.iri(DCT + "description")
_ST = io.iri(io.RDF + "Statement")
_SUBJ, _PRED, _OBJ = (io.iri(io.RDF + n) for n in ("subject", "predicate", "object"))
_DERIVED = io.iri(PROV + "wasDerivedFrom")
_SPAN = io.iri(CLD + "TextSpan")
_START, _END = io.iri(OA + "start"), io.iri(OA + "end")
_PART = io.iri(DCT + "isPartOf")
_DATE0 = Date(2008, 1, 1).toordinal()
_DATE_SPAN = Date(2025, 10, 31).toordinal() - _DATE0

Triple = tuple[str, str, str]


def cld(local: str) -> str:
    """An ontology term, ready for output."""
    return f"<{CLD}{local}>"


def slugify(text: str) -> str:
    """ASCII, lower case, words joined by ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else "-" for c in ascii_text.lower())
    return "-".join(part for part in out.split("-") if part)


def day(ordinal: int) -> str:
    """ISO date of a proleptic Gregorian ordinal."""
    return Date.fromordinal(ordinal).isoformat()


@dataclass
class Source:
    """One source document and its named graph."""

    id: str
    doc: str
    graph: str
    ordinal: int  # issued date
    opened_at: int  # output line count when opened
    cursor: int = 0  # next free character offset

    @property
    def date(self) -> str:
        return day(self.ordinal)


@dataclass
class Entity:
    """An entity being described: its IRI, class, labels and facts (source, triples)."""

    kind: str
    slug: str
    iri: str  # "<…>"
    cls: str
    fr: str
    en: str
    facts: list[tuple[Source, list[Triple]]] = field(default_factory=list)

    def fact(self, src: Source, *parts: Triple | list[Triple]) -> None:
        """One piece of evidence: triples (or lists of them) stated by one span of ``src``."""
        triples: list[Triple] = []
        for part in parts:
            if isinstance(part, list):
                triples.extend(part)
            else:
                triples.append(part)
        if triples:
            self.facts.append((src, triples))

    def says(self, src: Source, *pairs: tuple[str, str]) -> None:
        """A fact whose triples all have this entity as subject."""
        self.fact(src, [(self.iri, p, o) for p, o in pairs])


class Emitter:
    """Writes sources and entities to a :class:`synth_io.Sink`, counting classes."""

    def __init__(self, sink: io.Sink, *, seed: int, base: str, reify: float,
                 concepts: Concepts, lines_per_source: int) -> None:
        self.sink = sink
        self.rng = random.Random(seed)
        self.base = base
        self.reify = reify
        self.concepts = concepts
        self.lines_per_source = lines_per_source
        self.sources: list[Source] = []
        self.classes: dict[str, int] = {}
        self.iris: dict[str, list[str]] = {}
        self.meta = io.iri(f"{base}graph/meta")
        self._serial = 0

    # ----------------------------------------------------------------- IRIs and terms

    def new_slug(self, text: str) -> str:
        """A slug unique across kinds: the slug of ``text`` and a serial number."""
        self._serial += 1
        return f"{slugify(text)[:40].rstrip('-')}-{self._serial}"

    def entity(self, kind: str, cls: str, name: str, fr: str, en: str) -> Entity:
        slug = self.new_slug(name)
        return Entity(kind, slug, io.iri(f"{self.base}id/{kind}/{slug}"), cls, fr, en)

    def concept(self, scheme: str, *preferred: str) -> str:
        """A concept IRI: the first preferred name the scheme has, else its first concept."""
        names = self.concepts.pick(scheme, preferred)
        return io.iri(f"{VOCAB}{scheme}/{names[0]}")

    def concept_any(self, scheme: str, *preferred: str) -> str:
        """A random concept among the preferred names the scheme has."""
        names = self.concepts.pick(scheme, preferred)
        return io.iri(f"{VOCAB}{scheme}/{self.rng.choice(names)}")

    def struct(self, owner: str, link: str, segment: str, cls: str, key: str,
               pairs: list[tuple[str, str]]) -> list[Triple]:
        """A struct node ``{owner}/{segment}/{key}`` of class ``cls`` linked from its owner."""
        node = f"{owner[:-1]}/{segment}/{key}>"
        triples = [(owner, link, node), (node, TYPE, cld(cls))]
        triples.extend((node, p, o) for p, o in pairs)
        return triples

    # ----------------------------------------------------------------------- sources

    def source(self) -> Source:
        """The source being filled; a new one once the current has enough lines."""
        if not self.sources or (self.sink.count - self.sources[-1].opened_at
                                >= self.lines_per_source):
            self._open_source()
        return self.sources[-1]

    def older_source(self) -> Source:
        """A recent earlier source (or the current one), for facts from a second article."""
        current = self.source()
        if len(self.sources) < 2:
            return current
        return self.sources[-1 - self.rng.randrange(1, min(len(self.sources), 12))]

    def _open_source(self) -> None:
        rng = self.rng
        sid = f"{len(self.sources):03d}"
        doc = io.iri(f"{self.base}id/source/{sid}")
        graph = io.iri(f"{self.base}graph/source/{sid}")
        src = Source(sid, doc, graph, _DATE0 + rng.randrange(_DATE_SPAN), self.sink.count)
        self.sources.append(src)
        title = self._headline(sid)
        add, meta = self.sink.add, self.meta
        add(doc, TYPE, cld("SourceDocument"), meta)
        add(doc, TYPE, io.iri(PROV + "Entity"), meta)
        add(doc, io.iri(DCT + "identifier"), io.plain(sid), meta)
        add(doc, io.iri(DCT + "title"), io.lang(title, "fr"), meta)
        add(doc, LABEL, io.lang(title, "fr"), meta)
        add(doc, io.iri(DCT + "language"), io.plain("fr"), meta)
        digest = hashlib.sha256(f"{self.base}{sid}".encode()).hexdigest()[:16]
        add(doc, cld("fileName"), io.plain(f"{sid}_{digest}.txt"), meta)
        publisher = rng.choice(PUBLISHERS)
        if rng.random() < 0.8:
            add(doc, io.iri(DCT + "publisher"), io.plain(publisher), meta)
        add(doc, io.iri(DCT + "issued"), io.date(src.date), meta)
        if rng.random() < 0.3:
            add(doc, cld("placeOfPublication"), io.plain(rng.choice(("Tunis", "Casablanca",
                                                                      "Alger", "Marseille"))),
                meta)
        if rng.random() < 0.5:
            url = f"https://news.example.org/{slugify(publisher)}/{sid}-{digest[:6]}"
            add(doc, cld("sourceUrl"), io.typed(url, "anyURI"), meta)
        add(graph, TYPE, io.iri(PROV + "Entity"), meta)
        add(graph, _DERIVED, doc, meta)
        add(graph, io.iri(DCT + "source"), doc, meta)
        self._count("SourceDocument")

    def _headline(self, sid: str) -> str:
        sector = self.rng.choice(self.concepts.names["sector"])
        fr = self.concepts.label("sector", sector)[0]
        return self.rng.choice((
            f"Les clusters misent sur la filière « {fr} »",
            f"Signature d'une convention pour la filière {fr}",
            f"Forum : les acteurs de la filière {fr} se rencontrent",
            f"Le \"cluster\" {fr} présente son bilan",
            f"Programme d'appui : la filière {fr} accélère",
        )) + f" ({sid})"

    # ------------------------------------------------------------------------ writing

    def _count(self, cls: str) -> None:
        self.classes[cls] = self.classes.get(cls, 0) + 1

    def emit(self, e: Entity) -> None:
        """Write an entity with all its facts (types and labels in each graph it appears in)."""
        add, quads = self.sink.add, self.sink.quads
        labels = [(PREF, io.lang(e.fr, "fr")), (PREF, io.lang(e.en, "en")),
                  (LABEL, io.lang(e.fr, "fr")), (LABEL, io.lang(e.en, "en"))]
        present = {(e.iri, p, o) for p, o in labels}  # written with the type, per graph
        introduced: set[str] = set()
        seen: set[Triple] = set()
        for src, triples in e.facts:
            g = src.graph
            todo: list[tuple[Triple, bool]] = []  # (triple, write it?)
            for t in triples:
                if t not in seen:
                    seen.add(t)
                    todo.append((t, t not in present))  # a label is there already
            if not todo:
                continue
            if g not in introduced and (quads or not introduced):
                add(e.iri, TYPE, cld(e.cls), g)
                for p, o in labels:
                    add(e.iri, p, o, g)
            introduced.add(g)
            reify = self.reify >= 1.0 or (self.reify > 0 and self.rng.random() < self.reify)
            span = self._span(src) if reify else ""
            for t, write in todo:
                if write:
                    add(t[0], t[1], t[2], g)
                if t[1] == TYPE:
                    self._count(t[2][len(CLD) + 1:-1])
                elif reify:
                    self._statement(t, span, g)
        self._count(e.cls)
        self.iris.setdefault(e.kind, []).append(e.iri[1:-1])

    def _span(self, src: Source) -> str:
        start = src.cursor + self.rng.randrange(1, 60)
        end = start + self.rng.randrange(25, 320)
        src.cursor = end
        span = f"<{src.doc[1:-1]}#char={start},{end}>"
        add, g = self.sink.add, src.graph
        add(span, TYPE, _SPAN, g)
        add(span, _START, io.typed(str(start), "nonNegativeInteger"), g)
        add(span, _END, io.typed(str(end), "nonNegativeInteger"), g)
        add(span, _PART, src.doc, g)
        self._count("TextSpan")
        return span

    def _statement(self, t: Triple, span: str, g: str) -> None:
        digest = hashlib.sha256(f"{t[0]} {t[1]} {t[2]}".encode()).hexdigest()[:20]
        st = f"<{self.base}id/statement/{digest}>"
        add = self.sink.add
        add(st, TYPE, _ST, g)
        add(st, _SUBJ, t[0], g)
        add(st, _PRED, t[1], g)
        add(st, _OBJ, t[2], g)
        add(st, _DERIVED, span, g)
        self._count("Statement")
