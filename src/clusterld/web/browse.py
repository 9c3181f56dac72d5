"""Class pages, the class tree, the home page's figures, example queries and search."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterld.paths import data_path
from clusterld.schema import SUPERCLASS, VOCAB_NS
from clusterld.web.entity import STRUCT_CLASSES, EntityBuilder, ValueView
from clusterld.web.rdfview import CLD, Reader, iri, label_language, literal, number, values
from clusterld.web.related import item_views

CLASS_PAGE = 25
YEAR = re.compile(r"^\d{4}$")
COUNTRY_PATH = "(cld:country|cld:locatedIn)/cld:locatedIn*"
SECTOR_PATH = "(cld:sector|cld:topic)/skos:broader*"
DATE_PREDICATES = [CLD + n for n in ("foundingDate", "signingDate", "startDate")] + [
    "http://purl.org/dc/terms/issued"]
# The classes the home page counts (each with its subclasses).
HOME_CLASSES = ("Cluster", "Association", "Network", "Organisation", "Person", "Agreement",
                "Programme", "Policy", "Event", "Place", "SourceDocument")


@dataclass
class Facet:
    """One filter's choices: ``(value, label, count)``."""

    name: str
    selected: str | None
    choices: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class ClassPage:
    """One page of a class's instances."""

    name: str
    iri: str
    label: str
    definition: str | None
    superclass: str | None
    subclasses: list[str]
    total: int
    page: int
    pages: int
    items: list[ValueView]
    facets: list[Facet]


def subclasses(reader: Reader, name: str) -> list[str]:
    """The class and all its subclasses, from the schema and from the ontology graph."""
    found = {name}
    changed = True
    while changed:
        changed = False
        for cls, sup in SUPERCLASS.items():
            if sup in found and cls not in found:
                found.add(cls)
                changed = True
    for row in reader.select("SELECT DISTINCT ?c ?top WHERE { ?c rdfs:subClassOf+ ?top }",
                             {"top": ox.NamedNode(CLD + name)}):
        if row["c"].value.startswith(CLD):
            found.add(row["c"].value[len(CLD):])
    return sorted(found)


FILTER_VARS = "?country ?sector ?year"  # projected (and grouped) so they can be bound


@dataclass
class Filters:
    """The selected filters as graph patterns over ``?country``/``?sector``/``?year`` and the
    values those variables are bound to (user input never enters the query text)."""

    patterns: str
    bindings: dict[str, Any]


def filters_sparql(reader: Reader, classes: list[str], country: str | None,
                   sector: str | None, year: str | None) -> Filters:
    """Graph patterns and bindings for the selected filters (values already validated),
    with ``?t`` bound to each of the listed classes."""
    parts: list[str] = []
    bindings: dict[str, Any] = {"t": classes}
    if country:
        parts.append(f"?s {COUNTRY_PATH} ?country .")
        bindings["country"] = ox.NamedNode(reader.iri_for_path(country))
    if sector:
        parts.append(f"?s {SECTOR_PATH} ?sector .")
        bindings["sector"] = ox.NamedNode(VOCAB_NS + "sector/" + sector)
    if year:
        parts.append(f"?s ?dp ?d . {values('dp', DATE_PREDICATES)}"
                     " FILTER(SUBSTR(STR(?d), 1, 4) = ?year)")
        bindings["year"] = ox.Literal(year)
    return Filters(" ".join(parts), bindings)


def clean_filters(country: str | None, sector: str | None, year: str | None
                  ) -> tuple[str | None, str | None, str | None]:
    """Drop filter values that are not plausible slugs or years."""
    slug = re.compile(r"^[a-z0-9][a-z0-9/_-]*$")
    return (country if country and slug.match(country) else None,
            sector if sector and slug.match(sector) else None,
            year if year and YEAR.match(year) else None)


