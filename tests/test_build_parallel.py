"""The build's dumps, written by pyoxigraph: the same bytes whatever the blank node labels, the
order of the input or the number of processes; nothing lost or rewritten on the way; readable
(prefixes, JSON-LD terms of the shipped context); statistics equal to rdflib's."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, VOID, XSD, Namespace

from clusterld import publish, schema
from clusterld.cli import cli
from clusterld.dumps import by_graph, context, jsonld_chunks
from clusterld.incremental import IncrementalValidator
from clusterld.iri import Minter
from clusterld.sharded import ShardedValidator
from clusterld.validate import format_report
from tests.rdfdiff import assert_isomorphic, dataset_difference

ID = "https://w3id.org/clusterld/id/"
CLD = schema.ONTOLOGY_NS
OA = Namespace("http://www.w3.org/ns/oa#")


@pytest.fixture(scope="module")
def converted() -> Dataset:
    return publish.build_dataset()


@pytest.fixture(scope="module")
def dumped(converted: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dumps")
    publish.write_dumps(publish.load(converted), out, Minter())
    return out


def test_build_with_jobs_writes_the_same_bytes_as_one_process(dumped: Path,
                                                              tmp_path: Path) -> None:
    """The CLI (converter's own blank node labels, SHACL in two processes) and
    ``write_dumps`` on the rdflib-canonical dataset write identical files."""
    done = CliRunner().invoke(cli, ["build", "--out", str(tmp_path), "--no-reason",
                                    "--jobs", "2"])
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in dumped.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert {"clusterld.trig", "clusterld.ttl", "SHA256SUMS", "void.ttl"} <= set(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (dumped / name).read_bytes(), name


def test_same_bytes_whatever_the_blank_node_labels_and_order(converted: Dataset, dumped: Path,
                                                             tmp_path: Path) -> None:
    lines = converted.serialize(format="nquads").splitlines()
    assert any("_:" in line for line in lines)
    relabelled = [re.sub(r"_:(\w+)", r"_:other\1x", line) for line in lines if line.strip()]
    random.Random(7).shuffle(relabelled)
    publish.write_dumps(publish.from_nquads("\n".join(relabelled).encode()), tmp_path, Minter())
    for path in sorted(dumped.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_dumps_hold_the_converted_graphs_unchanged(converted: Dataset, dumped: Path) -> None:
    for name, fmt in (("clusterld.nq", "nquads"), ("clusterld.trig", "trig")):
        ds = Dataset()
        ds.parse(dumped / name, format=fmt)
        assert dataset_difference(converted, ds) == "", name
    union = publish.union_graph(converted)
    nt = gzip.decompress((dumped / "clusterld.nt.gz").read_bytes()).decode()
    assert nt.splitlines() == sorted(set(nt.splitlines()))
    assert_isomorphic(union, Graph().parse(data=nt, format="nt"))
    assert_isomorphic(union, Graph().parse(dumped / "clusterld.ttl", format="turtle"))
    assert_isomorphic(union, Graph().parse(dumped / "clusterld.jsonld", format="json-ld"))
    ontology = converted.graph(Minter().graph("ontology"))
    assert_isomorphic(ontology, Graph().parse(dumped / "ontology.ttl", format="turtle"))
    nq = (dumped / "clusterld.nq").read_text().splitlines()
    assert nq == sorted(nq) and len(nq) == len(set(nq))


def test_literals_keep_their_lexical_form(tmp_path: Path) -> None:
    """The store would write "1.0"^^xsd:decimal as "1": the dumps come from the dataset."""
    quads = (f'<{ID}figure/x> <{CLD}value> "1.0"^^<{XSD.decimal}> <{ID}graph/a> .\n'
             f'<{ID}figure/x> <{CLD}count> "007"^^<{XSD.integer}> <{ID}graph/a> .\n'
             f'<{ID}figure/x> <{CLD}count> "007"^^<{XSD.integer}> .\n')  # default graph too
    result = publish.write_dumps(publish.from_nquads(quads.encode()), tmp_path, Minter())
    assert (result.quads, result.triples) == (3, 2)
    nq = (tmp_path / "clusterld.nq").read_text()
    assert f'"1.0"^^<{XSD.decimal}>' in nq and f'"007"^^<{XSD.integer}> .' in nq
    nt = gzip.decompress((tmp_path / "clusterld.nt.gz").read_bytes()).decode().splitlines()
    assert nt == sorted([f'<{ID}figure/x> <{CLD}value> "1.0"^^<{XSD.decimal}> .',
                         f'<{ID}figure/x> <{CLD}count> "007"^^<{XSD.integer}> .'])
    for name in ("clusterld.ttl", "clusterld.trig"):  # Turtle's short forms: same literals
        assert re.search(r"cld:value 1\.0\b", (tmp_path / name).read_text())
        assert re.search(r"cld:count 007\b", (tmp_path / name).read_text())
    jsonld = json.loads((tmp_path / "clusterld.jsonld").read_text())["@graph"][0]
    assert jsonld["value"] == {"@value": "1.0", "@type": "xsd:decimal"}


def test_turtle_and_trig_use_the_prefixes(dumped: Path) -> None:
    for name in ("clusterld.ttl", "clusterld.trig", "ontology.ttl"):
        text = (dumped / name).read_text()
        assert f"@prefix cld: <{CLD}> ." in text and "@prefix skos: " in text, name
        assert f"<{CLD}" not in text.split("\n", 20)[-1], name  # never written in full
        assert "cld:" in text.split("\n", 20)[-1], name


def test_jsonld_is_compacted_with_the_shipped_context(dumped: Path) -> None:
    doc = json.loads((dumped / "clusterld.jsonld").read_text())
    assert doc["@context"] == context()
    nodes = {node["id"]: node for node in doc["@graph"]}
    assert len(nodes) == len(doc["@graph"])  # one node object per subject
    ce3m = nodes[f"{ID}cluster/ce3m"]
    assert "Cluster" in ([ce3m["type"]] if isinstance(ce3m["type"], str) else ce3m["type"])
    assert isinstance(ce3m["prefLabel"], dict) and ce3m["prefLabel"]["en"]


def test_jsonld_falls_back_to_explicit_values_where_a_term_would_change_them() -> None:
    """Values a term's coercion would misread (a string under an @id-typed term, a literal of
    another datatype than the term's, a plain string under a language map) get a full IRI key
    and an explicit value; the whole round-trips through rdflib's JSON-LD parser."""
    g = Graph()
    x, b = URIRef(ID + "cluster/x"), BNode("b1")
    g.add((x, RDF.type, URIRef(CLD + "Cluster")))
    g.add((x, RDF.type, URIRef("http://example.org/Other")))
    g.add((x, SKOS.prefLabel, Literal("X", lang="en")))
    g.add((x, SKOS.prefLabel, Literal("Ix", lang="fr")))
    g.add((x, SKOS.prefLabel, Literal("Iks", lang="fr")))
    g.add((x, SKOS.prefLabel, Literal("no language")))
    g.add((x, SKOS.broader, URIRef(ID + "cluster/y")))
    g.add((x, SKOS.broader, Literal("not an IRI")))
    g.add((x, RDFS.comment, Literal("a comment", lang="en")))
    g.add((x, OA.start, Literal("12", datatype=XSD.nonNegativeInteger)))
    g.add((x, OA.start, Literal("12.5", datatype=XSD.decimal)))
    g.add((x, URIRef("http://example.org/p"), b))
    g.add((b, URIRef("http://example.org/q"), Literal("true", datatype=XSD.boolean)))
    triples = sorted(ox.parse(g.serialize(format="nt", encoding="utf-8"),
                              format=ox.RdfFormat.N_TRIPLES), key=str)
    ctx = context()
    text = "".join(jsonld_chunks(triples, ctx))
    assert_isomorphic(g, Graph().parse(data=text, format="json-ld"))
    doc = json.loads(text)
    node = next(n for n in doc["@graph"] if n["id"] == str(x))
    assert node["prefLabel"] == {"en": "X", "fr": ["Iks", "Ix"]}
    assert "Cluster" in node["type"] and "http://example.org/Other" in node["type"]
    broader = next(k for k, v in ctx.items() if isinstance(v, dict)
                   and v.get("@id") == "skos:broader")
    assert node[broader] == f"{ID}cluster/y" and node["skos:broader"] == "not an IRI"
    assert node["start"] == "12" and node["oa:start"] == {"@value": "12.5", "@type": "xsd:decimal"}
    # a context that changes plain strings: no term used, every string explicit
    plain = "".join(jsonld_chunks(triples, {**ctx, "@language": "ar"}))
    assert_isomorphic(g, Graph().parse(data=plain, format="json-ld"))


def test_statistics_match_rdflib(converted: Dataset, dumped: Path) -> None:
    mint = Minter()
    loaded = publish.load(converted)
    data = publish.data_graph(converted, mint)
    expected: Counter[str] = Counter()
    for cls in set(data.objects(None, RDF.type)):
        if str(cls).startswith(CLD) and str(cls) != CLD + "TextSpan":
            expected[str(cls)[len(CLD):]] = len(set(data.subjects(RDF.type, cls)))
    assert publish.entities_per_class(loaded.store, mint) == dict(sorted(expected.items()))
    assert publish.count_data(loaded.store, mint) == len(data)
    void = Graph().parse(dumped / "void.ttl")
    union = publish.union_graph(converted)
    dataset = mint.dataset()
    assert void.value(dataset, VOID.triples).toPython() == len(union)
    subjects = {s for s in union.subjects() if isinstance(s, URIRef)}
    assert void.value(dataset, VOID.distinctSubjects).toPython() == len(subjects)
    assert void.value(dataset, VOID.entities).toPython() == len(
        {s for s in subjects if str(s).startswith(mint.base + "id/")})
    partitions = {void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
                  for p in void.objects(dataset, VOID.classPartition)}
    assert partitions == {c: len(set(union.subjects(RDF.type, c)))
                          for c in set(union.objects(None, RDF.type))}
    for graph in converted.graphs():
        if len(graph) and str(graph.identifier).startswith(mint.base):
            assert void.value(graph.identifier, VOID.triples).toPython() == len(graph)


def test_a_failed_validation_names_nodes_by_their_labels(converted: Dataset) -> None:
    bad = (f'<{ID}agreement/lonely> <{RDF.type}> <{CLD}PartnershipAgreement> <{ID}g> .\n'
           f'<{ID}agreement/lonely> <{SKOS.prefLabel}> "Lonely agreement"@en <{ID}g> .\n'
           f'<{ID}agreement/lonely> <{CLD}party> <{ID}cluster/ce3m> <{ID}g> .\n')
    loaded = publish.from_nquads(converted.serialize(format="nquads", encoding="utf-8")
                                 + bad.encode())
    report = ShardedValidator(IncrementalValidator()).validate(
        publish.data_source(loaded.store, Minter()))
    assert not report.conforms
    text = format_report(report, publish.labels_of(report, loaded.store))
    assert f"focus node: Lonely agreement <{ID}agreement/lonely>" in text


def test_canonicalising_the_blank_node_lines_alone_gives_rdfc_labels(converted: Dataset
                                                                     ) -> None:
    data = converted.serialize(format="nquads", encoding="utf-8")
    data += (f'<{ID}x> <{RDFS.comment}> "not a node: _:b0" <{ID}g> .\n'
             f'_:last <{RDFS.label}> "no newline" <{ID}g> .').encode()
    blank, rest = publish.split_blank(data)
    assert all(b"_:" in line for line in blank.splitlines())
    assert b"_:" not in rest
    assert sorted(blank.splitlines() + rest.splitlines()) == sorted(data.splitlines())
    whole = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    whole.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    loaded = publish.from_nquads(data)
    assert sorted(loaded.lines) == sorted(ox.serialize(whole, format=ox.RdfFormat.N_QUADS)
                                          .splitlines())
    assert any(isinstance(q.subject, ox.BlankNode) for q in whole)
    assert len(loaded.store) == len(whole)


def test_shacl_on_the_store_gives_the_report_of_the_rdflib_graph(converted: Dataset,
                                                                  tmp_path: Path) -> None:
    """What the build validates (an ``OxigraphSource`` of the store, ontology graph left out)
    gets the same results as the rdflib data graph, violations of many kinds injected."""
    from bench.generate import generate

    from tests.test_sharded import inject, keys

    path = tmp_path / "synth.nq"
    generate(path, 4_000, seed=5, ontology=False)
    source = Dataset()
    source.parse(path, format="nquads")
    bad = inject(publish.union_graph(source))
    ontology = Minter().graph("ontology")
    both = Dataset()
    both.graph(ontology).__iadd__(converted.graph(ontology))
    both.graph(URIRef(ID + "graph/bad")).__iadd__(bad)
    loaded = publish.from_nquads(both.serialize(format="nquads", encoding="utf-8"))
    validator = ShardedValidator(IncrementalValidator())
    expected = validator.validate(bad, chunk=300)
    got = validator.validate(publish.data_source(loaded.store, Minter()), chunk=300)
    assert got.mode == expected.mode == "sharded", got.reason
    assert not got.conforms and len(got.results) >= 8
    assert got.focus_nodes == expected.focus_nodes
    assert keys(got.graph) == keys(expected.graph)


def test_lines_are_grouped_by_their_graph() -> None:
    """The graph of a line is read from its end: not fooled by a default-graph triple whose
    object is named like a graph, nor by a literal holding a graph's name."""
    g = f"<{ID}graph/a>"
    quads = [f"<{ID}x> <{CLD}p> {g} .", f'<{ID}x> <{CLD}p> "in {g} ." {g} .',
             f'<{ID}x> <{CLD}p> "{g} {g}" .', f"<{ID}x> <{CLD}p> {g} {g} .",
             f'<{ID}x> <{CLD}p> "a b"@en {g} .']
    loaded = publish.from_nquads("\n".join(quads).encode())
    graphs = by_graph(loaded.lines, loaded.store)
    assert sorted(graphs[b""]) == sorted(q.encode() for q in quads[::2][:2])
    assert sorted(graphs[g.encode()]) == sorted(q.encode() for q in (quads[1], *quads[3:]))
