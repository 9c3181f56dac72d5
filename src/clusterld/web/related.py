"""What points at an entity: inverse links (counted, paged) and a document's stated facts."""

from __future__ import annotations

import math

import pyoxigraph as ox

from clusterld.web import indexed
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
from clusterld.web.rdfview import Reader, iri, label_language, number, values


def inverse_properties(reader: Reader, preds: list[str]) -> dict[str, str]:
    """The declared inverse (``owl:inverseOf``, either way) of each property."""
    if not preds:
        return {}
    if reader.pattern is not None:
        return indexed.inverse_properties(reader.pattern, preds)
    found = {}
    for row in reader.select(
        "SELECT ?p ?inv WHERE {"
        " { ?p owl:inverseOf ?inv } UNION { ?inv owl:inverseOf ?p } FILTER(isIRI(?inv)) }",
        {"p": preds}
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
    if reader.pattern is not None:
        return indexed.owners(reader.pattern, nodes, sorted(STRUCT_LINKS))
    found = {}
    for row in reader.select(
        f"SELECT ?n ?owner WHERE {{ {values('l', sorted(STRUCT_LINKS))} ?owner ?l ?n }}",
        {"n": nodes}
    ):
        found[row["n"].value] = row["owner"].value
    return found


def inverse_groups(builder: EntityBuilder, subject: str, focus: str | None,
                   page: int) -> list[InverseGroup]:
    """Count the entities pointing here per property; list one page of each."""
    r = builder.r
    linking = indexed.incoming(r.pattern, subject, NOT_INVERSE) if r.pattern else None
    if linking is not None:
        counts = {p: len(subjects) for p, subjects in linking.items()}
    else:
        excluded = ", ".join(iri(p) for p in NOT_INVERSE)
        counts = {row["p"].value: number(row["n"]) for row in r.select(
            "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?this"
            f" FILTER(?p NOT IN ({excluded})) }} GROUP BY ?p", {"this": [subject]})}
    inverses = inverse_properties(r, list(counts))
    r.fetch_labels([*counts, *inverses.values()])
    groups = []
    for pred in sorted(counts, key=lambda p: r.label(p).lower()):
        count = counts[pred]
        pages = max(1, math.ceil(count / INVERSE_PAGE))
        current = min(max(page, 1), pages) if pred == focus else 1
        subjects = inverse_page(r, subject, pred, current, linking)
        groups.append(InverseGroup(iri=pred, label=inverse_label(r, pred, inverses.get(pred)),
                                   definition=r.definition(pred), count=count,
                                   items=item_views(builder, subjects, subject), page=current,
                                   pages=pages))
    return groups


def inverse_page(r: Reader, subject: str, pred: str, page: int,
                 linking: dict[str, list[ox.NamedNode | ox.BlankNode]] | None) -> list[str]:
    """One page of the entities linking to ``subject`` through ``pred``, by label."""
    lang = label_language(r.lang)
    start = (page - 1) * INVERSE_PAGE
    if linking is not None and r.pattern is not None and all(
            isinstance(s, ox.NamedNode) for s in linking[pred]):
        keyed = sorted((indexed.sort_key(r.pattern, s, lang), s.value)  # type: ignore[arg-type]
                       for s in linking[pred])
        return [s for _, s in keyed[start:start + INVERSE_PAGE]]
    return [x["s"].value for x in r.select(
        "SELECT ?s (MIN(LCASE(STR(COALESCE(?l1, ?l2, ?s)))) AS ?k) WHERE {"
        " ?s ?pred ?this"
        # "en" or "fr", one of two constants (Virtuoso fails on a bound ?lang here)
        f" OPTIONAL {{ ?s skos:prefLabel ?l1 FILTER(LANG(?l1) = \"{lang}\") }}"
        " OPTIONAL { ?s skos:prefLabel ?l2 } } GROUP BY ?s ORDER BY ?k ?s"
        f" LIMIT {INVERSE_PAGE} OFFSET {start}",
        {"this": [subject], "pred": [pred]}
    ) if isinstance(x.get("s"), ox.NamedNode)]


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
    pattern = ("?span dcterms:isPartOf ?doc . ?st prov:wasDerivedFrom ?span ;"
               " rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .")
    bound = {"doc": [doc]}
    total = r.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", bound)
    count = number(total[0].get("n")) if total else 0
    if not count:
        return None
    pages = max(1, math.ceil(count / FACTS_PAGE))
    current = min(max(page, 1), pages)
    found = r.select(
        f"SELECT ?s ?p ?o ?start ?end WHERE {{ {pattern}"
        " OPTIONAL { ?span oa:start ?start } OPTIONAL { ?span oa:end ?end } }"
        f" ORDER BY ?start ?end ?s ?p LIMIT {FACTS_PAGE} OFFSET {(current - 1) * FACTS_PAGE}",
        bound
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
