"""The view model of an entity page: properties, nested nodes, provenance, Wikidata links."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterld.web import indexed
from clusterld.web.labels import curie, local_name
from clusterld.web.rdfview import (
    CLD,
    DCTERMS,
    DOCUMENT_FIELDS,
    LABEL_PREDICATES,
    PROV,
    RDF,
    SKOS,
    WIKIDATA,
    XSD,
    Reader,
    Term,
    number,
    tagged_union,
)

STRUCT_CLASSES = {CLD + n for n in
                  ("Post", "Signature", "Participation", "Funding", "Support", "Figure")}
STRUCT_LINKS = {CLD + n for n in ("holds", "hasSignature", "hasParticipation", "hasFunding",
                                  "supportedBy", "hasFigure")}
HIDDEN = {RDF + "type", *LABEL_PREDICATES, SKOS + "altLabel", SKOS + "exactMatch"}
# Triples about the bookkeeping, never shown as "referenced by".
NOT_INVERSE = (RDF + "subject", RDF + "object", RDF + "predicate", DCTERMS + "isPartOf",
               PROV + "wasDerivedFrom", DCTERMS + "source")
PREPOSITIONS = {"of", "by", "in", "to", "for", "on", "at", "with", "from", "de", "du", "des",
                "par", "en", "à", "au", "pour", "dans", "avec", "sur"}
# The properties that sum a struct node up, in reading order.
CAPTION = {CLD + k: [CLD + p for p in v] for k, v in {
    "Figure": ["indicator", "value", "unit", "qualifier"],
    "Post": ["role", "postIn"],
    "Signature": ["signatory", "role", "onBehalfOf"],
    "Participation": ["participant", "participationRole", "country"],
    "Funding": ["funder", "fundingShare"],
    "Support": ["supporter", "supportKind", "date"],
}.items()}
# provenance rows are read in this order, whichever way they were found (stable pages)
PROVENANCE_ORDER = ("s", "p", "o", "span", "start", "end", "doc")
DOCUMENTS_QUERY = f"SELECT ?d ?k ?v WHERE {{ {tagged_union('d', 'v', DOCUMENT_FIELDS)} }}"
INVERSE_PAGE = 20
FACTS_PAGE = 50


@dataclass
class ValueView:
    """One value of a property, ready to print."""

    text: str
    href: str | None = None
    external: str | None = None
    title: str | None = None
    lang: str | None = None
    datatype: str | None = None
    detail: str | None = None
    nested: list[PropView] | None = None
    refs: list[int] = field(default_factory=list)
    parts: list[ValueView] | None = None  # a struct node summed up, link by link
    sep: str = ""  # printed before this value when it is one of ``parts``
    iri: str | None = None


@dataclass
class PropView:
    """A property with its values."""

    iri: str
    label: str
    definition: str | None
    curie: str
    values: list[ValueView]


@dataclass
class InverseGroup:
    """Entities pointing at this one through one property, one page of them."""

    iri: str
    label: str
    definition: str | None
    count: int
    items: list[ValueView]
    page: int
    pages: int


@dataclass
class Passage:
    """A text span that states some facts."""

    number: int
    start: int | None
    end: int | None
    facts: list[str]


@dataclass
class SourceRef:
    """A source document and the passages of it used on the page."""

    iri: str
    href: str | None
    title: str
    publisher: str | None
    issued: str | None
    passages: list[Passage]


@dataclass
class ContributionRef:
    """An accepted contribution that states facts on the page."""

    graph: str
    submitted: str
    accepted: str | None
    author: str | None
    source: str | None
    source_href: str | None
    source_title: str | None
    comment: str | None


@dataclass
class EntityView:
    """Everything the entity template prints."""

    iri: str
    label: str
    label_lang: str | None
    labels: dict[str, list[str]]
    alt_labels: list[ValueView]
    types: list[ValueView]
    props: list[PropView]
    inverse: list[InverseGroup]
    sources: list[SourceRef]
    wikidata: list[str]
    same_as: list[str]
    facts: InverseGroup | None = None
    raw: dict[str, list[Term]] = field(default_factory=dict)
    contributions: list[ContributionRef] = field(default_factory=list)

    @property
    def other_labels(self) -> list[tuple[str, str]]:
        """``(lang, label)`` of the labels other than the one in the heading."""
        return [(lang, text) for lang, texts in sorted(self.labels.items()) for text in texts
                if text != self.label]


def key(s: str, p: str, o: Term) -> tuple[str, str, str]:
    """The identity of a fact, to match it with its reified statement."""
    return s, p, str(o)


def outgoing(reader: Reader, subjects: list[str]) -> dict[str, dict[str, list[Term]]]:
    """``{subject: {predicate: [objects]}}`` for the subjects."""
    found: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    if not subjects:
        return found
    if reader.pattern is not None:  # the same triples, from the index without SPARQL
        for subject in subjects:
            for q in reader.pattern(ox.NamedNode(subject)):
                objects = found[subject][q.predicate.value]
                if q.object not in objects:
                    objects.append(q.object)
        return found
    for row in reader.select("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": subjects}):
        objects = found[row["s"].value][row["p"].value]
        if row["o"] not in objects:
            objects.append(row["o"])
    return found


def literal_text(term: ox.Literal) -> tuple[str, str | None]:
    """A literal's display text and a short datatype name for its hover."""
    dtype = term.datatype.value if term.datatype else None
    if dtype and dtype.startswith(XSD) and dtype not in (XSD + "string",):
        return term.value, curie(dtype)
    return term.value, None


