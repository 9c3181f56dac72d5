"""Set-at-a-time full validation (clusterld.setshacl) gives pyshacl's verdict and results."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from clusterld.graphsource import OxigraphSource, RdflibSource, load_store
from clusterld.incremental import IncrementalValidator
from clusterld.iri import Minter
from clusterld.publish import build_dataset, data_graph
from clusterld.setcheck import BAD, OK, UNSURE, compare
from clusterld.setdata import TsvReader
from clusterld.setshacl import SetReport, SetValidator
from clusterld.sharded import ShardedValidator
from clusterld.validate import Report, Validator
from tests.test_sharded import first, inject, keys, synthetic_graph, with_schema_triples

CLD = Namespace("https://w3id.org/clusterld/ontology#")
BASE = "https://w3id.org/clusterld/"
VOCAB = BASE + "vocab/"
OA = Namespace("http://www.w3.org/ns/oa#")
DATA_GRAPH = URIRef(BASE + "graph/data")
ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology")


@pytest.fixture(scope="module")
def full() -> Validator:
    return Validator()


@pytest.fixture(scope="module")
def inc(full: Validator) -> IncrementalValidator:
    return IncrementalValidator.from_validator(full)


@pytest.fixture(scope="module")
def set_v(inc: IncrementalValidator) -> SetValidator:
    return SetValidator(inc)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return synthetic_graph(tmp_path_factory.mktemp("setshacl"))


def subject_of(graph: Graph, p: URIRef) -> URIRef:
    return min((s for s in graph.subjects(p, None) if isinstance(s, URIRef)), key=str)


def inject_more(graph: Graph) -> Graph:
    """test_sharded's violations plus the other components: uniqueLang, languageIn in a
    qualified shape, sh:pattern, sh:maxCount 0 on a sh:targetSubjectsOf target, min/max
    inclusive, nodeKind, sh:or of datatypes, both kinds of SPARQL constraint, and a value
    the engine cannot order (a string where a number is expected)."""
    bad = inject(graph)
    org = first(bad, CLD.Cluster)
    bad.add((org, SKOS.prefLabel, Literal("Encore un nom", lang="fr")))  # uniqueLang
    person = sorted((s for s in bad.subjects(RDF.type, CLD.Person)), key=str)[1]
    for label in list(bad.objects(person, SKOS.prefLabel)):
        bad.remove((person, SKOS.prefLabel, label))
    bad.add((person, SKOS.prefLabel, Literal("Nur Deutsch", lang="de")))  # languageIn
    bad.add((first(bad, CLD.Cluster), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1")))
    bad.add((subject_of(bad, CLD.sector), CLD.sector, URIRef(VOCAB + "role/president")))
    bad.add((subject_of(bad, CLD.sector), CLD.sector, URIRef(VOCAB + "sector/not-in-scheme")))
    spans = sorted(bad.subjects(RDF.type, CLD.TextSpan), key=str)
    bad.remove((spans[1], OA.start, None))
    bad.add((spans[1], OA.start, Literal(-3, datatype=XSD.integer)))  # minInclusive
    bad.remove((spans[2], OA.start, None))
    bad.add((spans[2], OA.start, Literal("douze")))  # not comparable with 0: UNSURE
    bad.add((subject_of(bad, CLD.memberOf), CLD.memberOf, Literal("a text")))  # nodeKind
    bad.add((subject_of(bad, SKOS.altLabel), SKOS.altLabel, Literal(7)))  # sh:or datatypes
    dated = subject_of(bad, CLD.endDate)
    end = bad.value(dated, CLD.endDate)
    bad.remove((dated, CLD.startDate, None))
    bad.add((dated, CLD.startDate, Literal(f"{int(str(end)[:4]) + 1}", datatype=XSD.gYear)))
    agreement = subject_of(bad, CLD.hasSignature)
    signature = bad.value(agreement, CLD.hasSignature)
    bad.add((signature, CLD.onBehalfOf, first(bad, CLD.Cluster)))  # not a party
    return bad


def messages(report: Report) -> list[tuple[str, ...]]:
    """Each top-level result with all its messages and their language tags.

    (``Result.messages`` keeps the first message per language in graph order, and a SPARQL
    result carries the constraint's and the shape's messages: compared here as sets.)
    """
    g = report.graph
    rows = []
    for r in g.objects(None, SH.result):
        texts = sorted(f"{m}@{m.language}" for m in g.objects(r, SH.resultMessage))
        rows.append((str(g.value(r, SH.focusNode)), str(g.value(r, SH.resultPath)),
                     str(g.value(r, SH.value)), str(g.value(r, SH.sourceShape))
                     if not isinstance(g.value(r, SH.sourceShape), BNode) else "_:b", *texts))
    return sorted(rows)


def same_as(got: Report, expected: Report, tagged: bool = True) -> None:
    """Same verdict, results and messages; with ``tagged``, every message has its language."""
    assert got.conforms == expected.conforms
    assert keys(got.graph) == keys(expected.graph)
    assert messages(got) == messages(expected)
    assert not tagged or all(m.language for r in got.graph.objects(None, SH.result)
               for m in got.graph.objects(r, SH.resultMessage))
    assert [(r.focus, r.path, r.value, r.severity) for r in got.results] == [
        (r.focus, r.path, r.value, r.severity) for r in expected.results]


def oxigraph_source(graph: Graph) -> OxigraphSource:
    """The graph in a named graph of an in-memory store, next to an excluded ontology graph."""
    store = ox.Store()
    load_store(store, graph, DATA_GRAPH)
    store.add(ox.Quad(ox.NamedNode(str(CLD.Person)), ox.NamedNode(str(RDFS.subClassOf)),
                      ox.NamedNode(str(CLD.Agent)), ox.NamedNode(str(ONTOLOGY_GRAPH))))
    return OxigraphSource(store, exclude=[ONTOLOGY_GRAPH])


def test_same_results_as_pyshacl_on_injected_violations(
        synthetic: Graph, full: Validator, set_v: SetValidator) -> None:
    bad = inject_more(synthetic)
    expected = full.validate(bad)
    got = set_v.validate(bad)
    assert got.mode == "set", got.reason
    assert not expected.conforms and len(expected.results) >= 20
    same_as(got, expected)
    components = {r.constraint for r in expected.results}
    assert {SH.SPARQLConstraintComponent, SH.UniqueLangConstraintComponent,
            SH.QualifiedMinCountConstraintComponent, SH.MaxCountConstraintComponent,
            SH.MinInclusiveConstraintComponent, SH.NodeKindConstraintComponent,
            SH.OrConstraintComponent, SH.NodeConstraintComponent} <= components
    # the engine flags the focus nodes with results, and few others (the undecided ones)
    focus, flagged, unsure = set_v.flag(RdflibSource(bad))
    with_results = {r.focus for r in expected.results}
    assert with_results <= set(flagged)
    assert len(flagged) <= len(with_results) + unsure
    assert focus == got.focus_nodes > 500


def test_oxigraph_source_same_as_sharded_and_pyshacl(
        synthetic: Graph, full: Validator, set_v: SetValidator) -> None:
    bad = inject_more(synthetic)
    source = oxigraph_source(bad)
    got = set_v.validate(source)
    assert got.mode == "set", got.reason
    stored = Graph()  # the store's terms (Oxigraph writes integer subtypes as xsd:integer)
    for triple in source.triples(None, None, None):
        stored.add(triple)
    same_as(got, full.validate(stored))
    sharded = ShardedValidator(set_v.inc).validate(source)  # its messages lack the tags
    assert keys(got.graph) == keys(sharded.graph) and got.conforms == sharded.conforms
    assert got.focus_nodes == sharded.focus_nodes


def test_conforming_graph_flags_nothing(synthetic: Graph, set_v: SetValidator) -> None:
    for source in (RdflibSource(synthetic), oxigraph_source(synthetic)):
        got = set_v.validate(source)
        assert got.mode == "set" and got.conforms and got.results == []
        assert got.flagged == 0 and got.chunks == 0


def test_seeds_conform_as_with_pyshacl(full: Validator, set_v: SetValidator) -> None:
    data = data_graph(build_dataset(), Minter())
    expected, got = full.validate(data), set_v.validate(data)
    assert got.mode == "set" and expected.conforms and got.conforms
    assert keys(got.graph) == keys(expected.graph) == []
    assert got.focus_nodes == ShardedValidator(set_v.inc).validate(data).focus_nodes > 100


def test_schema_triples_in_the_data_fall_back_to_pyshacl(full: Validator,
                                                         set_v: SetValidator) -> None:
    data = with_schema_triples()
    got = set_v.validate(data)
    assert got.mode == "full" and "schema" in got.reason
    assert not got.conforms and keys(got.graph) == keys(full.validate(data).graph)


CLOSED_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true ;
    sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ) ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""


def test_unsupported_shapes_fall_back_to_sharded() -> None:
    shapes = Graph().parse(data=CLOSED_SHAPES, format="turtle")
    ex = Namespace("http://example.org/")
    data = Graph()
    data.add((ex.a, RDF.type, ex.Thing))
    data.add((ex.a, ex.name, Literal("A")))
    data.add((ex.b, RDF.type, ex.Thing))
    data.add((ex.b, ex.other, Literal("B")))
    validator = SetValidator(IncrementalValidator(shapes, Graph()))
    got = validator.validate(data)
    assert got.mode == "sharded" and "sh:closed" in got.reason
    expected = Validator(shapes, Graph()).validate(data)
    assert not expected.conforms
    same_as(got, expected, tagged=False)


RANGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:CountShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:count ; sh:minInclusive 0 ; sh:maxCount 1 ] ;
    sh:not [ sh:property [ sh:path ex:count ; sh:maxInclusive -100 ] ] .
"""


