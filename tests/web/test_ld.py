"""Dereferencing: 303 by Accept, data documents, ontology and shapes, 404s."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

BASE = "https://w3id.org/clusterld/"
CE3M = BASE + "id/cluster/ce3m"
RDF_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json",
             "nt": "application/n-triples", "rdf": "application/rdf+xml",
             "trig": "application/trig", "nq": "application/n-quads"}


def load(data: bytes, media_type: str) -> ox.Store:
    store = ox.Store()
    store.load(data, ox.RdfFormat.from_media_type(media_type))
    return store


@pytest.mark.parametrize(("accept", "location"), [
    ("text/html,application/xhtml+xml,*/*;q=0.8", "/page/cluster/ce3m"),
    ("text/turtle", "/data/cluster/ce3m.ttl"),
    ("application/ld+json", "/data/cluster/ce3m.jsonld"),
    ("application/n-triples", "/data/cluster/ce3m.nt"),
    ("application/rdf+xml", "/data/cluster/ce3m.rdf"),
    ("*/*", "/data/cluster/ce3m.ttl"),
    (None, "/data/cluster/ce3m.ttl"),
])
def test_entity_iri_303(client: FlaskClient, accept: str | None, location: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/id/cluster/ce3m", headers=headers)
    assert r.status_code == 303
    assert r.headers["Location"] == location
    assert "Accept" in r.headers["Vary"]


def test_page_redirect_keeps_language(client: FlaskClient) -> None:
    r = client.get("/id/cluster/ce3m?lang=fr", headers={"Accept": "text/html"})
    assert r.headers["Location"] == "/page/cluster/ce3m?lang=fr"


@pytest.mark.parametrize("ext", sorted(RDF_TYPES))
def test_data_document(client: FlaskClient, ext: str) -> None:
    r = client.get(f"/data/cluster/ce3m.{ext}")
    assert r.status_code == 200 and r.mimetype == RDF_TYPES[ext]
    store = load(r.data, RDF_TYPES[ext])
    prefix = ("PREFIX cld: <https://w3id.org/clusterld/ontology#> "
              "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
              "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
              "PREFIX prov: <http://www.w3.org/ns/prov#> "
              "PREFIX dcterms: <http://purl.org/dc/terms/> "
              "PREFIX oa: <http://www.w3.org/ns/oa#> ")
    checks = {
        "own triples": f"ASK {{ <{CE3M}> cld:acronym 'CE3M' }}",
        "owned figure": f"ASK {{ <{CE3M}> cld:hasFigure ?f . ?f cld:value 42 }}",
        "labels of neighbours": f"ASK {{ <{BASE}id/place/tunisia> skos:prefLabel 'Tunisie'@fr }}",
        "incoming links": f"ASK {{ ?a cld:party <{CE3M}> }}",
        "incoming labels": "ASK { ?a cld:party ?c ; skos:prefLabel ?l }",
        "reified statement": f"ASK {{ ?st rdf:subject <{CE3M}> ; rdf:predicate cld:acronym ;"
                             " prov:wasDerivedFrom ?span }",
        "span and document": "ASK { ?span oa:start ?start ; dcterms:isPartOf ?doc . "
                             "?doc dcterms:title ?title }",
        "source graph": f"ASK {{ <{BASE}graph/source/000> prov:wasDerivedFrom ?doc }}",
    }
    for name, q in checks.items():
        assert store.query(prefix + q, use_default_graph_as_union=True), name
    if ext in ("trig", "nq"):  # dataset formats keep the graphs facts come from
        assert store.query(f"ASK {{ GRAPH <{BASE}graph/source/001> {{ ?a <{BASE[:-1]}"
                           f"/ontology#party> <{CE3M}> }} }}")
    assert r.headers["Link"] == f'<{CE3M}>; rel="describes"'
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_data_document_etag(client: FlaskClient) -> None:
    r = client.get("/data/cluster/ce3m.ttl")
    again = client.get("/data/cluster/ce3m.ttl", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_data_without_extension_negotiates(client: FlaskClient) -> None:
    r = client.get("/data/cluster/ce3m", headers={"Accept": "application/ld+json"})
    assert r.status_code == 303 and r.headers["Location"] == "/data/cluster/ce3m.jsonld"


def test_struct_node_dereferences(client: FlaskClient) -> None:
    r = client.get("/id/agreement/ce3m-sample-2021/signature/jane-doe",
                   headers={"Accept": "text/turtle"})
    assert r.status_code == 303
    doc = client.get(r.headers["Location"])
    assert doc.status_code == 200 and b"signatory" in doc.data


def test_concept_dereferences(client: FlaskClient) -> None:
    r = client.get("/vocab/sector/mechatronics", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["Location"] == "/data/vocab/sector/mechatronics.ttl"
    doc = client.get(r.headers["Location"])
    assert "mécatronique".encode() in doc.data
    r = client.get("/vocab/sector/mechatronics", headers={"Accept": "text/html"})
    assert r.headers["Location"] == "/page/vocab/sector/mechatronics"


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/json", "application/json"),
    ("text/html", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("image/png", "text/plain"),
])
def test_unknown_iri_404_in_negotiated_format(client: FlaskClient, accept: str,
                                              mimetype: str) -> None:
    r = client.get("/id/cluster/nowhere", headers={"Accept": accept})
    assert r.status_code == 404 and r.mimetype == mimetype
    if mimetype == "application/json":
        assert json.loads(r.data)["status"] == 404
    if mimetype in ("text/turtle", "application/ld+json"):
        assert list(ox.parse(r.data, ox.RdfFormat.from_media_type(mimetype)))
    assert client.get("/data/cluster/nowhere.ttl").status_code == 404


def test_hostile_paths(client: FlaskClient) -> None:
    for path in ("/id/cluster/a%3Cb%3E", "/id/%22x", "/data/a%20b.ttl", "/id/x%0Ay",
                 "/data/..%2F..%2Fetc%2Fpasswd.ttl"):
        r = client.get(path, headers={"Accept": "text/turtle"})
        assert r.status_code == 404, path


@pytest.mark.parametrize("path", ["/ontology", "/ontology/0.1.0"])
def test_ontology(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    store = load(r.data, "text/turtle")
    assert store.query("ASK { <https://w3id.org/clusterld/ontology#Cluster> ?p ?o }")
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"] == "/class/"


def test_shapes(client: FlaskClient) -> None:
    r = client.get("/shapes", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert b"https://w3id.org/clusterld/shapes#ClusterShape" in r.data
    r = client.get("/shapes", headers={"Accept": "text/html"})
    assert r.status_code == 200 and b"&lt;https://w3id.org/clusterld/shapes#" in r.data