def class_page(reader: Reader, name: str, page: int, country: str | None = None,
               sector: str | None = None, year: str | None = None) -> ClassPage:
    """Instances of ``name`` (with subclasses), filtered, one page sorted by label."""
    country, sector, year = clean_filters(country, sector, year)
    classes = [CLD + c for c in subclasses(reader, name)]
    base = "?s a ?t ."
    chosen = filters_sparql(reader, classes, country, sector, year)
    where = f"{base} {chosen.patterns}"
    total = number((reader.select(
        f"SELECT {FILTER_VARS} (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}"
        f" GROUP BY {FILTER_VARS}", chosen.bindings) or [{}])[0].get("n"))
    pages = max(1, math.ceil(total / CLASS_PAGE))
    current = min(max(page, 1), pages)
    subjects = [row["s"].value for row in reader.select(
        f"SELECT ?s ?lang {FILTER_VARS} (MIN(LCASE(STR(COALESCE(?l1, ?l2, ?s)))) AS ?k)"
        f" WHERE {{ {where} OPTIONAL {{ ?s skos:prefLabel ?l1 FILTER(LANG(?l1) = ?lang) }}"
        f" OPTIONAL {{ ?s skos:prefLabel ?l2 }} }} GROUP BY ?s ?lang {FILTER_VARS}"
        f" ORDER BY ?k ?s LIMIT {CLASS_PAGE} OFFSET {(current - 1) * CLASS_PAGE}",
        {**chosen.bindings, "lang": ox.Literal(label_language(reader.lang))},
    ) if isinstance(row.get("s"), ox.NamedNode)]
    items = item_views(EntityBuilder(reader), subjects)
    describe_items(reader, subjects, items)
    facets = [  # each facet counts within the other filters
        facet(reader, "country", country, base, filters_sparql(reader, classes, None, sector, year),
              COUNTRY_PATH, "cld:Country"),
        facet(reader, "sector", sector, base, filters_sparql(reader, classes, country, None, year),
              SECTOR_PATH, "skos:Concept"),
        year_facet(reader, year, base, filters_sparql(reader, classes, country, sector, None)),
    ]
    cls = CLD + name
    sup = SUPERCLASS.get(name)
    return ClassPage(name=name, iri=cls, label=reader.label(cls),
                     definition=reader.definition(cls), superclass=sup,
                     subclasses=[c for c in subclasses(reader, name) if c != name
                                 and SUPERCLASS.get(c) == name],
                     total=total, page=current, pages=pages, items=items, facets=facets)


def describe_items(reader: Reader, subjects: list[str], items: list[ValueView]) -> None:
    """Add type, country and year to each listed item's detail line."""
    if not subjects:
        return
    extra: dict[str, list[str]] = defaultdict(list)
    found = reader.select(
        "SELECT ?s ?t ?c ?d WHERE {"
        " OPTIONAL { ?s a ?t } OPTIONAL { ?s cld:country ?c }"
        f" OPTIONAL {{ ?s ?dp ?d {values('dp', DATE_PREDICATES)} }} }}", {"s": subjects}
    )
    reader.fetch_labels(row[k].value for row in found for k in ("t", "c")
                        if isinstance(row.get(k), ox.NamedNode))
    for row in found:
        s = row["s"].value
        for k in ("t", "c"):
            if isinstance(row.get(k), ox.NamedNode):
                text = reader.label(row[k].value)
                if text not in extra[s]:
                    extra[s].append(text)
        if "d" in row and row["d"].value[:4] not in extra[s]:
            extra[s].append(row["d"].value[:4])
    for s, item in zip(subjects, items, strict=True):
        item.detail = " · ".join(extra[s]) or item.detail


def facet(reader: Reader, name: str, selected: str | None, base: str, others: Filters,
          path: str, kind: str) -> Facet:
    """Choices of a filter over the class's instances (within the other filters), with
    counts."""
    choices = []
    found = reader.select(
        f"SELECT ?v {FILTER_VARS} (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {base} {others.patterns}"
        f" ?s {path} ?v . ?v a {kind} }} GROUP BY ?v {FILTER_VARS}", others.bindings)
    reader.fetch_labels(row["v"].value for row in found)
    for row in found:
        target = row["v"].value
        href = reader.href(target) or ""
        value = href.removeprefix("/page/")
        if name == "sector":
            value = value.removeprefix("vocab/sector/")
            if value.startswith("vocab/"):
                continue
        if value:
            choices.append((value, reader.label(target), number(row["n"])))
    choices.sort(key=lambda c: c[1].lower())
    return Facet(name=name, selected=selected, choices=choices)


def year_facet(reader: Reader, selected: str | None, base: str, others: Filters) -> Facet:
    """Years of the instances' dates (within the other filters), newest first."""
    found = reader.select(
        f"SELECT ?y {FILTER_VARS} (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {base} {others.patterns}"
        f" ?s ?ydp ?yd {values('ydp', DATE_PREDICATES)} BIND(SUBSTR(STR(?yd), 1, 4) AS ?y) }}"
        f" GROUP BY ?y {FILTER_VARS}", others.bindings)
    choices = [(r["y"].value, r["y"].value, number(r["n"])) for r in found
               if "y" in r and YEAR.match(r["y"].value)]
    return Facet(name="year", selected=selected, choices=sorted(choices, reverse=True))


@dataclass
class ClassCount:
    """A class with its number of instances (including subclasses)."""

    name: str
    label: str
    definition: str | None
    count: int
    depth: int


