"""SSSOM mapping set, the links graph, ``clusterld link`` on recorded Wikidata answers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from clusterld import link, seeds, sssom
from clusterld.convert import Converter
from clusterld.errors import SeedError
from clusterld.iri import Minter
from clusterld.paths import data_path
from clusterld.wikidata import WikidataClient
from tests.test_wikidata import Recorder, no_network  # noqa: F401  (autouse fixture)

MINI = Path(__file__).parent / "fixtures" / "seeds-mini"
ID = "https://w3id.org/clusterld/id/"
WD = "http://www.wikidata.org/entity/"
HEADER = "#curie_map:\n#  cldid: https://w3id.org/clusterld/id/\n#  wikidata: " + WD + "\n"
COLUMNS = "\t".join(sssom.COLUMNS)


def row(subject: str, qid: str, justification: str = sssom.CONFIRMED, **extra: str) -> str:
    cells = {"subject_id": f"cldid:{subject}", "predicate_id": "skos:exactMatch",
             "object_id": f"wikidata:{qid}", "mapping_justification": justification,
             "confidence": "1.0", "author_id": "cldteam:test", "mapping_date": "2026-01-02",
             "comment": "confirmed from a test source", **extra}
    return "\t".join(cells.get(c, "") for c in sssom.COLUMNS)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the mini seeds that can get a mapping set of its own."""
    target = tmp_path / "seeds"
    shutil.copytree(MINI, target)
    return target


def load_mini(directory: Path) -> seeds.SeedSet:
    return seeds.load(directory, text_dir=directory / "texts", ontology_dir=directory / "ontology")


# -- the SSSOM file -----------------------------------------------------------------------

def test_read_write_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.sssom.tsv"
    path.write_text(HEADER + COLUMNS + "\n" + row("place/tunis", "Q3572") + "\n",
                    encoding="utf-8")
    mset = sssom.read(path)
    assert mset.metadata["curie_map"]["wikidata"] == WD
    (m,) = mset.mappings
    assert (m.entity_id, m.qid, m.confirmed, m.line) == ("place/tunis", "Q3572", True, 5)
    sssom.write(path, mset)
    again = sssom.read(path)
    assert again.mappings[0].row() == m.row()


def test_unknown_subject_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "m.sssom.tsv"
    path.write_text(HEADER + COLUMNS + "\n" + row("place/tunis", "Q3572") + "\n"
                    + row("place/atlantis", "Q1") + "\n" + row("place/tunis", "Q9") + "\n",
                    encoding="utf-8")
    with pytest.raises(SeedError) as err:
        sssom.load_checked(path, {"place/tunis"})
    assert f"{path}:6: unknown subject_id 'cldid:place/atlantis'" in err.value.problems[0]
    assert any(":7:" in p and "already has a confirmed link" in p for p in err.value.problems)


def test_bad_object_and_justification(tmp_path: Path) -> None:
    path = tmp_path / "m.sssom.tsv"
    path.write_text(HEADER + COLUMNS + "\n"
                    + row("place/tunis", "wiki/Q3572", "semapv:Guess") + "\n", encoding="utf-8")
    problems = sssom.problems(sssom.read(path), {"place/tunis"}, path)
    assert any("not a Wikidata item" in p for p in problems)
    assert any("mapping_justification" in p for p in problems)


def test_the_curated_file_is_valid_and_says_how_each_link_was_found() -> None:
    path = data_path("seeds") / sssom.FILE_NAME
    mset = sssom.load_checked(path, set(seeds.load().entities))
    confirmed = mset.confirmed()
    assert len(confirmed) >= 25
    for m in confirmed:
        assert m.comment.startswith("confirmed from"), m.line
        assert m.author_id and m.mapping_date and m.confidence
        assert not m.entity_id.startswith("cluster/"), "a cluster is never linked to its place"
    linked = mset.linked()
    assert linked["place/morocco"] == "Q1028"
    assert linked["org/european-union"] == "Q458"


# -- the links graph ----------------------------------------------------------------------

def test_converter_writes_links_with_provenance(mini: Path) -> None:
    (mini / sssom.FILE_NAME).write_text(
        HEADER + COLUMNS + "\n" + row("place/tunis", "Q3572") + "\n"
        + row("cluster/exc", "Q999999010", sssom.PROPOSED) + "\n", encoding="utf-8")
    ds = Converter(load_mini(mini), ontology_dir=mini / "ontology").convert()
    mint = Minter()
    links = ds.graph(mint.graph("links"))
    tunis = URIRef(ID + "place/tunis")
    assert (tunis, SKOS.exactMatch, URIRef(WD + "Q3572")) in links
    assert not any(links.triples((URIRef(ID + "cluster/exc"), SKOS.exactMatch, None)))
    node = sssom.mapping_iri(mint, "place/tunis")
    assert (node, OWL.annotatedSource, tunis) in links
    assert (node, sssom.SSSOM.mapping_justification,
            sssom.SEMAPV.ManualMappingCuration) in links
    assert float(links.value(node, sssom.SSSOM.confidence)) == 1.0
    assert not any(ds.quads((None, OWL.sameAs, None, None)))
    meta = ds.graph(mint.graph("meta"))
    assert (mint.graph("links"), RDF.type, URIRef("http://www.w3.org/ns/prov#Entity")) in meta


