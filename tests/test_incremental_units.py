"""Unit tests of incremental validation: what the shapes read, on small shapes and graphs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from clusterld.graphsource import OxigraphSource, RdflibSource, from_ox, load_store, to_ox
from clusterld.incremental import IncrementalValidator, backward, forward
from clusterld.pathnfa import Nfa, path_ast
from clusterld.rdfsview import Schema, SourceCache, View
from clusterld.shapeplan import ShapesPlan
from clusterld.sparqlwalk import sparql_walk

EX = Namespace("http://example.org/")
XS = Namespace("http://www.w3.org/2001/XMLSchema#")
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


def ttl(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def validator(shapes: str, ontology: str = "") -> IncrementalValidator:
    return IncrementalValidator(ttl(shapes), ttl(ontology))


def view(graph: Graph, ontology: str = "", extra: Graph | None = None) -> View:
    return View(Schema(ttl(ontology)), SourceCache(RdflibSource(graph)), extra)


# ---- paths -----------------------------------------------------------------------------------

CHAIN = ttl("""
ex:a ex:p ex:b . ex:b ex:q ex:c . ex:c ex:q ex:d . ex:x ex:p ex:b .
""")


def nfa_of(path: str) -> Nfa:
    shapes = ttl(f"ex:S sh:path {path} .")
    nfa = Nfa()
    nfa.accept.add(nfa.build(path_ast(shapes, shapes.value(EX.S, URIRef(
        "http://www.w3.org/ns/shacl#path"))), nfa.start))
    return nfa


@pytest.mark.parametrize(("path", "focus", "values"), [
    ("ex:p", EX.a, {EX.b}),
    ("[ sh:inversePath ex:p ]", EX.b, {EX.a, EX.x}),
    ("( ex:p ex:q )", EX.a, {EX.c}),
    ("( [ sh:inversePath ex:q ] [ sh:inversePath ex:p ] )", EX.c, {EX.a, EX.x}),
    ("[ sh:alternativePath ( ex:p ex:q ) ]", EX.b, {EX.c}),
    ("( ex:p [ sh:zeroOrMorePath ex:q ] )", EX.a, {EX.b, EX.c, EX.d}),
    ("( ex:p [ sh:oneOrMorePath ex:q ] )", EX.a, {EX.c, EX.d}),
    ("( ex:p [ sh:zeroOrOnePath ex:q ] )", EX.a, {EX.b, EX.c}),
])
def test_path_forward_and_backward(path: str, focus: URIRef, values: set[URIRef]) -> None:
    nfa = nfa_of(path)
    assert forward(nfa, focus, view(CHAIN)) == values
    for value in values:  # walking back from a value node finds the focus again
        assert focus in set().union(*(backward(nfa, s, value, view(CHAIN)) for s in nfa.accept))


def test_forward_records_exactly_the_triples_walked() -> None:
    v = view(CHAIN)
    v.record = Graph()
    forward(nfa_of("( [ sh:inversePath ex:q ] [ sh:inversePath ex:p ] )"), EX.c, v)
    assert set(v.record) == {(EX.b, EX.q, EX.c), (EX.a, EX.p, EX.b), (EX.x, EX.p, EX.b)}


# ---- what a contribution affects ---------------------------------------------------------------

INVERSE = """
ex:S a sh:NodeShape ; sh:targetClass ex:Post ;
    sh:property [ sh:path [ sh:inversePath ex:holds ] ; sh:maxCount 1 ] .
"""
SEQUENCE = """
ex:S a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ( ex:holds ex:postIn ) ; sh:class ex:Org ] .
"""
NESTED = """
ex:S a sh:NodeShape ; sh:targetClass ex:Agreement ;
    sh:property [ sh:path ex:signature ; sh:node ex:Sig ] .
