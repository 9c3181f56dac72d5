"""The SHACL shapes: coverage, bilingual messages, and each kind of bad data they catch."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

from clusterld import schema

ROOT = Path(__file__).resolve().parents[1]
CLD = Namespace(schema.ONTOLOGY_NS)
CLDS = Namespace(schema.SHAPES_NS)
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
E = Namespace("https://w3id.org/clusterld/id/")

PREFIXES = """
@prefix cld: <https://w3id.org/clusterld/ontology#> .
@prefix e: <https://w3id.org/clusterld/id/> .
@prefix v: <https://w3id.org/clusterld/vocab/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
"""

# A small graph that uses every family of shapes and conforms.
VALID = """
e:cluster a cld:Cluster ;
    skos:prefLabel "Cluster exemple"@fr, "Example cluster"@en ;
    rdfs:label "Cluster exemple"@fr, "Example cluster"@en ;
    skos:altLabel "Exemple"@fr ; cld:acronym "EXC" ;
    dcterms:description "Un cluster."@fr ;
    cld:country e:morocco ; cld:sector v:sector\\/mechatronics ;
    cld:foundingDate "2012"^^xsd:gYear ; cld:memberOf e:network ;
    cld:website <https://example.org/> ; cld:email "contact@example.org" ;
    cld:telephone "+212 5 22 00 00 00" ;
    skos:exactMatch <http://www.wikidata.org/entity/Q42> ;
    cld:hasFigure e:cluster\\/figure\\/members .
e:cluster\\/figure\\/members a cld:Figure ; cld:indicator v:indicator\\/memberCount ;
    cld:value 42 ; cld:reportedOn "2024-05-04"^^xsd:date ;
    cld:qualifier v:qualifier\\/exact .
e:network a cld:Network ; skos:prefLabel "Réseau"@fr .
e:morocco a cld:Country ; skos:prefLabel "Maroc"@fr, "Morocco"@en .
e:rabat a cld:City ; skos:prefLabel "Rabat"@fr ; cld:locatedIn e:morocco .
e:jane a cld:Person ; skos:prefLabel "Jane Doe"@en ; cld:givenName "Jane" ;
    cld:familyName "Doe" ; cld:holds e:jane\\/post\\/cluster-president .
e:jane\\/post\\/cluster-president a cld:Post ; cld:postIn e:cluster ;
    cld:role v:role\\/president ; cld:postTitle "présidente"@fr .
e:agreement a cld:PartnershipAgreement ; skos:prefLabel "Accord"@fr ;
    cld:party e:cluster, e:network ; cld:signingDate "2024-05"^^xsd:gYearMonth ;
    cld:signingPlace e:rabat ; cld:hasSignature e:agreement\\/signature\\/jane .
e:agreement\\/signature\\/jane a cld:Signature ; cld:signatory e:jane ;
    cld:onBehalfOf e:cluster ; cld:role v:role\\/president .
e:programme a cld:Project ; skos:prefLabel "Projet"@fr ;
    cld:startDate "2020"^^xsd:gYear ; cld:endDate "2020-06-30"^^xsd:date ;
    cld:ledBy e:cluster ; cld:hasFunding e:programme\\/funding\\/network ;
    cld:fundedBy e:network ; cld:hasParticipation e:programme\\/participation\\/jane .
e:programme\\/funding\\/network a cld:Funding ; cld:funder e:network ; cld:fundingShare 60 .
e:programme\\/participation\\/jane a cld:Participation ; cld:participant e:jane ;
    cld:participationRole v:role\\/partner ; cld:country e:morocco .
e:forum a cld:Forum ; skos:prefLabel "Forum"@fr ; cld:startDate "2024-12-16"^^xsd:date ;
    cld:endDate "2024-12-17"^^xsd:date ; cld:venue e:rabat ; cld:online false ;
    cld:speaker e:jane ; cld:topic v:sector\\/mechatronics ; cld:partOf e:programme .
e:source\\/900 a cld:SourceDocument ; dcterms:title "Article"@fr ;
    dcterms:publisher "Le Journal" ; dcterms:issued "2024-05-04"^^xsd:date ;
    dcterms:language "fr" ; cld:fileName "900_article.txt" .
<https://w3id.org/clusterld/id/source/900#char=0,12> a cld:TextSpan ;
    oa:start "0"^^xsd:nonNegativeInteger ; oa:end "12"^^xsd:nonNegativeInteger ;
    dcterms:isPartOf e:source\\/900 .
e:statement\\/1 a rdf:Statement ; rdf:subject e:cluster ; rdf:predicate cld:memberOf ;
    rdf:object e:network ;
    prov:wasDerivedFrom <https://w3id.org/clusterld/id/source/900#char=0,12> .
