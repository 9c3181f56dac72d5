"""Ordinary clients, unchanged, against a live server: rdflib and SPARQLWrapper."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from tests.conftest import MINI
from tests.web.live import live_server

CE3M = rdflib.URIRef("https://w3id.org/clusterld/id/cluster/ce3m")
CLD = rdflib.Namespace("https://w3id.org/clusterld/ontology#")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with live_server([MINI], tmp_path_factory.mktemp("clients")) as url:
        yield url


def test_rdflib_parses_an_entity_iri(server: str) -> None:
    g = rdflib.Graph()
    g.parse(f"{server}/id/cluster/ce3m")
    assert (CE3M, CLD.acronym, rdflib.Literal("CE3M")) in g
    assert (None, CLD.party, CE3M) in g  # incoming links come along


def test_rdflib_parses_a_data_document_by_format(server: str) -> None:
    g = rdflib.Graph()
    g.parse(f"{server}/data/cluster/ce3m.jsonld", format="json-ld")
    assert (CE3M, CLD.acronym, rdflib.Literal("CE3M")) in g


def test_sparqlwrapper_select_ask_construct(server: str) -> None:
    sparql = SPARQLWrapper(f"{server}/sparql")
    sparql.setReturnFormat(JSON)
    sparql.setQuery("SELECT ?s WHERE { ?s a <https://w3id.org/clusterld/ontology#Cluster> }")
    rows = sparql.query().convert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [str(CE3M)]
    sparql.setMethod(POST)
    sparql.setQuery("ASK { ?s ?p ?o }")
    assert sparql.query().convert()["boolean"] is True
    sparql.setReturnFormat(TURTLE)
    sparql.setQuery(f"CONSTRUCT {{ <{CE3M}> ?p ?o }} WHERE {{ <{CE3M}> ?p ?o }}")
    data = sparql.query().convert()
    g = rdflib.Graph().parse(data=data, format="turtle")
    assert (CE3M, CLD.acronym, rdflib.Literal("CE3M")) in g


def test_sparqlwrapper_sees_400_on_bad_query(server: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sparql = SPARQLWrapper(f"{server}/sparql")
    sparql.setReturnFormat(JSON)
    sparql.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        sparql.query()


def test_server_has_no_debugger(server: str, tmp_path: Path) -> None:
    import httpx

    r = httpx.get(f"{server}/nope", headers={"Accept": "text/plain"})
    assert r.status_code == 404 and r.headers["server"] == "clusterld"
    assert b"Werkzeug" not in r.content
