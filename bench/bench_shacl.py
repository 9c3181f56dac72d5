"""Full SHACL validation: set-at-a-time (SetValidator) vs sharded pyshacl (ShardedValidator).

Usage (from the repository root)::

    .venv/bin/python -m bench.bench_shacl                          # 100k and 1M
    .venv/bin/python -m bench.bench_shacl --sizes 100k --runs 5 --peer-runs 3

For each size, a synthetic graph from :mod:`bench.generate` (cached in ``--work``) is loaded
into an on-disk pyoxigraph store and into an rdflib Graph, the ontology graph left out (the
validators read the ontology themselves). On each source, in interleaved runs,
:class:`clusterld.setshacl.SetValidator` and :class:`clusterld.sharded.ShardedValidator`
validate the whole graph; the medians and their ratio are printed, and the two reports are
checked to hold the same results. ``--pyshacl`` (default 10k) also times plain pyshacl
(:class:`clusterld.validate.Validator`) at that size. ``--peer-runs`` bounds the sharded runs
(≈150 s each at 1M). ``--invalid`` (default 100k) also validates, once with each validator,
a copy of the rdflib graph where every 10th person lost its labels (violations, so focus
nodes go through pyshacl for the report).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from bench.common import cached_store, header, label, machine, median, size_of, synthetic
from bench.generate import DEFAULT_BASE
from clusterld.graphsource import GraphSource, OxigraphSource, RdflibSource, from_ox
from clusterld.incremental import IncrementalValidator, result_keys
from clusterld.setshacl import SetValidator
from clusterld.sharded import ShardedReport, ShardedValidator
from clusterld.validate import Validator

ONTOLOGY_GRAPH = URIRef(f"{DEFAULT_BASE}graph/ontology")
CLD = Namespace("https://w3id.org/clusterld/ontology#")


def store_for(nq: Path, work: Path, size: int) -> ox.Store:
    """An on-disk store holding ``nq`` (loaded once, reused while the file is the same)."""
    return cached_store(nq, work / f"store-{label(size)}")


def rdflib_graph(store: ox.Store) -> Graph:
    """The store's triples outside the ontology graph, in an rdflib Graph."""
    graph = Graph()
    onto = ox.NamedNode(str(ONTOLOGY_GRAPH))
    for quad in store:
        if quad.graph_name != onto:
            graph.add((from_ox(quad.subject), from_ox(quad.predicate),  # type: ignore[arg-type]
                       from_ox(quad.object)))
    return graph


def same(a: ShardedReport, b: ShardedReport) -> bool:
    """Whether two reports hold the same results (blank nodes compared as a marker)."""
    def keys(report: ShardedReport) -> list[tuple[str, ...]]:
        return sorted(tuple("_:b" if t is not None and t.n3().startswith("_:") else str(t)
                            for t in k) for k in result_keys(report.graph))
    return a.conforms == b.conforms and keys(a) == keys(b)


def timed(run: object, source: GraphSource) -> tuple[float, ShardedReport]:
    started = time.perf_counter()
    report = run.validate(source)  # type: ignore[attr-defined]
    return time.perf_counter() - started, report


def bench_source(name: str, source: GraphSource, set_v: SetValidator,
                 sharded: ShardedValidator, runs: int, peer_runs: int) -> dict:
    """Interleaved runs of both validators on one source; medians and ratio."""
    ours: list[float] = []
    peers: list[float] = []
    agree = True
    info = {}
    for i in range(max(runs, peer_runs)):
        if i < runs:
            seconds, report = timed(set_v, source)
            ours.append(seconds)
            info = {"mode": report.mode, "focus_nodes": report.focus_nodes,
                    "flagged": getattr(report, "flagged", None),
                    "results": len(report.results), "reason": report.reason}
        if i < peer_runs:
            seconds, peer_report = timed(sharded, source)
            peers.append(seconds)
            agree = agree and same(report, peer_report)
    row = {"source": name, "set_s": median(ours), "set_runs": ours,
           "sharded_s": median(peers), "sharded_runs": peers,
           "ratio": median(peers) / median(ours) if peers else None,
           "same_results": agree if peers else None, **info}
    print(f"  {name:8} set {row['set_s']:7.2f} s (runs {', '.join(f'{x:.2f}' for x in ours)})"
          f"  sharded {row['sharded_s']:7.2f} s  ratio {row['ratio'] or float('nan'):5.1f}×"
          f"  focus {info['focus_nodes']}  flagged {info['flagged']}  results {info['results']}"
          f"  mode {info['mode']}  same results: {row['same_results']}", flush=True)
    return row


