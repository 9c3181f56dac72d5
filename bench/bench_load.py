"""Load: dumps → the on-disk store, beside Oxigraph's CLI and rdflib; time to first answer.

Usage (from the repository root)::

    .venv/bin/python -m bench.bench_load --oxigraph /tmp/benchvenv2/bin/oxigraph
    .venv/bin/python -m bench.bench_load --sizes 100k,1M,10M --runs 3 --rdflib-max 1M

For each size, the synthetic N-Quads of :mod:`bench.generate` (the shape of the build's
``clusterld.nq``; cached in ``--work``) is loaded, in interleaved runs, by:

- **clusterld**: ``KnowledgeGraph(fresh dir).load([nq], replace=True)`` — RocksDB bulk load,
  then the deduplicated union graph, then the checkpoint for the query workers (each stage
  timed);
- **clusterld reopen**: the same call on the store just loaded (a restart of ``clusterld
  serve`` with unchanged files: no reload, no union rebuild);
- **pyoxigraph bulk_load**: ``Store(dir).bulk_load(path=nq)`` alone (the floor);
- **oxigraph load**: the ``oxigraph load`` CLI (Rust; ``--oxigraph``, skipped when absent);
- **rdflib**: ``Dataset().parse(nq, format="nquads")`` in memory (up to ``--rdflib-max``).

Then, at ``--ttfa-sizes``, **time to first answer**: ``clusterld serve nq --store DIR`` on the
store already loaded, timed from process start until the first ``/sparql`` answer and the
first entity page (HTML); beside it ``oxigraph serve-read-only`` on its store until its first
``/query`` answer. Medians over ``--runs``; ratios are clusterld / peer in the same run.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from bench.common import header, label, machine, median, size_of, synthetic, timed, wrap_timed
from clusterld.store import KnowledgeGraph, Limits


@dataclass
class SizeFigures:
    """Every timing of one size (seconds, one value per run)."""

    size: int
    quads: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def med(self, name: str) -> float:
        return median(self.times.get(name, []))


def load_clusterld(nq: Path, store: Path, figures: SizeFigures) -> None:
    """A fresh clusterld store loaded from ``nq``, each stage timed."""
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(store.with_name(store.name + ".snapshots"), ignore_errors=True)
    bulk: list[float] = []
    union: list[float] = []
    snap: list[float] = []
    total: list[float] = []
    with timed(total):
        kg = KnowledgeGraph(store, limits=Limits(workers=1))
        wrap_timed(kg, "_load_file", bulk)
        wrap_timed(kg, "_rebuild_union", union)
        wrap_timed(kg, "_snapshot", snap)
        kg.load([nq], replace=True)
    figures.quads = int(kg.stats()["triples"]) if not figures.quads else figures.quads
    kg.close()
    figures.add("clusterld", total[0])
    figures.add("clusterld: bulk load", sum(bulk))
    figures.add("clusterld: union graph", sum(union))
    figures.add("clusterld: checkpoint", sum(snap))


def reopen_clusterld(nq: Path, store: Path, figures: SizeFigures) -> None:
    """Open the loaded store again and load the same file (what a restart does)."""
    with timed(figures.times.setdefault("clusterld reopen", [])):
        kg = KnowledgeGraph(store, limits=Limits(workers=1))
        kg.load([nq], replace=True)
    kg.close()


def load_pyoxigraph(nq: Path, store: Path, figures: SizeFigures) -> None:
    shutil.rmtree(store, ignore_errors=True)
    with timed(figures.times.setdefault("pyoxigraph bulk_load", [])):
        s = ox.Store(str(store))
        s.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        s.flush()
    del s
    shutil.rmtree(store, ignore_errors=True)


def load_oxigraph_cli(binary: str, nq: Path, store: Path, figures: SizeFigures) -> None:
    shutil.rmtree(store, ignore_errors=True)
    with timed(figures.times.setdefault("oxigraph load (CLI)", [])):
        subprocess.run([binary, "load", "--location", str(store), "--file", str(nq)],
                       check=True, capture_output=True)


def load_rdflib(nq: Path, figures: SizeFigures) -> None:
    with timed(figures.times.setdefault("rdflib parse (memory)", [])):
        ds = Dataset()
        ds.parse(nq, format="nquads")
    del ds
    gc.collect()


# -- time to first answer -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, accept: str, timeout: float = 60.0) -> tuple[int, bytes]:
    """One GET (no redirects followed); (status, body), or (0, b"") if nothing listens yet."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def until_ok(port: int, path: str, accept: str, started: float, proc: subprocess.Popen,
             limit: float) -> tuple[float, bytes]:
    """Poll every 10 ms until ``path`` answers 200; seconds since ``started`` and the body."""
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        status, body = get(port, path, accept)
        if status == 200:
            return time.perf_counter() - started, body
        time.sleep(0.01)
    raise TimeoutError(f"no answer on {path} within {limit} s")


