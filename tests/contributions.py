"""Generated contributions, good and bad, for the incremental-validation differential test.

Each builder takes a seeded :class:`random.Random` and a :class:`World` (what the base graph
holds, by class) and returns ``(kind, graph)``: a contribution of a few to ~25 triples shaped
like what the converter writes (labels as skos:prefLabel + rdfs:label, struct nodes under
their owner's IRI). Some are meant to conform, many break one thing — wrong datatypes,
missing labels, a single party, references to entities that do not exist, sh:class
violations, and changes to existing nodes that make them (or nodes pointing at them) invalid.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from clusterld import schema

CLD = Namespace(schema.ONTOLOGY_NS)
DCT = Namespace("http://purl.org/dc/terms/")
VOCAB = schema.VOCAB_NS
Builder = Callable[[random.Random, "World", int], tuple[str, Graph]]


@dataclass
class World:
    """The base graph's nodes by (clusterld) class, with subclasses folded in."""

    graph: Graph
    base: str = schema.DEFAULT_BASE
    by_class: dict[str, list[URIRef]] = field(default_factory=dict)
    concepts: dict[str, list[URIRef]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Graph, concepts: Graph) -> World:
        world = cls(graph)
        for local in schema.SUPERCLASS:
            found = set()
            for sub in schema.SUPERCLASS:
                if schema.is_subclass(sub, local):
                    found |= set(graph.subjects(RDF.type, CLD[sub]))
            world.by_class[local] = sorted(n for n in found if isinstance(n, URIRef))
        for concept in concepts.subjects(RDF.type, SKOS.Concept):
            text = str(concept)
            if text.startswith(VOCAB):
                world.concepts.setdefault(text[len(VOCAB):].split("/")[0], []).append(concept)
        for values in world.concepts.values():
            values.sort()
        return world

    def pick(self, rng: random.Random, cls: str, k: int = 1) -> list[URIRef]:
        nodes = self.by_class.get(cls) or self.by_class["Organisation"]
        return rng.sample(nodes, min(k, len(nodes)))

    def one(self, rng: random.Random, cls: str) -> URIRef:
        return self.pick(rng, cls)[0]

    def concept(self, rng: random.Random, scheme: str) -> URIRef:
        return rng.choice(self.concepts[scheme])

    def new(self, kind: str, n: int, slug: str = "contrib") -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{slug}-{n}")


def labels(g: Graph, node: URIRef, text: str, langs: tuple[str, ...] = ("fr", "en")) -> None:
    for lang in langs:
        g.add((node, SKOS.prefLabel, Literal(f"{text} ({lang})", lang=lang)))
        g.add((node, RDFS.label, Literal(f"{text} ({lang})", lang=lang)))


