"""The serving benchmark's peer query (``bench_serve.DOCUMENT``) asks for what clusterld's
data document holds, so the ``deref`` ratio compares the same answer."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from bench.bench_serve import DOCUMENT
from bench.generate import generate

from clusterld.publish import build_dataset, nquads_lines
from clusterld.store import KnowledgeGraph, Limits

TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module", params=["seeds", "synthetic"])
def kg(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp(request.param)
    data = tmp / "data.nq"
    if request.param == "seeds":
        data.write_text("\n".join(nquads_lines(build_dataset())) + "\n", encoding="utf-8")
    else:
        generate(data, triples=5_000, seed=3)
    graph = KnowledgeGraph(tmp / "store", limits=Limits(workers=1))
    graph.load([data], replace=True)
    yield graph
    graph.close()


def test_document_query_gives_the_data_document(kg: KnowledgeGraph) -> None:
    entities = sorted({q.subject.value for q in kg.store.quads_for_pattern(None, TYPE, None)
                       if isinstance(q.subject, ox.NamedNode)})
    assert len(entities) > 50
    sizes = []
    for iri in entities:
        ours = {(q.subject, q.predicate, q.object) for q in kg.describe(iri).quads}
        peer = set(kg.store.query(DOCUMENT.format(iri=iri), default_graph=[kg._union]))
        assert {(t.subject, t.predicate, t.object) for t in peer} == ours, iri
        sizes.append(len(ours))
    assert max(sizes) > 50  # documents with provenance, labels and links, not just own triples
