"""OWL consistency check with owlready2 + HermiT."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from clusterld.errors import InconsistentOntologyError
from clusterld.reason import ReasonerReport, check_consistency, diagnose, reasoner_input

ROOT = Path(__file__).resolve().parents[1]
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")

PREFIXES = """
@prefix cld: <https://w3id.org/clusterld/ontology#> .
@prefix e: <https://w3id.org/clusterld/id/> .
@prefix v: <https://w3id.org/clusterld/vocab/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
"""

CONSISTENT = """
e:x a cld:Cluster ; skos:prefLabel "X"@fr ; cld:acronym "X" ; skos:altLabel "Ex"@fr ;
    cld:memberOf e:n ; cld:foundingDate "2012"^^xsd:gYear, "2012-06"^^xsd:gYearMonth ;
    cld:sector v:sector\\/mechatronics ; cld:country e:ma ; cld:website <https://example.org/> .
e:n a cld:Network ; skos:prefLabel "N"@fr .
e:ma a cld:Country ; skos:prefLabel "Maroc"@fr .
e:p a cld:Person ; cld:givenName "Jane" ; cld:holds e:p\\/post\\/x .
e:p\\/post\\/x a cld:Post ; cld:postIn e:x ; cld:role v:role\\/president .
e:g a cld:Project ; cld:startDate "2020"^^xsd:gYear ; cld:online true ; cld:partOf e:s .
e:s a cld:Strategy .
e:m a cld:Meeting ; cld:partOf e:g ; cld:venue e:ma .
e:doc a cld:SourceDocument ; dcterms:title "Article"@fr ; dcterms:publisher "Le Journal" ;
    dcterms:issued "2024-05-04"^^xsd:date .
<https://w3id.org/clusterld/id/source/000#char=0,12> a cld:TextSpan ; dcterms:isPartOf e:doc .
e:st a rdf:Statement ; rdf:subject e:x ; rdf:predicate cld:memberOf ; rdf:object e:n ;
    prov:wasDerivedFrom <https://w3id.org/clusterld/id/source/000#char=0,12> .
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for ttl in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(ttl)
    return graph


def data(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


# --- without Java -------------------------------------------------------------------------


def test_reasoner_input_drops_reified_statements_and_provenance_links(ontology: Graph) -> None:
    merged, dropped = reasoner_input(ontology, data(CONSISTENT))
    assert dropped == 5
    assert not list(merged.subjects(RDF.type, RDF.Statement))
    assert not list(merged.triples((None, RDF.predicate, None)))


def test_reasoner_input_takes_the_union_of_a_dataset(ontology: Graph) -> None:
    ds = Dataset()
    ds.graph(URIRef("https://w3id.org/clusterld/graph/source/000")).parse(
        data=PREFIXES + 'e:x a cld:Cluster .', format="turtle")
    ds.graph(URIRef("https://w3id.org/clusterld/graph/source/001")).parse(
        data=PREFIXES + 'e:x cld:memberOf e:n .', format="turtle")
    merged, _ = reasoner_input(ontology, ds)
    assert len(merged) == len(reasoner_input(ontology)[0]) + 2


def test_diagnose_names_individual_and_disjoint_classes(ontology: Graph) -> None:
    merged, _ = reasoner_input(ontology, data(
        "e:x a cld:Cluster ; cld:memberOf e:p . e:p a cld:Person ."))
    clashes = diagnose(merged)
    assert [c.individual for c in clashes] == ["https://w3id.org/clusterld/id/p"]
    clash = clashes[0]
    assert set(clash.classes) == {"https://w3id.org/clusterld/ontology#Organisation",
                                  "https://w3id.org/clusterld/ontology#Person"}
    assert any("memberOf" in reason for reason in clash.reasons)


def test_diagnose_finds_nothing_in_consistent_data(ontology: Graph) -> None:
    merged, _ = reasoner_input(ontology, data(CONSISTENT))
    assert diagnose(merged) == []


# --- with HermiT --------------------------------------------------------------------------


@needs_java
def test_consistent_graph_passes(ontology: Graph) -> None:
    report = check_consistency(ontology, data(CONSISTENT))
    assert isinstance(report, ReasonerReport)
    assert report.classes >= 52
    assert report.individuals >= 8
    assert report.dropped_triples == 5
    assert 0 < report.seconds < 120
    assert "classes" in report.summary()


@needs_java
def test_inferred_facts_are_counted(ontology: Graph) -> None:
    report = check_consistency(ontology, data(CONSISTENT), infer_property_values=True)
    assert report.inferred_facts > 0


@needs_java
def test_person_that_is_also_a_cluster_is_inconsistent(ontology: Graph) -> None:
    with pytest.raises(InconsistentOntologyError) as info:
        check_consistency(ontology, data('e:x a cld:Person, cld:Cluster ; skos:prefLabel "X"@fr .'))
    message = str(info.value)
    assert "https://w3id.org/clusterld/id/x" in message
    assert "#Person" in message and "#Organisation" in message
    assert info.value.exit_code == 5


@needs_java
def test_range_clash_is_inconsistent_and_names_the_referent(ontology: Graph) -> None:
    with pytest.raises(InconsistentOntologyError, match="id/p is both"):
        check_consistency(ontology, data(
            "e:x a cld:Cluster ; cld:memberOf e:p . e:p a cld:Person ."))


@needs_java
def test_event_typed_as_place_is_inconsistent(ontology: Graph) -> None:
    with pytest.raises(InconsistentOntologyError):
        check_consistency(ontology, data("e:f a cld:Forum ; cld:venue e:g . e:g a cld:Forum ."))


@needs_java
def test_external_vocabulary_punning_does_not_break_hermit(ontology: Graph) -> None:
    """Terms used both as classes/properties and as individuals stay consistent."""
    punned = """
    e:x a cld:Cluster ; cld:website schema:Organization ; cld:sector skos:Concept .
    schema:Organization skos:prefLabel "Organization"@en .
    cld:Cluster cld:hasFigure e:x\\/figure\\/f .
    e:x\\/figure\\/f a cld:Figure ; cld:indicator cld:memberOf ; cld:value 3 .
    v:sector\\/mechatronics a schema:Thing .
    """
    report = check_consistency(ontology, data(punned))
    assert report.classes >= 52


@needs_java
def test_golden_graph_is_consistent(ontology: Graph) -> None:
    ds = Dataset()
    ds.parse(ROOT / "tests" / "golden" / "mini.trig", format="trig")
    report = check_consistency(ontology, ds)
    assert report.dropped_triples > 0


@needs_java
def test_unsatisfiable_class_is_reported_by_name(ontology: Graph) -> None:
    broken = ontology + data("""
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    e:PersonCluster a owl:Class ; rdfs:subClassOf cld:Person, cld:Cluster .
    """)
    with pytest.raises(InconsistentOntologyError, match="PersonCluster"):
        check_consistency(broken, Graph())