def invalid_copy(graph: Graph, every: int = 10) -> tuple[Graph, int]:
    """A copy where every ``every``-th person has no labels; how many were changed."""
    bad = Graph()
    bad += graph
    people = sorted(bad.subjects(RDF.type, CLD.Person), key=str)[::every]
    for person in people:
        bad.remove((person, SKOS.prefLabel, None))
        bad.remove((person, RDFS.label, None))
    return bad, len(people)


def bench_invalid(graph: Graph, set_v: SetValidator, sharded: ShardedValidator) -> dict:
    """One run of each validator on a copy of ``graph`` with violations."""
    bad, changed = invalid_copy(graph)
    source = RdflibSource(bad)
    ours_s, ours = timed(set_v, source)
    peer_s, peer = timed(sharded, source)
    row = {"invalid_people": changed, "set_s": ours_s, "sharded_s": peer_s,
           "flagged": getattr(ours, "flagged", None), "results": len(ours.results),
           "same_results": same(ours, peer)}
    print(f"  invalid ({changed} people without labels, rdflib): set {ours_s:.2f} s "
          f"(flagged {row['flagged']}, {row['results']} results), sharded {peer_s:.2f} s, "
          f"ratio {peer_s / ours_s:.1f}×, same results: {row['same_results']}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print one line per size and source, and a JSON summary."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100k,1M")
    ap.add_argument("--runs", type=int, default=3, help="SetValidator runs per source")
    ap.add_argument("--peer-runs", type=int, default=1, help="ShardedValidator runs per source")
    ap.add_argument("--pyshacl", default="10k", help="size at which pyshacl is timed too")
    ap.add_argument("--invalid", default="100k", help="sizes with a run on invalid data")
    ap.add_argument("--work", type=Path, default=Path("out/bench"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    print(header(machine()), flush=True)
    inc = IncrementalValidator.from_validator(Validator())
    set_v, sharded = SetValidator(inc), ShardedValidator(inc)
    rows = []
    if args.pyshacl:
        size = size_of(args.pyshacl)
        nq, _ = synthetic(size, args.work, args.seed)
        graph = rdflib_graph(store_for(nq, args.work, size))
        full_s, full = timed(inc.full, graph)  # type: ignore[arg-type]
        ours_s, ours = timed(set_v, RdflibSource(graph))
        ok = sorted(map(str, result_keys(full.graph))) == sorted(
            map(str, result_keys(ours.graph)))
        print(f"{label(size)} ({len(graph)} triples): pyshacl {full_s:.2f} s, set "
              f"{ours_s:.2f} s, ratio {full_s / ours_s:.0f}×, same results: {ok}", flush=True)
        rows.append({"size": size, "pyshacl_s": full_s, "set_s": ours_s, "same_results": ok})
    for text in args.sizes.split(","):
        size = size_of(text)
        nq, _ = synthetic(size, args.work, args.seed)
        store = store_for(nq, args.work, size)
        started = time.perf_counter()
        graph = rdflib_graph(store)
        loaded = time.perf_counter() - started
        print(f"{label(size)}: {len(graph)} triples (rdflib load {loaded:.0f} s)", flush=True)
        sources = [("oxigraph", OxigraphSource(store, exclude=[ONTOLOGY_GRAPH])),
                   ("rdflib", RdflibSource(graph))]
        for name, source in sources:
            row = bench_source(name, source, set_v, sharded, args.runs, args.peer_runs)
            rows.append({"size": size, "triples": len(graph), **row})
        if text in args.invalid.split(","):
            rows.append({"size": size, **bench_invalid(graph, set_v, sharded)})
        del graph, sources
    print(json.dumps({"machine": machine(), "rows": rows}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
