"""Requests per second of ``clusterld serve`` beside ``oxigraph serve`` and rdflib-endpoint.

Usage (from the repository root; loopback only, every loop bounded in count and time)::

    .venv/bin/python -m bench.bench_serve --triples 1M \\
        --oxigraph /path/to/oxigraph --rdflib-endpoint /path/to/rdflib-endpoint

``oxigraph`` is the CLI of the PyPI package ``oxigraph``; ``rdflib-endpoint`` the CLI of the
PyPI package of that name (install both in a separate virtualenv: they are not project
dependencies). A server whose binary is not given is left out. The same synthetic graph
(``bench.generate``) is loaded in each server; each workload runs ``--runs`` times against
each server and the median is reported, with the ratio to Oxigraph.

Workloads: ``lookup`` (SPARQL SELECT of one entity's triples, JSON), ``deref`` (clusterld:
the entity's data document ``/data/….ttl``; the others: ``CONSTRUCT`` of the entity's
triples as Turtle), ``aggregate`` (instances per class over the whole graph).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import _size, generate

LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
CONSTRUCT = "CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
AGGREGATE = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
JSON_RESULTS = "application/sparql-results+json"


@dataclass
class Server:
    """One server under test."""

    name: str
    url: str  # root, e.g. http://127.0.0.1:8123
    query_path: str  # /sparql or /query
    process: subprocess.Popen | None = None
    log: Path | None = None
    startup: float = 0.0

    def sparql(self, query: str) -> str:
        return f"{self.query_path}?{urllib.parse.urlencode({'query': query})}"


@dataclass
class Result:
    """Requests per second of one workload on one server over the runs."""

    server: str
    workload: str
    rates: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(server: Server, path: str, limit: float) -> None:
    """Poll ``path`` until it answers 200 (bounded by ``limit`` seconds)."""
    host = urllib.parse.urlsplit(server.url)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log}")
        try:
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=600)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{server.name} did not come up in {limit:.0f} s; see {server.log}")


def start(name: str, cmd: list[str], url: str, query_path: str, work: Path,
          ready_path: str, limit: float, env: dict[str, str] | None = None) -> Server:
    log = work / f"{name}.log"
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env,
                            cwd=work)
    server = Server(name, url, query_path, proc, log)
    wait_up(server, ready_path, limit)
    server.startup = time.monotonic() - started
    return server


def stop(server: Server) -> None:
    if server.process is not None and server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(20)


def _client(args: tuple[str, list[str], dict[str, str], int, float, float]) -> tuple[int, int,
                                                                                      float]:
    """One client process: keep-alive GETs over ``paths`` until ``count`` or ``seconds``."""
    url, paths, headers, count, seconds, start_at = args
    parts = urllib.parse.urlsplit(url)
    while time.time() < start_at:
        time.sleep(0.001)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    done = errors = 0
    began = time.monotonic()
    while done < count and time.monotonic() - began < seconds:
        conn.request("GET", paths[done % len(paths)], headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
        done += 1
    return done, errors, time.monotonic() - began


def measure(server: Server, paths: list[str], headers: dict[str, str], clients: int,
            count: int, seconds: float) -> tuple[float, int, int]:
    """Requests per second with ``clients`` parallel keep-alive connections."""
    start_at = time.time() + 0.5
    jobs = [(server.url, paths[i::clients] or paths, headers, max(1, count // clients), seconds,
             start_at) for i in range(clients)]
    with mp.get_context("fork").Pool(clients) as pool:
        outcomes = pool.map(_client, jobs)
    done = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    elapsed = max(o[2] for o in outcomes)
    return done / elapsed if elapsed else 0.0, done, errors


def workloads(server: Server, entities: list[str], base: str) -> dict[str, tuple[list[str],
                                                                                  dict[str, str]]]:
    """Paths and headers of each workload on ``server``."""
    if server.name.startswith("clusterld"):
        deref = [f"/data/{iri[len(base) + 3:]}.ttl" for iri in entities]
    else:
        deref = [server.sparql(CONSTRUCT.format(iri=iri)) for iri in entities]
    return {
        "lookup": ([server.sparql(LOOKUP.format(iri=iri)) for iri in entities],
                   {"Accept": JSON_RESULTS}),
        "deref": (deref, {"Accept": "text/turtle"}),
        "aggregate": ([server.sparql(AGGREGATE)], {"Accept": JSON_RESULTS}),
    }


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=_size, default=1_000_000)
    ap.add_argument("--work", type=Path, default=Path("out/bench-serve"))
    ap.add_argument("--oxigraph", help="path of the `oxigraph` CLI (PyPI oxigraph)")
    ap.add_argument("--rdflib-endpoint", help="path of the `rdflib-endpoint` CLI")
    ap.add_argument("--clients", type=int, default=4, help="parallel keep-alive connections")
    ap.add_argument("--requests", type=int, default=3000, help="per run, lookups and derefs")
    ap.add_argument("--aggregates", type=int, default=20, help="per run, aggregates")
    ap.add_argument("--seconds", type=float, default=20.0, help="time cap of one run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--entities", type=int, default=200)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--uncached", action="store_true",
                    help="also measure clusterld with its response cache off")
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
    entities = [iri for kind in sorted(summary["samples"]) for iri in summary["samples"][kind]
                if iri.startswith(base + "id/")][: args.entities]
    print(f"{summary['triples']} quads, {len(entities)} sample entities; {machine()}",
          flush=True)

    servers: list[Server] = []
    results: list[Result] = []
    try:
        env = {k: v for k, v in os.environ.items() if k != "CLUSTERLD_TOKEN"}
        for name, cache in (("clusterld", "64"), ("clusterld-nocache", "0")):
            if name == "clusterld-nocache" and not args.uncached:
                continue
            port = free_port()
            servers.append(start(name, [
                sys.executable, "-m", "clusterld.cli", "serve", str(data), "--host",
                "127.0.0.1", "--port", str(port), "--store", str(work / f"{name}-store"),
                "--build-dir", str(work / "no-build"), "--query-timeout", "300",
                "--cache-mb", cache], f"http://127.0.0.1:{port}", "/sparql", work,
                "/healthz", 1800, env))
        if args.oxigraph:
            location = work / "oxigraph-store"
            if not (location / "CURRENT").is_file():
                shutil.rmtree(location, ignore_errors=True)
                subprocess.run([args.oxigraph, "load", "--location", str(location), "--file",
                                str(data)], check=True, stdout=subprocess.DEVNULL)
            port = free_port()
            servers.append(start("oxigraph", [
                args.oxigraph, "serve-read-only", "--location", str(location), "--bind",
                f"127.0.0.1:{port}", "--union-default-graph"], f"http://127.0.0.1:{port}",
                "/query", work, "/query?query=ASK%7B%7D", 600))
        if args.rdflib_endpoint:
            port = free_port()
            servers.append(start("rdflib-endpoint", [
                args.rdflib_endpoint, "serve", str(data), "--host", "127.0.0.1", "--port",
                str(port)], f"http://127.0.0.1:{port}", "/", work,
                "/?query=ASK%7B%7D", 3600))
        for server in servers:
            print(f"{server.name}: up in {server.startup:.1f} s", flush=True)
        for server in servers:
            for name, (paths, headers) in workloads(server, entities, base).items():
                count = args.aggregates if name == "aggregate" else args.requests
                result = Result(server.name, name)
                # warm-up: every distinct request once (bounded)
                measure(server, paths[: 4 * args.clients], headers, args.clients,
                        min(len(paths), 4 * args.clients), args.seconds)
                for _ in range(args.runs):
                    rate, done, errors = measure(server, paths, headers, args.clients, count,
                                                 args.seconds)
                    result.rates.append(rate)
                    result.requests += done
                    result.errors += errors
                results.append(result)
                print(f"  {server.name:16} {name:10} {result.median:9.1f} req/s "
                      f"(runs {', '.join(f'{r:.1f}' for r in result.rates)}; "
                      f"{result.errors} errors)", flush=True)
    finally:
        for server in servers:
            stop(server)
    report(results, args.json)
    return 0


def report(results: list[Result], out: Path | None) -> None:
    """The table of medians and ratios (to Oxigraph and to rdflib-endpoint)."""
    by = {(r.server, r.workload): r for r in results}
    print("\n| workload | clusterld req/s | oxigraph req/s | rdflib-endpoint req/s | "
          "clusterld / oxigraph | clusterld / rdflib-endpoint |")
    print("|---|---|---|---|---|---|")
    rows = []
    for workload in ("lookup", "deref", "aggregate"):
        cold = by.get(("clusterld-nocache", workload))
        ours = by.get(("clusterld", workload))
        oxi = by.get(("oxigraph", workload))
        rdfl = by.get(("rdflib-endpoint", workload))
        if ours is None:
            continue

        def cell(r: Result | None) -> str:
            return f"{r.median:.1f}" if r else "–"

        def ratio(r: Result | None, ours: Result = ours) -> str:
            return f"{ours.median / r.median:.2f}×" if r and r.median else "–"

        print(f"| {workload} | {cell(ours)} | {cell(oxi)} | {cell(rdfl)} | {ratio(oxi)} | "
              f"{ratio(rdfl)} |")
        if cold is not None:
            print(f"| {workload} (cache off) | {cell(cold)} | {cell(oxi)} | {cell(rdfl)} | "
                  f"{ratio(oxi, cold)} | {ratio(rdfl, cold)} |")
        rows.append({"workload": workload, "clusterld": ours.median,
                     "clusterld_nocache": cold.median if cold else None,
                     "oxigraph": oxi.median if oxi else None,
                     "rdflib_endpoint": rdfl.median if rdfl else None,
                     "errors": sum(r.errors for r in (ours, oxi, rdfl) if r)})
    if out is not None:
        out.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
