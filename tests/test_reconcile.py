"""Reconciliation service (W3C Reconciliation Service API 0.2) on the real converted seeds.

Every response is validated against the official JSON schemas of ``../shared``; the
shipped valid and invalid examples are validated first, as a check of the validator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from clusterld.reconcile import compact, name_keys, normalise

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = next((p / "conformance" / "reconciliation-api-0.2" for p in (
    ROOT.parent / "shared", ROOT / ".." / "shared") if (p / "conformance").is_dir()), None)
ID = "https://w3id.org/clusterld/id/"
CLD = "https://w3id.org/clusterld/ontology#"
pytestmark = pytest.mark.skipif(CONFORMANCE is None, reason="../shared/conformance not found")


# -- schemas ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schemas() -> dict[str, Draft7Validator]:
    """A Draft 7 validator per schema file, all files registered by $id and by file name."""
    assert CONFORMANCE is not None
    loaded = {f.name: json.loads(f.read_text(encoding="utf-8"))
              for f in sorted((CONFORMANCE / "schemas").glob("*.json"))}
    resources = []
    for name, content in loaded.items():
        resource = Resource.from_contents(content, default_specification=DRAFT7)
        resources.append((name, resource))
        sid = content.get("$id", "")
        resources.append((sid, resource))
        resources.append((sid.rstrip("#"), resource))
    registry: Registry = Registry().with_resources(resources)
    return {name.removesuffix(".json"): Draft7Validator(content, registry=registry)
            for name, content in loaded.items()}


EXAMPLE_SCHEMA = {
    "manifest": "manifest", "reconciliation-query-batch": "reconciliation-query-batch",
    "reconciliation-result-batch": "reconciliation-result-batch",
    "suggest-entities-response": "suggest-entities-response",
    "suggest-properties-response": "suggest-properties-response",
    "suggest-types-response": "suggest-types-response",
    "data-extension-query": "data-extension-query",
    "data-extension-response": "data-extension-response",
    "data-extension-property-proposal": "data-extension-property-proposal",
}


def _examples(kind: str) -> list[tuple[str, str, Path]]:
    if CONFORMANCE is None:
        return []
    return [(folder, kind, f) for folder in EXAMPLE_SCHEMA
            for f in sorted((CONFORMANCE / "examples" / folder / kind).glob("*.json"))]


@pytest.mark.parametrize(("folder", "kind", "path"), _examples("valid"),
                         ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_shipped_valid_examples_pass(schemas: dict[str, Draft7Validator], folder: str,
                                     kind: str, path: Path) -> None:
    errors = list(schemas[EXAMPLE_SCHEMA[folder]].iter_errors(json.loads(path.read_text())))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize(("folder", "kind", "path"), _examples("invalid"),
                         ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_shipped_invalid_examples_fail(schemas: dict[str, Draft7Validator], folder: str,
                                       kind: str, path: Path) -> None:
    assert list(schemas[EXAMPLE_SCHEMA[folder]].iter_errors(json.loads(path.read_text())))


def check(schemas: dict[str, Draft7Validator], name: str, body: Any) -> Any:
    errors = list(schemas[name].iter_errors(body))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return body


# -- the app on the real graph --------------------------------------------------------------

@pytest.fixture(scope="module")
def rapp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The server on the converted seeds (no validation: that is the build's job)."""
    from clusterld.publish import build_dataset, nquads_lines
    from clusterld.store import KnowledgeGraph, Limits
    from clusterld.web import create_app

    folder = tmp_path_factory.mktemp("reconcile")
    data = folder / "kg.nq"
    data.write_text("\n".join(nquads_lines(build_dataset())) + "\n", encoding="utf-8")
    kg = KnowledgeGraph(folder / "store", limits=Limits(workers=1))
    kg.load([data])
    app = create_app({"TESTING": True, "CLUSTERLD_KG": kg,
                      "CLUSTERLD_BUILD_DIR": str(folder / "out")})
    assert "reconcile" in app.blueprints  # create_app registers the service
    yield app
    kg.close()