ex:Sig a sh:NodeShape ; sh:property [ sh:path ex:signatory ; sh:node ex:Named ] .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:label ; sh:maxCount 1 ] .
"""
BASE = ttl("""
ex:post a ex:Post . ex:ann a ex:Person ; ex:holds ex:post . ex:post ex:postIn ex:org .
ex:org a ex:Org .
ex:agr a ex:Agreement ; ex:signature ex:sig . ex:sig ex:signatory ex:ann . ex:ann ex:label "Ann" .
""")


def contribution(text: str) -> Graph:
    return ttl(text)


def test_inverse_path_affects_the_object_and_reads_its_incoming_triples() -> None:
    focus, data = validator(INVERSE).data_graph(contribution("ex:bob ex:holds ex:post ."), BASE)
    assert focus == {EX.post}
    assert {(EX.ann, EX.holds, EX.post), (EX.bob, EX.holds, EX.post)} <= set(data)
    report = validator(INVERSE).validate(contribution("ex:bob ex:holds ex:post ."), BASE)
    assert not report.conforms and report.results[0].focus == EX.post


def test_sequence_path_affects_the_node_two_steps_back() -> None:
    iv = validator(SEQUENCE)
    focus, data = iv.data_graph(contribution("ex:post ex:postIn ex:nowhere ."), BASE)
    assert focus == {EX.ann}
    assert (EX.ann, EX.holds, EX.post) in data and (EX.org, RDF.type, EX.Org) in data
    report = iv.validate(contribution("ex:post ex:postIn ex:nowhere ."), BASE)
    assert [(r.focus, r.value) for r in report.results] == [(EX.ann, EX.nowhere)]


def test_nested_node_shapes_propagate_up_to_the_target() -> None:
    iv = validator(NESTED)
    change = contribution('ex:ann ex:label "Anne" .')
    focus, data = iv.data_graph(change, BASE)
    assert focus == {EX.agr}
    assert {(EX.agr, EX.signature, EX.sig), (EX.sig, EX.signatory, EX.ann),
            (EX.ann, EX.label, Literal("Anne"))} <= set(data)
    report = iv.validate(change, BASE)
    assert not report.conforms
    assert [(r.focus, r.value) for r in report.results if r.focus == EX.agr] == [(EX.agr, EX.sig)]


def test_pyshacl_focus_nodes_alone_would_miss_the_nested_violation() -> None:
    """Why the data graph is built by hand: pyshacl's focus_nodes skips nested sh:node."""
    data = BASE + contribution('ex:ann ex:label "Anne" .')
    conforms, _, _ = shacl_validate(data, shacl_graph=ttl(NESTED), focus_nodes=[str(EX.agr)])
    full, _, _ = shacl_validate(data, shacl_graph=ttl(NESTED))
    assert conforms and not full
    assert not validator(NESTED).validate(contribution('ex:ann ex:label "Anne" .'), BASE).conforms


def test_unrelated_contribution_affects_nothing() -> None:
    report = validator(NESTED).validate(contribution('ex:zed ex:label "Zed" .'), BASE)
    assert report.conforms and report.mode == "incremental" and not report.focus_nodes


# ---- RDFS closure ------------------------------------------------------------------------------

ONTOLOGY = """
ex:Cluster rdfs:subClassOf ex:Org . ex:Org rdfs:subClassOf ex:Agent .
ex:party rdfs:domain ex:Agreement ; rdfs:range ex:Agent .
ex:foundingMember rdfs:subPropertyOf ex:member .
"""


def test_view_entails_types_and_super_properties() -> None:
    graph = ttl("ex:a ex:party ex:c . ex:c a ex:Cluster . ex:c ex:foundingMember ex:n .")
    v = view(graph, ONTOLOGY)
    assert {EX.Agreement, RDFS.Resource} <= v.types(EX.a)
    assert {EX.Cluster, EX.Org, EX.Agent} <= v.types(EX.c)
    assert v.out(EX.c, EX.member) == [EX.n]
    assert v.has_type(EX.c, EX.Agent)


def test_class_target_through_domain_and_subclass() -> None:
    shapes = """ex:S a sh:NodeShape ; sh:targetClass ex:Agent ;
        sh:property [ sh:path ex:label ; sh:minCount 1 ] ."""
    iv = validator(shapes, ONTOLOGY)
    report = iv.validate(contribution("ex:new ex:party ex:someone ."), Graph())
    assert report.focus_nodes == {EX.someone}  # an Agent by the range of ex:party
    assert not report.conforms


