"""A small graph for the page tests, shaped like the converter's output (see docs/design.md).

It has labels in both languages, a literal with markup in it, reified statements with
spans, a Wikidata link, nested nodes, 30 members of one network (inverse paging) and 31
clusters in two countries, two sectors and several years (class paging and filters).
"""

from __future__ import annotations

import hashlib

BASE = "https://w3id.org/clusterld/"
CLD = "https://w3id.org/clusterld/ontology#"
VOCAB = "https://w3id.org/clusterld/vocab/"
XSS = "<script>alert(1)</script>"
CE3M_EN = "Moroccan Cluster for Electronics, Mechatronics and Mechanics"
CE3M_FR = "Cluster électronique, mécatronique et mécanique du Maroc"
MEMBERS = 30
EXTRA_CLUSTERS = 28

PREFIXES = f"""@prefix cld: <{CLD}> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix id: <{BASE}id/> .
@prefix v: <{VOCAB}> .
"""

ONTOLOGY = [
    ("Organisation", "class", "organisation", "organisation", "An organised body of people."),
    ("Cluster", "class", "cluster", "cluster",
     "A grouping of firms and institutions of one sector and region."),
    ("Network", "class", "network", "réseau", "A network of organisations."),
    ("Company", "class", "company", "entreprise", "A business."),
    ("Person", "class", "person", "personne", "A human being."),
    ("Place", "class", "place", "lieu", "A place."),
    ("Country", "class", "country", "pays", "A sovereign state."),
    ("City", "class", "city", "ville", "A city."),
    ("Post", "class", "post", "poste", "A position held in an organisation."),
    ("Figure", "class", "figure", "chiffre", "A figure reported at a date."),
    ("SourceDocument", "class", "source document", "document source", "An article."),
    ("country", "prop", "country", "pays", "The country an agent belongs to."),
    ("memberOf", "prop", "member of", "membre de", "Membership of an organisation."),
    ("sector", "prop", "sector", "secteur", "A sector of activity."),
    ("acronym", "prop", "acronym", "sigle", "A short name made of initials."),
    ("foundingDate", "prop", "founding date", "date de création", "When it was founded."),
    ("hasFigure", "prop", "figure", "chiffre", "A figure about the subject."),
    ("indicator", "prop", "indicator", "indicateur", "What a figure measures."),
    ("value", "prop", "value", "valeur", "The figure's value."),
    ("unit", "prop", "unit", "unité", "The unit of a value."),
    ("qualifier", "prop", "qualifier", "qualificatif", "How exact a figure is."),
    ("reportedOn", "prop", "reported on", "publié le", "When the figure was reported."),
    ("holds", "prop", "holds", "occupe", "A post held by a person."),
    ("postIn", "prop", "post in", "poste dans", "The organisation of a post."),
    ("role", "prop", "role", "rôle", "A role."),
    ("locatedIn", "prop", "located in", "situé dans", "A larger place."),
]
SUBCLASS = {"Cluster": "Organisation", "Network": "Organisation", "Company": "Organisation",
            "Country": "Place", "City": "Place"}
CONCEPTS = [
    ("sector/mechatronics", "mécatronique", "mechatronics"),
    ("sector/textile", "textile", "textile"),
    ("sector/denim", "denim", "denim"),
    ("indicator/memberCount", "nombre de membres", "member count"),
    ("unit/member", "membres", "members"),
    ("qualifier/approx", "environ", "approximately"),
    ("role/president", "président", "president"),
]


