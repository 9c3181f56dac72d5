"""SPARQL 1.1 Protocol at /sparql: query forms, formats, dataset, errors, guard rails."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from tests.conftest import TOKEN, make_app

CLD = "https://w3id.org/clusterld/ontology#"
CLUSTERS = f"SELECT ?s WHERE {{ ?s a <{CLD}Cluster> }}"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n2 ?o . ?q ?r ?t }")


def bindings(response) -> list[dict]:
    return json.loads(response.data)["results"]["bindings"]


def test_get_select_json(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": CLUSTERS})
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    # the union default graph is a set: the cluster is in two source graphs, one row
    assert [b["s"]["value"] for b in bindings(r)] == ["https://w3id.org/clusterld/id/cluster/ce3m"]


def test_union_counts_are_set_counts(client: FlaskClient) -> None:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{CLD}Person> ; ?p ?o }}"
    r = client.get("/sparql", query_string={"query": q})
    assert bindings(r)[0]["n"]["value"] == "4"  # type, 2 labels, holds: once each


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_formats(client: FlaskClient, accept: str, mimetype: str) -> None:
    r = client.get("/sparql", query_string={"query": CLUSTERS}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype
    assert b"cluster/ce3m" in r.data
    if mimetype == "text/csv":
        rows = list(csv.reader(io.StringIO(r.data.decode())))
        assert rows == [["s"], ["https://w3id.org/clusterld/id/cluster/ce3m"]]
    if mimetype == "application/sparql-results+xml":
        assert ox.parse_query_results(r.data, ox.QueryResultsFormat.XML) is not None


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": CLUSTERS, "format": "csv"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.mimetype == "text/csv"


def test_post_form_and_direct(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"query": CLUSTERS})
    assert r.status_code == 200 and len(bindings(r)) == 1
    r = client.post("/sparql", data=CLUSTERS.encode(),
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and len(bindings(r)) == 1


def test_ask(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(r.data)["boolean"] is True
    r = client.get("/sparql", query_string={"query": "ASK {}"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in r.data


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "application/rdf+xml", "application/trig",
                                    "application/n-quads"])
def test_construct_formats(client: FlaskClient, accept: str) -> None:
    q = f"CONSTRUCT {{ ?s a <{CLD}Cluster> }} WHERE {{ ?s a <{CLD}Cluster> }}"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    fmt = ox.RdfFormat.from_media_type(accept)
    quads = list(ox.parse(r.data, format=fmt))
    assert len(quads) == 1


def test_describe(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={
        "query": "DESCRIBE <https://w3id.org/clusterld/id/cluster/ce3m>"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert b"CE3M" in r.data


def test_select_not_acceptable_names_formats(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": CLUSTERS},
                   headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"application/sparql-results+json" in r.data


def test_dataset_parameters(client: FlaskClient) -> None:
    g0 = "https://w3id.org/clusterld/graph/source/000"
    q = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t }"
    r = client.get("/sparql", query_string={"query": q, "default-graph-uri": g0})
    in_000 = int(bindings(r)[0]["n"]["value"])
    r = client.get("/sparql", query_string={"query": q})
    assert int(bindings(r)[0]["n"]["value"]) > in_000
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql", query_string={"query": q, "named-graph-uri": g0})
    assert [b["g"]["value"] for b in bindings(r)] == [g0]


def test_graph_sees_named_graphs_not_the_union_copy(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"})
    graphs = [b["g"]["value"] for b in bindings(r)]
    assert graphs == sorted(["https://w3id.org/clusterld/graph/meta",
                             "https://w3id.org/clusterld/graph/ontology",
                             "https://w3id.org/clusterld/graph/source/000",
                             "https://w3id.org/clusterld/graph/source/001"])


def test_from_clause(client: FlaskClient) -> None:
    q = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/clusterld/graph/meta> "
         "WHERE { ?s a ?t }")
    r = client.get("/sparql", query_string={"query": q})
    assert bindings(r)[0]["n"]["value"] == "2"  # two source documents


def test_syntax_error_has_line_and_column(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p }"},
                   headers={"Accept": "application/json"})
    assert r.status_code == 400
    body = json.loads(r.data)
    assert body["line"] == 2 and body["column"] >= 1 and body["message"]
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"},
                   headers={"Accept": "text/plain"})
    assert r.status_code == 400 and b"line 1" in r.data and b"Traceback" not in r.data


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p trueSERVICE <http://127.0.0.1:9/> {} }",
    "SELECT * WHERE {#\nSERVICE<http://127.0.0.1:9/>{}}",
])
def test_service_refused(client: FlaskClient, query: str) -> None:
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 400
    assert b"SERVICE" in r.data


def test_service_word_in_strings_and_iris_is_fine(client: FlaskClient) -> None:
    q = ('SELECT ?x WHERE { BIND("SERVICE <http://x/> {}" AS ?x) '
         'FILTER(?x != <http://example.org/service>) } # SERVICE')
    r = client.get("/sparql", query_string={"query": q})
    assert r.status_code == 200


def test_update_needs_token(client: FlaskClient, rw_client: FlaskClient) -> None:
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    r = client.post("/sparql", data={"update": update})  # no token configured
    assert r.status_code == 403
    r = rw_client.post("/sparql", data={"update": update})
    assert r.status_code == 401 and "Bearer" in r.headers["WWW-Authenticate"]
    r = rw_client.post("/sparql", data={"update": update},
                       headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_update_with_token_is_visible_to_queries(rw_client: FlaskClient, auth) -> None:
    before = rw_client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert json.loads(before.data)["boolean"] is False
    r = rw_client.post("/sparql", data=b"INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
                       headers={**auth, "Content-Type": "application/sparql-update"})
    assert r.status_code == 204
    after = rw_client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert json.loads(after.data)["boolean"] is True
    assert before.headers["ETag"] != after.headers["ETag"]


def test_load_refused_even_for_maintainer(rw_client: FlaskClient, auth) -> None:
    r = rw_client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"},
                       headers=auth)
    assert r.status_code == 400 and b"LOAD" in r.data


def test_update_syntax_error(rw_client: FlaskClient, auth) -> None:
    r = rw_client.post("/sparql", data={"update": "CLEAR XYZ"}, headers=auth)
    assert r.status_code == 400 and b"line" in r.data


@pytest.mark.parametrize(("method", "kwargs", "status"), [
    ("get", {"query_string": {"update": "CLEAR ALL"}}, 400),
    ("get", {"query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("post", {"data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("post", {"data": b"ASK {}", "headers": {
        "Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("post", {"data": b"ASK { \xff }", "headers": {
        "Content-Type": "application/sparql-query"}}, 400),
    ("put", {"query_string": {"query": "ASK {}"}}, 405),
])
def test_protocol_errors(client: FlaskClient, method: str, kwargs: dict, status: int) -> None:
    r = getattr(client, method)("/sparql", **kwargs)
    assert r.status_code == status


def test_service_description(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = ox.Store()
    g.load(r.data, ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert g.query(f"ASK {{ ?s <{sd}endpoint> <http://localhost/sparql> }}")
    assert not g.query(f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Update> }}")
    r = client.get("/sparql", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/sparql/editor")


def test_cors_and_caching(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": CLUSTERS})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in r.headers["Cache-Control"]
    etag = r.headers["ETag"]
    again = client.get("/sparql", query_string={"query": CLUSTERS},
                       headers={"If-None-Match": etag})
    assert again.status_code == 304
    pre = client.options("/sparql", headers={"Origin": "https://example.org",
                                             "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]


def test_gzip(client: FlaskClient) -> None:
    q = "SELECT * WHERE { ?s ?p ?o }"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(r.data))["results"]["bindings"]
    plain = client.get("/sparql", query_string={"query": q})
    assert "Content-Encoding" not in plain.headers


def test_row_cap_is_reported(tmp_path: Path) -> None:
    app = make_app(tmp_path, CLUSTERLD_MAX_ROWS=5)
    try:
        client = app.test_client()
        r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert len(bindings(r)) == 5
        assert r.headers["X-Clusterld-Truncated"] == "true"
        assert r.headers["X-Clusterld-Row-Limit"] == "5"
        assert json.loads(r.data)["clusterld"]["truncated"] is True
        r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                       headers={"Accept": "application/n-triples"})
        assert len(r.data.decode().strip().splitlines()) == 5
        r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
        assert len(bindings(r)) == 3 and "X-Clusterld-Truncated" not in r.headers
    finally:
        app.extensions["clusterld"].close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


def test_timeout_stops_the_work_and_others_are_served(tmp_path: Path) -> None:
    app = make_app(tmp_path, CLUSTERLD_WORKERS=2, CLUSTERLD_QUERY_TIMEOUT=30.0)
    kg = app.extensions["clusterld"]
    try:
        kg.pool.start()
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        before = set(kg.pool.pids)
        slow: dict = {}

        def run_slow() -> None:
            started = time.monotonic()
            slow["response"] = app.test_client().get(
                "/sparql", query_string={"query": SLOW, "timeout": "1.5"})
            slow["seconds"] = time.monotonic() - started
            slow["done"] = time.monotonic()

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.3)
        fast = client.get("/sparql", query_string={"query": CLUSTERS})
        fast_done = time.monotonic()
        assert fast.status_code == 200
        thread.join(30)
        assert slow["response"].status_code == 503
        assert b"time limit" in slow["response"].data
        assert fast_done < slow["done"]  # served while the slow query was running
        assert 1.4 < slow["seconds"] < 10
        killed = before - set(kg.pool.pids)
        assert kg.pool.killed == 1 and len(killed) == 1
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in killed) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in killed)  # the work really stopped
        assert client.get("/sparql", query_string={"query": CLUSTERS}).status_code == 200
    finally:
        kg.close()


def test_bad_timeout_parameter(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "ASK {}", "timeout": "soon"})
    assert r.status_code == 400


def test_token_constant_is_not_leaked(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert TOKEN.encode() not in r.data


def test_memory_hungry_query_stops_only_its_worker(tmp_path: Path) -> None:
    app = make_app(tmp_path, CLUSTERLD_WORKER_MEMORY_MB=200, CLUSTERLD_QUERY_TIMEOUT=60.0)
    try:
        client = app.test_client()
        q = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g ?c ?f ?i"
        r = client.get("/sparql", query_string={"query": q})
        assert r.status_code == 503 and b"memory" in r.data
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    finally:
        app.extensions["clusterld"].close()