def entity_page(port: int, iri: str, base: str) -> str:
    """The path of the HTML page of ``iri`` (following the server's 303 if there is one)."""
    path = "/" + iri[len(base):]
    status, _ = get(port, path, "text/html")
    if status == 200:
        return path
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept": "text/html"})
    location = conn.getresponse().getheader("Location") or path
    conn.close()
    return urllib.parse.urlsplit(location).path


ASK = "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c } LIMIT 1")


def first_answer_clusterld(nq: Path, store: Path, entity: str, base: str,
                           figures: SizeFigures, work: Path) -> None:
    """Start ``clusterld serve`` on the loaded store; time the first SPARQL answer and page."""
    port = free_port()
    cmd = [str(Path(sys.executable).with_name("clusterld")), "serve", str(nq),
           "--store", str(store), "--port", str(port), "--build-dir", str(work / "build-unused")]
    log = (work / "serve.log").open("wb")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        seconds, body = until_ok(port, ASK, "application/sparql-results+json", started, proc,
                                 300)
        json.loads(body)
        figures.add("clusterld serve: first /sparql answer", seconds)
        path = "/" + entity[len(base):]
        status, html = get(port, path, "text/html")
        if status in (301, 302, 303, 307):
            path = entity_page(port, entity, base)
            status, html = get(port, path, "text/html")
        if status != 200 or b"<html" not in html.lower():
            raise RuntimeError(f"no HTML page for {entity}: {status}")
        figures.add("clusterld serve: first entity page", time.perf_counter() - started)
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def first_answer_oxigraph(binary: str, store: Path, figures: SizeFigures, work: Path) -> None:
    port = free_port()
    log = (work / "oxigraph-serve.log").open("wb")
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(store), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        path = ASK.replace("/sparql", "/query")
        seconds, body = until_ok(port, path, "application/sparql-results+json", started, proc,
                                 300)
        json.loads(body)
        figures.add("oxigraph serve: first /query answer", seconds)
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


# -- report ---------------------------------------------------------------------------------

ROWS = [("clusterld", "oxigraph load (CLI)"), ("clusterld: bulk load", None),
        ("clusterld: union graph", None), ("clusterld: checkpoint", None),
        ("clusterld reopen", None), ("pyoxigraph bulk_load", None),
        ("oxigraph load (CLI)", None), ("rdflib parse (memory)", None),
        ("clusterld serve: first /sparql answer", "oxigraph serve: first /query answer"),
        ("clusterld serve: first entity page", "oxigraph serve: first /query answer"),
        ("oxigraph serve: first /query answer", None)]


