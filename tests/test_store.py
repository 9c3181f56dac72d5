"""The core object: loading, the union view, entity reads, the guard rails."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterld.errors import InputError
from clusterld.store import KnowledgeGraph, Limits, ReadOnlyStore
from tests.conftest import MINI

C = "https://w3id.org/clusterld/ontology#"
ID = "https://w3id.org/clusterld/id/"


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory):
    graph = KnowledgeGraph(tmp_path_factory.mktemp("kg") / "store", limits=Limits(workers=1))
    graph.load([MINI], replace=True)
    yield graph
    graph.close()


def test_union_view_is_a_set(kg: KnowledgeGraph) -> None:
    rows = list(kg.query(f"SELECT ?s WHERE {{ ?s a <{C}Cluster> }}"))
    assert [r["s"].value for r in rows] == [ID + "cluster/ce3m"]
    assert kg.stats() == {"triples": 141, "graphs": 4}
    assert "urn:x-clusterld" not in " ".join(kg.graph_names())


def test_substitutions_bind_values(kg: KnowledgeGraph) -> None:
    assert kg.query("ASK { ?e a ?t }", substitutions={"e": ID + "person/jane-doe"})
    with pytest.raises(ValueError):  # a value is a term, never SPARQL text
        kg.query("ASK { ?e a ?t }", substitutions={"e": ID + 'x> } #'})


def test_list_substitutions_bind_each_value(kg: KnowledgeGraph) -> None:
    query = "SELECT DISTINCT ?e ?t WHERE { ?e a ?t }"
    both = [ID + "person/jane-doe", ID + "cluster/ce3m"]
    rows = list(kg.query(query, substitutions={"e": both}))
    assert {r["e"].value for r in rows} == set(both)
    one = list(kg.query(query, substitutions={"e": both[:1], "t": [C + "Person"]}))
    assert [(r["e"].value, r["t"].value) for r in one] == [(both[0], C + "Person")]
    assert not list(kg.query(query, substitutions={"e": []}))
    with pytest.raises(ValueError):  # each value is a term, never SPARQL text
        kg.query(query, substitutions={"e": [both[0], ID + 'x> } #']})


def test_label_languages(kg: KnowledgeGraph) -> None:
    assert kg.label(ID + "cluster/ce3m", "fr") == "Cluster Mécatronique de Tunisie"
    assert kg.label(ID + "cluster/ce3m", "en") == "Mechatronic Cluster of Tunisia"
    assert kg.label(ID + "person/jane-doe", "fr") == "Jane Doe"  # falls back to English
    assert kg.label(ID + "nobody") is None
    assert kg.label("not an iri") is None


def test_instances_filters_and_paging(kg: KnowledgeGraph) -> None:
    page = kg.instances(C + "Cluster", filters={C + "country": ID + "place/tunisia"}, year=2013)
    assert page.items == [ID + "cluster/ce3m"] and page.total == 1
    assert kg.instances(C + "Cluster", year=1999).total == 0
    assert kg.instances(C + "Agreement").total == 0  # asserted types only
    assert kg.instances(C + "PartnershipAgreement", offset=1).items == []


def test_class_counts(kg: KnowledgeGraph) -> None:
    counts = kg.class_counts()
    assert counts[C + "Cluster"] == 1 and counts[C + "Person"] == 1
    assert counts[C + "TextSpan"] == 4


def test_describe_keeps_graphs_on_request(kg: KnowledgeGraph) -> None:
    doc = kg.describe(ID + "cluster/ce3m", graphs=True)
    assert doc.graphs == ["https://w3id.org/clusterld/graph/source/000",
                          "https://w3id.org/clusterld/graph/source/001"]
    assert {q.graph_name.value for q in doc.quads} >= set(doc.graphs)
    assert not kg.describe(ID + "nothing") and not kg.describe("bad iri")


def test_load_errors_have_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b .\n", encoding="utf-8")
    with KnowledgeGraph(tmp_path / "s", limits=Limits(workers=1)) as graph:
        with pytest.raises(InputError) as err:
            graph.load([bad])
        assert err.value.line == 2 and err.value.column is not None
        with pytest.raises(InputError):
            graph.load([tmp_path / "data.unknown"])


def test_reload_of_the_same_files_is_skipped(tmp_path: Path) -> None:
    with KnowledgeGraph(tmp_path / "s", limits=Limits(workers=1)) as graph:
        graph.load([MINI], replace=True)
        version = graph.version
        graph.load([MINI], replace=True)
        assert graph.version == version


def test_read_only_store(tmp_path: Path) -> None:
    with KnowledgeGraph(tmp_path / "s", limits=Limits(workers=1)) as graph:
        graph.load([MINI], replace=True)
    with KnowledgeGraph(tmp_path / "s", read_only=True, limits=Limits(workers=1)) as ro:
        assert ro.stats()["triples"] == 141
        answer = ro.run_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                              {"select": "text/csv"})
        assert answer.body == b"n\r\n141\r\n"
        with pytest.raises(ReadOnlyStore):
            ro.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


@pytest.mark.parametrize("graphs", [False, True])
def test_describe_cuts_incoming_links(kg: KnowledgeGraph, graphs: bool) -> None:
    iri = ID + "cluster/ce3m"
    links = len(list(kg.query("SELECT * WHERE { ?s ?p ?o }", substitutions={"o": iri})))
    assert links >= 2
    keep = kg.limits.describe_limit
    try:
        kg.limits.describe_limit = links
        whole = kg.describe(iri, graphs=graphs)
        kg.limits.describe_limit = links - 1
        cut = kg.describe(iri, graphs=graphs)
    finally:
        kg.limits.describe_limit = keep
    assert not whole.truncated and cut.truncated
    triples = {(q.subject, q.predicate) for q in whole.quads if q.object.value == iri}
    kept = {(q.subject, q.predicate) for q in cut.quads if q.object.value == iri}
    # (a cut link may come back with the provenance of a fact: reified statements)
    assert len(triples) >= links and len(kept) >= links - 1 and kept <= triples
