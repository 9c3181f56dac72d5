"""Sharded full validation (clusterld.sharded) gives pyshacl's verdict and results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bench.generate import generate
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from clusterld.incremental import result_keys
from clusterld.iri import Minter
from clusterld.publish import build_dataset, data_graph
from clusterld.sharded import ShardedValidator, _ParameterList
from clusterld.validate import Validator

CLD = Namespace("https://w3id.org/clusterld/ontology#")
BASE = "https://w3id.org/clusterld/"
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def full() -> Validator:
    return Validator()


@pytest.fixture(scope="module")
def sharded(full: Validator) -> ShardedValidator:
    from clusterld.incremental import IncrementalValidator

    return ShardedValidator(IncrementalValidator.from_validator(full))


def synthetic_graph(directory: Path) -> Graph:
    """A small generated graph (without the ontology graph, as the build validates it)."""
    path = directory / "synth.nq"
    generate(path, 4_000, seed=5, ontology=False)
    ds = Dataset()
    ds.parse(path, format="nquads")
    graph = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return synthetic_graph(tmp_path_factory.mktemp("sharded"))


def keys(report_graph: Graph) -> list[tuple[str, ...]]:
    """Comparable results: blank nodes (value nodes, nested shapes) reduced to a marker."""
    def norm(term: Node | None) -> str:
        return "_:b" if isinstance(term, BNode) else str(term)
    return sorted(tuple(norm(t) for t in key) for key in result_keys(report_graph))


def first(graph: Graph, cls: URIRef) -> URIRef:
    return min((s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)), key=str)


def inject(graph: Graph) -> Graph:
    """A copy with violations of many kinds: datatypes, counts, sh:class to an undescribed
    node, disjoint classes, lessThan, missing provenance, a target by rdfs:domain only."""
    bad = Graph()
    bad += graph
    agreement = first(bad, CLD.PartnershipAgreement)
    bad.remove((agreement, CLD.signingDate, None))
    bad.add((agreement, CLD.signingDate, Literal("le 3 mai 2024")))
    bad.add((agreement, CLD.party, URIRef(BASE + "id/org/nobody")))
    person = first(bad, CLD.Person)
    bad.add((person, RDF.type, CLD.City))  # disjoint classes
    bad.remove((person, SKOS.prefLabel, None))
    span = first(bad, CLD.TextSpan)
    bad.remove((span, OA.end, None))
    bad.add((span, OA.end, Literal(0, datatype=XSD.nonNegativeInteger)))
    statement = first(bad, RDF.Statement)
    bad.remove((statement, PROV.wasDerivedFrom, None))
    bad.add((statement, RDF.subject, Literal("not an IRI")))
    figure = first(bad, CLD.Figure)
    bad.add((figure, CLD.value, Literal("beaucoup")))
    # typed only through rdfs:domain of cld:memberOf: a new target with no label
    bad.add((URIRef(BASE + "id/org/untyped"), CLD.memberOf, first(bad, CLD.Cluster)))
    bad.add((BNode(), CLD.memberOf, first(bad, CLD.Cluster)))
    return bad


def test_parameter_list_keeps_items_order_and_membership() -> None:
    items = _ParameterList([URIRef("urn:a"), URIRef("urn:b")])
    copy = items.copy()
    copy.append(URIRef("urn:c"))
    assert list(copy) == [URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")]
    assert URIRef("urn:c") in copy and URIRef("urn:c") not in items
    assert URIRef("urn:z") not in copy


def test_same_results_as_pyshacl_on_injected_violations(
        synthetic: Graph, full: Validator, sharded: ShardedValidator) -> None:
    bad = inject(synthetic)
    expected = full.validate(bad)
    got = sharded.validate(bad, chunk=300)
    assert got.mode == "sharded", got.reason
    assert got.chunks > 1
    assert not expected.conforms and got.conforms == expected.conforms
    assert len(expected.results) >= 8
    assert keys(got.graph) == keys(expected.graph)
    assert [(r.focus, r.path, r.message()) for r in got.results] == [
        (r.focus, r.path, r.message()) for r in expected.results]


PARALLEL_CHECK = """
import sys
from pathlib import Path
from clusterld.incremental import IncrementalValidator
from clusterld.sharded import ShardedValidator
from clusterld.validate import Validator
from rdflib import Graph
from tests.test_sharded import inject, keys
graph = Graph().parse(sys.argv[1], format="nt")
sharded = ShardedValidator(IncrementalValidator.from_validator(Validator()))
bad = inject(graph)
one = sharded.validate(bad, chunk=500)
two = sharded.validate(bad, chunk=500, processes=2)
assert keys(two.graph) == keys(one.graph) and two.conforms == one.conforms
assert two.focus_nodes == one.focus_nodes > 500
print("same", two.focus_nodes)
"""


def test_parallel_chunks_give_the_same_results(synthetic: Graph, tmp_path: Path) -> None:
    """In a fresh interpreter: forking this long-lived test process, which holds other
    tests' RocksDB threads, could leave a child waiting forever on a lock (as a CLI run
    forks from a process with no such threads)."""
    data = tmp_path / "synthetic.nt"
    synthetic.serialize(data, format="nt")
    done = subprocess.run([sys.executable, "-c", PARALLEL_CHECK, str(data)],
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("same")


def test_seeds_conform_as_with_pyshacl(full: Validator, sharded: ShardedValidator) -> None:
    data = data_graph(build_dataset(), Minter())
    expected, got = full.validate(data), sharded.validate(data)
    assert got.mode == "sharded" and expected.conforms and got.conforms
    assert keys(got.graph) == keys(expected.graph) == []
    assert got.focus_nodes > 100


def with_schema_triples() -> Graph:
    """Data that declares a subclass and uses owl:sameAs: what the analysis does not model."""
    data = Graph()
    thing = URIRef(BASE + "id/org/x")
    data.add((URIRef(BASE + "id/Kind"), RDFS.subClassOf, CLD.Organisation))
    data.add((thing, RDF.type, URIRef(BASE + "id/Kind")))
    data.add((thing, OWL.sameAs, thing))
    return data


def test_schema_triples_in_the_data_fall_back_to_pyshacl(full: Validator,
                                                         sharded: ShardedValidator) -> None:
    data = with_schema_triples()
    got = sharded.validate(data)
    assert got.mode == "full" and "schema" in got.reason
    expected = full.validate(data)
    assert not got.conforms and keys(got.graph) == keys(expected.graph)

