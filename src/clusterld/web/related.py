"""What points at an entity: inverse links (counted, paged) and a document's stated facts."""

from __future__ import annotations

import math

import pyoxigraph as ox

from clusterld.web.entity import (
    FACTS_PAGE,
    INVERSE_PAGE,
    NOT_INVERSE,
    PREPOSITIONS,
    STRUCT_CLASSES,
    STRUCT_LINKS,
    EntityBuilder,
    InverseGroup,
    ValueView,
    outgoing,
)
from clusterld.web.rdfview import Reader, iri, number, values


def inverse_properties(reader: Reader, preds: list[str]) -> dict[str, str]:
    """The declared inverse (``owl:inverseOf``, either way) of each property."""
    if not preds:
        return {}
    found = {}
    for row in reader.select(
        f"SELECT ?p ?inv WHERE {{ {values('p', preds)}"
        " { ?p owl:inverseOf ?inv } UNION { ?inv owl:inverseOf ?p } FILTER(isIRI(?inv)) }"
    ):
        found.setdefault(row["p"].value, row["inv"].value)
    return found


def inverse_label(reader: Reader, pred: str, inverse: str | None = None) -> str:
    """The inverse property's label, else "is X of" ("X this" after a preposition)."""
    if inverse:
        reader.fetch_labels([inverse])
        if reader.labels.name(inverse, reader.lang):
            return reader.label(inverse)
    name = reader.label(pred)
    french = (reader.label_lang(pred) or reader.lang) == "fr"  # the words of the label's language
    words = name.split()
    if words and words[-1].lower() in PREPOSITIONS:
        return name + (" ceci" if french else " this")
    return f"est {name} de" if french else f"is {name} of"


def owners(reader: Reader, nodes: list[str]) -> dict[str, str]:
    """The entity owning each struct node (``?owner cld:holds ?node`` and the like)."""
    if not nodes:
        return {}
    found = {}
    for row in reader.select(
        f"SELECT ?n ?owner WHERE {{ {values('n', nodes)} {values('l', sorted(STRUCT_LINKS))}"
        " ?owner ?l ?n }"
    ):
        found[row["n"].value] = row["owner"].value
    return found


def inverse_groups(builder: EntityBuilder, subject: str, focus: str | None,
                   page: int) -> list[InverseGroup]:
    """Count the entities pointing here per property; list one page of each."""
    r = builder.r
    excluded = ", ".join(iri(p) for p in NOT_INVERSE)
    counts = r.select(
        f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {iri(subject)}"
        f" FILTER(?p NOT IN ({excluded})) }} GROUP BY ?p"
    )
    inverses = inverse_properties(r, [row["p"].value for row in counts])
    r.fetch_labels([*(row["p"].value for row in counts), *inverses.values()])
    groups = []
    for row in sorted(counts, key=lambda x: r.label(x["p"].value).lower()):
        pred, count = row["p"].value, number(row["n"])
        pages = max(1, math.ceil(count / INVERSE_PAGE))
        current = min(max(page, 1), pages) if pred == focus else 1
        subjects = [x["s"].value for x in r.select(
            f"SELECT ?s (MIN(LCASE(STR(COALESCE(?l1, ?l2, ?s)))) AS ?k) WHERE {{"
            f" ?s {iri(pred)} {iri(subject)}"
            f" OPTIONAL {{ ?s skos:prefLabel ?l1 FILTER(LANG(?l1) = {lang_lit(r.lang)}) }}"
            " OPTIONAL { ?s skos:prefLabel ?l2 } } GROUP BY ?s ORDER BY ?k ?s"
            f" LIMIT {INVERSE_PAGE} OFFSET {(current - 1) * INVERSE_PAGE}"
        ) if isinstance(x.get("s"), ox.NamedNode)]
        groups.append(InverseGroup(iri=pred, label=inverse_label(r, pred, inverses.get(pred)),
                                   definition=r.definition(pred), count=count,
                                   items=item_views(builder, subjects, subject), page=current,
                                   pages=pages))
    return groups


def lang_lit(lang: str) -> str:
    """The page language as a SPARQL literal (only "en" or "fr")."""
    return '"fr"' if lang == "fr" else '"en"'


def item_views(builder: EntityBuilder, subjects: list[str], skip: str | None = None
               ) -> list[ValueView]:
    """Links to entities; a struct node is shown as its owner with the node's kind."""
    r = builder.r
    types = r.types(subjects)
    structs = [s for s in subjects if STRUCT_CLASSES & set(types.get(s, []))]
    owner = owners(r, structs)
    r.fetch_labels([*subjects, *owner.values(), *{t for ts in types.values() for t in ts}])
    views = []
    node_data = outgoing(r, structs)
    r.fetch_labels(o.value for data in node_data.values() for objs in data.values()
                   for o in objs if isinstance(o, ox.NamedNode))
    for s in subjects:
        if s in owner:
            kind = ", ".join(r.label(t) for t in types[s] if t in STRUCT_CLASSES)
            caption = builder.caption(node_data[s], skip)
            views.append(ValueView(text=r.label(owner[s]), href=r.href(owner[s]),
                                   title=owner[s], detail=f"{kind}: {caption}" if caption
                                   else kind))
        else:
            views.append(builder.value(ox.NamedNode(s)))
    return views


def document_facts(builder: EntityBuilder, doc: str, page: int) -> InverseGroup | None:
    """The facts a source document states, in the order of its text."""
    r = builder.r
    pattern = (f"?span dcterms:isPartOf {iri(doc)} . ?st prov:wasDerivedFrom ?span ;"
               " rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .")
    total = r.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    count = number(total[0].get("n")) if total else 0
    if not count:
        return None
    pages = max(1, math.ceil(count / FACTS_PAGE))
    current = min(max(page, 1), pages)
    found = r.select(
        f"SELECT ?s ?p ?o ?start ?end WHERE {{ {pattern}"
        " OPTIONAL { ?span oa:start ?start } OPTIONAL { ?span oa:end ?end } }"
        f" ORDER BY ?start ?end ?s ?p LIMIT {FACTS_PAGE} OFFSET {(current - 1) * FACTS_PAGE}"
    )
    subjects = sorted({row["s"].value for row in found})
    shown = dict(zip(subjects, item_views(builder, subjects), strict=True))
    objects = sorted({row["o"].value for row in found if isinstance(row["o"], ox.NamedNode)})
    structs = [n for n, ts in r.types(objects).items() if STRUCT_CLASSES & set(ts)]
    for node, data in outgoing(r, structs).items():
        builder.captions[node] = builder.caption(data)
    items = []
    for row in found:
        who = shown[row["s"].value]
        what = builder.value(row["o"])
        span = f"{number(row.get('start'))}–{number(row.get('end'))}"
        items.append(ValueView(text=who.text, href=who.href, title=who.title,
                               detail=f"{r.label(row['p'].value)}: {what.text} · {span}"))
    return InverseGroup(iri=doc, label="", definition=None, count=count, items=items,
                        page=current, pages=pages)
