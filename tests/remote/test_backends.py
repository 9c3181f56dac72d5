"""The same knowledge graph (the seeds) served from the embedded store, Oxigraph's server and
Virtuoso: every answer compared with the embedded backend's (graphs by isomorphism, result
rows as multisets) and with the named queries' expected answers."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from clusterld.publish import build_dataset, nquads_lines
from clusterld.store import KnowledgeGraph
from clusterld.web import create_app
from tests.queries import BINDINGS, query_files, term_text
from tests.remote.conftest import BACKENDS, REMOTE, open_kg

EXPECTED = Path(__file__).parent.parent / "expected" / "queries"
TOKEN = "remote-test-token"
ENTITIES = ["id/cluster/ce3m", "id/network/maroc-cluster",
            "id/association/atuge", "id/cluster/cluster-mecatronic-tunisia"]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeds") / "clusterld.nq"
    path.write_text("\n".join(nquads_lines(build_dataset())) + "\n", encoding="utf-8")
    return path


def _app(kg: KnowledgeGraph, folder: Path) -> Flask:
    return create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_TOKEN": TOKEN,
                       "CLUSTERLD_BUILD_DIR": str(folder / "no-build"),
                       "CLUSTERLD_RESPONSE_CACHE_MB": 0})


@pytest.fixture(scope="module")
def apps(seeds: Path, servers, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, Flask]]:
    """One app per backend that could start; missing stores skip (or fail under CI) in
    :func:`app`."""
    made: dict[str, Flask] = {}
    folder = tmp_path_factory.mktemp("backends")
    yield made_lazily(made, seeds, servers, folder)
    for app in made.values():
        app.extensions["clusterld"].close()


def made_lazily(made: dict[str, Flask], seeds: Path, servers, folder: Path) -> dict[str, Flask]:
    class Apps(dict):  # type: ignore[type-arg]
        def __missing__(self, backend: str) -> Flask:
            kg = open_kg(backend, servers, folder / backend)
            kg.load([seeds], replace=True)
            made[backend] = self[backend] = _app(kg, folder / backend)
            return made[backend]
    return Apps()


@pytest.fixture(params=REMOTE)
def pair(request: pytest.FixtureRequest, apps: dict[str, Flask]) -> tuple[Flask, Flask]:
    """(embedded app, remote app) for each remote store."""
    return apps["embedded"], apps[request.param]


# The summary (JSON-LD, meta description) shows one of several descriptions in a language:
# which one depends on the order the store returns them in.
REFS = re.compile(r'<a class="ref"[^>]*>\[\d+\]</a>|id="prov-\d+" value="\d+"|'
                  r'<script type="application/ld\+json">.*?</script>|<meta [^>]*>', re.S)


def _virtuoso(pair: tuple[Flask, Flask]) -> bool:
    return pair[1].extensions["clusterld"].store.endpoints.flavour == "virtuoso"


def _rows(body: bytes) -> Counter:
    doc = json.loads(body)
    names = doc["head"]["vars"]
    for b in doc["results"]["bindings"]:
        for term in b.values():
            if "datatype" in term:
                term["datatype"], term["value"] = _canon_literal(term["datatype"],
                                                                 term["value"])
    return Counter(tuple(json.dumps(b.get(n), sort_keys=True) for n in names)
                   for b in doc["results"]["bindings"])


def _canonical(row: dict[str, str | None]) -> str:
    """A row as text, GROUP_CONCAT lists sorted (their order is not defined)."""
    out = {}
    for name, value in row.items():
        for sep in (" | ", ", "):
            if value is not None and sep in value:
                value = sep.join(sorted(value.split(sep)))
        out[name] = value
    return json.dumps(out, sort_keys=True)


XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph stores the integer-derived types as xsd:integer; Virtuoso keeps them.
INTEGERS = {XSD + t for t in ("nonNegativeInteger", "positiveInteger", "int", "long",
                              "short", "byte", "unsignedInt", "unsignedLong")}


def _canon_literal(datatype: str, text: str) -> tuple[str, str]:
    """Integer-derived types as xsd:integer; decimals by value (Virtuoso writes "1" for
    "1.0")."""
    if datatype in INTEGERS:
        return XSD + "integer", text
    if datatype == XSD + "decimal":
        value = Decimal(text).normalize()
        return datatype, format(value, "f")
    return datatype, text


def _canon(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None:
            datatype, text = _canon_literal(str(o.datatype), str(o))
            o = Literal(text, datatype=URIRef(datatype))
        out.add((s, p, o))
    return out


def _canon_quads(quads: list) -> Counter:
    """Quads as comparable text, literals canonical as in :func:`_canon`."""
    out: Counter = Counter()
    for q in quads:
        o = q.object
        if hasattr(o, "datatype") and not o.language:
            o = "^^".join(reversed(_canon_literal(o.datatype.value, o.value)))
        out[(str(q.subject), str(q.predicate), str(o), str(q.graph_name))] += 1
    return out


def _graph(body: bytes, fmt: str) -> Graph:
    return _canon(Graph().parse(data=body, format=fmt))


def test_counts_and_graphs_agree(pair: tuple[Flask, Flask]) -> None:
    emb, rem = (a.extensions["clusterld"] for a in pair)
    assert rem.stats() == emb.stats() and rem.stats()["triples"] > 10_000
    assert rem.graph_names() == emb.graph_names()
    assert rem.class_counts() == emb.class_counts()


VIRTUOSO_DEVIATES = {  # known Virtuoso 7.2 deviations from SPARQL 1.1, seen in this test
    "agreements-per-country-year": "YEAR() of a non-date is an error (HTTP 500), not unbound",
    "events": "GROUP_CONCAT of an empty group is unbound, not \"\"",
    "maroc-cluster-members": "rows of OPTIONAL { … FILTER } + GROUP_CONCAT differ",
    "names-of-entity": "a/rdfs:subClassOf* path and GROUP_CONCAT(DISTINCT STR()) differ",
}


def _params() -> list:
    out = []
    for path in query_files():
        for backend in BACKENDS:
            marks = ([pytest.mark.xfail(reason=VIRTUOSO_DEVIATES[path.stem], strict=True)]
                     if backend == "virtuoso" and path.stem in VIRTUOSO_DEVIATES else [])
            out.append(pytest.param(backend, path, marks=marks, id=f"{path.stem}-{backend}"))
    return out


@pytest.mark.parametrize(("backend", "path"), _params())
def test_named_query_answers(apps: dict[str, Flask], backend: str, path: Path) -> None:
    """The 15 named queries give their expected answers on every backend: through the
    public endpoint, or (for a query with a bound value) through the trusted query API."""
    expected = json.loads((EXPECTED / f"{path.stem}.json").read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    app = apps[backend]
    if path.stem in BINDINGS:
        solutions = app.extensions["clusterld"].query(text, substitutions=BINDINGS[path.stem])
        names = [v.value for v in solutions.variables]
        actual = [{n: term_text(row[n]) for n in names} for row in solutions]
    else:
        r = app.test_client().post("/sparql", data={"query": text},
                                   headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.data
        doc = json.loads(r.data)
        actual = [{n: (f"<{b[n]['value']}>" if b[n]["type"] == "uri" else b[n]["value"])
                   if n in b else None for n in doc["head"]["vars"]}
                  for b in doc["results"]["bindings"]]
    assert sorted(map(_canonical, actual)) == sorted(map(_canonical, expected))


QUERIES = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && (LANG(?o) = 'fr' || "
    "DATATYPE(?o) != <http://www.w3.org/2001/XMLSchema#string>)) }",
    "SELECT ?s WHERE { ?s a ?c } LIMIT 7",
]


@pytest.mark.parametrize(("pair", "query"), [
    pytest.param(backend, q, id=f"{backend}-{i}", marks=[pytest.mark.xfail(
        reason="Virtuoso: DATATYPE() of a language-tagged literal is not rdf:langString",
        strict=True)] if (backend, i) == ("virtuoso", 2) else [])
    for backend in REMOTE for i, q in enumerate(QUERIES)], indirect=["pair"])
def test_endpoint_select_rows(pair: tuple[Flask, Flask], query: str) -> None:
    answers = []
    for app in pair:
        r = app.test_client().get("/sparql", query_string={"query": query},
                                  headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.data
        answers.append(_rows(r.data))
    if "LIMIT" in query:
        assert sum(answers[0].values()) == sum(answers[1].values()) == 7
    else:
        assert answers[0] == answers[1] and answers[0]


def test_endpoint_construct_ask_and_formats(pair: tuple[Flask, Flask]) -> None:
    construct = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                 "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/clusterld/id/cluster/')) }")
    graphs, bodies = [], []
    for app in pair:
        client = app.test_client()
        r = client.get("/sparql", query_string={"query": construct},
                       headers={"Accept": "text/turtle"})
        assert r.status_code == 200
        graphs.append(_graph(r.data, "turtle"))
        ask = client.get("/sparql", query_string={
            "query": "ASK { <https://w3id.org/clusterld/id/cluster/ce3m> ?p ?o }"},
            headers={"Accept": "application/sparql-results+xml"})
        bodies.append(ask.data)
        assert b"<boolean>true</boolean>" in ask.data
    assert len(graphs[0]) > 50 and isomorphic(graphs[0], graphs[1])
    assert bodies[0] == bodies[1]


def test_endpoint_limits_and_errors(pair: tuple[Flask, Flask]) -> None:
    for app in pair:
        client = app.test_client()
        r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
        app.extensions["clusterld"].limits.max_rows = 10_000
        doc = json.loads(r.data)
        assert len(doc["results"]["bindings"]) == 10_000 and doc["clusterld"]["truncated"]
        bad = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
        assert bad.status_code == 400 and json.loads(bad.data)["line"] == 1
        service = client.get("/sparql", query_string={
            "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert service.status_code == 400
        dataset = client.get("/sparql", query_string={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "default-graph-uri": "https://w3id.org/clusterld/graph/meta"},
            headers={"Accept": "application/sparql-results+json"})
        assert dataset.status_code == 200
    counts = [json.loads(app.test_client().get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "default-graph-uri": "https://w3id.org/clusterld/graph/meta"},
        headers={"Accept": "application/sparql-results+json"}).data) for app in pair]
    assert counts[0] == counts[1]


def test_store_functions_refused(pair: tuple[Flask, Flask]) -> None:
    """Virtuoso would run bif: IRIs as its built-in procedures (files, URLs): refused."""
    query = 'PREFIX b: <bif:> SELECT (b:file_to_string("/etc/passwd") AS ?x) {}'
    r = pair[1].test_client().get("/sparql", query_string={"query": query})
    assert r.status_code == 400 and json.loads(r.data)["line"] == 1
    assert b"root:" not in r.data


def test_query_timeout(pair: tuple[Flask, Flask]) -> None:
    kg = pair[1].extensions["clusterld"]
    heavy = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
             "FILTER(STR(?c) != STR(?i)) }")
    saved = kg.limits.query_timeout
    kg.limits.query_timeout = 0.5
    try:
        r = pair[1].test_client().get("/sparql", query_string={"query": heavy})
    finally:
        kg.limits.query_timeout = saved
    assert r.status_code == 503 and b"time limit" in r.data


@pytest.mark.parametrize("entity", ENTITIES)
def test_dereferencing_and_data_documents(pair: tuple[Flask, Flask], entity: str) -> None:
    docs = []
    for app in pair:
        client = app.test_client()
        r = client.get(f"/{entity}", headers={"Accept": "text/turtle"})
        assert r.status_code == 303
        data = client.get(r.headers["Location"], headers={"Accept": "text/turtle"})
        assert data.status_code == 200
        docs.append(_graph(data.data, "turtle"))
    assert len(docs[0]) > 5 and isomorphic(docs[0], docs[1])
    iri = "https://w3id.org/clusterld/" + entity
    emb, rem = (_canon_quads(a.extensions["clusterld"].describe(iri, graphs=True).quads)
                for a in pair)
    assert emb == rem and len(emb) > 5


def test_pages_and_listings(pair: tuple[Flask, Flask]) -> None:
    for path in ("/page/cluster/ce3m?lang=en", "/page/network/maroc-cluster?lang=fr",
                 "/class/", "/?lang=en", "/search?q=cluster"):
        bodies = [app.test_client().get(path) for app in pair]
        assert bodies[0].status_code == bodies[1].status_code == 200, path
        # The same content. Items the store returns unordered (and source passages with
        # the same start) may come in another order, and so their reference numbers.
        words = [Counter(re.findall(r"\w+", REFS.sub("", b.data.decode()))) for b in bodies]
        assert words[0] == words[1], path
    missing = [app.test_client().get("/page/cluster/no-such-thing").status_code for app in pair]
    assert missing == [404, 404]


def _blank_free_and_blank(data: bytes, fmt: ox.RdfFormat) -> tuple[Counter, Graph]:
    """Quads without blank nodes as canonical text (exact comparison), and the triples with
    blank nodes as a graph per dataset (compared by isomorphism: small, so fast)."""
    plain, blank = [], Graph()
    for q in ox.parse(data, format=fmt):
        terms = (q.subject, q.predicate, q.object)
        if any(isinstance(t, ox.BlankNode) for t in terms):
            blank.add(tuple(_rdflib(t) for t in terms))  # type: ignore[arg-type]
        else:
            plain.append(q)
    return _canon_quads(plain), _canon(blank)


def _rdflib(term: object) -> object:
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def test_graph_store_reads_and_live_dump(pair: tuple[Flask, Flask]) -> None:
    names = pair[0].extensions["clusterld"].graph_names()
    for name in names:
        got = [app.test_client().get("/graph-store", query_string={"graph": name},
                                     headers={"Accept": "application/n-triples"})
               for app in pair]
        assert got[0].status_code == got[1].status_code == 200
        (plain0, blank0), (plain1, blank1) = (
            _blank_free_and_blank(r.data, ox.RdfFormat.N_TRIPLES) for r in got)
        assert plain0 == plain1 and isomorphic(blank0, blank1), name
    dumps = []
    for app in pair:
        client = app.test_client()
        listing = json.loads(client.get("/downloads?format=json").data)
        r = client.get(listing[0]["url"])
        assert r.status_code == 200
        dumps.append(_blank_free_and_blank(r.data, ox.RdfFormat.N_QUADS))
    assert sum(dumps[0][0].values()) > 10_000
    assert dumps[0][0] == dumps[1][0] and isomorphic(dumps[0][1], dumps[1][1])


def test_reconciliation(pair: tuple[Flask, Flask]) -> None:
    queries = {"q0": {"query": "Maroc Cluster"}, "q1": {"query": "CE3M", "limit": 3},
               "q2": {"query": "mecatronic tunisia"}}
    answers = [json.loads(app.test_client().post(
        "/reconcile", data={"queries": json.dumps(queries)}).data) for app in pair]
    for answer in answers:  # candidates with equal scores come in no defined order
        for item in answer.values():
            item["result"].sort(key=lambda c: (-c["score"], c["id"]))
            for candidate in item["result"]:  # one of several descriptions: store order
                assert candidate.pop("description", "x")
    assert answers[0] == answers[1] and answers[0]["q0"]["result"]


@pytest.mark.parametrize("backend", REMOTE)
def test_writes_with_the_token(servers, backend: str, tmp_path: Path) -> None:
    """SPARQL Update and the Graph Store Protocol on a remote store, and refused writes
    leave it untouched. On the small fixture (each write rebuilds the union graph), so it
    replaces the seeds: it runs last in this module."""
    kg = open_kg(backend, servers, tmp_path)
    kg.load([Path(__file__).parent.parent / "fixtures" / "mini.trig"], replace=True)
    app = _app(kg, tmp_path)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = kg.stats()
    update = {"update": 'INSERT DATA { <urn:x:s> <urn:x:p> "v\\"1"@fr }'}
    assert client.post("/sparql", data=update).status_code in (401, 403)
    assert kg.stats() == before
    assert client.post("/sparql", data=update, headers=auth).status_code == 204
    ask = client.get("/sparql", query_string={"query": 'ASK { <urn:x:s> <urn:x:p> "v\\"1"@fr }'})
    assert json.loads(ask.data)["boolean"] is True
    assert kg.stats()["triples"] == before["triples"] + 1
    broken = client.post("/sparql", data={"update": "INSERT DATA { <urn:x:s> }"}, headers=auth)
    assert broken.status_code == 400 and b"line" in broken.data
    assert kg.stats()["triples"] == before["triples"] + 1
    g = "urn:x:graph"
    ttl = b'<urn:x:a> <urn:x:b> "c" .\n<urn:x:a> <urn:x:b> "\xc3\xa9\\n2"@en .'
    args = {"query_string": {"graph": g}, "content_type": "text/turtle", "headers": auth}
    assert client.put("/graph-store", data=ttl, **args).status_code == 201
    assert client.post("/graph-store", data=b"<urn:x:d> <urn:x:e> <urn:x:f> .",
                       **args).status_code == 204
    got = client.get("/graph-store", query_string={"graph": g},
                     headers={"Accept": "text/turtle"})
    expected = Graph().parse(data=ttl + b"\n<urn:x:d> <urn:x:e> <urn:x:f> .", format="turtle")
    assert isomorphic(_graph(got.data, "turtle"), expected)
    assert client.put("/graph-store", data=b"<urn:x:a> <urn:x:b", **args).status_code == 400
    assert isomorphic(_graph(client.get("/graph-store", query_string={"graph": g}).data,
                             "turtle"), expected)
    assert client.delete("/graph-store", query_string={"graph": g},
                         headers=auth).status_code == 204
    assert client.get("/graph-store", query_string={"graph": g}).status_code == 404
    assert client.post("/sparql", data={"update": "DELETE DATA { <urn:x:s> <urn:x:p> "
                                        '"v\\"1"@fr }'}, headers=auth).status_code == 204
    assert kg.stats() == before
    kg.close()
