"""Stage 2: seed facts → RDF.

One named graph per source document holds the facts that document supports, each
with a reified statement pointing at the character span that states it. The
metadata graph describes the sources; the ontology graph holds the ontology and
its concept schemes. See ``docs/design.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from clusterld import gcpause, schema
from clusterld.errors import SeedError
from clusterld.graphsource import to_ox_memo
from clusterld.iri import Minter, concept, slug_of, term
from clusterld.paths import data_path
from clusterld.seeds import Entity, Fact, SeedSet, props_for

OA = Namespace("http://www.w3.org/ns/oa#")
CLD = Namespace(schema.ONTOLOGY_NS)
PREFIXES = {
    "cld": CLD, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV, "oa": OA, "xsd": XSD,
    "rdfs": RDFS, "owl": Namespace("http://www.w3.org/2002/07/owl#"),
    "schema": Namespace("https://schema.org/"), "org": Namespace("http://www.w3.org/ns/org#"),
    "foaf": Namespace("http://xmlns.com/foaf/0.1/"),
}
_EXTERNAL = {"skos:altLabel": SKOS.altLabel, "dcterms:description": DCTERMS.description}
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
Triple = tuple[URIRef, URIRef, Any]
Quad = tuple[Any, Any, Any, URIRef]


@dataclass
class QuadList:
    """Where the converter writes when no rdflib ``Dataset`` is wanted: the quads, each once,
    in the order written, and the prefixes (the part of the ``Dataset`` API it uses)."""

    quads: dict[Quad, None] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)

    def bind(self, prefix: str, namespace: Any) -> None:
        self.prefixes[prefix] = str(namespace)

    def graph(self, name: URIRef) -> _Graph:
        return _Graph(self, name)

    def __len__(self) -> int:
        return len(self.quads)

    def to_ox(self) -> list[ox.Quad]:
        """The quads as pyoxigraph quads (each distinct term converted once)."""
        conv = to_ox_memo()
        with gcpause.paused():
            return [ox.Quad(conv(s), conv(p), conv(o), conv(g)) for s, p, o, g in self.quads]


@dataclass
class _Graph:
    target: QuadList
    identifier: URIRef

    def add(self, triple: tuple[Any, Any, Any]) -> None:
        self.target.quads[(*triple, self.identifier)] = None

    def parse(self, source: Path, format: str) -> None:
        for triple in Graph().parse(source, format=format):
            self.add(triple)


def predicate(name: str) -> URIRef:
    """The IRI of a schema predicate name."""
    return _EXTERNAL.get(name) or term(name)


def date_literal(value: Any) -> Literal:
    """``2016`` → xsd:gYear, ``2016-12`` → xsd:gYearMonth, ``2016-12-01`` → xsd:date."""
    text = str(value)
    return Literal(text, datatype=_DATE_TYPES[len(text)])


def number_literal(value: Any) -> Literal:
    """Whole numbers as xsd:integer, others as xsd:decimal."""
    text = str(value).strip()
    number = Decimal(text)
    if number == number.to_integral_value() and "." not in text and "e" not in text.lower():
        return Literal(int(number))
    return Literal(number, datatype=XSD.decimal)


@dataclass
class _Context:
    seeds: SeedSet
    mint: Minter
    fact: Fact
    entity: Entity


class Converter:
    """Turns a :class:`SeedSet` into an rdflib :class:`Dataset`."""

    def __init__(self, seeds: SeedSet, base: str | None = None,
                 ontology_dir: Path | None = None) -> None:
        self.seeds = seeds
        self.mint = Minter(base)
        self.ontology_dir = ontology_dir or data_path("ontology")
        self._structs: dict[URIRef, dict[str, tuple[str, str]]] = {}

    def convert(self) -> Dataset:
        """Build the whole dataset."""
        ds = Dataset()
        with gcpause.paused():
            self._fill(ds)
        return ds

    def quads(self) -> QuadList:
        """The same quads as :meth:`convert`, without building an rdflib ``Dataset`` (whose
        inserts are most of the conversion time on large seed sets)."""
        out = QuadList()
        with gcpause.paused():
            self._fill(out)  # type: ignore[arg-type]
        return out

    def _fill(self, ds: Dataset) -> None:
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        ds.bind("id", Namespace(self.mint.base + "id/"))
        self._ontology(ds)
        self._metadata(ds)
        problems: list[str] = []
        for entity in sorted(self.seeds.entities.values(), key=lambda e: e.id):
            try:
                self._entity(ds, entity)
            except SeedError as exc:
                problems.extend(exc.problems)
        if problems:
            raise SeedError(problems)
        self._links(ds)

    def _links(self, ds: Dataset) -> None:
        """Confirmed Wikidata links of ``seeds/wikidata.sssom.tsv`` → ``{base}graph/links``."""
        from clusterld.sssom import add_links

        add_links(ds, self.seeds, self.mint)

    def _ontology(self, ds: Dataset) -> None:
        graph = ds.graph(self.mint.graph("ontology"))
        for ttl in sorted(self.ontology_dir.glob("*.ttl")):
            graph.parse(ttl, format="turtle")

    def _metadata(self, ds: Dataset) -> None:
        meta = ds.graph(self.mint.graph("meta"))
        for source in sorted(self.seeds.sources.values(), key=lambda s: s.id):
            doc = self.mint.source(source.id)
            meta.add((doc, RDF.type, CLD.SourceDocument))
            meta.add((doc, RDF.type, PROV.Entity))
            meta.add((doc, DCTERMS.identifier, Literal(source.id)))
            meta.add((doc, DCTERMS.title, Literal(source.title, lang=source.language)))
            meta.add((doc, RDFS.label, Literal(source.title, lang=source.language)))
            meta.add((doc, DCTERMS.language, Literal(source.language)))
            meta.add((doc, CLD.fileName, Literal(source.file)))
            if source.publisher:
                meta.add((doc, DCTERMS.publisher, Literal(source.publisher)))
            if source.date:
                meta.add((doc, DCTERMS.issued, date_literal(source.date)))
            if source.place:
                meta.add((doc, CLD.placeOfPublication, Literal(source.place)))
            if source.url:
                meta.add((doc, CLD.sourceUrl, Literal(source.url, datatype=XSD.anyURI)))
            graph_iri = self.mint.source_graph(source.id)
            meta.add((graph_iri, RDF.type, PROV.Entity))
            meta.add((graph_iri, PROV.wasDerivedFrom, doc))
            meta.add((graph_iri, DCTERMS.source, doc))

    def _entity(self, ds: Dataset, entity: Entity) -> None:
        subject = self.mint.entity(entity.id)
        seen_graphs: set[str] = set()
        allowed = props_for(entity)
        for fact in entity.facts:
            graph = ds.graph(self.mint.source_graph(fact.source))
            if fact.source not in seen_graphs:
                seen_graphs.add(fact.source)
                graph.add((subject, RDF.type, term(entity.type)))
                for lang, text in sorted(entity.label.items()):
                    graph.add((subject, SKOS.prefLabel, Literal(text, lang=lang)))
                    graph.add((subject, RDFS.label, Literal(text, lang=lang)))
            ctx = _Context(self.seeds, self.mint, fact, entity)
            span = self.mint.span(fact.source, fact.start, fact.end)
            self._span(graph, fact, span)
            for key, value in fact.values.items():
                for triple in self._triples(ctx, subject, allowed[key], value):
                    self._assert(graph, triple, span)

    def _span(self, graph: Graph, fact: Fact, span: URIRef) -> None:
        graph.add((span, RDF.type, CLD.TextSpan))
        graph.add((span, OA.start, Literal(fact.start, datatype=XSD.nonNegativeInteger)))
        graph.add((span, OA.end, Literal(fact.end, datatype=XSD.nonNegativeInteger)))
        graph.add((span, DCTERMS.isPartOf, self.mint.source(fact.source)))

    def _assert(self, graph: Graph, triple: Triple, span: URIRef) -> None:
        s, p, o = triple
        graph.add(triple)
        if p == RDF.type:
            return  # the class of a struct node is implied by the link that mints it
        statement = self.mint.statement(s.n3(), p.n3(), o.n3())
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, s))
        graph.add((statement, RDF.predicate, p))
        graph.add((statement, RDF.object, o))
        graph.add((statement, PROV.wasDerivedFrom, span))

    def _triples(self, ctx: _Context, subject: URIRef, prop: schema.Prop,
                 value: Any) -> Iterator[Triple]:
        pred = predicate(prop.predicate)
        kind, _, arg = prop.range.partition(":")
        if kind == "text":
            for lang, texts in sorted(value.items()):
                for text in texts if isinstance(texts, list) else [texts]:
                    text = text.strip()
                    if pred == SKOS.altLabel and ctx.entity.label.get(lang) == text:
                        yield subject, SKOS.prefLabel, Literal(text, lang=lang)
                    else:
                        yield subject, pred, Literal(text, lang=lang)
            return
        for one in value if isinstance(value, list) else [value]:
            if kind == "struct":
                yield from self._struct(ctx, subject, pred, arg, one)
            else:
                yield subject, pred, self._object(kind, one)

    def _object(self, kind: str, value: Any) -> Any:
        if kind == "ref":
            return self.mint.entity(str(value))
        if kind == "concept":
            return concept(str(value))
        if kind == "date":
            return date_literal(value)
        if kind in ("integer", "decimal"):
            return number_literal(value)
        if kind == "boolean":
            return Literal(str(value).lower() == "true")
        if kind == "uri":
            return URIRef(str(value))
        return Literal(str(value).strip())

    def _struct(self, ctx: _Context, owner: URIRef, link: URIRef, cls: str,
                data: dict[str, Any]) -> Iterator[Triple]:
        data = dict(data)
        if cls == "Figure" and "date" not in data:
            source_date = ctx.seeds.sources[ctx.fact.source].date
            if not source_date:
                raise SeedError([f"{ctx.fact.where}: figure needs a 'date': source "
                                 f"{ctx.fact.source} has none"])
            data["date"] = source_date
        node = self._struct_iri(owner, cls, data)
        self._check_struct_clash(node, cls, data, ctx.fact.where)
        yield owner, link, node
        yield node, RDF.type, term(cls)
        spec = schema.STRUCTS[cls]
        for key, value in data.items():
            yield from self._triples(ctx, node, spec[key], value)
        if cls == "Funding":
            yield owner, CLD.fundedBy, self.mint.entity(str(data["funder"]))

    def _check_struct_clash(self, node: URIRef, cls: str, data: dict[str, Any],
                            where: str) -> None:
        """Two mentions of one struct node may add detail but not contradict a single value."""
        spec = schema.STRUCTS[cls]
        known = self._structs.setdefault(node, {})
        for key, value in data.items():
            if spec[key].many or spec[key].range == "text":
                continue
            seen = known.setdefault(key, (str(value), where))
            if seen[0] != str(value):
                raise SeedError([f"{where}: this {cls} gets the same IRI <{node}> as the one at "
                                 f"{seen[1]} but its '{key}' differs ({value} vs {seen[0]}); "
                                 f"tell them apart (e.g. a 'place', 'date' or 'refDate')"])

    def _struct_iri(self, owner: URIRef, cls: str, data: dict[str, Any]) -> URIRef:
        parts = [slug_of(str(data[k])) for k in schema.STRUCT_KEY[cls] if data.get(k)]
        return URIRef(f"{owner}/{cls.lower()}/{'-'.join(parts)}")


def convert(seeds: SeedSet, base: str | None = None) -> Dataset:
    """Convert loaded seeds into a dataset (see :class:`Converter`)."""
    return Converter(seeds, base).convert()

