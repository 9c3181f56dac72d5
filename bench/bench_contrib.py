"""Latency of ``POST /validate`` for a ~20-triple contribution on the seeds graph (issue 4).

Usage (from the repository root)::

    .venv/bin/python -m bench.bench_contrib [--runs 30] [--work out/bench-contrib]

Builds the seeds graph (``clusterld build --no-reason``), serves it with ``create_app`` and
posts the same ~20-triple contribution (a new agreement between two seed clusters with two
signatures, and a new person holding a post) to ``/validate`` through the Flask test client
(the whole request: parsing, checks, incremental validation, labels, JSON). The peer, in the
same run, is what ``clusterld validate`` does: full validation of graph + contribution by
:class:`clusterld.validate.Validator`. Medians are printed, with their ratio.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rdflib import Graph

from clusterld.graphsource import from_ox
from clusterld.publish import build
from clusterld.validate import Validator
from clusterld.web import create_app
from clusterld.web.contrib import close_contributions

ID = "https://w3id.org/clusterld/id/"


def contribution(clusters: list[str], n: int) -> str:
    """Twenty-one triples that reference two existing clusters."""
    a, b = clusters[:2]
    agreement = f"{ID}agreement/bench-{n}"
    person = f"{ID}person/bench-{n}"
    return f"""@prefix cld: <https://w3id.org/clusterld/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{agreement}> a cld:PartnershipAgreement ;
    skos:prefLabel "Convention de test {n}"@fr ; rdfs:label "Convention de test {n}"@fr ;
    cld:party <{a}>, <{b}> ;
    cld:signingDate "2024-03-0{n % 9 + 1}"^^xsd:date ;
    cld:hasSignature <{agreement}/signature/1>, <{agreement}/signature/2> .
<{agreement}/signature/1> a cld:Signature ; cld:signatory <{person}> ; cld:onBehalfOf <{a}> .
<{agreement}/signature/2> a cld:Signature ; cld:signatory <{person}> ; cld:onBehalfOf <{b}> .
<{person}> a cld:Person ; skos:prefLabel "Test Person {n}"@en ; rdfs:label "Test Person {n}"@en ;
    cld:holds <{person}/post/1> .
<{person}/post/1> a cld:Post ; cld:postIn <{a}> ;
    cld:role <https://w3id.org/clusterld/vocab/role/president> .
"""


def over_http(dump: Path, work: Path, texts: list[str]) -> list[float]:
    """The same requests to a real ``clusterld serve`` (waitress) on a loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "clusterld.cli", "serve", str(dump),
                             "--port", str(port), "--store", str(work / "http-store"),
                             "--build-dir", str(work / "build"), "--workers", "1"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((work / "serve.log").read_text())
            time.sleep(0.2)
        seconds = []
        with httpx.Client(base_url=url, timeout=60) as client:
            client.post("/validate", content=texts[0], headers={"Content-Type": "text/turtle"})
            for text in texts[1:]:
                started = time.perf_counter()
                r = client.post("/validate", content=text,
                                headers={"Content-Type": "text/turtle"})
                seconds.append(time.perf_counter() - started)
                assert r.status_code == 200 and r.json()["conforms"], r.text
        return seconds
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("out/bench-contrib"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    build(args.work / "build", reason=False, log=lambda _: None)
    dump = args.work / "build" / "clusterld.nq"
    app = create_app({"CLUSTERLD_STORE": str(args.work / "store"), "CLUSTERLD_LOAD": [str(dump)],
                      "CLUSTERLD_BUILD_DIR": str(args.work / "build"),
                      "CLUSTERLD_CONTRIBUTION_RATE": 0, "CLUSTERLD_WORKERS": 1})
    kg = app.extensions["clusterld"]
    clusters = sorted(row["c"].value for row in kg.query(
        "SELECT ?c WHERE { ?c a <https://w3id.org/clusterld/ontology#Cluster> }"))
    client = app.test_client()
    texts = [contribution(clusters, n) for n in range(args.runs + 1)]
    triples = len(Graph().parse(data=texts[0], format="turtle"))
    first = client.post("/validate", data=texts[0], content_type="text/turtle").get_json()
    assert first["conforms"], first
    api = []
    for text in texts[1:]:
        started = time.perf_counter()
        answer = client.post("/validate", data=text, content_type="text/turtle")
        api.append(time.perf_counter() - started)
        assert answer.status_code == 200 and answer.get_json()["conforms"], answer.get_json()
    graph = Graph()
    for q in kg.store.quads_for_pattern(None, None, None, None):
        if not q.graph_name.value.startswith("urn:x-clusterld:union:") and \
                not q.graph_name.value.endswith("graph/ontology"):
            graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    validator = Validator()
    full = []
    for text in texts[1:6]:
        data = Graph() + graph
        data.parse(data=text, format="turtle")
        started = time.perf_counter()
        validator.validate(data)
        full.append(time.perf_counter() - started)
    api_ms, full_ms = statistics.median(api) * 1000, statistics.median(full) * 1000
    print(f"seeds graph: {len(graph)} triples; contribution: {triples} triples; "
          f"mode {first['mode']}")
    print(f"POST /validate (test client, {len(api)} runs): median {api_ms:.1f} ms, "
          f"p90 {sorted(api)[int(len(api) * 0.9)] * 1000:.1f} ms")
    print(f"peer, full validation of graph + contribution ({len(full)} runs): median "
          f"{full_ms:.1f} ms")
    print(f"ratio full / POST /validate: {full_ms / api_ms:.1f}x")
    close_contributions(app)
    kg.close()
    http = over_http(dump, args.work, texts)
    print(f"POST /validate over HTTP (clusterld serve, loopback, {len(http)} runs): median "
          f"{statistics.median(http) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
