"""Incremental vs full-graph SHACL validation of a ~20-triple contribution (issue 4, part 5).

Usage (from the repository root)::

    .venv/bin/python -m bench.bench_validate                  # 10k, 100k, 1M; full at 10k, 100k
    .venv/bin/python -m bench.bench_validate --full-sizes 10k,100k,1M     # full at 1M (long)

For each size, a synthetic graph from :mod:`bench.generate` is loaded into an on-disk
pyoxigraph store (kept in ``--work``, default ``out/bench``). Contributions of about twenty
triples — new agreements with parties and signatures, new people with posts and
memberships, figures, labels; some valid, some not — are validated incrementally against the
store (:class:`clusterld.incremental.IncrementalValidator` over an
:class:`~clusterld.graphsource.OxigraphSource`, the ontology graph excluded), and, in the same
run, the same data (graph + contribution) is validated in full by
:class:`clusterld.validate.Validator`. Full validation where not measured is extrapolated from
the measured sizes (power law through the two largest, at least linear) and labelled so.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from bench.common import cached_store, header, label, machine, size_of, synthetic
from bench.generate import DEFAULT_BASE
from clusterld.graphsource import OxigraphSource, from_ox
from clusterld.incremental import IncrementalValidator
from clusterld.paths import data_path
from clusterld.validate import Validator

CLD = Namespace("https://w3id.org/clusterld/ontology#")
VOCAB = "https://w3id.org/clusterld/vocab/"
ONTOLOGY_GRAPH = f"{DEFAULT_BASE}graph/ontology"


@dataclass
class Row:
    """The figures of one graph size."""

    size: int
    triples: int
    contributions: int
    contribution_triples: float
    incremental_ms_median: float
    incremental_ms_p90: float
    incremental_cpu_ms_median: float
    data_graph_triples_median: float
    fallbacks: int
    full_s: float | None = None
    full_runs: list[float] = field(default_factory=list)
    full_cpu_s: float | None = None
    full_extrapolated: bool = False
    ratio: float | None = None


def prepare(size: int, work: Path, seed: int) -> tuple[Path, dict, ox.Store]:
    """The synthetic N-Quads of ``size`` lines and an on-disk store holding them (cached)."""
    nq, sample = synthetic(size, work, seed)
    return nq, sample, cached_store(nq, work / f"store-{label(size)}")


def concepts(scheme: str) -> list[URIRef]:
    graph = Graph().parse(data_path("ontology") / "schemes.ttl")
    prefix = f"{VOCAB}{scheme}/"
    return sorted(c for c in graph.subjects(RDF.type, SKOS.Concept) if str(c).startswith(prefix))


class Contributions:
    """~20-triple contributions referring to entities of the synthetic graph."""

    def __init__(self, samples: dict[str, list[str]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.samples = {k: [URIRef(v) for v in vs] for k, vs in samples.items()}
        self.roles, self.indicators = concepts("role"), concepts("indicator")
        self.n = 0

    def pick(self, kind: str) -> URIRef:
        return self.rng.choice(self.samples[kind])

    def labels(self, g: Graph, node: URIRef, text: str) -> None:
        for lang in ("fr", "en"):
            g.add((node, SKOS.prefLabel, Literal(f"{text} ({lang})", lang=lang)))
            g.add((node, RDFS.label, Literal(f"{text} ({lang})", lang=lang)))

    def make(self) -> Graph:
        self.n += 1
        kind = self.rng.choice([self.agreement, self.agreement, self.person, self.figure,
                                self.bad_agreement])
        return kind(self.n)

    def agreement(self, n: int) -> Graph:
        g = Graph()
        a = URIRef(f"{DEFAULT_BASE}id/agreement/bench-{n}")
        g.add((a, RDF.type, CLD.PartnershipAgreement))
        self.labels(g, a, f"Convention de partenariat {n}")
        parties = [self.pick("cluster"), self.pick("org")]
        g.add((a, CLD.signingDate, Literal(f"2024-0{1 + n % 9}-1{n % 10}", datatype=XSD.date)))
        g.add((a, CLD.signingPlace, self.pick("place")))
        for i, party in enumerate(parties):
            g.add((a, CLD.party, party))
            sig = URIRef(f"{a}/signature/s{i}")
            g.add((a, CLD.hasSignature, sig))
            g.add((sig, RDF.type, CLD.Signature))
            g.add((sig, CLD.signatory, self.pick("person")))
            g.add((sig, CLD.onBehalfOf, party))
            g.add((sig, CLD.role, self.rng.choice(self.roles)))
        return g

    def bad_agreement(self, n: int) -> Graph:
        g = self.agreement(n)
        a = URIRef(f"{DEFAULT_BASE}id/agreement/bench-{n}")
        g.remove((a, CLD.signingDate, None))
        g.add((a, CLD.signingDate, Literal("le 3 mai 2024")))  # not a date
        g.add((a, CLD.party, URIRef(f"{DEFAULT_BASE}id/org/no-such-org-{n}")))
        return g

    def person(self, n: int) -> Graph:
        g = Graph()
        p = URIRef(f"{DEFAULT_BASE}id/person/bench-{n}")
        org = self.pick("cluster")
        post = URIRef(f"{p}/post/{org.rsplit('/', 1)[-1]}-president")
        g.add((p, RDF.type, CLD.Person))
        self.labels(g, p, f"Samia Bench {n}")
        g.add((p, CLD.givenName, Literal("Samia")))
        g.add((p, CLD.familyName, Literal(f"Bench {n}")))
        g.add((p, CLD.holds, post))
        g.add((post, RDF.type, CLD.Post))
        g.add((post, CLD.postIn, org))
        g.add((post, CLD.role, self.rng.choice(self.roles)))
        g.add((post, CLD.postTitle, Literal("Présidente", lang="fr")))
        company = URIRef(f"{DEFAULT_BASE}id/org/bench-company-{n}")
        g.add((company, RDF.type, CLD.Company))
        self.labels(g, company, f"Entreprise {n}")
        g.add((company, CLD.memberOf, org))
        return g

    def figure(self, n: int) -> Graph:
        g = Graph()
        owner = self.pick("cluster")
        fig = URIRef(f"{owner}/figure/bench-{n}")
        g.add((owner, CLD.hasFigure, fig))
        g.add((fig, RDF.type, CLD.Figure))
        g.add((fig, CLD.indicator, self.rng.choice(self.indicators)))
        g.add((fig, CLD.value, Literal(40 + n, datatype=XSD.integer)))
        g.add((fig, CLD.reportedOn, Literal("2024", datatype=XSD.gYear)))
        g.add((owner, SKOS.altLabel, Literal(f"Alias {n}", lang="fr")))
        g.add((owner, SKOS.prefLabel, Literal(f"Autre nom {n}", lang="fr")))  # a 2nd fr label
        member = self.pick("org")
        g.add((member, CLD.memberOf, owner))
        return g


def run_incremental(validator: IncrementalValidator, source: OxigraphSource,
                    contributions: list[Graph], warmup: int = 3
                    ) -> tuple[list[float], list[float], list[int], int]:
    """Wall and CPU milliseconds per contribution, data graph sizes, fallbacks."""
    for c in contributions[:warmup]:
        validator.validate(c, source)
    times, cpu, sizes, fallbacks = [], [], [], 0
    for c in contributions:
        started = time.process_time()
        report = validator.validate(c, source)
        cpu.append((time.process_time() - started) * 1000)
        times.append(report.seconds * 1000)
        sizes.append(report.data_triples)
        fallbacks += report.mode != "incremental"
    return times, cpu, sizes, fallbacks


def data_graph_of(store: ox.Store) -> Graph:
    """The union of the store's graphs except the ontology graph, as an rdflib Graph."""
    graph = Graph()
    for quad in store.quads_for_pattern(None, None, None, None):
        name = quad.graph_name
        if isinstance(name, ox.NamedNode) and name.value == ONTOLOGY_GRAPH:
            continue
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def run_full(validator: Validator, store: ox.Store, contributions: list[Graph],
             runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of full validation of graph + contribution (graph copy excluded)."""
    base = data_graph_of(store)
    wall, cpu = [], []
    for c in contributions[:runs]:
        data = base + c
        started, started_cpu = time.perf_counter(), time.process_time()
        validator.validate(data)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def extrapolate(rows: list[Row]) -> None:
    """Fill in full-validation times not measured (power law, at least linear)."""
    measured = [r for r in rows if r.full_runs]
    if not measured:
        return
    if len(measured) >= 2:
        a, b = measured[-2], measured[-1]
        k = max(1.0, math.log(b.full_s / a.full_s) / math.log(b.triples / a.triples))
    else:
        b, k = measured[-1], 1.0
    for row in rows:
        if row.full_s is None:
            row.full_s = b.full_s * (row.triples / b.triples) ** k  # type: ignore[operator]
            row.full_extrapolated = True
        row.ratio = row.full_s * 1000 / row.incremental_ms_median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_validate", description=__doc__)
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--full-sizes", default="10k,100k",
                        help="sizes at which full validation is measured (1M takes long)")
    parser.add_argument("--contributions", type=int, default=40)
    parser.add_argument("--full-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("out/bench"))
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [size_of(s) for s in args.sizes.split(",")]
    full_sizes = {size_of(s) for s in args.full_sizes.split(",") if s}
    incremental, full = IncrementalValidator(), Validator()
    rows: list[Row] = []
    for size in sizes:
        _, summary, store = prepare(size, args.work, args.seed)
        source = OxigraphSource(store, exclude=[URIRef(ONTOLOGY_GRAPH)])
        maker = Contributions(summary["samples"], args.seed)
        contributions = [maker.make() for _ in range(args.contributions)]
        times, cpu, dsizes, fallbacks = run_incremental(incremental, source, contributions)
        row = Row(size=size, triples=summary["triples"], contributions=len(contributions),
                  contribution_triples=statistics.mean(len(c) for c in contributions),
                  incremental_ms_median=statistics.median(times),
                  incremental_ms_p90=sorted(times)[int(0.9 * (len(times) - 1))],
                  incremental_cpu_ms_median=statistics.median(cpu),
                  data_graph_triples_median=statistics.median(dsizes), fallbacks=fallbacks)
        print(f"{label(size)}: incremental median {row.incremental_ms_median:.1f} ms "
              f"(p90 {row.incremental_ms_p90:.1f} ms, data graph "
              f"{row.data_graph_triples_median:.0f} triples, "
              f"CPU {row.incremental_cpu_ms_median:.1f} ms, {fallbacks} fallbacks)", flush=True)
        if size in full_sizes:
            row.full_runs, full_cpu = run_full(full, store, contributions, args.full_runs)
            row.full_s = statistics.median(row.full_runs)
            row.full_cpu_s = statistics.median(full_cpu)
            print(f"{label(size)}: full validation {row.full_s:.1f} s", flush=True)
        rows.append(row)
        del store
    extrapolate(rows)
    info = machine()
    print(f"\n{header(info)}")
    print("| graph (lines) | contribution | incremental: median (p90), CPU median "
          "| full-graph pyshacl | ratio (medians) |")
    print("|---|---|---|---|---|")
    for r in rows:
        if r.full_s is None:
            print(f"| {r.triples:,} | {r.contribution_triples:.0f} triples | "
                  f"{r.incremental_ms_median:.1f} ms ({r.incremental_ms_p90:.1f} ms), "
                  f"CPU {r.incremental_cpu_ms_median:.1f} ms | not measured | |")
            continue
        full_text = f"{r.full_s:.1f} s" + (" (extrapolated)" if r.full_extrapolated else "")
        print(f"| {r.triples:,} | {r.contribution_triples:.0f} triples | "
              f"{r.incremental_ms_median:.1f} ms ({r.incremental_ms_p90:.1f} ms), "
              f"CPU {r.incremental_cpu_ms_median:.1f} ms | {full_text} | {r.ratio:,.0f}× |")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": [asdict(r) for r in rows]},
                                        indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