"""


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ROOT / "shapes" / "clusterld-shapes.ttl")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(ttl)
    return graph


def results(shapes: Graph, ontology: Graph, turtle: str) -> set[tuple[str, str | None]]:
    """(source shape local name, result path) of every validation result."""
    data = Graph().parse(data=PREFIXES + turtle, format="turtle")
    conforms, report, _ = validate(data, shacl_graph=shapes, ont_graph=ontology,
                                   inference="rdfs", advanced=True)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        name = str(shape)[len(schema.SHAPES_NS):] if isinstance(shape, URIRef) else "_:"
        found.add((name, str(path) if isinstance(path, URIRef) else None))
    assert conforms == (not found)
    return found


# --- structure --------------------------------------------------------------------------


def instantiable() -> set[str]:
    classes = {c for kind in schema.KINDS.values() for c in kind}
    return classes | set(schema.STRUCTS) | {"SourceDocument", "TextSpan"}


def test_a_targeted_node_shape_per_instantiable_class(shapes: Graph) -> None:
    targeted = {str(t) for t in shapes.objects(None, SH.targetClass)}
    missing = {c for c in instantiable() if schema.ONTOLOGY_NS + c not in targeted}
    assert not missing
    for cls in instantiable():
        assert (CLDS[f"{cls}Shape"], SH.targetClass, CLD[cls]) in shapes, cls


def langs(graph: Graph, node: URIRef, prop: URIRef) -> set[str]:
    return {o.language for o in graph.objects(node, prop) if isinstance(o, Literal)}


CONSTRAINTS = (SH["class"], SH.datatype, SH.nodeKind, SH.node, SH["not"], SH["or"],
               SH.pattern, SH.minCount, SH.maxCount, SH.hasValue, SH.lessThan,
               SH.qualifiedValueShape, SH.uniqueLang, SH.minInclusive, SH.sparql)


def test_every_property_shape_has_names_and_messages_in_french_and_english(
        shapes: Graph) -> None:
    prop_shapes = set(shapes.subjects(SH.path, None))
    assert len(prop_shapes) > 100
    for shape in prop_shapes:
        assert isinstance(shape, URIRef), f"anonymous property shape with path " \
                                         f"{shapes.value(shape, SH.path)}"
        assert {"fr", "en"} <= langs(shapes, shape, SH.name), shape
        assert {"fr", "en"} <= langs(shapes, shape, SH.message), shape


def test_every_node_level_constraint_has_messages_in_french_and_english(shapes: Graph) -> None:
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if any((shape, c, None) in shapes for c in CONSTRAINTS if c != SH.sparql):
            assert {"fr", "en"} <= langs(shapes, shape, SH.message), shape
        elif not any(shapes.objects(shape, SH.property)) and not any(
                shapes.objects(shape, SH.sparql)):
            assert {"fr", "en"} <= langs(shapes, shape, RDFS.comment), shape
    for sparql in shapes.objects(None, SH.sparql):
        assert {"fr", "en"} <= langs(shapes, sparql, SH.message)


def test_every_property_shape_is_used(shapes: Graph) -> None:
    used = set(shapes.objects(None, SH.property))
    assert set(shapes.subjects(RDF.type, SH.PropertyShape)) <= used


# --- data -------------------------------------------------------------------------------


def test_valid_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    assert results(shapes, ontology, VALID) == set()


def test_golden_mini_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    from rdflib import Dataset
    ds = Dataset()
    ds.parse(ROOT / "tests" / "golden" / "mini.trig", format="trig")
    data = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        data.add((s, p, o))
    conforms, _, text = validate(data, shacl_graph=shapes, ont_graph=ontology,
                                 inference="rdfs", advanced=True)
    assert conforms, text


NS = schema.ONTOLOGY_NS
BAD = {
    "missing label": (
        "e:x a cld:Cluster .",
        ("Entity-prefLabel", str(SKOS.prefLabel))),
    "label in another language only": (
        'e:x a cld:Cluster ; skos:prefLabel "Cluster"@de .',
        ("Entity-prefLabel", str(SKOS.prefLabel))),
    "two French labels": (
        'e:x a cld:Cluster ; skos:prefLabel "Un"@fr, "Deux"@fr .',
        ("Entity-prefLabel-form", str(SKOS.prefLabel))),
    "label without language": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; rdfs:label "X" .',
        ("Entity-label", str(RDFS.label))),
    "date as a plain string": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:foundingDate "2012" .',
        ("Organisation-foundingDate", NS + "foundingDate")),
    "two founding dates": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; '
        'cld:foundingDate "2012"^^xsd:gYear, "2013"^^xsd:gYear .',
        ("Organisation-foundingDate-count", NS + "foundingDate")),
    "acronym with a language tag": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:acronym "X"@fr .',
        ("Entity-acronym", NS + "acronym")),
    "agreement with one party": (
        'e:a a cld:Agreement ; skos:prefLabel "A"@fr ; cld:party e:p . '
        'e:p a cld:Cluster ; skos:prefLabel "P"@fr .',
        ("Agreement-party-count", NS + "party")),
    "signature without signatory": (
        'e:a a cld:Agreement ; skos:prefLabel "A"@fr ; cld:party e:p, e:q ; '
        'cld:hasSignature e:a\\/signature\\/s . e:a\\/signature\\/s a cld:Signature ; '
        'cld:onBehalfOf e:p . e:p a cld:Cluster ; skos:prefLabel "P"@fr . '
        'e:q a cld:Cluster ; skos:prefLabel "Q"@fr .',
        ("Signature-signatory-count", NS + "signatory")),
    "signature on behalf of a non-party": (
        'e:a a cld:Agreement ; skos:prefLabel "A"@fr ; cld:party e:p, e:q ; '
        'cld:hasSignature e:a\\/signature\\/s . e:a\\/signature\\/s a cld:Signature ; '
        'cld:signatory e:j ; cld:onBehalfOf e:r . e:p a cld:Cluster ; skos:prefLabel "P"@fr . '
        'e:q a cld:Cluster ; skos:prefLabel "Q"@fr . e:r a cld:Cluster ; skos:prefLabel "R"@fr . '
        'e:j a cld:Person ; skos:prefLabel "J"@fr .',
        ("AgreementShape", NS + "party")),
    "Wikidata page instead of entity IRI": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; '
        'skos:exactMatch <https://www.wikidata.org/wiki/Q1> .',
        ("Entity-exactMatch", str(SKOS.exactMatch))),
    "owl:sameAs": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; '
        'owl:sameAs <http://www.wikidata.org/entity/Q1> .',
        ("NoSameAs-sameAs", str(OWL.sameAs))),
    "figure without date": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:hasFigure e:x\\/figure\\/f . '
        'e:x\\/figure\\/f a cld:Figure ; cld:indicator v:indicator\\/memberCount ; cld:value 3 .',
        ("Figure-reportedOn-count", NS + "reportedOn")),
    "figure value as a string": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:hasFigure e:x\\/figure\\/f . '
        'e:x\\/figure\\/f a cld:Figure ; cld:indicator v:indicator\\/memberCount ; '
        'cld:value "3" ; cld:reportedOn "2024"^^xsd:gYear .',
        ("Figure-value", NS + "value")),
    "figure as a blank node": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:hasFigure [ a cld:Figure ; '
        'cld:indicator v:indicator\\/memberCount ; cld:value 3 ; '
        'cld:reportedOn "2024"^^xsd:gYear ] .',
        ("Entity-hasFigure", NS + "hasFigure")),
    "memberOf a person": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:memberOf e:p . '
        'e:p a cld:Person ; skos:prefLabel "P"@fr .',
        ("Agent-memberOf", NS + "memberOf")),
    "memberOf an entity that is not described": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:memberOf e:nowhere .',
        ("Agent-memberOf", NS + "memberOf")),
    "given name on an organisation": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:givenName "X" .',
        ("OrganisationShape", None)),
    "role concept given as sector": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:sector v:role\\/president .',
        ("Entity-sector", NS + "sector")),
    "post without role": (
        'e:j a cld:Person ; skos:prefLabel "J"@fr ; cld:holds e:j\\/post\\/x . '
        'e:j\\/post\\/x a cld:Post ; cld:postIn e:x . e:x a cld:Cluster ; skos:prefLabel "X"@fr .',
        ("Post-role-count", NS + "role")),
    "post nobody holds": (
        'e:p a cld:Post ; cld:postIn e:x ; cld:role v:role\\/president . '
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr .',
        ("Post-inv-holds-count", None)),
    "participation without participant": (
        'e:g a cld:Programme ; skos:prefLabel "G"@fr ; '
        'cld:hasParticipation e:g\\/participation\\/x . '
        'e:g\\/participation\\/x a cld:Participation .',
        ("Participation-participant-count", NS + "participant")),
    "start after end": (
        'e:g a cld:Programme ; skos:prefLabel "G"@fr ; cld:startDate "2021"^^xsd:gYear ; '
        'cld:endDate "2020-12-31"^^xsd:date .',
        ("PlanShape", NS + "startDate")),
    "event start after end": (
        'e:f a cld:Forum ; skos:prefLabel "F"@fr ; cld:startDate "2021-03"^^xsd:gYearMonth ; '
        'cld:endDate "2021-02-28"^^xsd:date .',
        ("EventShape", NS + "startDate")),
    "funding share over 100": (
        'e:g a cld:Programme ; skos:prefLabel "G"@fr ; cld:hasFunding e:g\\/funding\\/x . '
        'e:g\\/funding\\/x a cld:Funding ; cld:funder e:x ; cld:fundingShare 150 . '
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr .',
        ("Funding-fundingShare", NS + "fundingShare")),
    "bad email": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:email "contact(at)example.org" .',
        ("Agent-email", NS + "email")),
    "speaker that is an organisation": (
        'e:f a cld:Forum ; skos:prefLabel "F"@fr ; cld:speaker e:x . '
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr .',
        ("Event-speaker", NS + "speaker")),
    "country that is a city": (
        'e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:country e:c . '
        'e:c a cld:City ; skos:prefLabel "C"@fr .',
        ("Entity-country", NS + "country")),
    "span that ends before it starts": (
        '<https://w3id.org/clusterld/id/source/900#char=9,3> a cld:TextSpan ; oa:start 9 ; '
        'oa:end 3 ; dcterms:isPartOf e:s . e:s a cld:SourceDocument ; dcterms:title "T"@fr ; '
        'dcterms:language "fr" ; cld:fileName "900.txt" .',
        ("TextSpan-order", str(OA.start))),
    "statement without evidence": (
        'e:st a rdf:Statement ; rdf:subject e:x ; rdf:predicate cld:acronym ; rdf:object "X" .',
        ("Statement-wasDerivedFrom-count", str(PROV.wasDerivedFrom))),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_data_is_caught(shapes: Graph, ontology: Graph, case: str) -> None:
    turtle, expected = BAD[case]
    found = results(shapes, ontology, turtle)
    assert expected in found, sorted(found)


def test_person_as_member_is_reported_on_the_link_and_on_the_person(
        shapes: Graph, ontology: Graph) -> None:
    found = results(shapes, ontology, BAD["memberOf a person"][0])
    assert ("Agent-memberOf", NS + "memberOf") in found
    assert ("PersonShape", None) in found or ("OrganisationShape", None) in found


def test_dates_of_different_precision_compare_at_common_precision(
        shapes: Graph, ontology: Graph) -> None:
    ok = ('e:g a cld:Programme ; skos:prefLabel "G"@fr ; cld:startDate "2020-06"^^xsd:gYearMonth ;'
          ' cld:endDate "2020"^^xsd:gYear .')
    assert results(shapes, ontology, ok) == set()


def test_sparql_constraint_messages_keep_their_language() -> None:
    """pyshacl writes SPARQL-based messages untagged; the validator gives the tags back."""
    from clusterld.validate import Validator

    ex = Namespace("http://example.org/")
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [
            sh:message "Valeur {?value} refusée pour {$this}"@fr,
                "Value {?value} refused for {$this}"@en ;
            sh:select "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }" ] .
        """, format="turtle")
    data = Graph()
    data.add((ex.a, RDF.type, ex.T))
    data.add((ex.a, ex.p, Literal("x")))
    for _ in range(3):  # the order pyshacl writes the two messages in varies
        report = Validator(shapes, Graph()).validate(data)
        [result] = report.results
        assert result.message("en") == f"Value x refused for {ex.a}"
        assert result.message("fr") == f"Valeur x refusée pour {ex.a}"
        assert {m.language for m in report.graph.objects(None, SH.resultMessage)} == {"en", "fr"}


def test_a_sparql_result_reads_its_constraints_message_not_the_shapes() -> None:
    """Such a result carries the constraint's message and the shape's, in whatever order the
    report graph was written (merged reports differ from pyshacl's): the constraint's wins."""
    from rdflib import BNode

    from clusterld.validate import _results

    ex = Namespace("http://example.org/")
    report, result, constraint = Graph(), BNode(), BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, ex.a))
    for text, lang in (("The shape's message", "en"), ("Message de la forme", "fr"),
                       ("Value x refused", "en"), ("Valeur x refusée", "fr")):
        report.add((result, SH.resultMessage, Literal(text, lang=lang)))
    report.add((result, SH.sourceConstraint, constraint))
    report.add((constraint, SH.message, Literal("Value {?value} refused", lang="en")))
    report.add((constraint, SH.message, Literal("Valeur {?value} refusée", lang="fr")))
    [found] = _results(report)
    assert (found.message("en"), found.message("fr")) == ("Value x refused", "Valeur x refusée")
    report.remove((None, SH.sourceConstraint, None))  # no constraint: the first in text order
    [found] = _results(report)
    assert found.message("en") == "The shape's message"
