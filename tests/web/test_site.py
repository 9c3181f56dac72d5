"""Downloads, VoID, DCAT, OpenAPI, health, the error handler, the CLI command."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
from flask import Flask
from flask.testing import FlaskClient

from clusterld.web.cli import serve_command
from tests.conftest import make_app


def test_downloads_json_lists_size_checksum_license(app: Flask, client: FlaskClient) -> None:
    r = client.get("/downloads", headers={"Accept": "application/json"})
    assert r.status_code == 200
    items = {d["name"]: d for d in json.loads(r.data)}
    out = Path(app.config["CLUSTERLD_BUILD_DIR"])
    assert {"clusterld.nq", "clusterld.ttl", "void.ttl", "SHA256SUMS"} <= set(items)
    nq = items["clusterld.nq"]
    assert nq["size"] == (out / "clusterld.nq").stat().st_size
    assert nq["sha256"] == hashlib.sha256((out / "clusterld.nq").read_bytes()).hexdigest()
    assert nq["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert nq["media_type"] == "application/n-quads"


def test_downloads_html_and_files(app: Flask, client: FlaskClient) -> None:
    r = client.get("/downloads", headers={"Accept": "text/html"})
    assert r.status_code == 200 and b"clusterld.nq" in r.data and b"CC BY 4.0" in r.data
    out = Path(app.config["CLUSTERLD_BUILD_DIR"])
    f = client.get("/download/clusterld.nq")
    assert f.status_code == 200 and f.data == (out / "clusterld.nq").read_bytes()
    assert 'rel="license"' in f.headers["Link"]
    f.close()
    assert client.get("/download/..%2Fstore").status_code == 404
    assert client.get("/download/nothing.nq").status_code == 404


def test_live_dump_when_no_build(tmp_path: Path) -> None:
    app = make_app(tmp_path, CLUSTERLD_BUILD_DIR=str(tmp_path / "none"))
    try:
        client = app.test_client()
        items = json.loads(client.get("/downloads?format=json").data)
        assert [d["name"] for d in items] == ["store.nq"]
        r = client.get("/download/store.nq")
        quads = list(ox.parse(r.data, ox.RdfFormat.N_QUADS))
        r.close()
        assert len(quads) > 100
        assert not any(q.graph_name.value.startswith("urn:x-clusterld") for q in quads
                       if isinstance(q.graph_name, ox.NamedNode))
        void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert b"sparqlEndpoint" in void.data and b"store.nq" in void.data
    finally:
        app.extensions["clusterld"].close()


def test_void(client: FlaskClient) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert b"void#Dataset" in r.data or b"void:Dataset" in r.data
    r = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json" and json.loads(r.data)


def test_dcat_catalogue(client: FlaskClient) -> None:
    r = client.get("/catalog", headers={"Accept": "application/n-triples"})
    store = ox.Store()
    store.load(r.data, ox.RdfFormat.N_TRIPLES)
    dcat = "http://www.w3.org/ns/dcat#"
    assert store.query(f"ASK {{ ?c a <{dcat}Catalog> ; <{dcat}dataset> ?d ; "
                       f"<{dcat}service> ?s . ?s <{dcat}endpointURL> ?e }}")


def test_openapi(client: FlaskClient) -> None:
    r = client.get("/openapi.json")
    spec = json.loads(r.data)
    assert spec["openapi"].startswith("3.")
    assert {"/sparql", "/graph-store", "/id/{path}", "/downloads", "/healthz"} <= set(
        spec["paths"])


def test_healthz(client: FlaskClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and json.loads(r.data)["status"] == "ok"
    assert r.headers["Cache-Control"] == "no-store"


def test_unknown_route_errors_in_format(client: FlaskClient) -> None:
    r = client.get("/nope", headers={"Accept": "application/json"})
    assert r.status_code == 404 and json.loads(r.data)["status"] == 404
    r = client.get("/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_html_error_escapes(client: FlaskClient) -> None:
    r = client.get("/id/cluster/%3Cscript%3Ealert(1)%3C/script%3E",
                   headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert b"<script>" not in r.data and b"&lt;script&gt;" in r.data


def test_unexpected_errors_are_500_without_traceback(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    @app.route("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internals")

    try:
        r = app.test_client().get("/boom-for-test", headers={"Accept": "application/json"})
        assert r.status_code == 500
        assert b"secret internals" not in r.data and b"Traceback" not in r.data
    finally:
        app.extensions["clusterld"].close()


def test_serve_command_help(runner) -> None:
    result = runner.invoke(serve_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--store", "--build-dir", "--base", "--query-timeout",
                   "--max-rows"):
        assert option in result.output


def test_response_cache_replays_until_the_data_changes(rw_app: Flask, auth) -> None:
    client = rw_app.test_client()
    cache = rw_app.extensions["clusterld.cache"]
    q = {"query": "ASK { <urn:a> <urn:b> <urn:c> }"}
    first = client.get("/sparql", query_string=q)
    hits = cache.hits
    again = client.get("/sparql", query_string=q)
    assert cache.hits == hits + 1 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert client.get("/sparql", query_string=q, headers={
        "If-None-Match": first.headers["ETag"]}).status_code == 304
    client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
                headers=auth)
    after = client.get("/sparql", query_string=q)
    assert json.loads(after.data)["boolean"] is True  # a write is never hidden by the cache
    private = client.get("/sparql", query_string=q, headers=auth)
    assert private.status_code == 200