def test_undecided_comparisons_go_to_pyshacl() -> None:
    """A value the engine cannot order is UNSURE, under sh:not too: pyshacl decides."""
    shapes = Graph().parse(data=RANGE_SHAPES, format="turtle")
    ex = Namespace("http://example.org/")
    data = Graph()
    for name, value in (("a", Literal(5)), ("b", Literal(-1)), ("c", Literal("douze")),
                        ("d", Literal(-200))):
        data.add((ex[name], RDF.type, ex.Thing))
        data.add((ex[name], ex["count"], value))
    validator = SetValidator(IncrementalValidator(shapes, Graph()))
    got = validator.validate(data)
    assert got.mode == "set", got.reason
    assert isinstance(got, SetReport) and got.unsure == 1 and got.flagged == 3
    same_as(got, Validator(shapes, Graph()).validate(data), tagged=False)


PATH_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:PathShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ( ex:next ex:name ) ; sh:minCount 1 ; sh:datatype ex:Name ] ;
    sh:property [ sh:path [ sh:alternativePath ( ex:a ex:b ) ] ; sh:maxCount 1 ] ;
    sh:property [ sh:path [ sh:oneOrMorePath ex:next ] ; sh:class ex:Thing ;
                  sh:xone ( [ sh:hasValue ex:t1 ] [ sh:nodeKind sh:IRI ] ) ] ;
    sh:property [ sh:path [ sh:inversePath ( ex:next ex:next ) ] ; sh:maxCount 0 ;
                  sh:in ( ex:t1 ) ] ;
    sh:property [ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:minLength 13 ;
                  sh:pattern "^http://EXAMPLE" ; sh:flags "i" ] ;
    sh:property [ sh:path [ sh:zeroOrOnePath ex:label ] ; sh:languageIn ( "fr" ) ;
                  sh:lessThanOrEquals ex:limit ] .