@pytest.fixture
def rc(rapp: Flask) -> FlaskClient:
    return rapp.test_client()


def reconcile(rc: FlaskClient, schemas: dict[str, Draft7Validator],
              queries: dict[str, Any], method: str = "post") -> dict[str, Any]:
    check(schemas, "reconciliation-query-batch", queries)
    if method == "post":
        r = rc.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        r = rc.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert r.status_code == 200, r.data
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    return check(schemas, "reconciliation-result-batch", r.get_json())


# -- normalisation ------------------------------------------------------------------------

def test_normalise_ignores_case_accents_and_punctuation() -> None:
    assert normalise("Arts et Métiers") == normalise("ARTS-ET-METIERS") == "arts et metiers"
    assert compact("C.E.3.M") == compact("ce3m") == "ce3m"
    assert normalise("int@j") == "int j"
    assert "enp" in name_keys("École nationale polytechnique (ENP)")
    assert "morocco" not in name_keys("Ministry of Industry (Morocco)")


# -- manifest -----------------------------------------------------------------------------

def test_manifest(rc: FlaskClient, schemas: dict[str, Draft7Validator]) -> None:
    r = rc.get("/reconcile")
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    body = check(schemas, "manifest", r.get_json())
    assert body["versions"] == ["0.2"]
    assert body["identifierSpace"] == ID
    assert body["preview"]["url"].endswith("/reconcile/preview?id={{id}}")
    assert {t["id"] for t in body["defaultTypes"]} >= {CLD + "Cluster", CLD + "Person"}


def test_cors_preflight(rc: FlaskClient) -> None:
    r = rc.open("/reconcile", method="OPTIONS",
                headers={"Origin": "http://127.0.0.1:3333",
                         "Access-Control-Request-Method": "POST"})
    assert r.status_code in (200, 204)
    assert r.headers["Access-Control-Allow-Origin"] == "*"


# -- reconciliation -----------------------------------------------------------------------

BATCH = {  # what an OpenRefine column might hold → the IRI it must reconcile to
    "CE3M": "cluster/ce3m",
    "FIMME": "association/fimme",
    "ATUGE": "association/atuge",
    "int@j": "association/intaj",
    "Accio": "org/accio",
    "Arts et Metiers": "org/arts-et-metiers",
    "ARTS ET MÉTIERS PARISTECH": "org/arts-et-metiers",
    "Maroc Cluster": "network/maroc-cluster",
    "Mecatronic Cluster Tunisia": "cluster/cluster-mecatronic-tunisia",
    "cluster mecatronic tunisia": "cluster/cluster-mecatronic-tunisia",
    "Moroccan Cluster for Electronics, Mechatronics and Mechanics": "cluster/ce3m",
    "Fédération des industries métallurgiques et électromécaniques": "association/fimme",
    "Association des Tunisiens des Grandes Ecoles": "association/atuge",
    "ICT Association of Jordan": "association/intaj",
    "GIZ": "org/giz",
    "ANIMA Investment Network": "network/anima",
    "Union europeenne": "org/european-union",
    "European Union": "org/european-union",
    "Algérie": "place/algeria",
    "Ecole nationale polytechnique": "org/enp",
}


def test_openrefine_batch_of_twenty(rc: FlaskClient, schemas: dict[str, Draft7Validator]
                                    ) -> None:
    queries = {f"q{i}": {"query": name} for i, name in enumerate(BATCH)}
    assert len(queries) == 20
    body = reconcile(rc, schemas, queries)
    for i, (name, expected) in enumerate(BATCH.items()):
        results = body[f"q{i}"]["result"]
        assert results, name
        top = results[0]
        assert top["id"] == ID + expected, (name, results[:3])
        assert top["match"] is True, (name, results[:3])
        assert top["score"] == 100
        assert sum(1 for c in results if c["match"]) == 1


