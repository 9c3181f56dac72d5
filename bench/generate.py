"""Synthetic clusterld ecosystem generator: N-Quads shaped like the converter's output.

Usage (from the repository root)::

    python -m bench.generate out/synth-1m.nq.gz --triples 1000000 --seed 1

The output has the same shape as ``clusterld build`` (see ``docs/design.md``): the
ontology graph, the metadata graph describing one source document per named graph,
and per source the facts with their text spans and reified statements. Same
arguments, same bytes. A JSON sidecar lists class counts and sample entity IRIs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import synth_io
from bench.synth_vocab import SCHEMES_TTL, load_concepts
from bench.synth_world import World

DEFAULT_BASE = "https://w3id.org/clusterld/"
ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
CLD = "https://w3id.org/clusterld/ontology#"


@dataclass
class Summary:
    """What one run wrote."""

    path: str
    target: int
    triples: int  # lines written (quads, or triples with --format nt)
    seed: int
    base: str
    format: str
    graphs: int
    sources: int
    entities: int
    seconds: float
    classes: dict[str, int] = field(default_factory=dict)  # class IRI -> instances
    samples: dict[str, list[str]] = field(default_factory=dict)  # kind -> entity IRIs
    graph_names: list[str] = field(default_factory=list)  # a few source graph IRIs

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _samples(iris: dict[str, list[str]], per_kind: int = 20) -> dict[str, list[str]]:
    """Up to ``per_kind`` IRIs per kind, evenly spread over the output."""
    out: dict[str, list[str]] = {}
    for kind, items in sorted(iris.items()):
        step = max(1, len(items) // per_kind)
        out[kind] = items[::step][:per_kind]
    return out


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    name = path.name.removesuffix(".gz")
    return "nt" if name.endswith(".nt") else "nq"


def generate(path: str | Path, triples: int = 100_000, seed: int = 0,
             base: str = DEFAULT_BASE, *, fmt: str | None = None, reify: float = 1.0,
             ontology: bool = True, sample_out: str | Path | None = None) -> Summary:
    """Write a synthetic dataset of about ``triples`` lines (±5 %) to ``path``.

    ``fmt`` is ``nq`` or ``nt`` (default: from the file name, else ``nq``); a ``.gz``
    suffix compresses. ``reify`` is the fraction of facts with a span and reified
    statements (1.0 like the converter). ``ontology`` adds the ontology graph (counted
    in the size). ``sample_out`` also writes the summary as JSON there.
    """
    started = time.perf_counter()
    path = Path(path)
    fmt = _format_of(path, fmt)
    if fmt not in ("nq", "nt"):
        raise ValueError(f"unknown format {fmt!r} (nq or nt)")
    if not 0.0 <= reify <= 1.0:
        raise ValueError("reify must be between 0 and 1")
    base = base.rstrip("/") + "/"
    raw, text = synth_io.open_output(path)
    try:
        sink = synth_io.Sink(text, quads=fmt == "nq")
        if ontology:
            files = sorted(ONTOLOGY_DIR.glob("*.ttl"))
            sink.raw(synth_io.ontology_lines(files, f"{base}graph/ontology", sink.quads))
        world = World(sink, seed=seed, base=base, reify=reify,
                      concepts=load_concepts(SCHEMES_TTL),
                      lines_per_source=max(300, min(2500, triples // 6)))
        world.setup(triples)
        plan = world.plan()
        while sink.count < triples:
            next(plan)
        sink.flush()
    finally:
        text.close()
        raw.close()
    graphs = len(world.sources) + 1 + (1 if ontology else 0)
    summary = Summary(
        path=str(path), target=triples, triples=sink.count, seed=seed, base=base, format=fmt,
        graphs=graphs if fmt == "nq" else 0, sources=len(world.sources),
        entities=sum(len(v) for v in world.iris.values()),
        seconds=round(time.perf_counter() - started, 3),
        classes={f"{CLD}{k}" if k != "Statement" else
                 "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement": v
                 for k, v in sorted(world.classes.items())},
        samples=_samples(world.iris),
        graph_names=[f"{base}graph/source/{s.id}" for s in world.sources[:: max(
            1, len(world.sources) // 10)]][:10],
    )
    if sample_out is not None:
        Path(sample_out).write_text(summary.to_json(), encoding="utf-8")
    return summary


def _size(text: str) -> int:
    """``1000000``, ``1M``, ``250k`` → int."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write a synthetic clusterld dataset (N-Quads/N-Triples, .gz compresses).")
    parser.add_argument("output", type=Path, help="output file (.nq, .nt, optionally .gz)")
    parser.add_argument("--triples", type=_size, default=100_000,
                        help="size in lines, e.g. 10000, 250k, 1M (default 100k; ±5 %%)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI (default {DEFAULT_BASE})")
    parser.add_argument("--format", choices=("nq", "nt"), default=None,
                        help="nq (named graphs) or nt (union); default from the file name")
    parser.add_argument("--reify", type=float, default=1.0,
                        help="fraction of facts with span + reified statements (default 1)")
    parser.add_argument("--no-ontology", action="store_true",
                        help="leave out the ontology graph")
    parser.add_argument("--sample-out", type=Path, default=None,
                        help="JSON sidecar (default OUTPUT.sample.json; '-' for none)")
    args = parser.parse_args(argv)
    if args.triples < 1:
        parser.error("--triples must be positive")
    sample_out: Path | None = args.sample_out
    if sample_out is None:
        sample_out = args.output.with_name(args.output.name + ".sample.json")
    elif str(sample_out) == "-":
        sample_out = None
    summary = generate(args.output, args.triples, args.seed, args.base, fmt=args.format,
                       reify=args.reify, ontology=not args.no_ontology, sample_out=sample_out)
    rate = summary.triples / summary.seconds if summary.seconds else 0.0
    print(f"{summary.path}: {summary.triples} lines ({summary.format}), "
          f"{summary.entities} entities, {summary.sources} sources, "
          f"{summary.seconds:.1f} s ({rate:,.0f} lines/s)"
          + (f"; sample: {sample_out}" if sample_out else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