def lit(text: str, lang: str | None = None) -> str:
    """A Turtle string literal."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{body}"' + (f"@{lang}" if lang else "")


class Source:
    """Collects one source graph's facts with their reified statements."""

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.lines: list[str] = []

    def fact(self, s: str, p: str, o: str, start: int, end: int) -> None:
        self.lines.append(f"{s} {p} {o} .")
        digest = hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:20]
        span = f"<{BASE}id/source/{self.sid}#char={start},{end}>"
        self.lines.append(
            f"<{BASE}id/statement/{digest}> a rdf:Statement ; rdf:subject {s} ;"
            f" rdf:predicate {p} ; rdf:object {o} ; prov:wasDerivedFrom {span} .")
        self.lines.append(
            f"{span} a cld:TextSpan ; oa:start {start} ; oa:end {end} ;"
            f" dcterms:isPartOf <{BASE}id/source/{self.sid}> .")

    def plain(self, line: str) -> None:
        self.lines.append(line)

    def trig(self) -> str:
        body = "\n    ".join(self.lines)
        return f"<{BASE}graph/source/{self.sid}> {{\n    {body}\n}}\n"


def labels(s: str, en: str | None, fr: str | None) -> str:
    out = []
    for text, lang in ((en, "en"), (fr, "fr")):
        if text:
            out.append(f"{s} skos:prefLabel {lit(text, lang)} ; rdfs:label {lit(text, lang)} .")
    return " ".join(out)


def ontology_graph() -> str:
    lines = []
    for name, kind, en, fr, definition in ONTOLOGY:
        typ = "owl:Class" if kind == "class" else "owl:ObjectProperty"
        lines.append(f"cld:{name} a {typ} ; rdfs:label {lit(en, 'en')}, {lit(fr, 'fr')} ;"
                     f" skos:definition {lit(definition, 'en')} .")
    for sub, sup in SUBCLASS.items():
        lines.append(f"cld:{sub} rdfs:subClassOf cld:{sup} .")
    for path, fr, en in CONCEPTS:
        lines.append(f"<{VOCAB}{path}> a skos:Concept ; skos:prefLabel {lit(fr, 'fr')},"
                     f" {lit(en, 'en')} ; skos:notation {lit(path.split('/')[1])} .")
    lines.append(f"<{VOCAB}sector/denim> skos:broader <{VOCAB}sector/textile> .")
    lines.append('cld:hasMember a owl:ObjectProperty ; owl:inverseOf cld:memberOf ;'
                 ' rdfs:label "has member"@en, "a pour membre"@fr .')
    return f"<{BASE}graph/ontology> {{\n    " + "\n    ".join(lines) + "\n}\n"


def meta_graph() -> str:
    doc0, doc1 = f"<{BASE}id/source/000>", f"<{BASE}id/source/001>"
    title0 = lit("Maroc Cluster et la prise en charge de son réseau", "fr")
    return f"""<{BASE}graph/meta> {{
    {doc0} a cld:SourceDocument ; dcterms:title {title0} ;
        dcterms:publisher "Les ECO" ; dcterms:issued "2016-12-01"^^xsd:date .
    {doc1} a cld:SourceDocument ; dcterms:title {lit("Un article " + XSS, "fr")} ;
        dcterms:publisher {lit("Press & <b>Co</b>")} ; dcterms:issued "2021-01-22"^^xsd:date .
    <{BASE}graph/source/000> prov:wasDerivedFrom {doc0} .
}}
"""


