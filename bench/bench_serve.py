"""Requests per second and memory of ``clusterld serve`` beside ``oxigraph serve`` and
rdflib-endpoint, on the same synthetic graph and the same queries.

Usage (from the repository root; loopback only, every loop bounded in count and time)::

    .venv/bin/python -m bench.bench_serve --triples 1M --work /tmp/bench \\
        --oxigraph /tmp/benchvenv/bin/oxigraph \\
        --rdflib-endpoint /tmp/benchvenv/bin/rdflib-endpoint \\
        --variant clusterld --variant clusterld-nocache:cache=0

``oxigraph`` is the CLI of the PyPI package ``oxigraph``; ``rdflib-endpoint`` the CLI of the
PyPI package of that name (install both in a separate virtualenv: they are not project
dependencies). A server whose binary is not given is left out.

``--variant NAME[:key=value,...]`` adds one ``clusterld serve`` (default: ``clusterld``):
``cache=MB`` (response cache, 0 = off), ``server=granian|waitress``, ``threads=N``
(``--threads``), ``lookups=worker``
(no in-process lookups), ``src=DIR`` (run the package found in DIR, e.g. an older checkout's
``src``, to compare before/after in the same run).

Workloads (runs interleaved: run 1 of every workload on every server, then run 2, …):
``lookup`` (SELECT of one entity's triples, JSON), ``deref`` (clusterld: the entity's data
document ``/data/….ttl``; the others, which do not dereference: one ``CONSTRUCT`` of the same
content, ``DOCUMENT``, as Turtle), ``deref-bare`` (the same documents; the peers'
``CONSTRUCT`` of the entity's own triples only, a 7× smaller answer), ``html`` (clusterld's
entity page ``/page/…``; no peer has one: compared with their ``deref``), ``aggregate``
(instances per class over the whole graph), ``join2`` (a 2-hop join:
members of clusters counted per country of the cluster). Each entity workload runs in two
mixes: ``distinct`` (every request names an entity not asked before, so a response cache
cannot help) and ``repeated`` (20 entities asked again and again).

Memory: summed RSS of each server's process tree (server, its workers), sampled every
0.2 s; ``serving`` is the peak once the server answers (loading left out). Time to first
answer: the server is restarted on its already built store and a lookup is polled every
20 ms until it answers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from bench.generate import _size, generate
from bench.serve_tools import Result, Server, entities, free_port, launch, measure, stop, wait_up

LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
CONSTRUCT = "CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
# The same content as clusterld's data document of {iri} (entities.describe: its triples
# and those of the nodes it owns, the links to it, its neighbours' labels, the reified
# statements on it with their spans and documents, the descriptions of its source graphs),
# asked of a peer as one CONSTRUCT; tests/test_bench_document.py checks it against describe().
DOCUMENT = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ <{iri}> ?p ?o BIND(<{iri}> AS ?s) }}
  UNION {{ <{iri}> ?x ?s FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iri}/")) ?s ?p ?o }}
  UNION {{ ?s ?p <{iri}> BIND(<{iri}> AS ?o) }}
  UNION {{ <{iri}> ?x ?s FILTER(isIRI(?s) && ?s != <{iri}> && !STRSTARTS(STR(?s), "{iri}/"))
          ?s ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }}
  UNION {{ ?s ?x <{iri}> FILTER(isIRI(?s) && ?s != <{iri}> && (!STRSTARTS(STR(?s), "{iri}/")
                                  || NOT EXISTS {{ <{iri}> ?z ?s }}))
          ?s ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }}
  UNION {{ <{iri}> ?y ?c FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{iri}/")) ?c ?x ?s
          FILTER(isIRI(?s) && ?s != <{iri}> && (!STRSTARTS(STR(?s), "{iri}/")
                                  || NOT EXISTS {{ <{iri}> ?z ?s }}))
          ?s ?p ?o FILTER(?p IN (skos:prefLabel, rdfs:label)) }}
  UNION {{ {{ BIND(<{iri}> AS ?t) }}
          UNION {{ <{iri}> ?x ?t FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{iri}/")) }}
          ?st rdf:subject ?t .
          {{ ?st ?p ?o BIND(?st AS ?s) }}
          UNION {{ ?st prov:wasDerivedFrom ?s . ?s ?p ?o }}
          UNION {{ ?st prov:wasDerivedFrom ?span . ?span dcterms:isPartOf ?s . ?s ?p ?o }} }}
  UNION {{ GRAPH ?s {{ <{iri}> a ?c }} FILTER(!STRSTARTS(STR(?s), "urn:x-clusterld:union:"))
          ?s ?p ?o }}
  UNION {{ GRAPH ?g {{ <{iri}> a ?c }} FILTER(!STRSTARTS(STR(?g), "urn:x-clusterld:union:"))
          ?g prov:wasDerivedFrom ?s . ?s ?p ?o }}
}}"""
AGGREGATE = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
JOIN2 = ("PREFIX cld: <https://w3id.org/clusterld/ontology#>\n"
         "SELECT ?country (COUNT(?member) AS ?n) WHERE { ?member cld:memberOf ?cluster . "
         "?cluster a cld:Cluster ; cld:country ?country } GROUP BY ?country ORDER BY DESC(?n)")
