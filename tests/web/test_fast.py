"""The WSGI fast path answers exactly as the Flask routes do (status, headers, bytes)."""

from __future__ import annotations

import gzip
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from clusterld.store import KnowledgeGraph
from clusterld.web import create_app
from tests.web import pagedata

BASE = pagedata.BASE
CE3M = BASE + "id/cluster/ce3m"
JSON = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"


def q(text: str, **extra: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": text, **extra})


LOOKUP = f"SELECT ?p ?o WHERE {{ <{CE3M}> ?p ?o }}"
INBOUND = f"SELECT ?s ?p WHERE {{ ?s ?p <{CE3M}> }}"
# (method, path, headers, body, answered by the fast path?)
TABLE: list[tuple[str, str, dict[str, str], bytes | None, bool]] = [
    ("GET", q(LOOKUP), {"Accept": JSON}, None, True),
    ("GET", q(LOOKUP), {}, None, True),
    ("GET", q(LOOKUP), {"Accept": "*/*"}, None, True),
    ("GET", q(INBOUND), {"Accept": "application/json"}, None, True),
    ("GET", q(LOOKUP), {"Accept": "application/sparql-results+xml"}, None, True),
    ("GET", q(LOOKUP), {"Accept": "text/csv"}, None, True),
    ("GET", q(LOOKUP, format="tsv"), {}, None, True),
    ("GET", q(LOOKUP + " LIMIT 3"), {"Accept": JSON}, None, True),
    ("GET", q(LOOKUP), {"Accept": JSON, "Accept-Encoding": "gzip, deflate"}, None, True),
    ("GET", q(LOOKUP), {"Accept": JSON, "Accept-Encoding": "gzip;q=0"}, None, True),
    ("GET", q(LOOKUP).replace("/sparql?", "/sparql/?"), {"Accept": JSON}, None, True),
    ("POST", "/sparql", {"Accept": JSON, "Content-Type": "application/sparql-query"},
     LOOKUP.encode(), True),
    ("POST", "/sparql?format=json", {"Content-Type": "application/sparql-query; charset=utf-8"},
     LOOKUP.encode(), True),
    ("POST", "/sparql", {"Accept": JSON, "Content-Type": FORM},
     urllib.parse.urlencode({"query": LOOKUP}).encode(), True),
    ("POST", "/sparql", {"Content-Type": FORM},
     urllib.parse.urlencode({"query": LOOKUP, "format": "xml"}).encode(), True),
    # not plain: the Flask routes answer
    ("GET", q(LOOKUP), {"Accept": "text/turtle"}, None, False),  # 406
    ("GET", q(LOOKUP, format="nope"), {}, None, False),  # 406
    ("GET", q("SELECT ?p ?o WHERE { <" + CE3M + "> ?p ?o"), {"Accept": JSON}, None, False),
    ("GET", q("SELECT ?s WHERE { ?s a ?c . ?c ?p ?o }"), {"Accept": JSON}, None, False),
    ("GET", q(LOOKUP, timeout="2"), {"Accept": JSON}, None, False),
    ("GET", q(LOOKUP, **{"default-graph-uri": BASE + "graph/meta"}), {}, None, False),
    ("GET", q(LOOKUP) + "&query=x", {}, None, False),  # 400: two queries
    ("GET", q(LOOKUP), {"Accept": JSON, "If-None-Match": 'W/"x"'}, None, False),
    ("GET", "/sparql", {"Accept": "text/turtle"}, None, False),  # service description
    ("POST", "/sparql", {"Content-Type": "text/plain"}, LOOKUP.encode(), False),  # 415
    ("POST", "/sparql", {"Content-Type": "application/sparql-update"},
     b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", False),  # 403: read-only
    ("POST", "/sparql?query=x", {"Content-Type": "application/sparql-query"},
     LOOKUP.encode(), False),  # 400
    ("HEAD", q(LOOKUP), {"Accept": JSON}, None, False),
    # data documents
    *[("GET", f"/data/cluster/ce3m.{ext}", {}, None, True)
      for ext in ("ttl", "nt", "jsonld", "rdf", "trig", "nq")],
    ("GET", "/data/cluster/ce3m.ttl", {"Accept-Encoding": "gzip"}, None, True),
    ("GET", "/data/person/jane-doe.ttl", {"Accept": "text/turtle"}, None, True),
    ("GET", "/data/cluster/nobody.ttl", {}, None, False),  # 404
    ("GET", "/data/cluster/nobody.ttl", {"Accept": "application/json"}, None, False),
    ("GET", "/data/cluster/ce3m", {"Accept": "text/turtle"}, None, False),  # no extension
    ("GET", "/data/cluster/ce3m.ttl", {"If-None-Match": "*"}, None, False),
    ("GET", "/data/cluster//ce3m.ttl", {}, None, False),
    # 303s
    ("GET", "/id/cluster/ce3m", {"Accept": "text/turtle"}, None, True),
    ("GET", "/id/cluster/ce3m", {}, None, True),
    ("GET", "/id/cluster/ce3m", {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
     None, True),
    ("GET", "/id/cluster/ce3m?lang=fr", {"Accept": "text/html"}, None, True),
    ("GET", "/id/cluster/ce3m?format=jsonld", {}, None, True),
    ("GET", "/id/cluster/ce3m", {"Accept": "image/png"}, None, False),  # 406
    ("GET", "/id/cluster/nobody", {}, None, False),  # 404
    ("GET", "/vocab/sector/denim", {"Accept": "text/turtle"}, None, True),
    ("GET", "/data/vocab/sector/denim.ttl", {}, None, True),
    ("GET", "/data/vocab/sector/nothing.ttl", {}, None, False),  # 404
]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Flask]]:
    folder = tmp_path_factory.mktemp("fast")
    data = folder / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    kg = KnowledgeGraph(folder / "store", base=BASE)
    kg.load([data])
    common = {"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_BASE": BASE,
              "CLUSTERLD_BUILD_DIR": str(folder / "out"), "CLUSTERLD_RESPONSE_CACHE_MB": 0}
    fast = create_app({**common, "CLUSTERLD_FAST_PATH": True})
    slow = create_app({**common, "CLUSTERLD_FAST_PATH": False})
    yield fast, slow
    kg.close()


def send(app: Flask, method: str, path: str, headers: dict[str, str], body: bytes | None):
    return app.test_client().open(path, method=method, headers=headers, data=body)


@pytest.mark.parametrize(("method", "path", "headers", "body", "answered"), TABLE,
                         ids=[f"{m} {p[:60]} {h}" for m, p, h, _, _ in TABLE])
def test_same_answer_as_flask(apps: tuple[Flask, Flask], method: str, path: str,
                              headers: dict[str, str], body: bytes | None,
                              answered: bool) -> None:
    fast, slow = apps
    counter = fast.extensions["clusterld.fast"]
    before = counter.answered
    a = send(fast, method, path, headers, body)
    assert counter.answered - before == (1 if answered else 0)
    b = send(slow, method, path, headers, body)
    assert "clusterld.fast" not in slow.extensions
    assert a.status == b.status
    assert sorted(a.headers.items()) == sorted(b.headers.items())
    assert a.data == b.data
    if answered and a.status_code == 200:  # and the answer is a real one
        data = gzip.decompress(a.data) if a.headers.get("Content-Encoding") == "gzip" \
            else a.data
        assert len(data) > 100


def test_lookup_answer_is_parsed(apps: tuple[Flask, Flask]) -> None:
    fast, _ = apps
    r = send(fast, "GET", q(LOOKUP), {"Accept": JSON}, None)
    rows = json.loads(r.data)["results"]["bindings"]
    assert {"type": "literal", "value": "CE3M"} in [row["o"] for row in rows]
    assert r.headers["ETag"].startswith('W/"')


def test_fast_path_sees_writes(tmp_path: Path) -> None:
    """A write is visible to the next fast-path lookup, and the ETag changes."""
    kg = KnowledgeGraph(tmp_path / "store", base=BASE)
    app = create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_TOKEN": "t",
                      "CLUSTERLD_BUILD_DIR": str(tmp_path / "out")})
    try:
        client = app.test_client()
        lookup = q("SELECT ?o WHERE { <urn:x:a> <urn:x:p> ?o }")
        first = client.get(lookup, headers={"Accept": JSON})
        assert json.loads(first.data)["results"]["bindings"] == []
        r = client.post("/sparql", data=b"INSERT DATA { <urn:x:a> <urn:x:p> 7 }",
                        headers={"Content-Type": "application/sparql-update",
                                 "Authorization": "Bearer t"})
        assert r.status_code == 204
        second = client.get(lookup, headers={"Accept": JSON})
        assert json.loads(second.data)["results"]["bindings"][0]["o"]["value"] == "7"
        assert second.headers["ETag"] != first.headers["ETag"]
        assert app.extensions["clusterld.fast"].answered == 2
    finally:
        kg.close()
