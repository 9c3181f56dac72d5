"""POST /validate, POST /contributions and the review API, through the Flask test client."""

from __future__ import annotations

import gc
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH

from clusterld.web.contrib import close_contributions, contributions
from tests.conftest import TOKEN, make_app
from tests.rdfdiff import assert_isomorphic
from tests.web.contribdata import (
    ID,
    PREFIXES,
    agreement,
    as_format,
    bad_date,
    graph,
    shared_validator,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLD = Namespace("https://w3id.org/clusterld/ontology#")
LIMIT = 8192


def open_app(tmp: Path, **config: object) -> Flask:
    settings: dict[str, object] = {
        "CLUSTERLD_TOKEN": TOKEN, "CLUSTERLD_CONTRIBUTION_MAX_BYTES": LIMIT,
        "CLUSTERLD_CONTRIBUTION_RATE": 0, "CLUSTERLD_VALIDATOR": shared_validator(),
        "CLUSTERLD_RESPONSE_CACHE_MB": 0}
    settings.update(config)
    return make_app(tmp, **settings)


def shut(app: Flask) -> None:
    close_contributions(app)
    app.extensions["clusterld"].close()
    gc.collect()  # validation leaves reference cycles that reach the store: free it now


@pytest.fixture(scope="module")
def capp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = open_app(tmp_path_factory.mktemp("contrib"))
    yield app
    shut(app)


@pytest.fixture
def c(capp: Flask) -> FlaskClient:
    return capp.test_client()


def stored_quads(app: Flask) -> int:
    return len(list(contributions(app).store.quads_for_pattern(None, None, None, None)))


def submit(c: FlaskClient, turtle: str, **fields: str) -> dict:
    r = c.post("/contributions", data=turtle, content_type="text/turtle", query_string=fields)
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


# -- POST /validate --------------------------------------------------------------------------
def test_validate_conforming_json(c: FlaskClient) -> None:
    r = c.post("/validate", data=agreement("v1"), content_type="text/turtle")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == {"conforms": True, "mode": "incremental", "triples": 6,
                            "results": []}


@pytest.mark.parametrize(("lang", "headers", "path_label", "word"), [
    ("en", {}, "signing date", "must be a date"),
    ("fr", {}, "date de signature", "doit être une date"),
    (None, {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}, "date de signature", "doit être"),
    (None, {"Accept-Language": "de"}, "signing date", "must be a date"),
])
def test_validate_violation_in_the_users_language(c: FlaskClient, lang: str | None,
                                                  headers: dict, path_label: str,
                                                  word: str) -> None:
    r = c.post("/validate", data=bad_date("v2"), content_type="text/turtle", headers=headers,
               query_string={"lang": lang} if lang else {})
    doc = r.get_json()
    assert r.status_code == 200 and doc["conforms"] is False and doc["triples"] == 6
    [result] = doc["results"]
    assert result["focus"] == f"{ID}agreement/v2"
    assert result["focusLabel"] == "New agreement"
    assert result["path"] == str(CLD.signingDate) and result["pathLabel"] == path_label
    assert result["value"] == "notadate" and result["valueLabel"] == "notadate"
    assert result["severity"] == "Violation" and word in result["message"]
    assert result["shape"].endswith("#Agreement-signingDate")
    assert result["constraint"] == str(SH.OrConstraintComponent)


def test_validate_rdf_report(c: FlaskClient) -> None:
    r = c.post("/validate", data=bad_date("v3"), content_type="text/turtle",
               headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    [report] = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == Literal(False)
    [result] = g.objects(report, SH.result)
    focus = URIRef(f"{ID}agreement/v3")
    assert g.value(result, SH.focusNode) == focus
    assert g.value(result, SH.resultPath) == CLD.signingDate
    assert g.value(result, SH.value) == Literal("notadate")
    assert Literal("New agreement", lang="en") in set(g.objects(focus, RDFS.label))
    assert Literal("date de signature", lang="fr") in set(g.objects(CLD.signingDate,
                                                                    RDFS.label))
    jsonld = c.post("/validate", data=bad_date("v3"), content_type="text/turtle",
                    query_string={"format": "jsonld"})
    assert jsonld.mimetype == "application/ld+json"
    assert_isomorphic(Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld"), g)


def test_references_to_existing_entities_resolve(c: FlaskClient) -> None:
    ok = c.post("/validate", data=agreement("v4"), content_type="text/turtle").get_json()
    assert ok["conforms"] is True  # both parties are in the graph only
    ghost = agreement("v5", parties=("id:cluster\\/ce3m", "id:cluster\\/nowhere"))
    doc = c.post("/validate", data=ghost, content_type="text/turtle").get_json()
    assert doc["conforms"] is False
    nowhere = f"{ID}cluster/nowhere"
    assert any(r["value"] == nowhere and r["path"] == str(CLD.party)
               and r["focusLabel"] == "New agreement" for r in doc["results"])
    assert all(nowhere in (r["focus"], r["value"]) for r in doc["results"])
    assert "ce3m" not in json.dumps(doc)


@pytest.mark.parametrize(("body", "content_type"), [
    (as_format(agreement("f1"), "nt"), "application/n-triples"),
    (as_format(agreement("f1"), "json-ld"), "application/ld+json"),
    (as_format(agreement("f1"), "xml"), "application/rdf+xml"),
    (agreement("f1").encode(), "application/trig"),
    (as_format(agreement("f1"), "nt"), "application/n-quads"),
])
def test_validate_every_syntax(c: FlaskClient, body: bytes, content_type: str) -> None:
    doc = c.post("/validate", data=body, content_type=content_type).get_json()
    assert doc["conforms"] is True and doc["triples"] == 6


def test_validate_forms_and_uploads(c: FlaskClient) -> None:
    text = agreement("f2")
    cases = [
        {"file": (io.BytesIO(text.encode()), "mine.ttl", "application/octet-stream")},
        {"file": (io.BytesIO(as_format(text, "xml")), "mine.data", "application/rdf+xml")},
        {"file": (io.BytesIO(as_format(text, "nt")), "mine.txt"), "format": "nt"},
        {"data": as_format(text, "json-ld").decode(), "format": "jsonld"},
        {"data": text},  # Turtle unless told otherwise
        {"file": (io.BytesIO(b""), ""), "data": text},  # a browser's empty part: no file chosen
    ]
    for form in cases:
        r = c.post("/validate", data=form, content_type="multipart/form-data")
        assert r.status_code == 200, (form, r.get_data(as_text=True))
        assert r.get_json()["triples"] == 6
    r = c.post("/validate", data={"data": text, "format": "text/turtle", "lang": "fr"})
    assert r.status_code == 200 and r.get_json()["conforms"] is True


@pytest.mark.parametrize(("body", "content_type", "line"), [
    (agreement("m1").replace("cld:party", "cld:party <broken"), "text/turtle", 10),
    ('{"@id": "x", ', "application/ld+json", None),
    ("<http://a/b> <http://a/c> .\n<http://a/b> <http://a/c> <http://a/d> .\n",
     "application/n-triples", 1),
])
def test_malformed_input_is_400_with_line(c: FlaskClient, capp: Flask, body: str,
                                          content_type: str, line: int | None) -> None:
    before = stored_quads(capp)
    for path in ("/validate", "/contributions"):
        r = c.post(path, data=body, content_type=content_type)
        assert r.status_code == 400, r.get_data(as_text=True)
        doc = r.get_json()
        assert doc["status"] == 400 and doc["message"]
        if line is not None:
            assert doc["line"] == line and isinstance(doc["column"], int)
    assert stored_quads(capp) == before


def test_bad_format_names_and_media_types(c: FlaskClient) -> None:
    r = c.post("/validate", data={"data": agreement("b1"), "format": "yaml"})
    assert r.status_code == 400 and "unknown RDF format" in r.get_json()["message"]
    r = c.post("/validate", data=b"a,b\n", content_type="text/csv")
    assert r.status_code == 415
    r = c.post("/validate", data={"comment": "no rdf"})
    assert r.status_code == 400 and "'file'" in r.get_json()["message"]
    r = c.post("/validate", data=b"", content_type="text/turtle")
    assert r.status_code == 400 and "no triples" in r.get_json()["message"]


def test_too_large_is_413_before_parsing(c: FlaskClient, capp: Flask) -> None:
    before = stored_quads(capp)
    big = agreement("big") + "# " + "x" * LIMIT + "\n"
    for path in ("/validate", "/contributions"):
        assert c.post(path, data=big, content_type="text/turtle").status_code == 413
        upload = {"file": (io.BytesIO(big.encode()), "big.ttl")}
        assert c.post(path, data=upload, content_type="multipart/form-data").status_code == 413
    broken = "<<<" * LIMIT  # too large AND malformed: the size is checked first
    assert c.post("/contributions", data=broken, content_type="text/turtle").status_code == 413
    assert stored_quads(capp) == before


# -- POST /contributions -----------------------------------------------------------------------
def test_submit_stores_pending_with_provenance(c: FlaskClient) -> None:
    r = c.post("/contributions", data=agreement("s1"), content_type="text/turtle",
               query_string={"author": "Amina B.", "source": "001",
                             "comment": "from the signing ceremony"})
    assert r.status_code == 201
    doc = r.get_json()
    cid = doc["id"]
    assert r.headers["Location"] == f"/contributions/{cid}"
    assert doc["status"] == "pending" and doc["triples"] == 6
    assert doc["graph"] == f"https://w3id.org/clusterld/contribution/{cid}"
    assert doc["submitted"].endswith("Z") and doc["report"]["conforms"] is True
    shown = c.get(f"/contributions/{cid}", headers=AUTH).get_json()
    assert shown["status"] == "pending" and shown["author"] == "Amina B."
    assert shown["source"] == f"{ID}source/001"
    assert shown["comment"] == "from the signing ceremony"
    added = Graph().parse(data="\n".join(shown["added"]), format="nt")
    assert_isomorphic(added, graph(agreement("s1")))
    assert shown["existing"] == []
    # the main graph does not have it yet
    ask = c.get("/sparql", query_string={"query": f"ASK {{ <{ID}agreement/s1> ?p ?o }}"},
                headers={"Accept": "application/sparql-results+json"})
    assert ask.get_json()["boolean"] is False


def test_diff_separates_existing_facts(c: FlaskClient) -> None:
    text = agreement("s2") + f'<{ID}cluster/ce3m> cld:acronym "CE3M" .\n'
    cid = submit(c, text)["id"]
    shown = c.get(f"/contributions/{cid}", headers=AUTH).get_json()
    assert shown["existing"] == [f'<{ID}cluster/ce3m> <{CLD}acronym> "CE3M" .']
    assert len(shown["added"]) == 6


def test_nonconforming_is_422_and_nothing_is_stored(c: FlaskClient, capp: Flask) -> None:
    before = stored_quads(capp)
    r = c.post("/contributions", data=bad_date("n1"), content_type="text/turtle",
               query_string={"lang": "fr"})
    assert r.status_code == 422
    doc = r.get_json()
    assert doc["conforms"] is False and doc["triples"] == 6
    assert "doit être une date" in doc["results"][0]["message"]
    assert stored_quads(capp) == before
    assert all(i["triples"] != 6 or "n1" not in json.dumps(i)
               for i in c.get("/contributions", headers=AUTH).get_json())


@pytest.mark.parametrize(("extra", "why"), [
    (f"<{ID}cluster/ce3m> <http://www.w3.org/2002/07/owl#sameAs> <{ID}cluster/other> .",
     "owl#sameAs"),
    ("cld:Cluster rdfs:subClassOf cld:Agreement .", "may not describe"),
    (f"<{ID}x> rdfs:subClassOf cld:Agreement .", "subClassOf"),
    ("<https://w3id.org/clusterld/vocab/sector/new> skos:prefLabel \"new\"@en .",
     "may not describe"),
    (f"<{ID}st/1> a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ; "
     f"<http://www.w3.org/ns/prov#wasDerivedFrom> <{ID}source/000#char=1,2> .", "Statement"),
    (f"<{ID}p> a <http://www.w3.org/2002/07/owl#ObjectProperty> .", "owl#ObjectProperty"),
    ("<https://w3id.org/clusterld/graph/meta> rdfs:label \"x\" .", "may not describe"),
])
def test_smuggling_is_refused(c: FlaskClient, capp: Flask, extra: str, why: str) -> None:
    before = stored_quads(capp)
    for path in ("/contributions", "/validate"):
        r = c.post(path, data=agreement("x1") + extra + "\n", content_type="text/turtle")
        assert r.status_code == 400, r.get_data(as_text=True)
        assert why in r.get_json()["message"]
    assert stored_quads(capp) == before


def test_named_graphs_are_refused(c: FlaskClient, capp: Flask) -> None:
    before = stored_quads(capp)
    trig = PREFIXES + f"<https://w3id.org/clusterld/graph/source/000> {{ <{ID}cluster/ce3m> " \
        'cld:acronym "X" . }\n'
    r = c.post("/contributions", data=trig, content_type="application/trig")
    assert r.status_code == 400 and "named graphs" in r.get_json()["message"]
    assert stored_quads(capp) == before


def test_blank_nodes_become_iris_of_the_contribution(c: FlaskClient) -> None:
    text = agreement("bn").rstrip().rstrip(".") + """;
    cld:hasSignature [ a cld:Signature ; cld:signatory id:person\\/jane-doe ;
                       cld:onBehalfOf id:cluster\\/ce3m ] .
"""
    doc = submit(c, text)
    shown = c.get(f"/contributions/{doc['id']}", headers=AUTH).get_json()
    lines = shown["added"]
    assert not any("_:" in line for line in lines)
    node = f"<{doc['graph']}/node/1>"
    assert f"<{ID}agreement/bn> <{CLD}hasSignature> {node} ." in lines
    assert f"{node} <{CLD}signatory> <{ID}person/jane-doe> ." in lines


# -- the review API --------------------------------------------------------------------------
def test_maintainer_routes_need_the_token(c: FlaskClient, tmp_path: Path) -> None:
    cid = submit(c, agreement("t1"))["id"]
    wrong = {"Authorization": "Bearer nope"}
    for method, path in (("get", "/contributions"), ("get", f"/contributions/{cid}"),
                         ("post", f"/contributions/{cid}/accept"),
                         ("post", f"/contributions/{cid}/reject")):
        for headers in ({}, wrong):
            r = getattr(c, method)(path, headers=headers, data={"reason": "x"})
            assert r.status_code == 401, (path, headers)
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert c.get(f"/contributions/{cid}", headers=AUTH).get_json()["status"] == "pending"
    public = open_app(tmp_path, CLUSTERLD_TOKEN=None)
    try:
        pc = public.test_client()
        assert pc.get("/contributions", headers=AUTH).status_code == 403
        assert pc.post("/contributions", data=agreement("t2"),
                       content_type="text/turtle").status_code == 201
    finally:
        shut(public)


def test_unknown_ids_are_404(c: FlaskClient) -> None:
    for cid in ("nope", "20990101T000000Z-0000abcd", "..%2F..%2Fetc"):
        assert c.get(f"/contributions/{cid}", headers=AUTH).status_code == 404
        assert c.post(f"/contributions/{cid}/accept", headers=AUTH).status_code == 404
        r = c.post(f"/contributions/{cid}/reject", headers=AUTH, data={"reason": "x"})
        assert r.status_code == 404


def test_list_filters_by_status(c: FlaskClient) -> None:
    cid = submit(c, agreement("l1"))["id"]
    pending = c.get("/contributions", headers=AUTH, query_string={"status": "pending"})
    assert cid in {i["id"] for i in pending.get_json()}
    assert all(i["status"] == "pending" for i in pending.get_json())
    accepted = c.get("/contributions", headers=AUTH, query_string={"status": "accepted"})
    assert cid not in {i["id"] for i in accepted.get_json()}
    assert c.get("/contributions", headers=AUTH,
                 query_string={"status": "maybe"}).status_code == 400


def test_show_as_rdf_gives_the_graph_and_its_provenance(c: FlaskClient) -> None:
    doc = submit(c, agreement("r1"), author="Karim", source="https://example.org/news/1")
    r = c.get(f"/contributions/{doc['id']}", headers={**AUTH, "Accept": "application/trig"})
    assert r.status_code == 200 and r.mimetype == "application/trig"
    ds = Dataset()
    ds.parse(data=r.get_data(as_text=True), format="trig")
    name = URIRef(doc["graph"])
    assert_isomorphic(ds.graph(name), graph(agreement("r1")))
    meta = ds.graph(URIRef("https://w3id.org/clusterld/graph/contributions"))
    prov = Namespace("http://www.w3.org/ns/prov#")
    dct = Namespace("http://purl.org/dc/terms/")
    assert meta.value(name, prov.generatedAtTime).toPython() is not None
    assert meta.value(name, dct.creator) == Literal("Karim")
    assert meta.value(name, dct.source) == URIRef("https://example.org/news/1")


def test_accept_merges_and_the_entity_page_shows_it(c: FlaskClient) -> None:
    doc = submit(c, agreement("a1", label="Accord a1"), author="Amina B.", source="001",
                 comment="a fine <b>comment</b>")
    cid = doc["id"]
    r = c.post(f"/contributions/{cid}/accept", headers=AUTH)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["status"] == "accepted" and r.get_json()["reviewed"]
    query = (f"ASK {{ GRAPH <https://w3id.org/clusterld/graph/contribution/{cid}> "
             f"{{ <{ID}agreement/a1> <{CLD}party> <{ID}cluster/ce3m> }} }}")
    ask = c.get("/sparql", query_string={"query": query},
                headers={"Accept": "application/sparql-results+json"})
    assert ask.get_json()["boolean"] is True
    page = c.get("/page/agreement/a1", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Accord a1" in html
    assert "Contributed on" in html and "Amina B." in html
    assert "Convention de partenariat signée à Tunis" in html  # the source, by its title
    assert "a fine &lt;b&gt;comment&lt;/b&gt;" in html
    fr = c.get("/page/agreement/a1", headers={"Accept": "text/html"},
               query_string={"lang": "fr"}).get_data(as_text=True)
    assert "Contribué le" in fr
    again = c.post(f"/contributions/{cid}/accept", headers=AUTH)
    assert again.status_code == 409
    assert c.post(f"/contributions/{cid}/reject", headers=AUTH,
                  data={"reason": "late"}).status_code == 409
    shown = c.get(f"/contributions/{cid}", headers=AUTH).get_json()
    assert shown["status"] == "accepted"  # its diff is against the rest of the graph
    assert len(shown["added"]) == 6 and shown["existing"] == []


def test_accept_revalidates_against_the_current_graph(c: FlaskClient) -> None:
    jane = f"<{ID}person/jane-doe>"
    # each alone conforms: Jane Doe has no given name yet …
    first = submit(c, PREFIXES + f'{jane} cld:givenName "Jane" .\n')["id"]
    second = submit(c, PREFIXES + f'{jane} cld:givenName "Janet" .\n')["id"]
    assert c.post(f"/contributions/{first}/accept", headers=AUTH).status_code == 200
    # … but a person takes at most one: the second no longer conforms
    r = c.post(f"/contributions/{second}/accept", headers=AUTH, query_string={"lang": "fr"})
    assert r.status_code == 409
    doc = r.get_json()
    assert doc["conforms"] is False and doc["triples"] == 1
    [result] = doc["results"]
    assert result["focus"] == f"{ID}person/jane-doe" and result["focusLabel"] == "Jane Doe"
    assert result["path"] == str(CLD.givenName) and "au plus" in result["message"]
    assert c.get(f"/contributions/{second}", headers=AUTH).get_json()["status"] == "pending"
    query = f'ASK {{ {jane} <{CLD}givenName> "Janet" }}'
    ask = c.get("/sparql", query_string={"query": query},
                headers={"Accept": "application/sparql-results+json"})
    assert ask.get_json()["boolean"] is False


def test_reject_keeps_the_contribution_and_its_reason(c: FlaskClient) -> None:
    cid = submit(c, agreement("j1"))["id"]
    assert c.post(f"/contributions/{cid}/reject", headers=AUTH).status_code == 400
    assert c.post(f"/contributions/{cid}/reject", headers=AUTH,
                  json={"reason": "  "}).status_code == 400
    r = c.post(f"/contributions/{cid}/reject", headers=AUTH,
               json={"reason": "duplicate of the 2021 convention"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    shown = c.get(f"/contributions/{cid}", headers=AUTH).get_json()
    assert shown["reason"] == "duplicate of the 2021 convention"
    assert len(shown["added"]) == 6  # kept, not merged
    rejected = c.get("/contributions", headers=AUTH, query_string={"status": "rejected"})
    assert cid in {i["id"] for i in rejected.get_json()}
    assert c.post(f"/contributions/{cid}/accept", headers=AUTH).status_code == 409
    assert c.get("/page/agreement/j1", headers={"Accept": "text/html"}).status_code == 404


def test_metadata_fields_are_bounded(c: FlaskClient) -> None:
    r = c.post("/contributions", data=agreement("q1"), content_type="text/turtle",
               query_string={"author": "x" * 201})
    assert r.status_code == 400 and "author" in r.get_json()["message"]


def test_rate_bound(tmp_path: Path) -> None:
    app = open_app(tmp_path, CLUSTERLD_CONTRIBUTION_RATE=2)
    try:
        client = app.test_client()
        codes = [client.post("/contributions", data=agreement(f"rate{i}"),
                             content_type="text/turtle").status_code for i in range(3)]
        assert codes == [201, 201, 429]
    finally:
        shut(app)


def test_validations_have_their_own_rate_bound(tmp_path: Path) -> None:
    app = open_app(tmp_path, CLUSTERLD_VALIDATION_RATE=2, CLUSTERLD_CONTRIBUTION_RATE=5)
    try:
        client = app.test_client()
        codes = [client.post("/validate", data=agreement(f"v{i}"),
                             content_type="text/turtle").status_code for i in range(3)]
        assert codes == [200, 200, 429]
        refused = client.post("/validate", data=agreement("v9"), content_type="text/turtle",
                              headers={"Accept": "application/json"})
        assert "validations a minute" in refused.get_json()["message"]
        assert client.post("/contributions", data=agreement("after"),
                           content_type="text/turtle").status_code == 201
    finally:
        shut(app)


def test_a_form_without_rdf_is_a_clear_400(c: FlaskClient) -> None:
    for form in ({"data": "  \n", "format": "turtle"},
                 {"file": (io.BytesIO(b""), ""), "data": ""}):
        r = c.post("/validate", data=form, content_type="multipart/form-data")
        assert r.status_code == 400, r.get_data(as_text=True)
        assert "paste it in the text box" in r.get_json()["message"]


def test_openapi_lists_the_routes(c: FlaskClient) -> None:
    paths = c.get("/openapi.json").get_json()["paths"]
    for path in ("/validate", "/contributions", "/contributions/{id}",
                 "/contributions/{id}/accept", "/contributions/{id}/reject"):
        assert path in paths, path


def test_submit_as_a_form_with_its_metadata(c: FlaskClient) -> None:
    form = {"file": (io.BytesIO(agreement("fm").encode()), "agreement.ttl"),
            "author": "Leila", "source": "not a url, a note", "comment": "via the form"}
    r = c.post("/contributions", data=form, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_data(as_text=True)
    shown = c.get(r.headers["Location"], headers=AUTH).get_json()
    assert (shown["author"], shown["source"], shown["comment"]) == (
        "Leila", "not a url, a note", "via the form")
    bad = {"data": bad_date("fm2"), "format": "turtle", "lang": "fr"}
    r = c.post("/contributions", data=bad)
    assert r.status_code == 422 and "doit être une date" in r.get_json()["results"][0]["message"]
