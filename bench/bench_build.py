"""Build: converted RDF → SHACL-validated dumps at 100k and 1M triples, stage by stage.

Usage (from the repository root)::

    .venv/bin/python -m bench.bench_build --oxigraph /tmp/benchvenv2/bin/oxigraph
    .venv/bin/python -m bench.bench_build --sizes 100k,1M --runs 3 --pyshacl-max 100k

Two paths are timed for each size, interleaved:

- **the real build** (rows ``seeds: …``): ``clusterld build --seeds DIR --no-reason`` itself
  (``publish.build``) on copies of the project's seed files (:mod:`bench.scaled_seeds`: copy
  ``k`` of every entity and source gets new ids, the same article texts, so every fact and
  offset stays valid) until they state the size: YAML loading and checking, the converter,
  pyoxigraph, SHACL, the dumps; stages timed from the build's progress lines;
- **from converted RDF** (the other rows): the synthetic N-Quads of :mod:`bench.generate`
  (more varied than copies: firms, schools, events, …) through the build's code after
  conversion (:mod:`clusterld.publish`, :mod:`clusterld.dumps`), stage by stage:

- **parse**, **canonical**, **store**: ``publish.from_nquads``: the file's lines without
  blank nodes parsed and re-serialised by pyoxigraph (stands in for seeds → converter →
  N-Quads, whose own speed is the ``seeds`` row); RDFC-1.0 labels for the lines with blank
  nodes (``Dataset.canonicalize`` on them alone), added to them; the same quads bulk-loaded
  into an in-memory pyoxigraph ``Store`` (SPARQL and the pattern lookups of SHACL);
- **SHACL**: :class:`clusterld.setshacl.SetValidator` (``--processes`` for the pyshacl re-run
  of flagged nodes) on
  ``publish.data_source`` (an ``OxigraphSource`` of the store without the ontology graph);
- **dumps**: ``publish.write_dumps`` (pyoxigraph serialisers): sorted .nq, .trig, .ttl,
  .jsonld (compacted with the shipped context), sorted .nt.gz, ontology, shapes, SSSOM,
  VoID/DCAT with per-class partitions (SPARQL on the store) and checksums, SHA256SUMS; each
  step timed (``dumps.Laps``).
  The OWL reasoner (HermiT) of ``clusterld build`` is not run (``--no-reason``): it is a
  consistency check of the seeds' hand-written facts, not part of the 60 s target.

Peers, in the same run (interleaved, medians): **pyshacl** ``validate()`` (RDFS inference, as
:class:`clusterld.validate.Validator` calls it) on the same data graph in a fresh process,
up to ``--pyshacl-max``; the **oxigraph CLI** converting the N-Quads to TriG and to
N-Quads (Rust parse + serialise: the floor for the dumps). The first line printed is the real
path on the project's own seeds (seeds → converter → pyoxigraph, canonical).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from rdflib import Dataset

from bench import scaled_seeds
from bench.common import header, label, machine, median, size_of, synthetic, timed
from clusterld import publish
from clusterld import seeds as seeds_mod
from clusterld.convert import Converter
from clusterld.dumps import Laps
from clusterld.incremental import IncrementalValidator
from clusterld.iri import Minter
from clusterld.setshacl import SetValidator
from clusterld.validate import Validator

BASE = "https://w3id.org/clusterld/"
ROOT = Path(__file__).resolve().parent.parent  # where ``python -m bench.…`` works
STAGES = ["parse", "canonical", "store", "SHACL", "dumps", "build total"]
SEEDS_STAGES = ["seeds: load", "seeds: convert → store", "seeds: SHACL", "seeds: dumps",
                "seeds: build total"]
_SEEDS_MARKS = (("entities from", "seeds: load"), ("converted:", "seeds: convert → store"),
                ("SHACL:", "seeds: SHACL"), ("conforms: yes", "seeds: dumps"))


@dataclass
class SizeFigures:
    """Every timing of one size (seconds, one value per run)."""

    size: int
    quads: int = 0
    data_triples: int = 0
    focus_nodes: int = 0
    seeds_triples: int = 0  # triples of the seeds-path build (copies of the seeds)
    seeds_copies: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    dumps: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def med(self, name: str) -> float:
        return median(self.times.get(name, []))


def build_once(nq: Path, out: Path, validator: SetValidator, processes: int,
               figures: SizeFigures) -> None:
    """One build of the synthetic N-Quads into ``out``, every stage timed."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    mint = Minter(BASE)
    total: list[float] = []
    with timed(total):
        loading = Laps()
        loaded = publish.from_nquads(nq, loading)
        for stage in ("parse", "canonical", "store"):
            figures.add(stage, loading.seconds[stage])
        report = validator.validate(publish.data_source(loaded.store, mint), processes=processes)
        if not report.conforms or report.mode not in ("sharded", "set"):
            raise SystemExit(f"the synthetic graph did not validate: {report.mode} "
                             f"{report.reason} {len(report.results)} result(s)")
        figures.add("SHACL", report.seconds)
        figures.focus_nodes = report.focus_nodes
        started = time.perf_counter()
        laps = Laps()
        result = publish.write_dumps(loaded, out, mint, laps)
        figures.add("dumps", time.perf_counter() - started)
    figures.add("build total", total[0])
    for step, seconds in laps.seconds.items():
        figures.dumps.setdefault(step, []).append(seconds)
    figures.quads, figures.data_triples = result.quads, publish.count_data(loaded.store, mint)
    del loaded
    gc.collect()