def test_schema_changes_fall_back_to_full_validation() -> None:
    shapes = """ex:S a sh:NodeShape ; sh:targetClass ex:Agent ;
        sh:property [ sh:path ex:l ; sh:minCount 1 ] ."""
    report = validator(shapes, ONTOLOGY).validate(
        contribution("ex:Thing rdfs:subClassOf ex:Agent . ex:t a ex:Thing ."), Graph())
    assert report.mode == "full" and "schema" in report.reason and not report.conforms


# ---- SPARQL-based constraints --------------------------------------------------------------------


def test_sparql_walk_follows_patterns_from_this() -> None:
    nfa = sparql_walk("""SELECT $this ?v WHERE { $this ex:s ?sig . ?sig ex:b ?v .
                         FILTER NOT EXISTS { $this ex:party ?v } }""",
                      "PREFIX ex: <http://example.org/>", None)
    steps = {(step.pred, step.inverse) for _, step, _ in nfa.transitions()}
    assert {(EX.s, False), (EX.b, False)} <= steps
    # ?v is bound by the main group: the NOT EXISTS pattern is a check read from $this, it
    # does not make every agreement of a party a candidate for ?v's bindings
    assert [(src, step.pred, step.inverse) for src, step, _ in nfa.checks] == [
        (nfa.start, EX.party, False)]
    assert (EX.party, True) not in steps
    ground = sparql_walk("SELECT $this WHERE { ex:scheme a ex:Scheme . "
                         "FILTER NOT EXISTS { $this ex:in ex:scheme } }",
                         "PREFIX ex: <http://example.org/>", None)
    assert ground.ground == [(EX.scheme, RDF.type, EX.Scheme)]


@pytest.mark.parametrize("query", [
    "SELECT $this WHERE { { $this ex:a ?x } UNION { $this ex:b ?x } }",
    "SELECT $this WHERE { $this ex:a ?x . ?y ex:b ?z }",
    "SELECT $this WHERE { $this ex:a ?x } LIMIT 1",
])
def test_unsupported_sparql_falls_back(query: str) -> None:
    shapes = f"""ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "{query}" ;
        sh:prefixes ex:decl ] .
        ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] ."""
    iv = validator(shapes)
    assert iv.plan.unsupported
    assert iv.validate(contribution("ex:a ex:a ex:b ."), Graph()).mode == "full"


# ---- graph sources ---------------------------------------------------------------------------


def test_oxigraph_source_is_the_deduplicated_union_minus_excluded_graphs() -> None:
    store = ox.Store()
    one, two, hidden = EX.g1, EX.g2, EX.ontology
    load_store(store, ttl('ex:a ex:p ex:b . ex:a ex:l "x"@fr .'), one)
    load_store(store, ttl("ex:a ex:p ex:b ."), two)
    load_store(store, ttl("ex:a ex:p ex:c ."), hidden)
    load_store(store, ttl("ex:a ex:p ex:d ."), URIRef("urn:x-union:1"))
    source = OxigraphSource(store, exclude=[hidden], exclude_prefixes=["urn:x-union:"])
    assert sorted(source.triples(EX.a, None, None)) == sorted(
        [(EX.a, EX.p, EX.b), (EX.a, EX.l, Literal("x", lang="fr"))])
    assert source.contains((EX.a, EX.l, Literal("x", lang="fr")))
    assert not source.contains((EX.a, EX.p, EX.c))
    assert list(OxigraphSource(store, graphs=[hidden]).triples(None, EX.p, None)) == [
        (EX.a, EX.p, EX.c)]


@pytest.mark.parametrize("term", [EX.a, Literal("x"), Literal("x", lang="fr"),
                                  Literal("2024-01-01", datatype=XS.date),
                                  Literal("abc", datatype=XS.integer)])
def test_terms_round_trip_through_oxigraph(term: object) -> None:
    assert from_ox(to_ox(term)) == term  # type: ignore[arg-type]


def test_same_verdict_from_both_sources() -> None:
    store = ox.Store()
    load_store(store, BASE)
    change = contribution('ex:ann ex:label "Anne" .')
    iv = validator(NESTED)
    a = iv.validate(change, RdflibSource(BASE))
    b = iv.validate(change, OxigraphSource(store))
    assert (a.conforms, a.focus_nodes) == (b.conforms, b.focus_nodes)
    assert [(r.focus, r.value) for r in a.results] == [(r.focus, r.value) for r in b.results]


