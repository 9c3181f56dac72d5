"""Graph Store Protocol at /graph-store."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

G = "urn:example:graph"
TTL = b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \"d\" ."


def test_read_is_public(client: FlaskClient) -> None:
    r = client.get("/graph-store", query_string={"graph": "https://w3id.org/clusterld/graph/meta"},
                   headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and b"SourceDocument" in r.data
    assert client.get("/graph-store", query_string={"graph": "urn:none"}).status_code == 404
    assert client.get("/graph-store").status_code == 400


def test_writes_need_token(client: FlaskClient, rw_client: FlaskClient) -> None:
    args = {"query_string": {"graph": G}, "data": TTL, "content_type": "text/turtle"}
    assert client.put("/graph-store", **args).status_code == 403
    assert rw_client.put("/graph-store", **args).status_code == 401


def test_put_post_get_delete(rw_client: FlaskClient, auth) -> None:
    args = {"query_string": {"graph": G}, "content_type": "text/turtle", "headers": auth}
    assert rw_client.put("/graph-store", data=TTL, **args).status_code == 201
    assert rw_client.put("/graph-store", data=TTL, **args).status_code == 204
    assert rw_client.post("/graph-store", data=b"<urn:x> <urn:y> <urn:z> .",
                          **args).status_code == 204
    r = rw_client.get("/graph-store", query_string={"graph": G},
                      headers={"Accept": "application/n-triples"})
    assert len(r.data.decode().strip().splitlines()) == 3
    q = rw_client.get("/sparql", query_string={"query": "ASK { <urn:x> <urn:y> <urn:z> }"})
    assert json.loads(q.data)["boolean"] is True  # the union view follows writes
    assert rw_client.delete("/graph-store", query_string={"graph": G},
                            headers=auth).status_code == 204
    assert rw_client.delete("/graph-store", query_string={"graph": G},
                            headers=auth).status_code == 404
    q = rw_client.get("/sparql", query_string={"query": "ASK { <urn:x> <urn:y> <urn:z> }"})
    assert json.loads(q.data)["boolean"] is False


def test_bad_payloads(rw_client: FlaskClient, auth) -> None:
    r = rw_client.put("/graph-store", query_string={"graph": G}, data=b"<urn:a> <urn:b> .",
                      content_type="text/turtle", headers={**auth, "Accept": "application/json"})
    assert r.status_code == 400 and json.loads(r.data)["line"] == 1
    r = rw_client.put("/graph-store", query_string={"graph": G}, data=b"x",
                      content_type="application/pdf", headers=auth)
    assert r.status_code == 415
    r = rw_client.put("/graph-store", query_string={"graph": "not an iri"}, data=TTL,
                      content_type="text/turtle", headers=auth)
    assert r.status_code == 400