def test_get_and_post_give_the_same_answer(rc: FlaskClient,
                                           schemas: dict[str, Draft7Validator]) -> None:
    queries = {"a": {"query": "France Clusters", "limit": 3}}
    assert reconcile(rc, schemas, queries, "get") == reconcile(rc, schemas, queries, "post")
    assert len(reconcile(rc, schemas, queries)["a"]["result"]) <= 3


def test_json_body_is_accepted(rc: FlaskClient) -> None:
    r = rc.post("/reconcile", json={"queries": {"a": {"query": "GIZ"}}})
    assert r.get_json()["a"]["result"][0]["id"] == ID + "org/giz"


def test_fuzzy_candidate_is_never_a_match(rc: FlaskClient,
                                          schemas: dict[str, Draft7Validator]) -> None:
    body = reconcile(rc, schemas, {"a": {"query": "Agrinova"}, "b": {"query": "Maroc Numeric"}})
    assert body["a"]["result"][0]["id"] == ID + "cluster/agrinova"
    assert body["b"]["result"][0]["id"] == ID + "cluster/maroc-numeric-cluster"
    assert not any(c["match"] for q in body.values() for c in q["result"])


def test_type_filter_includes_subclasses(rc: FlaskClient,
                                         schemas: dict[str, Draft7Validator]) -> None:
    body = reconcile(rc, schemas, {
        "cluster": {"query": "Casablanca", "type": "Cluster"},
        "city": {"query": "Casablanca", "type": CLD + "City"},
        "assoc": {"query": "FIMME", "type": CLD + "Association"},  # a Federation is one
        "none": {"query": "FIMME", "type": "Person"},
    })
    assert all(CLD + "Cluster" in [t["id"] for t in c["type"]]
               for c in body["cluster"]["result"])
    assert body["city"]["result"][0]["id"] == ID + "place/casablanca"
    assert body["city"]["result"][0]["match"] is True
    assert body["assoc"]["result"][0]["id"] == ID + "association/fimme"
    assert body["none"]["result"] == []


def test_property_condition_country(rc: FlaskClient,
                                    schemas: dict[str, Draft7Validator]) -> None:
    body = reconcile(rc, schemas, {
        "ok": {"query": "CE3M", "properties": [{"pid": "country", "v": "Morocco"}]},
        "iri": {"query": "CE3M", "properties": [{"pid": "country",
                                                 "v": {"id": ID + "place/morocco"}}]},
        "wrong": {"query": "CE3M", "properties": [{"pid": "country", "v": "Tunisie"}]},
        "only": {"properties": [{"pid": "country", "v": "Tunisia"}], "type": "Cluster"},
    })
    assert body["ok"]["result"][0]["match"] is True
    assert body["iri"]["result"][0]["match"] is True
    assert body["wrong"]["result"][0]["id"] == ID + "cluster/ce3m"
    assert body["wrong"]["result"][0]["match"] is False
    assert body["wrong"]["result"][0]["score"] < 100
    assert ID + "cluster/cluster-mecatronic-tunisia" in {
        c["id"] for c in body["only"]["result"]}


def test_bad_queries_are_400(rc: FlaskClient) -> None:
    assert rc.post("/reconcile", data={"queries": "{not json"}).status_code == 400
    assert rc.post("/reconcile", data={"queries": '{"q": {"limit": 3}}'}).status_code == 400


# -- suggest ------------------------------------------------------------------------------

def test_suggest_entity(rc: FlaskClient, schemas: dict[str, Draft7Validator]) -> None:
    body = check(schemas, "suggest-entities-response",
                 rc.get("/reconcile/suggest/entity?prefix=ce3").get_json())
    assert body["result"][0]["id"] == ID + "cluster/ce3m"
    typed = check(schemas, "suggest-entities-response", rc.get(
        "/reconcile/suggest/entity", query_string={"prefix": "casa", "type": "City"}).get_json())
    assert [e["id"] for e in typed["result"]] == [ID + "place/casablanca"]


