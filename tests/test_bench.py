"""Smoke tests of the build and load benchmarks, so the scripts don't rot.

5k lines, one run: the smallest size with data (the ontology graph alone is 2.2k lines).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bench import bench_build, bench_load
from rdflib import Dataset, Graph

from tests.rdfdiff import assert_isomorphic


def test_bench_build_runs_every_stage_and_writes_valid_dumps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figures.json"
    assert bench_build.main(["--sizes", "5k", "--runs", "1", "--work", str(tmp_path),
                             "--pyshacl-max", "5k", "--oxigraph", "",
                             "--json", str(out)]) == 0
    figures = json.loads(out.read_text())["sizes"][0]
    for stage in [*bench_build.STAGES, *bench_build.SEEDS_STAGES, "pyshacl validate()"]:
        assert len(figures["times"][stage]) == 1 and figures["times"][stage][0] > 0, stage
    assert {".nq", ".nt.gz", ".trig", ".ttl", ".jsonld"} <= set(figures["dumps"])
    assert figures["focus_nodes"] > 100 and figures["quads"] > 1_500
    assert 0 < figures["data_triples"] < figures["quads"]  # without the ontology graph
    built = tmp_path / "build-5k"
    source = Dataset()
    source.parse(tmp_path / "synth-5k.nq", format="nquads")
    union = Graph()
    for s, p, o, _ in source.quads((None, None, None, None)):
        union.add((s, p, o))
    assert_isomorphic(union, Graph().parse(built / "clusterld.ttl"))
    assert_isomorphic(union, Graph().parse(built / "clusterld.jsonld"))
    table = capsys.readouterr().out
    assert "| SHACL |" in table and "faster than pyshacl" in table
    assert "| seeds: build total |" in table
    assert (tmp_path / "build-5k-seeds" / "clusterld.nq").stat().st_size > 0
    assert "  dumps: .jsonld | " in table


def test_bench_load_times_loads_and_first_answers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figures.json"
    oxigraph = shutil.which("oxigraph") or ""
    assert bench_load.main(["--sizes", "5k", "--runs", "1", "--work", str(tmp_path),
                            "--ttfa-sizes", "5k", "--rdflib-max", "5k", "--oxigraph", oxigraph,
                            "--json", str(out)]) == 0
    figures = json.loads(out.read_text())["sizes"][0]
    for stage in ("clusterld", "clusterld: bulk load", "clusterld: union graph",
                  "clusterld reopen", "pyoxigraph bulk_load", "rdflib parse (memory)",
                  "clusterld serve: first /sparql answer", "clusterld serve: first entity page"):
        assert len(figures["times"][stage]) == 1 and figures["times"][stage][0] > 0, stage
    assert figures["quads"] > 1_500
    assert "| clusterld reopen |" in capsys.readouterr().out