"""


def test_property_paths_and_other_components_as_pyshacl() -> None:
    """Paths and components the clusterld shapes do not use, against pyshacl."""
    shapes = Graph().parse(data=PATH_SHAPES, format="turtle")
    ex = Namespace("http://example.org/")
    data = Graph()
    for i in range(1, 6):
        data.add((ex[f"t{i}"], RDF.type, ex.Thing))
    for a, b in (("t1", "t2"), ("t2", "t3"), ("t3", "t1"), ("t4", "t5")):
        data.add((ex[a], ex.next, ex[b]))
    data.add((ex.t5, ex.next, Literal("x")))  # no blank node: generic messages describe them
    for name in ("t1", "t2", "t3"):
        data.add((ex[name], ex.name, Literal(name, datatype=ex.Name)))
    data.add((ex.t4, ex.a, Literal(1)))
    data.add((ex.t4, ex.b, Literal(2)))
    data.add((ex.t2, ex.label, Literal("deux", lang="fr-CA")))
    data.add((ex.t3, ex.label, Literal("three", lang="en")))
    data.add((ex.t1, ex.label, Literal(3)))
    data.add((ex.t1, ex.limit, Literal(2)))
    got = SetValidator(IncrementalValidator(shapes, Graph())).validate(data)
    assert got.mode == "set", got.reason
    expected = Validator(shapes, Graph()).validate(data)
    assert len({r.constraint for r in expected.results}) >= 6
    same_as(got, expected, tagged=False)


def test_tsv_terms_are_those_of_the_store() -> None:
    """Every kind of term read through TSV equals the one quads_for_pattern gives."""
    store = ox.Store()
    g = ox.NamedNode("http://example.org/g")
    s = ox.NamedNode("http://example.org/s")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    objects: list[ox.Term] = [
        ox.Literal("042", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("-1.50", datatype=ox.NamedNode(xsd + "decimal")),
        ox.Literal("1e3", datatype=ox.NamedNode(xsd + "double")),
        ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")),
        ox.Literal('a "q" \\ \t\n\r é \u0001 😀', language="fr-BE"),
        ox.Literal("plain"), ox.Literal("typed string", datatype=ox.NamedNode(xsd + "string")),
        ox.Literal("not a number", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("2024-02", datatype=ox.NamedNode(xsd + "gYearMonth")),
        ox.BlankNode("b1"), ox.NamedNode("http://example.org/é?x=1#f"),
    ]
    for i, o in enumerate(objects):
        store.add(ox.Quad(s, ox.NamedNode(f"http://example.org/p{i}"), o, g))
    source = OxigraphSource(store)
    reader = TsvReader(source)
    for i, o in enumerate(objects):
        p = URIRef(f"http://example.org/p{i}")
        got = reader.pairs(p)
        stored = [(a, b) for a, _, b in source.triples(None, p, None)]
        assert len(got) == 1 and got == stored, o
        term, expected = got[0][1], stored[0][1]
        assert type(term) is type(expected)
        if isinstance(term, Literal):
            assert (term.datatype, term.language) == (expected.datatype, expected.language)


def test_compare_is_sure_only_for_comparable_literals() -> None:
    ge = (lambda x, y: x >= y)  # noqa: E731
    assert compare(Literal(5), Literal(0), ge) == OK
    assert compare(Literal(-1), Literal(0), ge) == BAD
    assert compare(Literal("1.5", datatype=XSD.decimal), Literal(2), ge) == BAD
    assert compare(Literal("douze"), Literal(0), ge) == UNSURE
    assert compare(URIRef("urn:x"), Literal(0), ge) == UNSURE
    assert compare(BNode(), Literal(0), ge) == UNSURE