class EntityBuilder:
    """Builds an :class:`EntityView` from the graph through a :class:`Reader`."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.refs: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self.captions: dict[str, str] = {}

    def value(self, term: Term, nested: list[PropView] | None = None,
              detail: str | None = None) -> ValueView:
        """A term ready to print: a literal, or a link named by the target's label."""
        if isinstance(term, ox.Literal):
            text, dtype = literal_text(term)
            return ValueView(text=text, lang=term.language or None, datatype=dtype)
        if isinstance(term, ox.BlankNode):
            return ValueView(text="[]", nested=nested)
        target = term.value
        href = self.r.href(target)
        external = None if href else target
        title = self.r.definition(target) if href else None
        text = self.captions.get(target) or self.r.label(target)
        if external and target.startswith(WIKIDATA):
            text = "Wikidata " + local_name(target)
        return ValueView(text=text, href=href, external=external, title=title or target,
                         iri=target, lang=self.r.label_lang(target) or None, nested=nested,
                         detail=detail)

    def props(self, subject: str, data: dict[str, list[Term]],
              nested: dict[str, list[PropView]], skip: set[str]) -> list[PropView]:
        """The subject's properties (but ``skip``), named by their labels, values sorted."""
        out: list[PropView] = []
        for pred, objects in data.items():
            if pred in skip:
                continue
            vals = []
            for obj in sorted(in_language(objects, self.r.lang), key=self.sort_text):
                view = self.value(obj, nested.get(obj.value) if isinstance(obj, ox.NamedNode)
                                  else None)
                view.refs = self.refs.get(key(subject, pred, obj), [])
                vals.append(view)
            out.append(PropView(iri=pred, label=self.r.label(pred),
                                definition=self.r.definition(pred), curie=curie(pred),
                                values=vals))
        out.sort(key=lambda p: (p.iri in STRUCT_LINKS, p.label.lower()))
        return out

    def sort_text(self, term: Term) -> str:
        """The key values are sorted by: their label or text."""
        if isinstance(term, ox.NamedNode):
            return self.r.label(term.value).lower()
        return term.value.lower()

    def provenance(self, subjects: list[str]) -> list[SourceRef]:
        """Number every span stating a fact on the subjects; group them by document."""
        if self.r.pattern is not None:
            found = indexed.provenance_rows(self.r.pattern, subjects)
        else:
            found = self.r.select(
                "SELECT DISTINCT ?s ?p ?o ?span ?start ?end ?doc WHERE {"
                " ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;"
                " prov:wasDerivedFrom ?span ."
                " OPTIONAL { ?span oa:start ?start } OPTIONAL { ?span oa:end ?end }"
                " OPTIONAL { ?span dcterms:isPartOf ?doc } }", {"s": subjects}
            )
        found.sort(key=lambda row: [str(row.get(k, "")) for k in PROVENANCE_ORDER])
        spans: dict[str, dict] = {}
        for row in found:
            span = row["span"].value
            entry = spans.setdefault(span, {
                "doc": row["doc"].value if "doc" in row else span.split("#", 1)[0],
                "start": number(row["start"], -1) if "start" in row else None,
                "end": number(row["end"], -1) if "end" in row else None, "facts": []})
            entry["facts"].append((row["s"].value, row["p"].value, row["o"]))
        docs = sorted({e["doc"] for e in spans.values()})
        self.r.fetch_labels({row["p"].value for row in found})
        meta = self.documents(docs)
        ordered = sorted(spans.items(), key=lambda kv: (kv[1]["doc"], kv[1]["start"] or 0))
        by_doc: dict[str, list[Passage]] = defaultdict(list)
        for n, (_span, entry) in enumerate(ordered, start=1):
            names: list[str] = []
            for s, p, o in entry["facts"]:
                self.refs[key(s, p, o)].append(n)
                name = self.r.label(p)
                if name not in names:
                    names.append(name)
            by_doc[entry["doc"]].append(Passage(n, entry["start"], entry["end"], names))
        return [SourceRef(iri=d, href=self.r.href(d), passages=by_doc[d], **meta[d])
                for d in docs]

    def contributions(self, subjects: list[str]) -> list[ContributionRef]:
        """The accepted contributions whose graph states facts on the subjects."""
        if not self.r.any_accepted():  # the usual case, and ~9 % of a page's time
            return []
        found = self.r.select(
            "SELECT DISTINCT ?g ?when ?accepted ?who ?src ?comment WHERE { "
            "GRAPH ?g { ?s ?p ?o }"
            " ?g prov:generatedAtTime ?when ; dcterms:dateAccepted ?accepted ."
            " OPTIONAL { ?g dcterms:creator ?who } OPTIONAL { ?g dcterms:source ?src }"
            " OPTIONAL { ?g rdfs:comment ?comment } } ORDER BY ?when ?g", {"s": subjects}
        )
        docs = [row["src"].value for row in found
                if isinstance(row.get("src"), ox.NamedNode) and self.r.href(row["src"].value)]
        meta = self.documents(sorted(set(docs)))
        out: list[ContributionRef] = []
        for row in found:
            if out and out[-1].graph == row["g"].value:
                continue
            src = row.get("src")
            href = title = None
            if isinstance(src, ox.NamedNode):
                href = self.r.href(src.value)
                title = meta[src.value]["title"] if src.value in meta else None
                if href is None and src.value.startswith(("http://", "https://")):
                    href = src.value  # shown as a link for the reader; never fetched here
            out.append(ContributionRef(
                graph=row["g"].value, submitted=row["when"].value[:10],
                accepted=row["accepted"].value[:10],
                author=row["who"].value if "who" in row else None,
                source=src.value if src is not None else None, source_href=href,
                source_title=title or (src.value if src is not None else None),
                comment=row["comment"].value if "comment" in row else None))
        return out

    def documents(self, docs: list[str]) -> dict[str, dict[str, str | None]]:
        """Title, publisher and date of source documents."""
        meta: dict[str, dict[str, str | None]] = {
            d: {"title": None, "publisher": None, "issued": None} for d in docs}
        if not docs:
            return meta
        self.r.fetch_labels(docs)
        rows = indexed.document_rows(self.r.pattern, docs) if self.r.pattern else \
            self.r.select(DOCUMENTS_QUERY, {"d": docs})
        for row in rows:
            value = row["v"]
            text = self.r.label(value.value) if isinstance(value, ox.NamedNode) else value.value
            slot = meta[row["d"].value]
            if row["k"].value == "title" and isinstance(value, ox.Literal) and slot["title"] \
                    and value.language != self.r.lang:
                continue
            slot[row["k"].value] = text
        for d, slot in meta.items():
            slot["title"] = slot["title"] or self.r.label(d)
        return meta

    def caption_parts(self, data: dict[str, list[Term]], skip: str | None = None
                      ) -> list[tuple[str, ValueView]]:
        """A struct node summed up by its main values: ``[(predicate, value)]``.

        A figure reads "member count: 120 members (approximately)"; other nodes list their
        main values with " · " between them. ``skip`` (the page's subject) is left out.
        """
        kinds = [t.value for t in data.get(RDF + "type", []) if t.value in CAPTION]
        figure = bool(kinds) and kinds[0] == CLD + "Figure"
        parts: list[tuple[str, ValueView]] = []
        for pred in CAPTION.get(kinds[0], []) if kinds else []:
            objects = [o for o in in_language(data.get(pred, []), self.r.lang) if o.value != skip]
            if not objects:
                continue
            view = self.value(objects[0])
            if figure:
                view.sep = {CLD + "value": ": ", CLD + "unit": " ",
                            CLD + "qualifier": " "}.get(pred, "")
                if pred == CLD + "qualifier":
                    view.text = f"({view.text})"
            else:
                view.sep = " · " if parts else ""
            parts.append((pred, view))
        return parts

    def caption(self, data: dict[str, list[Term]], skip: str | None = None) -> str:
        """The text of :meth:`caption_parts`."""
        return "".join(v.sep + v.text for _, v in self.caption_parts(data, skip))

    def build(self, subject: str) -> EntityView:
        """Read everything about ``subject``."""
        r = self.r
        data = outgoing(r, [subject])[subject]
        linked = [o.value for objs in data.values() for o in objs if isinstance(o, ox.NamedNode)]
        struct_nodes = [n for n, ts in r.types(linked).items() if STRUCT_CLASSES & set(ts)]
        nested_data = outgoing(r, struct_nodes)
        sources = self.provenance([subject, *struct_nodes])
        terms = set(data) | set(linked)
        for node_data in nested_data.values():
            terms |= set(node_data)
            terms |= {o.value for objs in node_data.values() for o in objs
                      if isinstance(o, ox.NamedNode)}
        r.fetch_labels(terms | {subject})
        nested, summaries = {}, {}
        for node in struct_nodes:
            parts = self.caption_parts(nested_data[node], subject)
            summaries[node] = [v for _, v in parts]
            self.captions[node] = "".join(v.sep + v.text for v in summaries[node])
            shown = {RDF + "type", *(p for p, _ in parts)}
            nested[node] = order_nested(self.props(node, nested_data[node], {}, shown))
        labels: dict[str, list[str]] = defaultdict(list)
        for pred in LABEL_PREDICATES:
            for obj in data.get(pred, []):
                if isinstance(obj, ox.Literal) and obj.value not in labels[obj.language or ""]:
                    labels[obj.language or ""].append(obj.value)
        alt = [self.value(o) for o in sorted(data.get(SKOS + "altLabel", []),
                                             key=lambda t: t.value)]
        for view, obj in zip(alt, sorted(data.get(SKOS + "altLabel", []),
                                         key=lambda t: t.value), strict=True):
            view.refs = self.refs.get(key(subject, SKOS + "altLabel", obj), [])
        matches = [o.value for o in data.get(SKOS + "exactMatch", [])
                   if isinstance(o, ox.NamedNode)]
        types = [self.value(t) for t in data.get(RDF + "type", [])]
        return EntityView(
            iri=subject, label=r.label(subject), label_lang=r.label_lang(subject),
            labels=dict(labels), alt_labels=alt, types=types,
            props=with_parts(self.props(subject, data, nested, HIDDEN), summaries),
            inverse=[], sources=sources,
            wikidata=[m for m in matches if m.startswith(WIKIDATA)],
            same_as=[m for m in matches if not m.startswith(WIKIDATA)], raw=dict(data),
            contributions=self.contributions([subject, *struct_nodes]))


