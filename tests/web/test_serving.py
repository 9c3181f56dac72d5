"""The serving hot paths: in-process bounded lookups, the response cache's invalidation."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask

from clusterld import results
from clusterld.workers import PublicDataset, QueryTask, bounded_lookup, execute, native_lookup
from tests.conftest import BASE, make_app

CE3M = BASE + "id/cluster/ce3m"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{CE3M}> ?p ?o }}"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.mark.parametrize("query", [
    LOOKUP,
    "select * { ?s ?p <urn:x> . } limit 5",
    "PREFIX cld: <https://w3id.org/clusterld/ontology#>\nSELECT ?t WHERE { <urn:s> a ?t }",
    "SELECT ?o WHERE { <urn:s> <urn:p> ?o }",
])
def test_bounded_lookups(query: str) -> None:
    assert bounded_lookup(query)


@pytest.mark.parametrize("query", [
    "SELECT ?p ?o WHERE { ?s ?p ?o }",  # nothing bound
    "SELECT ?s WHERE { ?s ?p ?s }",  # a repeated variable filters the scan
    "SELECT ?s WHERE { <urn:a> ?p ?s . ?s ?q ?o }",  # a join
    "SELECT DISTINCT ?p WHERE { <urn:a> ?p ?o }",  # duplicates dropped: work ≠ rows
    "SELECT ?p ?o WHERE { <urn:a> ?p ?o } ORDER BY ?o",
    "SELECT ?p ?o WHERE { <urn:a> ?p ?o } OFFSET 100000",
    "SELECT ?p ?o FROM <urn:g> WHERE { <urn:a> ?p ?o }",
    "SELECT ?p ?o WHERE { GRAPH ?g { <urn:a> ?p ?o } }",
    "SELECT ?p ?o WHERE { <urn:a> ?p ?o FILTER(?o > 1) }",
    "SELECT ?x WHERE { <urn:a> ?p ?o }",  # projects a variable the pattern lacks
    "SELECT (COUNT(*) AS ?n) WHERE { <urn:a> ?p ?o }",
    "SELECT ?p ?o WHERE { <urn:a> ?p ?o # a comment\n}",
    "SELECT ?p WHERE { <urn:a> ?p \"x\" }",
    "ASK { <urn:a> ?p ?o }",
])
def test_other_queries_go_to_a_worker(query: str) -> None:
    assert not bounded_lookup(query)


def _rows(data: bytes) -> set[tuple[str, ...]]:
    doc = json.loads(data)
    return {tuple(sorted((k, v["value"]) for k, v in b.items()))
            for b in doc["results"]["bindings"]}


def test_inprocess_lookup_answers_like_the_worker(app: Flask) -> None:
    kg = app.extensions["clusterld"]
    client = app.test_client()
    before = kg.inprocess
    fast = client.get("/sparql", query_string={"query": LOOKUP}, headers=JSON)
    assert fast.status_code == 200 and kg.inprocess == before + 1
    kg.limits.inprocess_lookups = False
    try:
        slow = client.get("/sparql", query_string={"query": LOOKUP, "timeout": "4"},
                          headers=JSON)
    finally:
        kg.limits.inprocess_lookups = True
    assert kg.inprocess == before + 1
    assert slow.status_code == 200
    assert _rows(fast.data) == _rows(slow.data) and len(_rows(fast.data)) > 5
    xml = client.get("/sparql", query_string={"query": LOOKUP + " LIMIT 2"},
                     headers={"Accept": "application/sparql-results+xml"})
    assert xml.status_code == 200 and xml.data.count(b"<result>") == 2
    refused = client.get("/sparql", query_string={"query": LOOKUP},
                         headers={"Accept": "text/turtle"})
    assert refused.status_code == 406


def test_inprocess_lookup_syntax_error_is_the_workers(client) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT ?p ?p2 WHERE { <a b> ?p ?o }"})
    assert r.status_code == 400  # not a bounded lookup: the worker's error answer
    r = client.get("/sparql", query_string={"query": "SELECT ?p WHERE { <urn:a> ?p ?o } LIMIT"})
    assert r.status_code == 400


def test_inprocess_lookup_is_capped(tmp_path: Path) -> None:
    app = make_app(tmp_path, CLUSTERLD_MAX_ROWS=3)
    kg = app.extensions["clusterld"]
    try:
        r = app.test_client().get("/sparql", query_string={"query": LOOKUP}, headers=JSON)
        assert kg.inprocess == 1
        assert len(_rows(r.data)) == 3 and r.headers["X-Clusterld-Truncated"] == "true"
    finally:
        kg.close()


def _task(query: str, max_rows: int = 10_000, media_type: str = results.SPARQL_JSON,
          ) -> QueryTask:
    return QueryTask(query=query, formats={"select": media_type}, public=True,
                     graph_patterns=False, max_rows=max_rows)


@pytest.mark.parametrize("query", [
    LOOKUP,
    LOOKUP + " LIMIT 4",
    f"SELECT ?s ?p WHERE {{ ?s ?p <{CE3M}> }}",
    f"SELECT * WHERE {{ <{CE3M}> a ?t }}",
    "SELECT ?o WHERE { <urn:nothing> <urn:p> ?o }",
])
def test_native_lookup_writes_the_same_bytes(app: Flask, query: str) -> None:
    kg = app.extensions["clusterld"]
    dataset = PublicDataset([kg._union], [])
    assert bounded_lookup(query)
    native = native_lookup(kg.store, _task(query), dataset)
    assert native is not None and not native.truncated
    assert native.body == execute(kg.store, _task(query), dataset).body


def test_native_lookup_leaves_cut_answers_to_execute(app: Flask) -> None:
    kg = app.extensions["clusterld"]
    dataset = PublicDataset([kg._union], [])
    assert native_lookup(kg.store, _task(LOOKUP, max_rows=3), dataset) is None  # may be cut
    assert native_lookup(kg.store, _task(LOOKUP + " LIMIT 50", max_rows=10), dataset) is None
    assert native_lookup(kg.store, _task(LOOKUP, media_type=results.CSV), dataset) is None
    cut = execute(kg.store, _task(LOOKUP, max_rows=3), dataset)
    assert cut.truncated and len(_rows(cut.body)) == 3
    own = native_lookup(kg.store, _task(LOOKUP + " LIMIT 3", max_rows=3), dataset)
    assert own is not None and not own.truncated and len(_rows(own.body)) == 3


def test_unbounded_lookalike_is_still_killed(tmp_path: Path) -> None:
    """A query that starts like a lookup but joins is not run in-process: the time limit
    still stops it, in its worker, while bounded lookups keep being answered."""
    app = make_app(tmp_path, CLUSTERLD_QUERY_TIMEOUT=30.0)
    kg = app.extensions["clusterld"]
    slow_query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ <{CE3M}> ?p ?o . ?a ?b ?c . ?d ?e ?f . "
                  "?g ?h ?i . ?j ?k ?l . ?m ?n2 ?q }")
    try:
        kg.pool.start()
        slow: dict = {}

        def run_slow() -> None:
            started = time.monotonic()
            slow["response"] = app.test_client().get(
                "/sparql", query_string={"query": slow_query, "timeout": "1.5"})
            slow["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.2)
        fast = app.test_client().get("/sparql", query_string={"query": LOOKUP}, headers=JSON)
        assert fast.status_code == 200 and "response" not in slow
        thread.join(30)
        assert slow["response"].status_code == 503 and b"time limit" in slow["response"].data
        assert 1.4 < slow["seconds"] < 10
        assert kg.pool.killed == 1 and kg.inprocess == 1
    finally:
        kg.close()


# -- the response cache ------------------------------------------------------------------------
def _turtle(data: bytes) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, format=ox.RdfFormat.TURTLE)}


def test_cache_replays_a_document_until_a_graph_store_write(rw_app: Flask, auth) -> None:
    client = rw_app.test_client()
    cache = rw_app.extensions["clusterld.cache"]
    path = "/data/cluster/ce3m.ttl"
    first = client.get(path)
    hits = cache.hits
    again = client.get(path)
    assert cache.hits == hits + 1 and again.data == first.data
    new = ox.Triple(ox.NamedNode(CE3M), ox.NamedNode(BASE + "ontology#acronym"),
                    ox.Literal("NEW-ACRONYM"))
    r = client.post("/graph-store", query_string={"graph": BASE + "graph/extra"},
                    data=f"{new} .\n", headers={**auth, "Content-Type": "application/n-triples"})
    assert r.status_code == 201
    after = client.get(path)
    assert _turtle(after.data) == _turtle(first.data) | {new}
    r = client.delete("/graph-store", query_string={"graph": BASE + "graph/extra"},
                      headers=auth)
    assert r.status_code == 204
    assert _turtle(client.get(path).data) == _turtle(first.data)


def test_cache_replays_a_page_until_an_update(rw_app: Flask, auth) -> None:
    client = rw_app.test_client()
    cache = rw_app.extensions["clusterld.cache"]
    html = {"Accept": "text/html", "Accept-Language": "en"}
    first = client.get("/page/cluster/ce3m", headers=html)
    assert first.status_code == 200 and b"ZZ-UNIQUE" not in first.data
    hits = cache.hits
    assert client.get("/page/cluster/ce3m", headers=html).data == first.data
    assert cache.hits == hits + 1
    french = client.get("/page/cluster/ce3m", headers={**html, "Accept-Language": "fr"})
    assert french.headers["Content-Language"] == "fr" != first.headers["Content-Language"]
    update = (f'INSERT DATA {{ GRAPH <{BASE}graph/extra> {{ <{CE3M}> '
              f'<https://w3id.org/clusterld/ontology#acronym> "ZZ-UNIQUE" }} }}')
    assert client.post("/sparql", data={"update": update}, headers=auth).status_code == 204
    after = client.get("/page/cluster/ce3m", headers=html)
    assert after.status_code == 200 and b"ZZ-UNIQUE" in after.data


def test_cache_keeps_hosts_apart(client) -> None:
    q = {"query": "SELECT ?x WHERE { BIND(<rel> AS ?x) }"}
    one = client.get("/sparql", query_string=q, base_url="http://one.example/", headers=JSON)
    two = client.get("/sparql", query_string=q, base_url="http://two.example/", headers=JSON)
    assert b"one.example" in one.data and b"two.example" in two.data


def test_page_labels_follow_writes(tmp_path: Path) -> None:
    """Labels are shared between page requests per data version: a renamed neighbour shows
    its new name on the next page (response cache off, so only the label cache is at work)."""
    from tests.conftest import TOKEN

    app = make_app(tmp_path, CLUSTERLD_TOKEN=TOKEN, CLUSTERLD_RESPONSE_CACHE_MB=0)
    client = app.test_client()
    html = {"Accept": "text/html", "Accept-Language": "en"}
    tunisia = BASE + "id/place/tunisia"
    try:
        first = client.get("/page/cluster/ce3m", headers=html)
        assert first.status_code == 200 and b"Renamed-Land" not in first.data
        assert "clusterld.labels" in app.extensions
        update = (f"DELETE {{ GRAPH ?g {{ <{tunisia}> ?p ?l }} }} WHERE {{ GRAPH ?g {{ "
                  f"<{tunisia}> ?p ?l FILTER(?p IN (<http://www.w3.org/2004/02/skos/core#"
                  "prefLabel>, <http://www.w3.org/2000/01/rdf-schema#label>)) } };\n"
                  f"INSERT DATA {{ <{tunisia}> <http://www.w3.org/2004/02/skos/core#prefLabel>"
                  ' "Renamed-Land"@en }')
        r = client.post("/sparql", data={"update": update},
                        headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204
        after = client.get("/page/cluster/ce3m", headers=html)
        assert after.status_code == 200 and b"Renamed-Land" in after.data
    finally:
        app.extensions["clusterld"].close()


def test_document_labels_follow_writes(tmp_path: Path) -> None:
    """Data documents share their neighbours' label quads per data version: after a write
    the next document has the new label and not the old one (response cache off)."""
    from tests.conftest import TOKEN

    app = make_app(tmp_path, CLUSTERLD_TOKEN=TOKEN, CLUSTERLD_RESPONSE_CACHE_MB=0)
    client = app.test_client()
    tunisia = ox.NamedNode(BASE + "id/place/tunisia")
    pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")

    def labels() -> set[ox.Literal]:
        r = client.get("/data/cluster/ce3m.ttl")
        assert r.status_code == 200
        return {t.object for t in ox.parse(r.data, format=ox.RdfFormat.TURTLE)
                if t.subject == tunisia and t.predicate == pref}

    try:
        before = labels()
        assert before and labels() == before  # the second document reads the shared table
        r = client.post("/sparql", data={"update": (
            f"DELETE WHERE {{ GRAPH ?g {{ {tunisia} {pref} ?l }} }};\n"
            f'INSERT DATA {{ {tunisia} {pref} "Renamed-Land"@en }}')},
            headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204
        assert labels() == {ox.Literal("Renamed-Land", language="en")}
    finally:
        app.extensions["clusterld"].close()


def test_live_server_takes_writes(tmp_path: Path) -> None:
    """``clusterld serve`` (granian when installed) answers a query after a write: the HTTP
    worker is forked from a process that never opened the store, so RocksDB's background
    threads exist in it and a write does not hang at its flush."""
    import httpx

    from tests.conftest import MINI
    from tests.web.live import live_server

    with live_server([MINI], tmp_path, token="live-token") as url:
        update = "INSERT DATA { GRAPH <urn:g:live> { <urn:live:a> <urn:live:b> 'written' } }"
        r = httpx.post(url + "/sparql", data={"update": update}, timeout=20,
                       headers={"Authorization": "Bearer live-token"})
        assert r.status_code == 204 and r.headers["server"] == "clusterld"
        r = httpx.get(url + "/sparql", params={"query": "SELECT ?o WHERE { <urn:live:a> ?p ?o }"},
                      headers=JSON, timeout=20)
        assert r.status_code == 200
        assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["written"]


def test_serve_reports_bad_input_with_its_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \"open .\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "clusterld.cli", "serve", str(broken),
                           "--port", "0", "--store", str(tmp_path / "store"), "--build-dir",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "broken.ttl:2" in done.stderr and "Traceback" not in done.stderr