def report(all_figures: list[SizeFigures], runs: int) -> str:
    """The figures as a Markdown table (medians) with ratios to the peers."""
    columns = " | ".join(f"{label(f.size)} ({f.quads:,} triples)" if f.quads else label(f.size)
                         for f in all_figures)
    lines = [f"| stage | {columns} |",
             "|---|" + "---|" * len(all_figures)]
    for name, peer in ROWS:
        if not any(f.times.get(name) for f in all_figures):
            continue
        cells = []
        for f in all_figures:
            value = f.med(name)
            if value != value:  # NaN: not measured
                cells.append("—")
                continue
            cell = f"{value:.2f} s"
            ratios = []
            if peer and f.times.get(peer):
                ratios.append(f"{value / f.med(peer):.2f}× {peer.split(':')[0]}")
            if name == "clusterld" and f.times.get("rdflib parse (memory)"):
                ratios.append(f"{value / f.med('rdflib parse (memory)'):.2f}× rdflib")
            if name == "clusterld" and f.times.get("pyoxigraph bulk_load"):
                ratios.append(f"{value / f.med('pyoxigraph bulk_load'):.2f}× bulk_load")
            cells.append(cell + (f" ({', '.join(ratios)})" if ratios else ""))
        lines.append(f"| {name} | {' | '.join(cells)} |")
    lines.append(f"\nMedians of {runs} interleaved run(s); ratios are clusterld / peer.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("out/bench"))
    parser.add_argument("--oxigraph", default=shutil.which("oxigraph"),
                        help="the oxigraph CLI (pip install oxigraph in another venv)")
    parser.add_argument("--rdflib-max", default="1M", help="largest size rdflib parses")
    parser.add_argument("--ttfa-sizes", default="1M", help="sizes of the first-answer timing")
    parser.add_argument("--first-answer-only", action="store_true",
                        help="reuse the stores of an earlier run: time the first answers only")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [size_of(s) for s in args.sizes.split(",")]
    ttfa = {size_of(s) for s in args.ttfa_sizes.split(",") if s}
    rdflib_max = size_of(args.rdflib_max)
    info = machine()
    print(header(info), flush=True)
    results = []
    for size in sizes:
        nq, sample = synthetic(size, args.work, args.seed)
        figures = SizeFigures(size=size)
        store = args.work / f"load-{label(size)}-clusterld"
        oxstore = args.work / f"load-{label(size)}-oxigraph"
        scratch = args.work / f"load-{label(size)}-scratch"
        steps = [partial(load_clusterld, nq, store, figures),
                 partial(reopen_clusterld, nq, store, figures),
                 partial(load_pyoxigraph, nq, scratch, figures)]
        if args.oxigraph:
            steps.append(partial(load_oxigraph_cli, args.oxigraph, nq, oxstore, figures))
        if size <= rdflib_max:
            steps.append(partial(load_rdflib, nq, figures))
        if args.first_answer_only and store.is_dir() and oxstore.is_dir():
            steps = []  # the stores of an earlier run
        for run in range(args.runs if steps else 0):
            rotation = run % len(steps)
            order = steps[:2] + steps[2:][rotation:] + steps[2:][:rotation]  # reopen after load
            for step in order:
                step()
            print(f"{label(size)} run {run + 1}: " + ", ".join(
                f"{k} {v[-1]:.2f} s" for k, v in figures.times.items() if v), flush=True)
        if size in ttfa:
            entity = next(iter(sample["samples"].get("cluster", [])))
            base = sample.get("base", "https://w3id.org/clusterld/")
            for _ in range(args.runs):
                first_answer_clusterld(nq, store, entity, base, figures, args.work)
                if args.oxigraph:
                    first_answer_oxigraph(args.oxigraph, oxstore, figures, args.work)
            print(f"{label(size)} first answers: " + ", ".join(
                f"{k} {median(v):.2f} s" for k, v in figures.times.items() if "first" in k),
                flush=True)
        results.append(figures)
    info_end = machine()
    print(f"\n{header(info)}; at the end: load average {info_end['load']}\n")
    print(report(results, args.runs))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "load_at_end": info_end["load"],
                                         "sizes": [asdict(f) for f in results]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