JSON_RESULTS = "application/sparql-results+json"
WORKLOADS = ("lookup", "lookup-repeated", "deref", "deref-repeated", "deref-bare", "html",
             "html-repeated", "aggregate", "join2")
REPEATED = 20  # entities of the repeated mixes


def is_ours(server: Server) -> bool:
    return server.name not in ("oxigraph", "rdflib-endpoint")


def paths_for(server: Server, workload: str, iris: list[str], base: str
              ) -> tuple[list[str], dict[str, str]] | None:
    """Paths and headers of one workload on ``server`` (None: the server has no such thing)."""
    kind = workload.removesuffix("-repeated")
    local = [iri[len(base) + 3:] for iri in iris]
    if kind == "lookup":
        return [server.sparql(LOOKUP.format(iri=i)) for i in iris], {"Accept": JSON_RESULTS}
    if kind in ("deref", "deref-bare"):
        if is_ours(server):
            return [f"/data/{p}.ttl" for p in local], {"Accept": "text/turtle"}
        if kind == "deref" and server.name == "rdflib-endpoint":
            return None  # one DOCUMENT takes it minutes (rdflib's evaluator): see bench/README
        query = DOCUMENT if kind == "deref" else CONSTRUCT
        return [server.sparql(query.format(iri=i)) for i in iris], {"Accept": "text/turtle"}
    if kind == "html":
        return ([f"/page/{p}" for p in local], {"Accept": "text/html"}) if is_ours(server) \
            else None
    query = AGGREGATE if kind == "aggregate" else JOIN2
    return [server.sparql(query)], {"Accept": JSON_RESULTS}


def parse_variant(spec: str) -> tuple[str, dict[str, str]]:
    name, _, opts = spec.partition(":")
    options = dict(o.split("=", 1) for o in opts.split(",") if o)
    unknown = set(options) - {"cache", "server", "lookups", "src", "threads"}
    if unknown:
        raise SystemExit(f"unknown variant option(s) {', '.join(sorted(unknown))} in {spec}")
    return name, options