def test_suggest_type_and_property(rc: FlaskClient,
                                   schemas: dict[str, Draft7Validator]) -> None:
    types = check(schemas, "suggest-types-response",
                  rc.get("/reconcile/suggest/type?prefix=clus").get_json())
    assert CLD + "Cluster" in [t["id"] for t in types["result"]]
    props = check(schemas, "suggest-properties-response",
                  rc.get("/reconcile/suggest/property?prefix=count").get_json())
    assert [p["id"] for p in props["result"]] == ["country"]


# -- preview ------------------------------------------------------------------------------

def test_preview_escapes_and_shows_wikidata(rc: FlaskClient) -> None:
    r = rc.get("/reconcile/preview", query_string={"id": ID + "association/intaj"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    text = r.get_data(as_text=True)
    assert "int@j" in text and "<script" not in text
    morocco = rc.get("/reconcile/preview", query_string={"id": ID + "place/morocco"})
    assert "http://www.wikidata.org/entity/Q1028" in morocco.get_data(as_text=True)
    assert rc.get("/reconcile/preview", query_string={"id": "<script>x"}).status_code == 404
    assert rc.get("/reconcile/preview").status_code == 400


def test_preview_escapes_markup_in_labels(rapp: Flask) -> None:
    from clusterld.web.reconcile import _index

    with rapp.test_request_context():
        entry = _index().entries[ID + "cluster/ce3m"]
        saved = dict(entry.labels)
        entry.labels["en"] = "<b onmouseover=x>CE3M</b>"
    try:
        text = rapp.test_client().get(
            "/reconcile/preview", query_string={"id": ID + "cluster/ce3m", "lang": "en"}
        ).get_data(as_text=True)
        assert "<b onmouseover" not in text and "&lt;b onmouseover=x&gt;" in text
    finally:
        entry.labels.clear()
        entry.labels.update(saved)


# -- data extension -----------------------------------------------------------------------

def test_propose_properties(rc: FlaskClient, schemas: dict[str, Draft7Validator]) -> None:
    body = check(schemas, "data-extension-property-proposal",
                 rc.get("/reconcile/properties?type=Cluster").get_json())
    assert {"country", "sector", "members", "wikidata", "acronym"} <= {
        p["id"] for p in body["properties"]}


def test_extend(rc: FlaskClient, schemas: dict[str, Draft7Validator]) -> None:
    query = {"ids": [ID + "cluster/ce3m", ID + "network/maroc-cluster", ID + "place/morocco",
                     ID + "nothing/here"],
             "properties": [{"id": "country"}, {"id": "sector"}, {"id": "members"},
                            {"id": "wikidata"}, {"id": "acronym"}]}
    check(schemas, "data-extension-query", query)
    r = rc.post("/reconcile", data={"extend": json.dumps(query)})
    assert r.status_code == 200
    body = check(schemas, "data-extension-response", r.get_json())
    assert [m["id"] for m in body["meta"]] == ["country", "sector", "members", "wikidata",
                                               "acronym"]
    ce3m = body["rows"][ID + "cluster/ce3m"]
    assert {"id": ID + "place/morocco", "name": "Morocco"} in ce3m["country"]
    assert {"str": "CE3M"} in ce3m["acronym"]
    assert ce3m["sector"]
    members = body["rows"][ID + "network/maroc-cluster"]["members"]
    assert {"id": ID + "cluster/ce3m",
            "name": "Moroccan Cluster for Electronics, Mechatronics and Mechanics"} in members
    assert body["rows"][ID + "place/morocco"]["wikidata"] == [{"str": "Q1028"}]
    assert body["rows"][ID + "nothing/here"]["country"] == []
    by_get = rc.get("/reconcile", query_string={"extend": json.dumps(query)}).get_json()
    assert by_get == body