def in_language(objects: list[Term], lang: str) -> list[Term]:
    """Language-tagged literals in ``lang`` only (else the other language); the rest as is."""
    tagged = [o for o in objects if isinstance(o, ox.Literal) and o.language]
    if not tagged:
        return objects
    langs = {o.language.split("-")[0].lower() for o in tagged}
    keep = lang if lang in langs else ("fr" if lang == "en" else "en")
    if keep not in langs:
        return objects
    return [o for o in objects if not (isinstance(o, ox.Literal) and o.language)
            or o.language.split("-")[0].lower() == keep]


def with_parts(props: list[PropView], summaries: dict[str, list[ValueView]]) -> list[PropView]:
    """Give each struct value its summary parts."""
    for prop in props:
        for view in prop.values:
            if summaries.get(view.iri):
                view.parts = summaries[view.iri]
    return props


FIGURE_ORDER = [CLD + n for n in ("indicator", "value", "unit", "qualifier", "scope",
                                  "reportedOn", "referenceDate", "note")]


def order_nested(props: list[PropView]) -> list[PropView]:
    """Figures read indicator, value, unit, qualifier, then dates."""
    rank = {p: i for i, p in enumerate(FIGURE_ORDER)}
    return sorted(props, key=lambda p: (rank.get(p.iri, len(rank)), p.label))