def seeds_build_once(seeds_dir: Path, out: Path, processes: int, figures: SizeFigures) -> None:
    """``clusterld build --seeds DIR --no-reason`` itself (``publish.build``), its stages
    timed from its progress lines."""
    shutil.rmtree(out, ignore_errors=True)
    marks = [time.perf_counter()]
    names: list[str] = []

    def log(message: str) -> None:
        for text, name in _SEEDS_MARKS:
            if text in message and name not in names:
                marks.append(time.perf_counter())
                names.append(name)

    result = publish.build(out, BASE, reason=False, processes=processes, seeds_dir=seeds_dir,
                           log=log)
    for name, start, end in zip(names, marks, marks[1:], strict=False):
        figures.add(name, end - start)
    figures.add("seeds: build total", result.seconds)
    figures.seeds_triples = result.triples
    gc.collect()


def pyshacl_peer(nq: Path) -> float:
    """pyshacl on the same data graph, in a fresh process; its validate() seconds."""
    done = subprocess.run([sys.executable, "-m", "bench.bench_build", "--pyshacl-only", str(nq)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def pyshacl_only(nq: Path) -> int:
    """(Child process) parse, take the data graph, time plain pyshacl; print JSON."""
    ds = Dataset()
    ds.parse(nq, format="nquads")
    data = publish.data_graph(ds, Minter(BASE))
    validator = Validator()
    started = time.perf_counter()
    report = validator.validate(data)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "conforms": report.conforms}))
    return 0 if report.conforms else 1


def oxigraph_peer(binary: str, nq: Path, out: Path) -> float:
    """The oxigraph CLI: N-Quads → TriG and → N-Triples (parse + serialise in Rust)."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([binary, "convert", "--from-file", str(nq), "--to-file",
                    str(out / "peer.trig")], check=True, capture_output=True)
    subprocess.run([binary, "convert", "--from-file", str(nq), "--to-file",
                    str(out / "peer.nq")], check=True, capture_output=True)
    return time.perf_counter() - started


def peer(figures: SizeFigures, name: str, run: Callable[..., float], *args: object) -> None:
    """Run one peer and record its seconds under ``name``."""
    figures.add(name, run(*args))


def seeds_row() -> tuple[int, float]:
    """The real path on the project's seeds: load + convert + pyoxigraph; (quads, seconds)."""
    started = time.perf_counter()
    loaded = publish.from_quads(Converter(seeds_mod.load()).quads())
    seconds = time.perf_counter() - started
    return len(loaded.lines), seconds


