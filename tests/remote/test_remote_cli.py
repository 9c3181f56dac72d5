"""``clusterld load --store URL`` and ``clusterld serve --store URL`` on Oxigraph's server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from clusterld.cli import cli
from clusterld.remotekg import RemoteKnowledgeGraph
from tests.remote.conftest import server

MINI = Path(__file__).parent.parent / "fixtures" / "mini.trig"


def test_load_then_serve_from_a_remote_store(servers, monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    url = server(servers, "oxigraph").url
    runner = CliRunner()
    result = runner.invoke(cli, ["load", "--store", url, "--replace", str(MINI)])
    assert result.exit_code == 0, result.output
    assert "141 triples in 4 graphs" in result.output
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    broken = runner.invoke(cli, ["load", "--store", url, str(bad)], standalone_mode=False)
    assert broken.exception is not None and getattr(broken.exception, "line", None) == 1

    checked: list[bool] = []

    def fake_serve(app: Any, **options: Any) -> None:  # runs while the store is open
        kg = app.extensions["clusterld"]
        assert isinstance(kg, RemoteKnowledgeGraph) and kg.stats()["triples"] == 141
        client = app.test_client()
        r = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) "
                                                         "{ ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
        assert json.loads(r.data)["results"]["bindings"][0]["n"]["value"] == "141"
        name = "https://w3id.org/clusterld/graph/meta"
        got = client.get("/graph-store", query_string={"graph": name},
                         headers={"Accept": "text/turtle"})
        expected = Dataset().parse(MINI, format="trig").graph(URIRef(name))
        assert isomorphic(Graph().parse(data=got.data, format="turtle"), expected)
        assert client.post("/sparql", data={"update": "CLEAR ALL"}).status_code in (401, 403)
        assert kg.stats()["triples"] == 141
        checked.append(True)

    monkeypatch.setattr("waitress.serve", fake_serve)
    monkeypatch.chdir(tmp_path)  # the pending contributions go to ./var/contributions
    result = runner.invoke(cli, ["serve", "--store", url, "--port", "0", "--server", "waitress",
                                 "--build-dir", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert checked == [True]


def test_load_into_an_embedded_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["load", "--store", str(store), str(MINI)])
    assert result.exit_code == 0, result.output
    assert "141 triples in 4 graphs" in result.output
    missing = CliRunner().invoke(cli, ["load", "--store", str(store), str(tmp_path / "no.nq")])
    assert missing.exit_code == 2  # click: the file does not exist


def test_unreachable_store_is_a_clear_error(tmp_path: Path) -> None:
    """Down at start: the CLI says so (exit 3); down later: 503 answers, not 500s."""
    from tests.remote.servers import free_port, oxigraph_binary, start_oxigraph

    dead = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(cli, ["load", "--store", dead, str(MINI)],
                                standalone_mode=False)
    assert result.exception is not None and "cannot reach the store" in str(result.exception)
    assert getattr(result.exception, "exit_code", None) == 3
    if oxigraph_binary() is None:
        pytest.skip("no oxigraph server")
    srv = start_oxigraph(tmp_path / "ox")
    try:
        from clusterld.web import create_app

        app = create_app({"TESTING": True, "CLUSTERLD_STORE": srv.url,
                          "CLUSTERLD_LOAD": [str(MINI)], "CLUSTERLD_RESPONSE_CACHE_MB": 0})
        client = app.test_client()
        assert client.get("/id/cluster/ce3m", headers={"Accept": "text/turtle"}
                          ).status_code == 303
    finally:
        srv.stop()
    for path in ("/sparql?query=ASK%7B%7D", "/data/cluster/ce3m.ttl", "/page/cluster/ce3m"):
        r = client.get(path, headers={"Accept": "application/json"})
        assert r.status_code == 503, (path, r.status_code)
        assert "cannot reach the store" in json.loads(r.data)["message"]
    app.extensions["clusterld"].close()


@pytest.mark.parametrize("backend", ["oxigraph", "virtuoso"])
def test_two_servers_on_one_store_follow_each_other(servers, backend: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Scale-out: clusterld processes on one store see each other's writes (and their
    response caches are invalidated by the store's version stamp)."""
    import clusterld.remotekg
    from tests.remote.conftest import open_kg

    first = open_kg(backend, servers, tmp_path)
    first.load([MINI], replace=True)
    second = open_kg(backend, servers, tmp_path)
    version = second.version
    monkeypatch.setattr(clusterld.remotekg, "SYNC_SECONDS", 0.0)
    first.load_data(b"<urn:x:a> <urn:x:b> <urn:x:c> .", "text/turtle", graph="urn:x:new")
    assert second.version != version
    assert "urn:x:new" in second.graph_names()
    ask = "ASK { GRAPH <urn:x:new> { <urn:x:a> <urn:x:b> <urn:x:c> } }"
    assert json.loads(second.run_query(ask, {"ask": "application/sparql-results+json"}).body
                      )["boolean"] is True
    assert second.stats()["triples"] == 142
    monkeypatch.setattr(clusterld.remotekg, "SYNC_SECONDS", 3600.0)
    second.drop_graph("urn:x:new")
    assert "urn:x:new" not in second.graph_names()  # its own writes need no polling
    assert first.stats()["triples"] == 141  # the data is the store's: seen at once
    assert "urn:x:new" in first.graph_names()  # the graph list: at the next poll
    monkeypatch.setattr(clusterld.remotekg, "SYNC_SECONDS", 0.0)
    assert "urn:x:new" not in first.graph_names()
    first.close()
    second.close()
