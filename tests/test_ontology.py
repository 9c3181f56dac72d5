"""The OWL ontology: every class and predicate of the seed schema, declared and documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from clusterld import schema

ROOT = Path(__file__).resolve().parents[1]
CLD = Namespace(schema.ONTOLOGY_NS)
ONTOLOGY = URIRef("https://w3id.org/clusterld/ontology")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SDO = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
VANN = Namespace("http://purl.org/vocab/vann/")

FAMILIES = {
    "common": schema.COMMON, "agent": schema.AGENT, "agreement": schema.AGREEMENT,
    "programme": schema.PROGRAMME, "event": schema.EVENT, "place": schema.PLACE,
    "work": schema.WORK,
}
DATATYPE_RANGES = {"text", "string", "date", "integer", "decimal", "boolean"}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ROOT / "ontology" / "clusterld.ttl")


def all_props() -> list[tuple[str, schema.Prop]]:
    """Every (where, Prop) of the schema, families and structs alike."""
    found = [(name, prop) for name, fam in FAMILIES.items() for prop in fam.values()]
    found += [(f"struct:{cls}", prop) for cls, keys in schema.STRUCTS.items()
              for prop in keys.values()]
    return found


def cld_predicates() -> set[str]:
    return {prop.predicate for _, prop in all_props() if ":" not in prop.predicate}


def langs(graph: Graph, node: URIRef, prop: URIRef) -> set[str]:
    return {o.language for o in graph.objects(node, prop)
            if isinstance(o, Literal) and str(o).strip()}


def members(graph: Graph, node: URIRef | BNode) -> set[URIRef]:
    """A named class, or the members of an owl:unionOf."""
    if isinstance(node, URIRef):
        return {node}
    union = graph.value(node, OWL.unionOf)
    return set(Collection(graph, union)) if union is not None else set()


def ancestors(graph: Graph, cls: URIRef) -> set[URIRef]:
    seen, todo = set(), [cls]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(o for o in graph.objects(current, RDFS.subClassOf)
                        if isinstance(o, URIRef))
    return seen


def test_header(onto: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, OWL.versionIRI) == URIRef(
        "https://w3id.org/clusterld/ontology/0.1.0")
    assert str(onto.value(ONTOLOGY, OWL.versionInfo)) == "0.1.0"
    assert onto.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert {"fr", "en"} <= langs(onto, ONTOLOGY, DCTERMS.title)
    assert {"fr", "en"} <= langs(onto, ONTOLOGY, DCTERMS.description)
    assert onto.value(ONTOLOGY, DCTERMS.created) is not None
    assert onto.value(ONTOLOGY, DCTERMS.creator) is not None
    assert str(onto.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "cld"
    assert not list(onto.objects(None, OWL.imports))


@pytest.mark.parametrize("cls", [*schema.SUPERCLASS, "TextSpan"])
def test_class_declared_documented_and_placed(onto: Graph, cls: str) -> None:
    iri = CLD[cls]
    assert (iri, RDF.type, OWL.Class) in onto
    assert {"fr", "en"} <= langs(onto, iri, RDFS.label), cls
    assert {"fr", "en"} <= langs(onto, iri, SKOS.definition), cls
    parent = schema.SUPERCLASS.get(cls)
    if parent:
        assert (iri, RDFS.subClassOf, CLD[parent]) in onto


@pytest.mark.parametrize("name", sorted(cld_predicates()))
def test_predicate_declared_with_the_kind_its_range_needs(onto: Graph, name: str) -> None:
    iri = CLD[name]
    kinds = {prop.range.partition(":")[0] for _, prop in all_props() if prop.predicate == name}
    assert len(kinds & DATATYPE_RANGES) in (0, len(kinds)), f"{name}: mixed ranges {kinds}"
    expected = OWL.DatatypeProperty if kinds <= DATATYPE_RANGES else OWL.ObjectProperty
    assert (iri, RDF.type, expected) in onto, f"{name} should be a {expected}"
    assert {"fr", "en"} <= langs(onto, iri, RDFS.label), name
    assert {"fr", "en"} <= langs(onto, iri, SKOS.definition), name


def test_every_cld_term_is_documented_in_both_languages(onto: Graph) -> None:
    terms = {s for s in onto.subjects(RDF.type, None)
             if isinstance(s, URIRef) and str(s).startswith(schema.ONTOLOGY_NS)}
    assert len(terms) > 150
    for term in terms:
        assert {"fr", "en"} <= langs(onto, term, RDFS.label), term
        assert {"fr", "en"} <= langs(onto, term, SKOS.definition), term


XSD_NS = "http://www.w3.org/2001/XMLSchema#"
EXPECTED_RANGE = {"text": RDF.langString, "string": URIRef(XSD_NS + "string"),
                  "date": CLD.Date, "decimal": URIRef(XSD_NS + "decimal"),
                  "boolean": URIRef(XSD_NS + "boolean"), "integer": URIRef(XSD_NS + "integer")}


@pytest.mark.parametrize("where,prop", all_props(), ids=lambda v: getattr(v, "predicate", v))
def test_range_matches_the_schema(onto: Graph, where: str, prop: schema.Prop) -> None:
    if ":" in prop.predicate:
        return
    kind, _, arg = prop.range.partition(":")
    ranges = set(onto.objects(CLD[prop.predicate], RDFS.range))
    if kind in ("ref", "struct"):
        assert ranges == {CLD[arg]}, prop.predicate
    elif kind == "concept":
        assert ranges == {SKOS.Concept}
    elif kind == "uri":
        assert not ranges
    else:
        assert ranges == {EXPECTED_RANGE[kind]}, prop.predicate


def kind_classes() -> list[tuple[str, str, schema.Prop]]:
    """(class, where, prop) for every class allowed a key, by kind family or struct."""
    rows = []
    for kind, families in schema.FAMILY_BY_KIND.items():
        for cls in schema.KINDS[kind]:
            rows += [(cls, kind, prop) for fam in families for prop in fam.values()]
    rows += [(cls, "struct", prop) for cls, keys in schema.STRUCTS.items()
             for prop in keys.values()]
    return rows


# Keys of the AGENT family that only make sense on one side of Person / Organisation: their
# domain is deliberately narrower than the family, so misuse shows up as a disjointness clash.
PERSON_ONLY = {"givenName", "familyName", "honorific", "holds"}
ORGANISATION_ONLY = {"foundingDate", "founder", "subOrganisationOf", "supervisedBy", "branchIn",
                     "plannedBranchIn", "headquartersIn", "exportsTo", "legalStatus"}


def test_domains_cover_every_class_allowed_the_key(onto: Graph) -> None:
    """A domain narrower than the schema would type good data into a disjoint class."""
    problems = []
    for cls, where, prop in kind_classes():
        if ":" in prop.predicate:
            continue
        if prop.predicate in PERSON_ONLY and cls != "Person":
            continue
        if prop.predicate in ORGANISATION_ONLY and cls == "Person":
            continue
        for domain in onto.objects(CLD[prop.predicate], RDFS.domain):
            if not members(onto, domain) & ancestors(onto, CLD[cls]):
                problems.append(f"{prop.predicate} ({where}) on {cls}: domain excludes it")
    assert not problems, "\n".join(sorted(set(problems)))
    for name in PERSON_ONLY:
        assert onto.value(CLD[name], RDFS.domain) == CLD.Person, name
    for name in ORGANISATION_ONLY:
        assert onto.value(CLD[name], RDFS.domain) == CLD.Organisation, name


def test_functional_only_where_the_schema_allows_one_value(onto: Graph) -> None:
    functional = {str(p)[len(schema.ONTOLOGY_NS):]
                  for p in onto.subjects(RDF.type, OWL.FunctionalProperty)}
    for where, prop in all_props():
        if prop.predicate in functional:
            assert not prop.many, f"{prop.predicate} is functional but many=True in {where}"
    assert {"foundingDate", "signatory", "onBehalfOf", "indicator", "value",
            "reportedOn", "postIn"} <= functional


@pytest.mark.parametrize("prop,inverse", [
    ("memberOf", "hasMember"), ("holds", "heldBy"), ("founder", "founded"),
    ("party", "partyTo"), ("subOrganisationOf", "hasSubOrganisation"),
    ("locatedIn", "containsPlace"), ("partOf", "hasPart"), ("postIn", "hasPost"),
])
def test_inverses(onto: Graph, prop: str, inverse: str) -> None:
    assert (CLD[prop], OWL.inverseOf, CLD[inverse]) in onto
    assert (CLD[inverse], RDF.type, OWL.ObjectProperty) in onto


@pytest.mark.parametrize("sub,sup", [
    (CLD.Agent, PROV.Agent), (CLD.Person, FOAF.Person), (CLD.Person, SDO.Person),
    (CLD.Person, PROV.Person), (CLD.Organisation, ORG.Organization),
    (CLD.Organisation, FOAF.Organization), (CLD.Organisation, SDO.Organization),
    (CLD.Organisation, PROV.Organization), (CLD.Company, ORG.FormalOrganization),
    (CLD.PublicBody, SDO.GovernmentOrganization), (CLD.Post, ORG.Post),
    (CLD.Plan, PROV.Plan), (CLD.Project, SDO.Project), (CLD.Event, SDO.Event),
    (CLD.Place, SDO.Place), (CLD.Country, SDO.Country), (CLD.City, SDO.City),
    (CLD.Work, SDO.CreativeWork), (CLD.Work, FOAF.Document), (CLD.Report, SDO.Report),
    (CLD.SourceDocument, SDO.NewsArticle), (CLD.TextSpan, OA.TextPositionSelector),
    (CLD.Participation, PROV.Association),
])
def test_class_alignment(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in onto


@pytest.mark.parametrize("sub,sup", [
    (CLD.memberOf, ORG.memberOf), (CLD.hasMember, ORG.hasMember),
    (CLD.subOrganisationOf, ORG.subOrganizationOf), (CLD.holds, ORG.holds),
    (CLD.heldBy, ORG.heldBy), (CLD.postIn, ORG.postIn), (CLD.foundingDate, SDO.foundingDate),
    (CLD.founder, SDO.founder), (CLD.startDate, SDO.startDate), (CLD.endDate, SDO.endDate),
    (CLD.organizer, SDO.organizer), (CLD.superEvent, SDO.superEvent),
    (CLD.fundedBy, SDO.funder), (CLD.location, SDO.location), (CLD.email, SDO.email),
    (CLD.telephone, SDO.telephone), (CLD.website, SDO.url), (CLD.givenName, FOAF.givenName),
    (CLD.familyName, FOAF.familyName), (CLD.participant, PROV.agent),
    (CLD.participationRole, PROV.hadRole), (CLD.partOf, DCTERMS.isPartOf),
    (CLD.topic, DCTERMS.subject), (CLD.targetRegion, DCTERMS.spatial),
    (CLD.title, DCTERMS.title), (CLD.acronym, SKOS.altLabel),
])
def test_property_alignment(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in onto


def test_disjointness_keeps_people_organisations_and_families_apart(onto: Graph) -> None:
    assert (CLD.Person, OWL.disjointWith, CLD.Organisation) in onto
    groups = [set(Collection(onto, onto.value(node, OWL.members)))
              for node in onto.subjects(RDF.type, OWL.AllDisjointClasses)]
    tops = {CLD[c] for c in ("Agent", "Plan", "Agreement", "Event", "Place", "Work", "Post",
                             "Signature", "Participation", "Funding", "Support", "Figure",
                             "TextSpan")}
    assert tops in groups
    named = {c for g in groups for c in g} | set(onto.subjects(OWL.disjointWith, None)) | set(
        onto.objects(None, OWL.disjointWith))
    assert all(str(c).startswith(schema.ONTOLOGY_NS) for c in named), "external class"


def test_golden_graph_uses_only_declared_terms(onto: Graph) -> None:
    """What the converter writes (tests/golden/mini.trig) is declared in the ontology."""
    from rdflib import Dataset
    ds = Dataset()
    ds.parse(ROOT / "tests" / "golden" / "mini.trig", format="trig")
    declared = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef)}
    used = set()
    for _, p, o, _ in ds.quads((None, None, None, None)):
        used.add(p)
        if p == RDF.type:
            used.add(o)
    undeclared = {t for t in used if str(t).startswith(schema.ONTOLOGY_NS)} - declared
    assert not undeclared


def test_ontology_loads_with_the_concept_schemes() -> None:
    graph = Graph()
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(ttl)
    assert (CLD.Cluster, RDF.type, OWL.Class) in graph


# --- JSON-LD context ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))[
        "@context"]


def test_context_prefixes(context: dict) -> None:
    for prefix in ("cld", "skos", "rdfs", "dcterms", "prov", "oa", "xsd", "schema", "org",
                   "foaf", "owl"):
        assert prefix in context, prefix
    assert context["cld"] == schema.ONTOLOGY_NS
    assert context["schema"] == str(SDO)


def test_context_has_a_term_for_every_cld_property(onto: Graph, context: dict) -> None:
    by_iri = {}
    for value in context.values():
        iri = value["@id"] if isinstance(value, dict) else value
        by_iri[iri] = value
    for prop in set(onto.subjects(RDF.type, OWL.ObjectProperty)) | set(
            onto.subjects(RDF.type, OWL.DatatypeProperty)):
        curie = "cld:" + str(prop)[len(schema.ONTOLOGY_NS):]
        assert curie in by_iri, curie
        value = by_iri[curie]
        if (prop, RDF.type, OWL.ObjectProperty) in onto:
            assert value["@type"] == "@id", curie
        elif onto.value(prop, RDFS.range) == RDF.langString:
            assert value["@container"] == "@language", curie
    assert context["prefLabel"] == {"@id": "skos:prefLabel", "@container": "@language"}


def test_context_round_trips_a_graph(context: dict) -> None:
    data = Graph().parse(data="""
        @prefix cld: <https://w3id.org/clusterld/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/clusterld/id/cluster/x> a cld:Cluster ;
            skos:prefLabel "Grappe"@fr, "Cluster"@en ; skos:altLabel "X"@fr, "Ex"@fr ;
            cld:acronym "X" ; cld:memberOf <https://w3id.org/clusterld/id/network/n> ;
            cld:foundingDate "2012"^^xsd:gYear ; cld:online true ;
            cld:website <https://example.org/> .
        """, format="turtle")
    text = data.serialize(format="json-ld", context=context)
    doc = json.loads(text)
    node = next(n for n in doc.get("@graph", [doc]) if n.get("type") == "Cluster")
    assert node["prefLabel"] == {"fr": "Grappe", "en": "Cluster"}
    assert node["memberOf"] == "https://w3id.org/clusterld/id/network/n"
    assert isomorphic(Graph().parse(data=text, format="json-ld"), data)
