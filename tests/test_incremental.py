"""Differential test of incremental validation against full-graph validation (issue 4, part 5).

For generated contributions (see ``tests/contributions.py``), good and bad, the verdict and the
results of :class:`~clusterld.incremental.IncrementalValidator` must equal those of
``Validator().validate(graph + contribution)`` on the focus nodes the contribution affects, and
full validation must report nothing new anywhere else. Both graph sources are checked: an rdflib
Graph and a pyoxigraph Store holding the dataset's named graphs (ontology graph excluded).

Two shape sets: the repository's shapes and ontology (``Validator()``), and a fixture set that
uses every SHACL feature the analysis follows (``tests/fixtures/incremental``). Full validation
of the seed graph takes seconds per contribution (≈10 s with the repository shapes), so the
oracle runs in a process pool; sizes are set by ``CLUSTERLD_DIFF_N`` (fixture shapes, default
200) and ``CLUSTERLD_DIFF_REPO_N`` (repository shapes, default 20; the closing note of issue 4
reports a run with 240).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from clusterld.graphsource import OxigraphSource, RdflibSource, to_ox
from clusterld.incremental import IncrementalReport, IncrementalValidator
from clusterld.iri import Minter
from clusterld.validate import Report, Result, Validator, load_graph
from tests.contributions import World, generate

SEED = 20261123
logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # ill-typed literals are on purpose
HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "incremental"
MINI = HERE / "fixtures" / "seeds-mini"
ROOT = HERE.parent
Key = tuple[Node, Node | None, Node | None, Node | None, Node | None, str]
TOP = URIRef("urn:test:top-level-result")  # marks, among the roots, a top-level result


def _dataset() -> tuple[Dataset, Graph, str]:
    """The converted seeds (real ones, else seeds-mini), their data graph and where from."""
    from clusterld import seeds
    from clusterld.convert import Converter
    from clusterld.publish import build_dataset, canonical, data_graph

    try:
        ds, origin = build_dataset(), "seeds"
    except Exception:  # the real seeds are being written by others: fall back to the fixture
        loaded = seeds.load(MINI, text_dir=MINI / "texts", ontology_dir=MINI / "ontology")
        ds, origin = canonical(Converter(loaded).convert()), "seeds-mini"
    return ds, data_graph(ds, Minter()), origin


def rooted_keys(report: Graph) -> list[tuple[Key, frozenset[Node]]]:
    """Each result node of a report graph (nested sh:detail ones too, as :class:`Report`
    lists them), keyed by what must match, with the focus nodes of the top-level results it
    belongs to (pyshacl may share one nested result between two top-level ones), plus
    ``TOP`` for a top-level result (what :attr:`Report.results` lists)."""
    roots: dict[Node, set[Node]] = {}
    for top in report.objects(None, SH.result):
        root = report.value(top, SH.focusNode)
        todo, seen = [top], {top}
        while todo:
            node = todo.pop()
            roots.setdefault(node, set()).add(root)
            for detail in report.objects(node, SH.detail):
                if detail not in seen:
                    seen.add(detail)
                    todo.append(detail)
    found = []
    for node, tops in roots.items():
        if (None, SH.result, node) in report:
            tops = {*tops, TOP}
        severity = report.value(node, SH.resultSeverity)
        found.append(((report.value(node, SH.focusNode), report.value(node, SH.resultPath),
                       report.value(node, SH.value), report.value(node, SH.sourceShape),
                       report.value(node, SH.sourceConstraintComponent),
                       str(severity).rsplit("#", 1)[-1]), frozenset(tops)))
    return sorted(found, key=str)


# ---- the oracle, in worker processes ---------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(shapes: list, ontology: list, base: list) -> None:
    graphs = []
    for triples in (shapes, ontology, base):
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        graphs.append(graph)
    _WORKER["validator"] = Validator(graphs[0], graphs[1])
    _WORKER["base"] = graphs[2]


def _oracle(contribution: list) -> tuple[bool, list[tuple[Key, frozenset[Node]]]]:
    graph = Graph()
    for triple in contribution:
        graph.add(triple)
    report: Report = _WORKER["validator"].validate(_WORKER["base"] + graph)
    keys = rooted_keys(report.graph)
    top = sorted((k for k, roots in keys if TOP in roots), key=str)
    assert top == sorted(map(_key, report.results), key=str)
    return report.conforms, keys


def _key(result: Result) -> Key:
    return (result.focus, result.path, result.value, result.shape, result.constraint,
            result.severity)


# ---- cases -----------------------------------------------------------------------------------


@dataclass
class Setup:
    """One shape set, the base graph in both kinds of source, and the base's own results."""

    name: str
    incremental: IncrementalValidator
    base: Graph
    sources: dict[str, Any]
    world: World
    base_conforms: bool
    base_keys: set[Key]
    pool: ProcessPoolExecutor


