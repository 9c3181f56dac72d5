"""The clusterld command: build outputs and the exit codes of validate."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from tests.rdfdiff import assert_isomorphic

ID = "https://w3id.org/clusterld/id/"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clusterld.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    proc = run("build", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "entities per class:" in proc.stderr and "conforms: yes" in proc.stderr
    # printed while the reasoner's thread holds stderr redirected (owlready2's chatter)
    assert "SHACL: conforms" in proc.stderr and "OWL reasoner: consistent" in proc.stderr
    return out


def test_build_writes_every_dump(built: Path) -> None:
    for name in ("clusterld.nq", "clusterld.trig", "clusterld.ttl", "clusterld.jsonld",
                 "clusterld.nt.gz", "ontology.ttl", "shapes.ttl", "context.jsonld", "void.ttl",
                 "SHA256SUMS"):
        assert (built / name).is_file(), name
        assert (built / name).stat().st_size > 0, name


def test_checksums_match(built: Path) -> None:
    for line in (built / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((built / name).read_bytes()).hexdigest() == digest, name


def test_dumps_agree(built: Path) -> None:
    ds = Dataset()
    ds.parse(built / "clusterld.nq", format="nquads")
    trig = Dataset()
    trig.parse(built / "clusterld.trig", format="trig")
    assert len(ds.default_graph) == 0  # every fact lives in a named graph
    assert {str(g.identifier) for g in ds.graphs() if len(g)} == {
        str(g.identifier) for g in trig.graphs() if len(g)}
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    ttl = Graph().parse(built / "clusterld.ttl", format="turtle")
    nt = Graph().parse(data=gzip.decompress((built / "clusterld.nt.gz").read_bytes()).decode(),
                       format="nt")
    jsonld = Graph().parse(built / "clusterld.jsonld", format="json-ld")
    assert_isomorphic(union, ttl)
    assert_isomorphic(union, nt)
    assert_isomorphic(union, jsonld)


def test_jsonld_has_inline_context_only(built: Path) -> None:
    doc = json.loads((built / "clusterld.jsonld").read_text())
    assert isinstance(doc["@context"], dict)
    shipped = json.loads((built / "context.jsonld").read_text())["@context"]
    assert doc["@context"] == shipped


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    proc = run("build", "--out", str(tmp_path), "--no-reason")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "clusterld.nq").read_bytes() == (built / "clusterld.nq").read_bytes()
    assert (tmp_path / "clusterld.nt.gz").read_bytes() == (built / "clusterld.nt.gz").read_bytes()


def test_validate_built_graph_conforms(built: Path) -> None:
    proc = run("validate", str(built / "clusterld.nq"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Conforms: yes" in proc.stdout


def test_validate_broken_fact_exits_1_with_focus_and_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"""\
@prefix cld: <https://w3id.org/clusterld/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}agreement/lonely> a cld:PartnershipAgreement ;
    skos:prefLabel "Lonely agreement"@en ;
    cld:party <{ID}cluster/ce3m> .
""")
    report = tmp_path / "report.ttl"
    proc = run("validate", str(bad), "--report", str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"focus node: Lonely agreement <{ID}agreement/lonely>" in proc.stdout
    assert "party" in proc.stdout
    assert report.is_file() and "ValidationReport" in report.read_text()


def test_validate_resolves_references_to_the_graph(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(f"""\
@prefix cld: <https://w3id.org/clusterld/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}agreement/new-one> a cld:PartnershipAgreement ;
    skos:prefLabel "A new agreement"@en ; rdfs:label "A new agreement"@en ;
    cld:party <{ID}cluster/ce3m>, <{ID}cluster/cluster-mecatronic-tunisia> .
""")
    proc = run("validate", str(good))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("name", "content", "line"), [
    ("broken.ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n", 3),
    ("broken.nq", "<http://e/a> <http://e/b> <http://e/c> <http://e/g> .\n<http://e/a> <b> .\n",
     2),
    ("broken.jsonld", '{"@context": "https://example.org/remote.jsonld", "@id": "http://e/a"}',
     None),
])
def test_validate_unreadable_input_exits_2(tmp_path: Path, name: str, content: str,
                                           line: int | None) -> None:
    path = tmp_path / name
    path.write_text(content)
    proc = run("validate", str(path), "--no-context")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert str(path) in proc.stderr
    if line is not None:
        assert f"{path}:{line}:" in proc.stderr


def test_seeds_check_ok() -> None:
    proc = run("seeds", "check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: ")


def test_missing_file_exits_2(tmp_path: Path) -> None:
    proc = run("validate", str(tmp_path / "nope.ttl"), "--no-context")
    assert proc.returncode == 2


def test_an_inconsistent_graph_leaves_the_previous_dumps_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reasoner runs beside SHACL and the dumps; the new dumps only replace the old ones
    once it has said "consistent" (here it says the opposite)."""
    from clusterld import publish, reason
    from clusterld.errors import InconsistentOntologyError

    out = tmp_path / "out"
    out.mkdir()
    (out / "clusterld.nq").write_text("old dump\n")
    (out / "notes.txt").write_text("not the build's\n")

    def clash(*args: object, **kwargs: object) -> None:
        raise InconsistentOntologyError("x is both a Person and a Cluster")

    monkeypatch.setattr(reason, "check_consistency", clash)
    with pytest.raises(InconsistentOntologyError, match="both a Person"):
        publish.build(out, log=lambda _: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind
    assert (out / "clusterld.nq").read_text() == "old dump\n"
    assert sorted(p.name for p in out.iterdir()) == ["clusterld.nq", "notes.txt"]

    monkeypatch.undo()
    result = publish.build(out, reason=False, log=lambda _: None)
    assert (out / "clusterld.nq").read_text() != "old dump\n"
    assert (out / "notes.txt").read_text() == "not the build's\n"
    assert all(path.parent == out and path.exists() for path in result.files.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