def trig() -> str:
    """The whole test graph as TriG."""
    s0, s1 = Source("000"), Source("001")
    ce3m, net = f"<{BASE}id/cluster/ce3m>", f"<{BASE}id/network/maroc-cluster>"
    morocco, tunisia = f"<{BASE}id/place/morocco>", f"<{BASE}id/place/tunisia>"
    fig = f"<{BASE}id/cluster/ce3m/figure/memberCount-2016-12-01>"
    jane, post = f"<{BASE}id/person/jane-doe>", f"<{BASE}id/person/jane-doe/post/ce3m-president>"
    s0.plain(f"{ce3m} a cld:Cluster . " + labels(ce3m, CE3M_EN, CE3M_FR))
    s0.fact(ce3m, "skos:altLabel", lit("Cluster Electronique, Mécatronique & Mécanique", "fr"),
            1745, 1823)
    s0.fact(ce3m, "cld:acronym", lit("CE3M"), 1745, 1823)
    s0.fact(ce3m, "cld:country", morocco, 1745, 1823)
    s0.fact(ce3m, "cld:memberOf", net, 3110, 3190)
    s0.fact(ce3m, "cld:sector", f"<{VOCAB}sector/mechatronics>", 3110, 3190)
    s0.fact(ce3m, "cld:foundingDate", '"2006"^^xsd:gYear', 200, 260)
    s0.fact(ce3m, "dcterms:description", lit(f"A cluster {XSS} </script><b>bold</b>", "en"),
            200, 260)
    s0.fact(ce3m, "cld:hasFigure", fig, 400, 450)
    s0.plain(f"{fig} a cld:Figure .")
    s0.fact(fig, "cld:indicator", f"<{VOCAB}indicator/memberCount>", 400, 450)
    s0.fact(fig, "cld:value", "120", 400, 450)
    s0.fact(fig, "cld:unit", f"<{VOCAB}unit/member>", 400, 450)
    s0.fact(fig, "cld:qualifier", f"<{VOCAB}qualifier/approx>", 400, 450)
    s0.fact(fig, "cld:reportedOn", '"2016-12-01"^^xsd:date', 400, 450)
    s0.plain(f"{ce3m} skos:exactMatch <http://www.wikidata.org/entity/Q4242> .")
    s0.plain(f"{net} a cld:Network . " + labels(net, "Maroc Cluster", "Maroc Cluster"))
    s0.plain(f"{morocco} a cld:Country . " + labels(morocco, "Morocco", "Maroc"))
    s0.plain(f"{tunisia} a cld:Country . " + labels(tunisia, "Tunisia", "Tunisie"))
    casa = f"<{BASE}id/place/casablanca>"
    s0.plain(f"{casa} a cld:City ; cld:locatedIn {morocco} . "
             + labels(casa, "Casablanca", "Casablanca"))
    s1.plain(f"{jane} a cld:Person . " + labels(jane, "Jane Doe", None))
    s1.fact(jane, "cld:holds", post, 10, 60)
    s1.plain(f"{post} a cld:Post .")
    s1.fact(post, "cld:postIn", ce3m, 10, 60)
    s1.fact(post, "cld:role", f"<{VOCAB}role/president>", 10, 60)
    for i in range(1, MEMBERS + 1):
        org = f"<{BASE}id/org/member-{i:02d}>"
        s0.plain(f"{org} a cld:Company . " + labels(org, f"Member company {i:02d}",
                                                    f"Entreprise membre {i:02d}"))
        s0.fact(org, "cld:memberOf", net, 5000 + i, 5010 + i)
    for i in range(1, EXTRA_CLUSTERS + 1):
        c = f"<{BASE}id/cluster/c{i:02d}>"
        country = morocco if i % 2 else tunisia
        sector = "textile" if i % 3 == 0 else ("denim" if i % 3 == 1 else "mechatronics")
        s1.plain(f"{c} a cld:Cluster ; cld:country {country} ; cld:sector <{VOCAB}sector/{sector}>"
                 f' ; cld:foundingDate "{2010 + i % 4}-03-01"^^xsd:date . '
                 + labels(c, f"Cluster {i:02d}", f"Grappe {i:02d}"))
    mt = f"<{BASE}id/cluster/mecatronic-tunisia>"
    s1.plain(f"{mt} a cld:Cluster ; cld:country {tunisia} ; cld:sector <{VOCAB}sector/mechatronics>"
             ' ; cld:foundingDate "2011"^^xsd:gYear . '
             + labels(mt, "Mecatronic Cluster Tunisia", "Cluster Mecatronic Tunisia"))
    xss = f"<{BASE}id/cluster/xss>"
    s1.plain(f"{xss} a cld:Cluster ; cld:country {tunisia} . " + labels(xss, XSS, XSS))
    return PREFIXES + ontology_graph() + meta_graph() + s0.trig() + s1.trig()