def agreement(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    variant = rng.choice(["good", "good", "good", "single_party", "no_label", "missing_party",
                          "party_place", "date_string", "date_ill_typed", "two_dates",
                          "sig_not_party", "sig_two_signatories", "sig_signatory_org",
                          "sig_new_person", "fr_twice", "also_agent"])
    g = Graph()
    a = w.new("agreement", n)
    g.add((a, RDF.type, CLD[rng.choice(["Agreement", "PartnershipAgreement",
                                        "MemorandumOfUnderstanding"])]))
    if variant != "no_label":
        labels(g, a, f"Accord {n}")
    if variant == "fr_twice":
        g.add((a, SKOS.prefLabel, Literal(f"Convention {n}", lang="fr")))
    parties = w.pick(rng, "Organisation", 1 if variant == "single_party" else rng.randint(2, 3))
    if variant == "missing_party":
        parties.append(w.new("org", n, "nowhere"))
    if variant == "party_place":
        parties.append(w.one(rng, "Place"))
    for party in parties:
        g.add((a, CLD.party, party))
    date = {"date_string": Literal("3 mai 2024"),
            "date_ill_typed": Literal("2024-13-45", datatype=XSD.date)}.get(
        variant, Literal(f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                         datatype=XSD.date))
    g.add((a, CLD.signingDate, date))
    if variant == "two_dates":
        g.add((a, CLD.signingDate, Literal("2019", datatype=XSD.gYear)))
    if rng.random() < 0.5:
        g.add((a, CLD.signingPlace, w.one(rng, "City")))
    if rng.random() < 0.3:
        g.add((a, CLD.sector, w.concept(rng, "sector")))
    if variant.startswith("sig") or rng.random() < 0.4:
        person = w.one(rng, "Person")
        sig = URIRef(f"{a}/signature/{person.rsplit('/', 1)[-1]}")
        g.add((a, CLD.hasSignature, sig))
        g.add((sig, RDF.type, CLD.Signature))
        g.add((sig, CLD.role, w.concept(rng, "role")))
        if variant == "sig_signatory_org":
            g.add((sig, CLD.signatory, w.one(rng, "Company")))
        elif variant == "sig_new_person":
            newcomer = w.new("person", n)
            g.add((newcomer, RDF.type, CLD.Person))
            g.add((newcomer, CLD.givenName, Literal("Nour")))
            g.add((sig, CLD.signatory, newcomer))
        else:
            g.add((sig, CLD.signatory, person))
        if variant == "sig_two_signatories":
            g.add((sig, CLD.signatory, w.one(rng, "Person")))
        behalf = w.one(rng, "Network") if variant == "sig_not_party" else parties[0]
        g.add((sig, CLD.onBehalfOf, behalf))
    if variant == "also_agent":
        g.add((a, RDF.type, CLD.Organisation))
    return f"agreement/{variant}", g


def membership(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    variant = rng.choice(["good", "good", "founding", "new_org", "new_org_unlabelled",
                          "of_place", "of_person", "of_nothing", "of_literal"])
    g = Graph()
    member = w.one(rng, rng.choice(["Cluster", "Company", "Association"]))
    if variant.startswith("new_org"):
        member = w.new("org", n)
        g.add((member, RDF.type, CLD[rng.choice(["Company", "Cluster", "Organisation"])]))
        if variant == "new_org":
            labels(g, member, f"Entreprise {n}")
            g.add((member, CLD.country, w.one(rng, "Country")))
    target = {"of_place": w.one(rng, "Place"), "of_person": w.one(rng, "Person"),
              "of_nothing": w.new("network", n, "ghost"),
              "of_literal": Literal("Maroc Cluster")}.get(variant, w.one(rng, "Network"))
    g.add((member, CLD.foundingMemberOf if variant == "founding" else CLD.memberOf, target))
    return f"membership/{variant}", g


def person_post(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    variant = rng.choice(["good", "good", "good", "post_no_org", "post_two_orgs", "role_literal",
                          "given_twice", "family_int", "also_org", "holds_existing_post",
                          "post_in_place", "no_label"])
    g = Graph()
    p = w.new("person", n)
    g.add((p, RDF.type, CLD.Person))
    if variant != "no_label":
        labels(g, p, f"Personne {n}", rng.choice([("fr", "en"), ("fr",), ("en",)]))
    g.add((p, CLD.givenName, Literal("Amina")))
    g.add((p, CLD.familyName, Literal(7, datatype=XSD.integer) if variant == "family_int"
           else Literal(f"Ben Salah {n}")))
    if variant == "given_twice":
        g.add((p, CLD.givenName, Literal("Amira")))
    if variant == "also_org":
        g.add((p, RDF.type, CLD.Organisation))
    org = w.one(rng, "Place" if variant == "post_in_place" else "Organisation")
    post = URIRef(f"{p}/post/{org.rsplit('/', 1)[-1]}-member")
    if variant == "holds_existing_post" and w.by_class["Post"]:
        post = w.one(rng, "Post")
        g.add((p, CLD.holds, post))
        return f"person/{variant}", g
    g.add((p, CLD.holds, post))
    g.add((post, RDF.type, CLD.Post))
    if variant != "post_no_org":
        g.add((post, CLD.postIn, org))
    if variant == "post_two_orgs":
        g.add((post, CLD.postIn, w.one(rng, "Cluster")))
    g.add((post, CLD.role, Literal("président") if variant == "role_literal"
           else w.concept(rng, "role")))
    g.add((post, CLD.postTitle, Literal("Président", lang="fr")))
    return f"person/{variant}", g


def figure(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    variant = rng.choice(["int", "int", "decimal", "string", "two_values", "no_indicator",
                          "extra_prop", "scope_org", "blank_node", "indicator_literal"])
    g = Graph()
    owner = w.one(rng, rng.choice(["Cluster", "Network", "Programme"]))
    fig: URIRef | BNode = (BNode(f"fig{n}") if variant == "blank_node"
                           else URIRef(f"{owner}/figure/contrib-{n}"))
    g.add((owner, CLD.hasFigure, fig))
    g.add((fig, RDF.type, CLD.Figure))
    if variant != "no_indicator":
        g.add((fig, CLD.indicator, Literal("members") if variant == "indicator_literal"
               else w.concept(rng, "indicator")))
    value = {"decimal": Literal("12.5", datatype=XSD.decimal), "string": Literal("douze")}.get(
        variant, Literal(rng.randint(1, 500), datatype=XSD.integer))
    g.add((fig, CLD.value, value))
    if variant == "two_values":
        g.add((fig, CLD.value, Literal(13, datatype=XSD.integer)))
    g.add((fig, CLD.reportedOn, Literal(f"20{rng.randint(10, 25)}", datatype=XSD.gYear)))
    if variant == "extra_prop":
        g.add((fig, CLD["comment"], Literal("estimation")))
    if variant == "scope_org" or rng.random() < 0.3:
        g.add((fig, CLD.scope, w.one(rng, "Company" if variant == "scope_org" else "Country")))
    return f"figure/{variant}", g


def touch(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    """Contributions on existing nodes (some make them, or their referrers, invalid)."""
    variant = rng.choice(["second_fr_label", "second_fr_label", "label_only_rdfs", "label_de",
                          "alt_equals_pref", "located_in_org", "person_is_org", "end_before_start",
                          "second_start", "morocco_label", "description", "party_person",
                          "second_founding_date", "same_as", "new_alt_label", "exact_match",
                          "sector_bad"])
    g = Graph()
    node = w.one(rng, rng.choice(["Cluster", "Network", "Person", "Organisation", "Place"]))
    if variant == "second_fr_label":
        g.add((node, SKOS.prefLabel, Literal(f"Autre nom {n}", lang="fr")))
        g.add((node, RDFS.label, Literal(f"Autre nom {n}", lang="fr")))
    elif variant == "label_only_rdfs":
        g.add((node, RDFS.label, Literal(f"Nom {n}", lang="ar")))
    elif variant == "label_de":
        g.add((node, SKOS.prefLabel, Literal(f"Name {n}", lang="de")))
        g.add((node, RDFS.label, Literal(f"Name {n}", lang="de")))
    elif variant == "alt_equals_pref":
        pref = w.graph.value(node, SKOS.prefLabel)
        g.add((node, SKOS.altLabel, pref if pref is not None else Literal("x", lang="fr")))
    elif variant == "located_in_org":
        g.add((w.one(rng, "City"), CLD.locatedIn, w.one(rng, "Company")))
    elif variant == "person_is_org":
        g.add((w.one(rng, "Person"), RDF.type, CLD.Organisation))
    elif variant in ("end_before_start", "second_start"):
        events = [e for e in w.by_class["Event"] if (e, CLD.startDate, None) in w.graph]
        event = rng.choice(events) if events else w.one(rng, "Event")
        if variant == "end_before_start":
            g.add((event, CLD.endDate, Literal("1999-01-01", datatype=XSD.date)))
        else:
            g.add((event, CLD.startDate, Literal("2030-01-01", datatype=XSD.date)))
    elif variant == "morocco_label":
        g.add((URIRef(f"{w.base}id/place/morocco"), SKOS.prefLabel, Literal("Maghreb", lang="ar")))
    elif variant == "description":
        g.add((node, DCT.description, Literal(f"Description {n}.", lang="fr")))
    elif variant == "party_person":
        g.add((w.one(rng, "Agreement"), CLD.party, w.one(rng, "Person")))
    elif variant == "second_founding_date":
        g.add((w.one(rng, "Cluster"), CLD.foundingDate, Literal("1901", datatype=XSD.gYear)))
    elif variant == "same_as":
        g.add((node, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/Q{n}")))
    elif variant == "exact_match":
        g.add((node, SKOS.exactMatch, URIRef(f"http://www.wikidata.org/entity/Q{n}")))
    elif variant == "sector_bad":
        g.add((node, CLD.sector, URIRef(f"{VOCAB}sector/no-such-sector-{n}")))
    else:
        g.add((node, SKOS.altLabel, Literal(f"Alias {n}", lang="en")))
    return f"touch/{variant}", g


def restate(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    """Facts the graph already holds (changes nothing)."""
    node = w.one(rng, rng.choice(["Cluster", "Agreement", "Person"]))
    g = Graph()
    for triple in list(w.graph.triples((node, None, None)))[:12]:
        g.add(triple)
    return "restate", g


def mixed(rng: random.Random, w: World, n: int) -> tuple[str, Graph]:
    """Two contributions in one (about twenty triples)."""
    first, g1 = rng.choice(SINGLE)(rng, w, n)
    second, g2 = rng.choice(SINGLE)(rng, w, n + 100_000)
    return f"mixed({first}+{second})", g1 + g2


SINGLE: list[Builder] = [agreement, agreement, membership, person_post, figure, touch, touch,
                         restate]
ALL: list[Builder] = [*SINGLE, mixed, mixed]


def generate(world: World, count: int, seed: int) -> list[tuple[str, Graph]]:
    """``count`` contributions, deterministic for a given seed."""
    rng = random.Random(seed)
    return [rng.choice(ALL)(rng, world, i) for i in range(count)]
