"""Load time and dereferencing latency per backend: embedded, Oxigraph server, Virtuoso.

Usage: python -m bench.remote_store DUMP.nq [DUMP2.nq …] (starts both stores on loopback).
Prints, per backend and dump, the load time, then the median latency of a data-document
request (``/id/…`` → 303 → Turtle) over a few hundred requests on the first dump, and the
ratio to the embedded store measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.remote.servers import start_oxigraph, start_virtuoso

from clusterld.remote import RemoteStore, endpoints_for
from clusterld.remotekg import RemoteKnowledgeGraph
from clusterld.store import KnowledgeGraph, Limits
from clusterld.web import create_app


def main(dumps: list[Path], requests: int = 300) -> None:
    folder = Path(tempfile.mkdtemp(prefix="clusterld-bench-remote-"))
    servers = {"oxigraph": start_oxigraph(folder / "ox"), "virtuoso": start_virtuoso(folder / "vt")}
    medians: dict[str, float] = {}
    try:
        for backend in ["embedded", *servers]:
            limits = Limits(workers=1)
            if backend == "embedded":
                kg = KnowledgeGraph(folder / "emb", limits=limits)
            else:
                s = servers[backend]
                kg = RemoteKnowledgeGraph(RemoteStore(endpoints_for(
                    s.url, user=s.user, password=s.password)), limits=limits)
            for dump in dumps:
                started = time.perf_counter()
                kg.load([dump], replace=True)
                print(f"{backend:9} load {dump.name}: {time.perf_counter() - started:.2f} s "
                      f"({kg.stats()['triples']} triples)", flush=True)
                if dump == dumps[0]:
                    medians[backend] = deref(kg, requests)
                    print(f"{backend:9} deref median: {medians[backend] * 1000:.1f} ms "
                          f"(x{medians[backend] / medians['embedded']:.1f} embedded)", flush=True)
            kg.close()
    finally:
        for s in servers.values():
            s.stop()


def deref(kg: KnowledgeGraph, requests: int) -> float:
    """Median seconds of GET /id/… (303) + GET of the Turtle document, over entities."""
    client = create_app({"TESTING": True, "CLUSTERLD_KG": kg,
                         "CLUSTERLD_RESPONSE_CACHE_MB": 0}).test_client()
    rows = kg.query("SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), "
                    "'https://w3id.org/clusterld/id/')) } LIMIT 100")
    paths = [r["s"].value.removeprefix("https://w3id.org/clusterld") for r in rows]
    times = []
    for i in range(requests):
        started = time.perf_counter()
        r = client.get(paths[i % len(paths)], headers={"Accept": "text/turtle"})
        client.get(r.headers["Location"], headers={"Accept": "text/turtle"})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]])