def report(all_figures: list[SizeFigures], runs: int, processes: int) -> str:
    """The figures as a Markdown table (medians) with the ratios to the peers."""
    columns = " | ".join(f"{label(f.size)} ({f.quads:,} quads)" for f in all_figures)
    lines = [f"| stage | {columns} |", "|---|" + "---|" * len(all_figures)]

    def row(name: str, text: str) -> None:
        lines.append(f"| {name} | {text} |")

    stages = STAGES + [s for s in SEEDS_STAGES if any(f.times.get(s) for f in all_figures)]
    for stage in stages:
        cells = []
        for f in all_figures:
            value = f.med(stage)
            extra = ""
            if stage == "SHACL":
                extra = f" ({f.focus_nodes:,} focus nodes, {processes} process(es))"
                if f.times.get("pyshacl validate()"):
                    extra += f"; {f.med('pyshacl validate()') / value:.1f}× faster than pyshacl"
            if stage == "build total" and f.times.get("pyshacl validate()"):
                with_pyshacl = value - f.med("SHACL") + f.med("pyshacl validate()")
                extra = f" (with plain pyshacl: {with_pyshacl:.1f} s)"
            if stage == "seeds: build total" and f.seeds_triples:
                extra = f" ({f.seeds_triples:,} triples from {f.seeds_copies} copies of the seeds)"
            if stage == "dumps" and f.times.get("oxigraph convert → .trig, .nq"):
                extra = f" ({value / f.med('oxigraph convert → .trig, .nq'):.1f}× oxigraph CLI)"
            cells.append(f"{value:.{1 if value >= 1 else 2}f} s{extra}" if value == value else "—")
        row(stage, " | ".join(cells))
    steps = list(dict.fromkeys(step for f in all_figures for step in f.dumps))
    for fmt in steps:
        row(f"  dumps: {fmt}", " | ".join(
            f"{median(f.dumps[fmt]):.2f} s" if fmt in f.dumps else "—" for f in all_figures))
    for peer in ("pyshacl validate()", "oxigraph convert → .trig, .nq"):
        if any(f.times.get(peer) for f in all_figures):
            row(f"peer: {peer}", " | ".join(
                f"{f.med(peer):.1f} s" if f.times.get(peer) else "not measured"
                for f in all_figures))
    lines.append(f"\nMedians of {runs} interleaved run(s).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2,
                        help="worker processes of the SHACL re-run of flagged nodes")
    parser.add_argument("--pyshacl-max", default="100k",
                        help="largest size at which plain pyshacl is measured (1M: ~12 min)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("out/bench"))
    parser.add_argument("--oxigraph", default=shutil.which("oxigraph"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-seeds", action="store_true",
                        help="skip the real path (copies of the seeds through clusterld build)")
    parser.add_argument("--pyshacl-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pyshacl_only:
        return pyshacl_only(args.pyshacl_only)
    sizes = [size_of(s) for s in args.sizes.split(",")]
    pyshacl_max = size_of(args.pyshacl_max) if args.pyshacl_max else 0
    info = machine()
    print(header(info), flush=True)
    triples, seconds = seeds_row()
    print(f"seeds: load + convert + pyoxigraph of {triples:,} quads in {seconds:.2f} s "
          f"({triples / seconds:,.0f} quads/s)", flush=True)
    validator = SetValidator(IncrementalValidator())
    results = []
    for size in sizes:
        nq, _ = synthetic(size, args.work, args.seed)
        figures = SizeFigures(size=size)
        out = args.work / f"build-{label(size)}"
        steps = [partial(build_once, nq, out, validator, args.processes, figures)]
        if not args.no_seeds:
            figures.seeds_copies = scaled_seeds.copies_for(size)
            seeds_dir = scaled_seeds.write(args.work / f"seeds-{label(size)}",
                                           figures.seeds_copies)
            steps.append(partial(seeds_build_once, seeds_dir, out.with_name(out.name + "-seeds"),
                                 args.processes, figures))
        if size <= pyshacl_max:
            steps.append(partial(peer, figures, "pyshacl validate()", pyshacl_peer, nq))
        if args.oxigraph:
            steps.append(partial(peer, figures, "oxigraph convert → .trig, .nq", oxigraph_peer,
                                 args.oxigraph, nq, out / "peer"))
        for run in range(args.runs):
            rotation = run % len(steps)
            for step in steps[rotation:] + steps[:rotation]:
                step()
            print(f"{label(size)} run {run + 1}: " + ", ".join(
                f"{k} {v[-1]:.1f} s" for k, v in figures.times.items() if v), flush=True)
        results.append(figures)
    end = machine()
    print(f"\n{header(info)}; at the end: load average {end['load']}")
    print(f"seeds (real converter): {triples:,} quads in {seconds:.2f} s\n")
    print(report(results, args.runs, args.processes))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "load_at_end": end["load"],
                                         "seeds": {"triples": triples, "seconds": seconds},
                                         "sizes": [asdict(f) for f in results]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