def _setup(name: str, shapes: Graph, ontology: Graph) -> Iterator[Setup]:
    ds, base, _ = _dataset()
    incremental = IncrementalValidator(shapes, ontology)
    store = ox.Store()
    ontology_graph = Minter().graph("ontology")
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))  # type: ignore[arg-type]
                      for s, p, o, g in ds.quads((None, None, None, None)) if g is not None)
    sources = {"rdflib": RdflibSource(base),
               "oxigraph": OxigraphSource(store, exclude=[ontology_graph])}
    concepts = load_graph(ROOT / "ontology")
    workers = max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(list(shapes), list(ontology), list(base))) as pool:
        base_conforms, base_keys = pool.submit(_oracle, []).result()
        yield Setup(name, incremental, base, sources, World.of(base, concepts),
                    base_conforms, {k for k, _ in base_keys}, pool)


@pytest.fixture(scope="module")
def fixture_setup() -> Iterator[Setup]:
    shapes = Graph().parse(FIXTURE / "shapes.ttl")
    ontology = Graph().parse(FIXTURE / "ontology.ttl")
    yield from _setup("fixture", shapes, ontology)


@pytest.fixture(scope="module")
def repo_setup() -> Iterator[Setup]:
    if not list((ROOT / "shapes").glob("*.ttl")):
        pytest.skip("no shapes in shapes/ yet")
    validator = Validator()
    yield from _setup("repo", validator.shapes, validator.ontology)


def differential(setup: Setup, count: int, seed: int) -> dict[str, int]:
    """Run ``count`` contributions through both validations; assert they agree."""
    contributions = generate(setup.world, count, seed)
    futures = [setup.pool.submit(_oracle, list(g)) for _, g in contributions]
    stats = {"contributions": 0, "conforming": 0, "violating": 0, "fallbacks": 0, "results": 0}
    problems: list[str] = []
    for (kind, contribution), future in zip(contributions, futures, strict=True):
        full_conforms, full_keys = future.result()
        stats["contributions"] += 1
        stats["conforming" if full_conforms else "violating"] += 1
        stats["results"] += len(full_keys)
        for source_name, source in setup.sources.items():
            report = setup.incremental.validate(contribution, source)
            problems.extend(f"{kind} [{source_name}]: {p}" for p in compare(
                setup, contribution, full_conforms, full_keys, report))
            stats["fallbacks"] += report.mode != "incremental"
    print(f"\n{setup.name} shapes: {stats}")
    assert not problems, "\n".join(problems[:20])
    return stats


def compare(setup: Setup, contribution: Graph, full_conforms: bool,
            full_keys: list[tuple[Key, frozenset[Node]]], report: IncrementalReport) -> list[str]:
    """Why the incremental report disagrees with full validation (empty when it agrees)."""
    got = rooted_keys(report.graph)
    top = sorted((k for k, roots in got if TOP in roots), key=str)
    if top != sorted(map(_key, report.results), key=str):
        return ["the report's results and its graph disagree"]
    if report.mode != "incremental":
        ok = [k for k, _ in got] == [k for k, _ in full_keys] and report.conforms == full_conforms
        return [] if ok else ["fallback report differs from full validation"]
    problems = []
    focus = report.focus_nodes
    expected = sorted((k for k, roots in full_keys if roots & focus), key=str)
    mine = sorted((k for k, _ in got), key=str)
    if mine != expected:
        missing = [k for k in expected if k not in mine]
        extra = [k for k in mine if k not in expected]
        problems.append(f"results differ: missing {missing[:3]} extra {extra[:3]}")
    outside = [k for k, roots in full_keys if not roots & focus and k not in setup.base_keys]
    if outside:
        problems.append(f"full validation reports new results outside the affected nodes: "
                        f"{outside[:3]}")
    nodes = {t for triple in contribution for t in triple if not isinstance(t, Literal)}
    base = setup.base_keys
    if (sorted((k for k, roots in full_keys if roots & nodes and k not in base), key=str)
            != sorted((k for k, roots in got if roots & nodes and k not in base), key=str)):
        problems.append("results on the contribution's nodes differ")
    if setup.base_conforms and report.conforms != full_conforms:
        problems.append(f"verdict differs: incremental {report.conforms}, full {full_conforms}")
    return problems


def test_base_graph_conforms_to_fixture_shapes(fixture_setup: Setup) -> None:
    assert fixture_setup.base_conforms, sorted(fixture_setup.base_keys, key=str)[:5]


def test_differential_fixture_shapes(fixture_setup: Setup) -> None:
    count = int(os.environ.get("CLUSTERLD_DIFF_N", "200"))
    stats = differential(fixture_setup, count, SEED)
    assert stats["fallbacks"] == 0
    assert stats["conforming"] >= count // 10 and stats["violating"] >= count // 3


def test_differential_repo_shapes(repo_setup: Setup) -> None:
    count = int(os.environ.get("CLUSTERLD_DIFF_REPO_N", "20"))
    stats = differential(repo_setup, count, SEED + 1)
    assert stats["fallbacks"] == 0