def class_counts(reader: Reader) -> list[ClassCount]:
    """Every clusterld class with instances, in tree order, counts including subclasses."""
    direct: dict[str, int] = {}
    for row in reader.select("SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t"):
        t = row["t"].value
        if t.startswith(CLD) and t not in STRUCT_CLASSES:
            direct[t[len(CLD):]] = number(row["n"])
    names = set(direct) | {n for n in SUPERCLASS if CLD + n not in STRUCT_CLASSES}
    parent = {n: SUPERCLASS.get(n) for n in names}
    totals: dict[str, int] = defaultdict(int)
    for cls, count in direct.items():
        current: str | None = cls
        while current:
            totals[current] += count
            current = parent.get(current)
    reader.fetch_labels(CLD + n for n in totals)
    out: list[ClassCount] = []

    def walk(node: str | None, depth: int) -> None:
        kids = sorted((n for n in names if parent.get(n) == node and totals.get(n)),
                      key=lambda n: reader.label(CLD + n).lower())
        for kid in kids:
            out.append(ClassCount(kid, reader.label(CLD + kid), reader.definition(CLD + kid),
                                  totals[kid], depth))
            walk(kid, depth + 1)

    walk(None, 0)
    return out


@dataclass
class Example:
    """A named query from ``sparql/*.rq``."""

    name: str
    lines: list[str]
    query: str

    @property
    def question(self) -> str:
        """The first comment line (the English question)."""
        return self.lines[0] if self.lines else self.name

    def question_for(self, lang: str) -> str:
        """The question in ``lang``: comment lines come English first, then French."""
        if lang == "fr" and len(self.lines) > 1:
            return self.lines[1]
        return self.question


def examples(directory: Path | None = None) -> list[Example]:
    """The example queries, read now (the directory may be missing or empty)."""
    folder = directory or data_path("sparql")
    found = []
    try:
        files = sorted(folder.glob("*.rq"))
    except OSError:
        return []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        question = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            question.append(line.lstrip("#").strip())
        found.append(Example(path.stem, [q for q in question if q], text))
    return found


def figures(reader: Reader) -> dict[str, int]:
    """Triples, entities and sources in the graph."""
    counts = {c.name: c.count for c in class_counts(reader)}
    triples = number((reader.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
                      or [{}])[0].get("n"))
    entities = number((reader.select(
        "SELECT ?ids (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t FILTER(STRSTARTS(STR(?s), ?ids))"
        f" FILTER(STRSTARTS(STR(?t), {literal(CLD)}))"
        f" FILTER(?t NOT IN ({', '.join(iri(c) for c in sorted(STRUCT_CLASSES))},"
        " cld:TextSpan)) } GROUP BY ?ids", {"ids": ox.Literal(reader.base + "id/")})
                       or [{}])[0].get("n"))
    return {"triples": triples, "entities": entities, **counts}


WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"


def linked_counts(reader: Reader) -> list[tuple[str, int]]:
    """How many entities of each clusterld class link to a Wikidata item, most first."""
    rows = reader.select(
        "SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t ; skos:exactMatch ?w"
        f" FILTER(STRSTARTS(STR(?w), {literal(WIKIDATA_ENTITY)}))"
        f" FILTER(STRSTARTS(STR(?t), {literal(CLD)})) }} GROUP BY ?t ORDER BY DESC(?n) ?t")
    return [(r["t"].value[len(CLD):], number(r["n"])) for r in rows]


def sources(reader: Reader) -> list[ValueView]:
    """The source documents, newest first."""
    found = reader.select(
        "SELECT ?d (SAMPLE(?i) AS ?date) WHERE { ?d a cld:SourceDocument"
        " OPTIONAL { ?d dcterms:issued ?i } } GROUP BY ?d ORDER BY DESC(?date) ?d"
    )
    docs = [r["d"].value for r in found]
    builder = EntityBuilder(reader)
    meta = builder.documents(docs)
    return [ValueView(text=meta[d]["title"] or d, href=reader.href(d), title=d,
                      detail=" · ".join(x for x in (meta[d]["publisher"], meta[d]["issued"])
                                        if x))
            for d in docs]


def search(reader: Reader, text: str, limit: int = 50) -> list[ValueView]:
    """Entities whose label, other name or acronym contains ``text``."""
    needle = text.strip().lower()[:100]
    if not needle:
        return []
    subjects = [r["s"].value for r in reader.select(
        "SELECT ?s ?needle (MIN(LCASE(STR(?l))) AS ?k) WHERE {"
        " ?s skos:prefLabel|rdfs:label|skos:altLabel|cld:acronym ?l"
        " FILTER(CONTAINS(LCASE(STR(?l)), ?needle)) }"
        f" GROUP BY ?s ?needle ORDER BY ?k LIMIT {int(limit)}", {"needle": ox.Literal(needle)}
    ) if isinstance(r.get("s"), ox.NamedNode)]
    subjects = [s for s in subjects if reader.href(s)]
    items = item_views(EntityBuilder(reader), subjects)
    describe_items(reader, subjects, items)
    return items