def test_without_a_mapping_set_nothing_changes(mini: Path) -> None:
    ds = Converter(load_mini(mini), ontology_dir=mini / "ontology").convert()
    assert not len(ds.graph(Minter().graph("links")))


def test_shapes_refuse_a_wiki_page_link() -> None:
    from clusterld.validate import Validator

    cld = "https://w3id.org/clusterld/ontology#"
    data = Graph()
    city = URIRef(ID + "place/tunis")
    data.add((city, RDF.type, URIRef(cld + "City")))
    data.add((city, SKOS.prefLabel, Literal("Tunis", lang="fr")))
    data.add((city, SKOS.exactMatch, URIRef("https://www.wikidata.org/wiki/Q3572")))
    report = Validator().validate(data)
    assert not report.conforms
    assert "exactMatch" in report.graph.serialize(format="turtle")


# -- clusterld link -----------------------------------------------------------------------

@pytest.fixture
def recorded_client(tmp_path: Path) -> Iterator[WikidataClient]:
    with WikidataClient(tmp_path / "cache", transport=Recorder().transport()) as c:
        yield c


def test_propose_scores_type_and_never_links_a_cluster_to_a_place(
        mini: Path, recorded_client: WikidataClient) -> None:
    loaded = load_mini(mini)
    found = link.propose(loaded, sssom.MappingSet(), recorded_client,
                         only={"place/tunis", "cluster/exc"})
    assert [(p.entity.id, p.qid) for p in found] == [("place/tunis", "Q3572")]
    assert "P31 fits" in "; ".join(found[0].reasons)


def test_merge_keeps_confirmed_rows_and_replaces_old_proposals(
        mini: Path, recorded_client: WikidataClient) -> None:
    loaded = load_mini(mini)
    mset = sssom.MappingSet(metadata=sssom.default_metadata(), mappings=[
        sssom.Mapping("cldid:place/tunis", object_id="wikidata:Q948",
                      mapping_justification=sssom.PROPOSED, comment="old proposal"),
        sssom.Mapping("cldid:association/sample", object_id="wikidata:Q1",
                      mapping_justification=sssom.CONFIRMED, author_id="cldteam:test",
                      mapping_date="2026-01-01", comment="confirmed from a test source")])
    found = link.propose(loaded, mset, recorded_client, only={"place/tunis"})
    assert link.merge(mset, found, "2026-02-03") == 1
    rows = {m.entity_id: m for m in mset.mappings}
    assert rows["association/sample"].qid == "Q1" and rows["association/sample"].confirmed
    new = rows["place/tunis"]
    assert (new.qid, new.confirmed, new.mapping_date) == ("Q3572", False, "2026-02-03")
    assert new.comment.startswith("UNCONFIRMED")
    assert len(mset.mappings) == 2
    # a proposal never replaces a confirmed row
    confirmed = sssom.MappingSet(mappings=[sssom.Mapping(
        "cldid:place/tunis", object_id="wikidata:Q3572", mapping_justification=sssom.CONFIRMED)])
    assert link.merge(confirmed, found, "2026-02-03") == 0


def test_check_reports_merged_and_deleted(recorded_client: WikidataClient) -> None:
    mset = sssom.MappingSet(mappings=[
        sssom.Mapping("cldid:place/morocco", object_id=f"wikidata:{q}",
                      mapping_justification=sssom.CONFIRMED, line=i)
        for i, q in enumerate(["Q1028", "Q999999001", "Q999999003"], start=10)])
    problems = link.check_links(mset, recorded_client)
    assert problems == ["line 11: place/morocco → Q999999001: merged, now Q999999002",
                        "line 12: place/morocco → Q999999003: deleted (missing)"]


def test_cli_check_offline_from_the_cache(tmp_path: Path,
                                          recorded_client: WikidataClient) -> None:
    from clusterld.wikidata import OfflineMiss

    file = tmp_path / "m.sssom.tsv"
    file.write_text(HEADER + COLUMNS + "\n" + row("place/morocco", "Q1028") + "\n"
                    + row("place/tunisia", "Q999999001") + "\n"
                    + row("place/egypt", "Q999999003") + "\n", encoding="utf-8")
    args = ["check", "--offline", "--file", str(file), "--cache", str(tmp_path / "cache")]
    empty = CliRunner().invoke(link.link_command, args)
    assert isinstance(empty.exception, OfflineMiss)  # nothing cached yet
    recorded_client.entities(["Q1028", "Q999999001", "Q999999003"], props="info")
    result = CliRunner().invoke(link.link_command, args)
    assert result.exit_code == 1
    assert "place/tunisia → Q999999001: merged, now Q999999002" in result.output
    assert "place/egypt → Q999999003: deleted" in result.output
    assert "3 confirmed link(s) checked, 2 problem(s)" in result.output


def test_cli_wikidata_dry_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    transport = Recorder().transport()
    monkeypatch.setattr(link, "WikidataClient", partial(WikidataClient, transport=transport))
    file = tmp_path / "m.sssom.tsv"
    shutil.copy(data_path("seeds") / sssom.FILE_NAME, file)
    before = file.read_text(encoding="utf-8")
    result = CliRunner().invoke(link.link_command, [
        "wikidata", "--file", str(file), "--cache", str(tmp_path / "cache"),
        "--entity", "place/tunis", "--dry-run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "0 proposal(s), nothing written" in result.output  # Tunis is linked already
    assert file.read_text(encoding="utf-8") == before