def test_plan_indexes_every_read() -> None:
    plan = ShapesPlan(ttl(SEQUENCE))
    assert (EX.holds, False) in plan.step_index and (EX.postIn, False) in plan.step_index
    assert EX.Org in plan.class_index and EX.Person in plan.target_class_index


# ---- hubs and focus-independent reads -------------------------------------------------------

HUB_SHAPES = """
ex:Member a sh:NodeShape ; sh:targetClass ex:Org ;
    sh:property [ sh:path ex:memberOf ; sh:node ex:Named ] .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:label ; sh:minCount 1 ; sh:maxCount 2 ] .
"""
HUB = ttl("ex:hub ex:label \"Hub\" . " + " ".join(
    f"ex:org{i} a ex:Org ; ex:memberOf ex:hub ." for i in range(6)))


def test_a_harmless_change_on_a_hub_does_not_reach_its_members() -> None:
    iv = validator(HUB_SHAPES)
    report = iv.validate(contribution('ex:hub ex:label "Hub 2" .'), HUB)  # 2 labels: fine
    assert report.conforms and not report.focus_nodes
    report = iv.validate(contribution('ex:hub ex:label "Hub 2", "Hub 3" .'), HUB)
    assert not report.conforms
    assert report.focus_nodes == {EX[f"org{i}"] for i in range(6)}


def test_a_changed_ground_pattern_falls_back() -> None:
    shapes = """ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:prefixes ex:decl ;
        sh:select \"\"\"SELECT $this WHERE { ex:scheme a ex:Scheme .
                     FILTER NOT EXISTS { $this ex:in ex:scheme } }\"\"\" ] .
        ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] ."""
    iv = validator(shapes)
    assert not iv.plan.unsupported
    base = ttl("ex:t a ex:Thing .")
    assert iv.validate(contribution("ex:u a ex:Thing ."), base).mode == "incremental"
    report = iv.validate(contribution("ex:scheme a ex:Scheme ."), base)
    assert report.mode == "full" and not report.conforms


DISJOINT = """
ex:S a sh:NodeShape ; sh:targetClass ex:Agreement ;
    sh:property [ sh:path ex:party ; sh:node ex:AgentRef ] .
ex:AgentRef a sh:NodeShape ; sh:class ex:Agent ;
    sh:not [ sh:or ( [ sh:class ex:Place ] [ sh:and ( [ sh:class ex:Plan ] [ sh:class ex:Event ] ) ]
                     [ sh:not [ sh:class ex:Thing ] ] ) ] .
"""
DISJOINT_ONTOLOGY = "ex:City rdfs:subClassOf ex:Place . ex:Org rdfs:subClassOf ex:Agent ."


@pytest.mark.parametrize("types", ["ex:Org, ex:Thing", "ex:Org, ex:City, ex:Thing", "ex:Org",
                                   "ex:Org, ex:Plan, ex:Thing", "ex:Org, ex:Plan, ex:Event",
                                   "ex:Place"])
def test_conformance_only_shapes_agree_with_pyshacl(types: str) -> None:
    """sh:not/sh:or/sh:and of sh:class shapes are answered without pyshacl's reports."""
    iv = validator(DISJOINT, DISJOINT_ONTOLOGY)
    inner = iv.shapes.value(EX.AgentRef, URIRef("http://www.w3.org/ns/shacl#not"))
    assert type(iv.runner.shapes[inner]).__name__ == "ConformanceOnlyShape"
    assert type(iv.runner.shapes[EX.AgentRef]).__name__ == "Shape"  # reported: the real one
    base = ttl(f"ex:x a {types} .")
    change = contribution("ex:a a ex:Agreement ; ex:party ex:x .")
    report = iv.validate(change, base)
    full = iv.full.validate(base + change)
    assert report.conforms == full.conforms
    assert [(r.focus, r.value, r.constraint) for r in report.results] == [
        (r.focus, r.value, r.constraint) for r in full.results]