def clusterld_server(name: str, options: dict[str, str], data: Path, work: Path) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "clusterld.cli", "serve", str(data), "--host", "127.0.0.1",
           "--port", str(port), "--store", str(work / name / "store"), "--build-dir",
           str(work / "no-build"), "--query-timeout", "300",
           "--cache-mb", options.get("cache", "64")]
    if "server" in options:
        cmd += ["--server", options["server"]]
    if "threads" in options:
        cmd += ["--threads", options["threads"]]
    if options.get("lookups") == "worker":
        cmd.append("--no-inprocess-lookups")
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERLD_TOKEN"}
    if "src" in options:
        env["PYTHONPATH"] = str(Path(options["src"]).resolve())
    return Server(name, f"http://127.0.0.1:{port}", "/sparql", cmd, env)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=_size, default=1_000_000)
    ap.add_argument("--work", type=Path, default=Path("out/bench-serve"))
    ap.add_argument("--oxigraph", help="path of the `oxigraph` CLI (PyPI oxigraph)")
    ap.add_argument("--rdflib-endpoint", help="path of the `rdflib-endpoint` CLI")
    ap.add_argument("--variant", action="append", default=[],
                    help="a clusterld server: NAME[:cache=MB,server=S,threads=N,"
                         "lookups=worker,src=DIR]")
    ap.add_argument("--uncached", action="store_true",
                    help="also the variant clusterld-nocache:cache=0")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--clients", type=int, default=4, help="parallel keep-alive connections")
    ap.add_argument("--requests", type=int, default=1500, help="per run of an entity workload")
    ap.add_argument("--aggregates", type=int, default=20, help="per run of aggregate, join2")
    ap.add_argument("--seconds", type=float, default=5.0, help="time cap of one run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-first-answer", action="store_true",
                    help="skip the restart that times the first answer")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"synth-{args.triples}.nq"
    meta = work / f"synth-{args.triples}.json"
    if not data.is_file() or not meta.is_file():
        print(f"generating {args.triples} quads → {data}", flush=True)
        generate(data, triples=args.triples, seed=1, sample_out=meta)
    summary = json.loads(meta.read_text())
    base = summary["base"]
    repeated = [iri for kind in sorted(summary["samples"]) for iri in summary["samples"][kind]
                if iri.startswith(base + "id/")][::7][:REPEATED]
    every = entities(data, base, work / f"synth-{args.triples}.entities")
    random.Random(1).shuffle(every)
    print(f"{summary['triples']} quads, {len(every)} entities; {machine()}; load average "
          f"{load_average()}", flush=True)

    variants = [parse_variant(v) for v in args.variant] or [("clusterld", {})]
    if args.uncached:
        variants.append(("clusterld-nocache", {"cache": "0"}))
    servers = [clusterld_server(name, opts, data, work) for name, opts in variants]
    if args.oxigraph:
        location = work / "oxigraph-store"
        if not (location / "CURRENT").is_file():
            shutil.rmtree(location, ignore_errors=True)
            subprocess.run([args.oxigraph, "load", "--location", str(location), "--file",
                            str(data)], check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        servers.append(Server("oxigraph", f"http://127.0.0.1:{port}", "/query", [
            args.oxigraph, "serve-read-only", "--location", str(location), "--bind",
            f"127.0.0.1:{port}", "--union-default-graph"]))
    if args.rdflib_endpoint:
        port = free_port()
        servers.append(Server("rdflib-endpoint", f"http://127.0.0.1:{port}", "/", [
            args.rdflib_endpoint, "serve", str(data), "--host", "127.0.0.1", "--port",
            str(port)]))

    workloads = [w for w in args.workloads.split(",") if w]
    results: dict[tuple[str, str], Result] = {}
    memory: dict[str, dict[str, float]] = {}
    try:
        for server in servers:  # one at a time: loading is the heaviest part
            launch(server, work)
            server.startup = wait_up(server, server.sparql("ASK {}"), 3600)
            assert server.rss is not None
            server.rss.mark()
            print(f"{server.name}: up in {server.startup:.1f} s", flush=True)
        for run in range(args.runs):
            for workload in workloads:
                distinct = not workload.endswith("-repeated") and workload not in (
                    "aggregate", "join2")
                count = args.aggregates if workload in ("aggregate", "join2") else args.requests
                # distinct mixes: run r reads slice r + 1 of the shuffled entities (slice 0
                # is never read), so no request repeats on a server
                start = ((run + 1) * count) % max(1, len(every) - count)
                iris = every[start:start + count] if distinct else repeated
                for server in servers:
                    spec = paths_for(server, workload, iris, base)
                    if spec is None:
                        continue
                    paths, headers = spec
                    if run == 0 and not distinct:  # warm-up: every repeated request once
                        measure(server, paths, headers, args.clients, len(paths), args.seconds)
                    rate, done, errors = measure(server, paths, headers, args.clients, count,
                                                 args.seconds)
                    result = results.setdefault((server.name, workload),
                                                Result(server.name, workload))
                    result.rates.append(rate)
                    result.requests += done
                    result.errors += errors
                    print(f"  run {run + 1} {server.name:22} {workload:16} {rate:9.1f} req/s "
                          f"({done} requests, {errors} errors)", flush=True)
        for server in servers:
            stop(server)
            assert server.rss is not None
            memory[server.name] = {"startup_s": server.startup,
                                   "serving_peak_mib": server.rss.serving_peak / 2**20,
                                   "peak_mib": server.rss.peak / 2**20,
                                   "hwm_sum_mib": sum(server.rss.hwm.values()) / 2**20}
            if not args.no_first_answer and server.name != "rdflib-endpoint":
                launch(server, work)  # the store is built: this is the restart time
                probe = server.sparql(LOOKUP.format(iri=repeated[0]))
                server.first_answer = wait_up(server, probe, 600, poll=0.02,
                                              headers={"Accept": JSON_RESULTS})
                memory[server.name]["first_answer_s"] = server.first_answer
                stop(server)
    finally:
        for server in servers:
            stop(server)
    report(servers, results, memory, workloads, args.json)
    print(f"load average at the end: {load_average()}")
    return 0


def report(servers: list[Server], results: dict[tuple[str, str], Result],
           memory: dict[str, dict[str, float]], workloads: list[str], out: Path | None) -> None:
    """Tables of medians, ratios to Oxigraph and rdflib-endpoint, and memory."""
    print("\n| workload | server | req/s | oxigraph req/s | rdflib-endpoint req/s | "
          "× oxigraph | × rdflib-endpoint |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for workload in workloads:
        oxi = results.get(("oxigraph", workload))
        rdfl = results.get(("rdflib-endpoint", workload))
        if workload.startswith("html"):  # no peer has pages: compare with their CONSTRUCT
            oxi = results.get(("oxigraph", workload.replace("html", "deref")))
            rdfl = results.get(("rdflib-endpoint", workload.replace("html", "deref")))
        bare = rdfl is None and workload.startswith(("deref", "html"))
        if bare:  # rdflib-endpoint is not asked for DOCUMENT: its bare CONSTRUCT instead
            rdfl = results.get(("rdflib-endpoint", "deref-bare"))
        for server in servers:
            ours = results.get((server.name, workload))
            if ours is None or not is_ours(server):
                continue

            def cell(r: Result | None) -> str:
                return f"{r.median:.1f}" if r else "–"

            def ratio(r: Result | None, ours: Result = ours) -> str:
                return f"{ours.median / r.median:.2f}×" if r and r.median else "–"

            note = " (bare)" if bare and rdfl else ""
            print(f"| {workload} | {server.name} | {cell(ours)} | {cell(oxi)} | "
                  f"{cell(rdfl)}{note} | {ratio(oxi)} | {ratio(rdfl)}{note} |")
            rows.append({"workload": workload, "server": server.name, "rates": ours.rates,
                         "median": ours.median, "errors": ours.errors,
                         "oxigraph": oxi.median if oxi else None,
                         "rdflib_endpoint": rdfl.median if rdfl else None,
                         "rdflib_endpoint_bare": bare})
    print("\n| server | up (load) s | first answer after restart s | peak RSS serving MiB | "
          "peak RSS incl. loading MiB |")
    print("|---|---|---|---|---|")
    for name, m in memory.items():
        first = m.get("first_answer_s")
        print(f"| {name} | {m['startup_s']:.1f} | {f'{first:.2f}' if first else '–'} | "
              f"{m['serving_peak_mib']:.0f} | {m['peak_mib']:.0f} |")
    if out is not None:
        out.write_text(json.dumps({"machine": machine(), "load_average": load_average(),
                                   "rows": rows, "memory": memory}, indent=1) + "\n")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
