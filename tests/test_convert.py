"""Converter: golden file by isomorphism, IRIs, provenance, determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from clusterld import seeds
from clusterld.convert import CLD, Converter, date_literal, number_literal
from clusterld.errors import SeedError
from clusterld.publish import canonical, nquads_lines
from tests.rdfdiff import assert_isomorphic, dataset_difference

MINI = Path(__file__).parent / "fixtures" / "seeds-mini"
GOLDEN = Path(__file__).parent / "golden" / "mini.trig"
ID = "https://w3id.org/clusterld/id/"


def convert_dir(directory: Path = MINI, base: str | None = None) -> Dataset:
    loaded = seeds.load(directory, text_dir=MINI / "texts", ontology_dir=MINI / "ontology")
    return canonical(Converter(loaded, base, ontology_dir=MINI / "ontology").convert())


def has(ds: Dataset, s: URIRef, p: URIRef, o: object) -> bool:
    return any(True for _ in ds.quads((s, p, o, None)))


def test_matches_golden_file() -> None:
    expected = Dataset()
    expected.parse(GOLDEN, format="trig")
    assert_isomorphic(expected, convert_dir())


def test_diff_is_readable_when_graphs_differ() -> None:
    expected = Dataset()
    expected.parse(GOLDEN, format="trig")
    actual = convert_dir()
    g = actual.graph(URIRef("https://w3id.org/clusterld/graph/source/900"))
    g.remove((URIRef(ID + "cluster/exc"), CLD.acronym, Literal("EXC")))
    diff = dataset_difference(expected, actual)
    assert "graph <https://w3id.org/clusterld/graph/source/900>" in diff
    assert f'<{ID}cluster/exc> <{CLD}acronym> "EXC" .' in diff.split("unexpected")[0]


def test_facts_live_in_their_source_graph_with_span() -> None:
    ds = convert_dir()
    graph = ds.graph(URIRef("https://w3id.org/clusterld/graph/source/900"))
    agreement = URIRef(ID + "agreement/exc-sample-2024")
    assert (agreement, CLD.signingDate, Literal("2024-05-03", datatype=XSD.date)) in graph
    statements = [st for st in graph.subjects(RDF.predicate, CLD.signingDate)
                  if (st, RDF.subject, agreement) in graph]
    assert len(statements) == 1
    span = graph.value(statements[0], PROV.wasDerivedFrom)
    assert span == URIRef(ID + "source/900#char=0,108")


def test_same_name_as_label_is_pref_label_other_spellings_alt() -> None:
    ds = convert_dir()
    assoc = URIRef(ID + "association/sample")
    assert has(ds, assoc, SKOS.prefLabel, Literal("Sample Association", lang="en"))
    assert has(ds, assoc, SKOS.altLabel, Literal("the Sample Association", lang="en"))


def test_base_iri_is_configurable_and_labels_do_not_change_iris(tmp_path: Path) -> None:
    ds = convert_dir(base="http://example.org/kg")
    assert has(ds, URIRef("http://example.org/kg/id/cluster/exc"), RDF.type, CLD.Cluster)
    copy = tmp_path / "s"
    shutil.copytree(MINI, copy)
    entities = copy / "entities.yaml"
    entities.write_text(entities.read_text().replace("Example Cluster, fr", "Renamed, fr"))
    ds2 = convert_dir(copy)
    assert has(ds2, URIRef(ID + "cluster/exc"), SKOS.prefLabel, Literal("Renamed", lang="en"))


def test_deterministic_nquads() -> None:
    assert nquads_lines(convert_dir()) == nquads_lines(convert_dir())


def test_struct_iri_collision_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "s"
    shutil.copytree(MINI, copy)
    (copy / "zz.yaml").write_text("""\
- about: cluster/exc
  facts:
    - src: "900:161-180"
      figure: {indicator: "indicator:memberCount", value: 43}
""")
    with pytest.raises(SeedError, match="same IRI"):
        convert_dir(copy)


@pytest.mark.parametrize(("text", "datatype"), [
    ("2016", XSD.gYear), ("2016-12", XSD.gYearMonth), ("2016-12-01", XSD.date)])
def test_date_literals(text: str, datatype: URIRef) -> None:
    assert date_literal(text).datatype == datatype


@pytest.mark.parametrize(("text", "datatype"), [
    ("75", XSD.integer), ("7.8", XSD.decimal), ("7800000", XSD.integer), ("90.0", XSD.decimal)])
def test_number_literals(text: str, datatype: URIRef) -> None:
    assert number_literal(text).datatype == datatype


def test_quad_list_holds_the_dataset_quads() -> None:
    """``Converter.quads()`` (the large-graph path, no rdflib Dataset) = ``convert()``."""
    loaded = seeds.load(MINI, text_dir=MINI / "texts", ontology_dir=MINI / "ontology")
    converter = Converter(loaded, ontology_dir=MINI / "ontology")
    quads = converter.quads()
    rebuilt = Dataset()
    for s, p, o, g in quads.quads:
        rebuilt.graph(g).add((s, p, o))
    assert_isomorphic(canonical(converter.convert()), canonical(rebuilt))
    assert quads.prefixes["cld"] == str(CLD)
    oxq = quads.to_ox()
    assert len(oxq) == len(quads) == len(set(oxq))
    as_rdflib = {(str(q.subject.value), str(q.predicate.value), str(q.graph_name.value))
                 for q in oxq}
    assert as_rdflib == {(str(s), str(p), str(g)) for s, p, _, g in quads.quads}
