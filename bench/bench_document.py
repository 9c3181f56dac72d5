"""Seconds per data document: clusterld's ``describe`` against the same content asked as one
``CONSTRUCT`` (``bench_serve.DOCUMENT``) of pyoxigraph and of rdflib (what rdflib-endpoint
evaluates), in-process, on the same synthetic graph.

Usage (from the repository root)::

    .venv/bin/python -m bench.bench_document --sizes 10k,100k --entities 20 \\
        --rdflib-timeout 120 --work /tmp/bench-document

rdflib runs in a child process per size, stopped after ``--rdflib-timeout`` seconds: on a
large graph one query can take minutes.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from bench.bench_serve import DOCUMENT
from bench.common import header, label, machine, size_of, synthetic
from bench.serve_tools import entities
from clusterld.store import KnowledgeGraph, Limits


def sample(nq: Path, base: str, count: int) -> list[str]:
    """``count`` IRIs spread over the typed entities that ``bench_serve`` asks for."""
    iris = sorted(entities(nq, base, nq.with_name(nq.name + ".entities")))
    return iris[:: max(1, len(iris) // count)][:count]


def _rdflib(nq: Path, iris: list[str], out: mp.Queue) -> None:
    from rdflib import Dataset
    ds = Dataset(default_union=True)
    ds.parse(nq, format="nquads")
    for iri in iris:
        began = time.perf_counter()
        n = len(ds.query(DOCUMENT.format(iri=iri)))
        out.put((time.perf_counter() - began, n))


def rdflib_times(nq: Path, iris: list[str], timeout: float) -> list[tuple[float, int]]:
    """Seconds and triples of each document in rdflib, as many as finish in ``timeout``."""
    out: mp.Queue = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(target=_rdflib, args=(nq, iris, out))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
    got = []
    while not out.empty():
        got.append(out.get())
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--entities", type=int, default=20)
    ap.add_argument("--rdflib-timeout", type=float, default=120.0)
    ap.add_argument("--work", type=Path, default=Path("out/bench-document"))
    args = ap.parse_args(argv)
    print(header(machine()))
    print("| size | entities | triples a document (median) | clusterld describe + Turtle ms "
          "| pyoxigraph DOCUMENT + Turtle ms | rdflib DOCUMENT ms | × pyoxigraph | × rdflib |")
    print("|---|---|---|---|---|---|---|---|")
    for size in [size_of(s) for s in args.sizes.split(",") if s]:
        nq, meta = synthetic(size, args.work)
        kg = KnowledgeGraph(args.work / f"store-{label(size)}", limits=Limits(workers=1))
        kg.load([nq], replace=True)
        iris = sample(nq, meta["base"], args.entities)
        ours, peer, sizes = [], [], []
        for iri in iris:
            began = time.perf_counter()
            document = kg.describe(iri)
            document.serialize("text/turtle")
            ours.append(time.perf_counter() - began)
            began = time.perf_counter()
            answer = kg.store.query(DOCUMENT.format(iri=iri), default_graph=[kg._union])
            answer.serialize(format=ox.RdfFormat.TURTLE)
            peer.append(time.perf_counter() - began)
            sizes.append(len(document.triples()))
        kg.close()
        slow = rdflib_times(nq, iris, args.rdflib_timeout)
        mine, theirs = statistics.median(ours) * 1e3, statistics.median(peer) * 1e3
        if slow:
            rdf_ms = statistics.median(t for t, _ in slow) * 1e3
            rdf_cell = f"{rdf_ms:.0f} ({len(slow)} of {len(iris)} in {args.rdflib_timeout:.0f} s)"
            rdf_ratio = f"{rdf_ms / mine:.0f}×"
        else:
            rdf_cell = f"none in {args.rdflib_timeout:.0f} s"
            rdf_ratio = f"> {args.rdflib_timeout * 1e3 / mine:.0f}×"
        print(f"| {label(size)} | {len(iris)} | {statistics.median(sizes):.0f} | {mine:.2f} | "
              f"{theirs:.2f} | {rdf_cell} | {theirs / mine:.2f}× | {rdf_ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
