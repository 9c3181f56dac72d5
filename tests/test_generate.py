"""The synthetic ecosystem generator (``bench/generate.py``): size, determinism, shape."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from bench import synth_io
from bench.generate import generate, main

from clusterld.paths import data_path

BASE = "https://w3id.org/clusterld/"
PREFIXES = """
PREFIX cld: <https://w3id.org/clusterld/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~10k-line N-Quads output."""
    path = tmp_path_factory.mktemp("synth") / "small.nq"
    generate(path, 10_000, seed=11)
    return path


@pytest.fixture(scope="module")
def store(small: Path) -> ox.Store:
    st = ox.Store()
    st.bulk_load(path=str(small), format=ox.RdfFormat.N_QUADS)
    return st


def _lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return sum(1 for _ in fh)


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a.nq", "b.nq", "a.nt.gz", "b.nt.gz"):
        generate(tmp_path / name, 20_000, seed=3)
    assert (tmp_path / "a.nq").read_bytes() == (tmp_path / "b.nq").read_bytes()
    assert (tmp_path / "a.nt.gz").read_bytes() == (tmp_path / "b.nt.gz").read_bytes()
    generate(tmp_path / "c.nq", 20_000, seed=4)
    assert (tmp_path / "a.nq").read_bytes() != (tmp_path / "c.nq").read_bytes()


@pytest.mark.parametrize(("size", "fmt"), [(10_000, "nq"), (37_500, "nt"), (120_000, "nq")])
def test_requested_size_is_met_within_5_percent(tmp_path: Path, size: int, fmt: str) -> None:
    path = tmp_path / f"out.{fmt}.gz"
    summary = generate(path, size, seed=size)
    assert abs(summary.triples - size) <= 0.05 * size
    assert _lines(path) == summary.triples


def test_output_parses_and_has_no_duplicate_quads(small: Path, store: ox.Store) -> None:
    assert len(store) == _lines(small)
    graphs = {g.value for g in store.named_graphs()}
    assert f"{BASE}graph/meta" in graphs
    assert f"{BASE}graph/ontology" in graphs
    assert sum(1 for g in graphs if g.startswith(f"{BASE}graph/source/")) >= 5


def test_ntriples_output_is_the_union_without_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "union.nt"
    summary = generate(path, 15_000, seed=2)
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == summary.triples == len(set(triples))


def test_every_named_graph_has_a_meta_description(store: ox.Store) -> None:
    missing = list(store.query(PREFIXES + f"""
        SELECT DISTINCT ?g WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(STRSTARTS(STR(?g), "{BASE}graph/source/"))
          FILTER NOT EXISTS {{ GRAPH <{BASE}graph/meta> {{
            ?g prov:wasDerivedFrom ?doc . ?doc a cld:SourceDocument ; cld:fileName ?f }} }}
        }}"""))
    assert missing == []


def test_every_agreement_has_two_parties_and_signatures(store: ox.Store) -> None:
    rows = list(store.query(PREFIXES + """
        SELECT ?a (COUNT(DISTINCT ?party) AS ?n) (COUNT(DISTINCT ?sig) AS ?s) WHERE {
          GRAPH ?g { ?a a ?c }
          GRAPH ?o { ?c rdfs:subClassOf* cld:Agreement }
          OPTIONAL { GRAPH ?h { ?a cld:party ?party } }
          OPTIONAL { GRAPH ?k { ?a cld:hasSignature ?sig } }
        } GROUP BY ?a"""))
    assert rows, "no agreement generated"
    for row in rows:
        assert int(row["n"].value) >= 2, row["a"]
        assert int(row["s"].value) >= 1, row["a"]


def test_references_resolve_and_facts_are_reified(store: ox.Store) -> None:
    dangling = list(store.query(PREFIXES + f"""
        SELECT DISTINCT ?o WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{BASE}id/") && ?p != prov:wasDerivedFrom)
          FILTER NOT EXISTS {{ GRAPH ?h {{ ?o a ?c }} }}
        }} LIMIT 5"""))
    assert dangling == []
    unreified = list(store.query(PREFIXES + f"""
        SELECT ?s ?p WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(STRSTARTS(STR(?g), "{BASE}graph/source/"))
          FILTER(?p NOT IN (rdf:type, skos:prefLabel, rdfs:label))
          FILTER(!STRSTARTS(STR(?s), "{BASE}id/statement/") && !CONTAINS(STR(?s), "#char="))
          FILTER NOT EXISTS {{ GRAPH ?g {{
            ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                prov:wasDerivedFrom [ a cld:TextSpan ] }} }}
        }} LIMIT 5"""))
    assert unreified == []


def test_sample_sidecar_lists_existing_entities(tmp_path: Path, store: ox.Store) -> None:
    out = tmp_path / "g.nq"
    assert main([str(out), "--triples", "10k", "--seed", "11"]) == 0
    sample = json.loads((tmp_path / "g.nq.sample.json").read_text(encoding="utf-8"))
    assert sample["triples"] == _lines(out)
    assert sample["classes"]["https://w3id.org/clusterld/ontology#Cluster"] >= 1
    for kind in ("cluster", "person", "agreement", "programme", "event"):
        iri = sample["samples"][kind][0]
        assert any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), None, None, None))


def test_base_and_reify_options(tmp_path: Path) -> None:
    path = tmp_path / "b.nq"
    generate(path, 10_000, seed=1, base="http://example.org/kg", reify=0.0, ontology=False)
    text = path.read_text(encoding="utf-8")
    assert "<http://example.org/kg/id/" in text
    assert f"<{BASE}id/" not in text
    assert "#Statement>" not in text


def test_literals_are_escaped_for_nquads() -> None:
    tricky = 'le "cluster" \\ ligne\nsuivante\tet\r fin \x01'
    line = f"<http://s> <http://p> {synth_io.lang(tricky, 'fr')} <http://g> .\n"
    (quad,) = ox.parse(line.encode(), format=ox.RdfFormat.N_QUADS)
    assert quad.object.value == tricky
    assert quad.object.language == "fr"


def test_ten_thousand_lines_conform_to_the_shapes(small: Path, store: ox.Store) -> None:
    if not any(data_path("shapes").glob("*.ttl")):
        pytest.skip("shapes/ has no shapes yet")
    from rdflib import BNode, Graph, Literal, URIRef

    from clusterld.validate import Validator, format_report

    def term(node: object) -> object:
        if isinstance(node, ox.NamedNode):
            return URIRef(node.value)
        if isinstance(node, ox.BlankNode):
            return BNode(node.value)
        assert isinstance(node, ox.Literal)
        if node.language:
            return Literal(node.value, lang=node.language)
        return Literal(node.value, datatype=URIRef(node.datatype.value))

    data = Graph()  # the union of every graph but the ontology's, as `clusterld build` checks
    ontology = ox.NamedNode(f"{BASE}graph/ontology")
    for q in store.quads_for_pattern(None, None, None, None):
        if q.graph_name != ontology:
            data.add((term(q.subject), term(q.predicate), term(q.object)))  # type: ignore[arg-type]
    report = Validator().validate(data)
    assert report.conforms, format_report(report, data)[:4000]
