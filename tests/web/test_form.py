"""``/contribute``: the forms generated from the shapes, the page's languages, escaping, and the
paste/upload tab without JavaScript (``POST /contribute/check``)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from clusterld.paths import data_path
from clusterld.store import KnowledgeGraph
from clusterld.web import create_app
from clusterld.web.formshapes import CaseSpec, GroupSpec, ShapeReader, build_cases
from tests.web import pagedata

CLD = "https://w3id.org/clusterld/ontology#"
ROLE_SCHEME = URIRef("https://w3id.org/clusterld/vocab/role")
XSS = "<script>alert('x')</script>"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    """An element of a parsed page: tag, attributes, children, text."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.children, self.parts = tag, attrs, [], []

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and all(n.attrs.get(k.rstrip("_").replace("_", "-")) == v
                        for k, v in attrs.items())]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        self.stack[-1].parts.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].parts.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(client: Any, url: str = "/contribute", **kwargs: Any) -> tuple[Any, Node]:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/html"
    return response, parse(response.get_data(as_text=True))


def config_of(doc: Node) -> dict[str, Any]:
    return json.loads(doc.find("script", id="contribute-config").text)


def field(doc: Node, case: str, key: str) -> Node:
    form = doc.find("form", id=f"case-{case}")
    return form.find("div", data_key=key)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted(data_path("ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


# -- the page ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "headers", "lang", "party"), [
    ("?lang=en", {}, "en", "party"), ("?lang=fr", {}, "fr", "partie"),
    ("", {"Accept-Language": "fr-FR, en;q=0.5"}, "fr", "partie"),
])
def test_page_in_both_languages(pages_client, ontology: Graph, query: str,
                                headers: dict[str, str], lang: str, party: str) -> None:
    response, doc = page(pages_client, "/contribute" + query, headers=headers)
    assert response.headers["Content-Language"] == lang
    assert doc.find("html").attrs["lang"] == lang
    assert doc.find("h1").text == ("Contribuer" if lang == "fr" else "Contribute")
    label = doc.find("label", for_="f-agreement-agreement-party-0")
    expected = str(ontology.value(URIRef(CLD + "party"), RDFS.label, default=None) and next(
        o for o in ontology.objects(URIRef(CLD + "party"), RDFS.label) if o.language == lang))
    assert expected == party
    assert label.text.strip().startswith(party.capitalize())
    assert config_of(doc)["lang"] == lang
    # the site navigation links to the form
    assert doc.find_all("a", href=f"/contribute?lang={lang}")


def test_every_input_has_a_label_and_messages_are_live(pages_client) -> None:
    _, doc = page(pages_client, "/contribute?lang=en")
    ids = {n.attrs["id"] for n in doc.iter() if n.attrs.get("id")}
    labelled = {n.attrs["for"] for n in doc.find_all("label") if n.attrs.get("for")}
    assert labelled <= ids
    inputs = [n for n in doc.iter() if n.tag in ("input", "select", "textarea")
              and n.attrs.get("type") not in ("hidden", "radio")]
    assert inputs
    for node in inputs:
        assert node.attrs.get("id") in labelled or node.attrs.get("aria-label"), node.attrs
    for node in doc.find_all("ul", **{"class": "messages"}):
        assert node.attrs.get("aria-live") == "polite"
        assert node.attrs["id"] in " ".join(
            n.attrs.get("aria-describedby") or "" for n in doc.iter())
    # the paste tab is a plain form that works without JavaScript
    form = doc.find("form", id="paste-form")
    assert form.attrs["method"] == "post" and form.attrs["action"].startswith("/contribute/check")
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.find("textarea", name="data") and form.find("input", type="file", name="file")


def test_agreement_fields_come_from_the_shapes(pages_client, ontology: Graph) -> None:
    _, doc = page(pages_client, "/contribute?lang=fr")
    party = field(doc, "agreement", "agreement-party")
    assert party.attrs["data-path"] == CLD + "party"
    assert party.attrs["data-required"] == "true"  # sh:minCount 2
    assert party.attrs["data-repeatable"] == "true"  # no sh:maxCount
    assert party.attrs["data-widget"] == "entity"
    assert "required" in party.find("input", id="f-agreement-agreement-party-0").attrs
    assert party.find_all("button", **{"class": "add-value"})
    definition = next(o for o in ontology.objects(URIRef(CLD + "party"), SKOS.definition)
                      if o.language == "fr")
    assert party.find("p", **{"class": "help"}).text.startswith(str(definition))
    date = field(doc, "agreement", "agreement-signingDate")  # sh:or of dates, sh:maxCount 1
    assert date.attrs["data-widget"] == "date"
    assert date.attrs["data-repeatable"] == "false" and date.attrs["data-required"] == "false"
    assert not date.find_all("button", **{"class": "add-value"})
    title = field(doc, "agreement", "agreement-prefLabel")  # rdf:langString: text + language
    assert title.attrs["data-widget"] == "langtext"
    assert [o.attrs["value"] for o in title.find("select").find_all("option")] == ["fr", "en"]
    groups = config_of(doc)["cases"][0]["groups"]
    assert [g["key"] for g in groups] == ["agreement", "signature"]
    signature = groups[1]
    assert signature["link"] == CLD + "hasSignature" and signature["repeatable"]
    signatory = signature["fields"][0]
    assert (signatory["path"], signatory["cls"], signatory["min"], signatory["max"]) == (
        CLD + "signatory", CLD + "Person", 1, 1)
    types = [o.attrs["value"] for o in field(doc, "agreement", "agreement-type").find_all(
        "option")]
    assert types == [CLD + "Agreement", CLD + "PartnershipAgreement",
                     CLD + "MemorandumOfUnderstanding"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_role_select_lists_the_skos_roles(pages_client, ontology: Graph, lang: str) -> None:
    _, doc = page(pages_client, f"/contribute?lang={lang}")
    roles = {str(c): str(next(label for label in ontology.objects(c, SKOS.prefLabel)
                              if label.language == lang))
             for c in ontology.subjects(SKOS.inScheme, ROLE_SCHEME)}
    assert len(roles) > 10
    for case, key in (("post", "post-role"), ("agreement", "signature-role")):
        select = field(doc, case, key).find("select")
        options = {o.attrs["value"]: o.text for o in select.find_all("option")
                   if o.attrs["value"]}
        assert options == roles
    post_role = field(doc, "post", "post-role")
    assert post_role.attrs["data-required"] == "true"  # Post-role-count: sh:minCount 1


def test_membership_and_post_forms(pages_client) -> None:
    _, doc = page(pages_client, "/contribute?lang=en")
    cases = {c["name"]: c for c in config_of(doc)["cases"]}
    member = cases["membership"]["groups"][0]
    assert member["subject"]["cls"] == CLD + "Agent"
    assert [(f["path"], f["cls"], f["min"]) for f in member["fields"]] == [
        (CLD + "memberOf", CLD + "Organisation", 1)]
    person, post = cases["post"]["groups"]
    assert person["subject"]["cls"] == CLD + "Person" and person["kind"] == "person"
    assert post["link"] == CLD + "holds"
    fields = {f["path"]: f for f in post["fields"]}
    assert (fields[CLD + "postIn"]["min"], fields[CLD + "postIn"]["max"]) == (1, 1)
    assert fields[CLD + "postTitle"]["widget"] == "langtext"
    assert field(doc, "post", "post-postIn").find("label").text.startswith("Post in")


# -- shapes other than the project's: sh:in, and escaping ---------------------------------------
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix cld: <{CLD}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass cld:Agreement ;
    sh:property [ sh:path cld:party ; sh:name {json.dumps(XSS)}@en ;
                  sh:description "help & <b>bold</b>"@en ; sh:class cld:Agent ; sh:minCount 2 ],
        [ sh:path cld:signingDate ; sh:datatype xsd:date ; sh:maxCount 1 ],
        [ sh:path cld:role ; sh:in ( ex:a ex:b ) ] .
ex:a <http://www.w3.org/2004/02/skos/core#prefLabel> "A {XSS}"@en .
"""


def test_shape_reader_with_sh_in_and_the_ontology(ontology: Graph) -> None:
    shapes = Graph().parse(data=SHAPES, format="turtle")
    spec = CaseSpec("x", {"en": "X"}, (GroupSpec("g", CLD + "PartnershipAgreement", (
        CLD + "party", CLD + "signingDate", CLD + "role")),))
    (case,) = build_cases(ShapeReader(shapes, ontology + shapes), [spec])
    party, date, role = case.groups[0].fields  # PartnershipAgreement ⊑ Agreement: targeted
    assert (party.label("en"), party.min_count, party.repeatable) == (XSS, 2, True)
    assert party.label("fr") == XSS  # no French name: the English one
    assert (date.widget, date.repeatable, date.label("fr")) == ("date", False,
                                                                 "date de signature")
    assert role.widget == "select"
    assert [iri for iri, _ in role.options] == ["https://example.org/a", "https://example.org/b"]


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("xss-form")
    shapes = folder / "shapes.ttl"
    text = (data_path("shapes") / "clusterld-shapes.ttl").read_text(encoding="utf-8")
    marker = 'sh:name "partie"@fr, "party"@en ;'
    assert text.count(marker) == 2  # the value shape and the count shape of cld:party
    shapes.write_text(text.replace(marker, f"sh:name {json.dumps(XSS)}@fr, "
                                           f"{json.dumps(XSS)}@en ;"), encoding="utf-8")
    data = folder / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    kg = KnowledgeGraph(folder / "store", base=pagedata.BASE)
    kg.load([data])
    app = create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_BASE": pagedata.BASE,
                      "CLUSTERLD_FORM_SHAPES": str(shapes)})
    yield app
    app.extensions["clusterld"].close()


def test_every_literal_is_escaped(xss_app: Flask) -> None:
    response = xss_app.test_client().get("/contribute?lang=en")
    html = response.get_data(as_text=True)
    assert XSS not in html and "<script>alert" not in html
    doc = parse(html)
    label = doc.find("label", for_="f-agreement-agreement-party-0")
    assert label.text.strip().startswith(XSS[:1].upper() + XSS[1:])  # text, not markup
    party = next(f for f in config_of(doc)["cases"][0]["groups"][0]["fields"]
                 if f["path"] == CLD + "party")
    assert party["label"] == XSS  # the JSON config round-trips it, escaped in the page


# -- the paste/upload tab without JavaScript ------------------------------------------------------
AGREEMENT = f"""@prefix cld: <{CLD}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/clusterld/id/agreement/form-test> a cld:Agreement ;
    skos:prefLabel {json.dumps(XSS)}@en ;
    cld:party <https://w3id.org/clusterld/id/cluster/ce3m> .
"""


def check(client: Any, lang: str = "en", route: str = "check", **data: Any,
          ) -> tuple[Any, Node]:
    response = client.post(f"/contribute/{route}?lang={lang}", data=data,
                           content_type="multipart/form-data")
    return response, parse(response.get_data(as_text=True))


@pytest.mark.parametrize(("lang", "words"), [("en", "at least 2"), ("fr", "au moins 2")])
def test_nojs_check_shows_the_report(pages_app: Flask, lang: str, words: str) -> None:
    kg = pages_app.extensions["clusterld"]
    before = kg.version
    response, doc = check(pages_app.test_client(), lang, data=AGREEMENT, format="turtle")
    assert response.status_code == 200 and response.mimetype == "text/html"
    results = doc.find("div", id="paste-results")
    items = results.find_all("li")
    assert any(words in i.find("span", **{"class": "message"}).text for i in items)
    labels = [dd.text for dd in results.find_all("dd")]
    assert XSS in labels  # the focus is named by its label, as text
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert doc.find("textarea", id="paste-data").text == AGREEMENT  # kept for correcting
    assert kg.version == before  # checking writes nothing


CONFORMING = AGREEMENT.replace("cld:party <", "cld:party <https://w3id.org/clusterld/id/network"
                                          "/maroc-cluster>, <").replace(json.dumps(XSS), '"Fine"')


def test_nojs_check_upload_conforming(pages_app: Flask) -> None:
    response, doc = check(pages_app.test_client(), "en",
                          file=(BytesIO(CONFORMING.encode()), "agreement.ttl"))
    assert response.status_code == 200
    results = doc.find("div", id="paste-results")
    assert results.find("p", **{"class": "contrib-ok"}).text.startswith(
        "The contribution conforms"), [li.text for li in results.find_all("li")]


def test_nojs_check_malformed_and_too_large(pages_app: Flask) -> None:
    client = pages_app.test_client()
    malformed = "@prefix ex: <https://e.org/> .\n\nex:a ex:b <oops .\n"
    response, doc = check(client, "en", data=malformed, format="turtle")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert doc.find("span", **{"class": "err-line"}).text == "3"
    assert doc.find("p", **{"class": "err-reason"}).text
    limit = pages_app.config["CLUSTERLD_CONTRIBUTION_MAX_BYTES"]
    pages_app.config["CLUSTERLD_CONTRIBUTION_MAX_BYTES"] = 200
    try:
        response, doc = check(client, "fr", data="#" * 400, format="turtle")
    finally:
        pages_app.config["CLUSTERLD_CONTRIBUTION_MAX_BYTES"] = limit
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert doc.find("div", id="paste-results").find("div", role="alert")
    response, doc = check(client, "en", data="<a> <b> <c> .", format="no-such-format")
    assert response.status_code == 400
    assert "no-such-format" in doc.find("p", **{"class": "err-reason"}).text


def test_check_without_data_is_a_400(pages_app: Flask) -> None:
    response, doc = check(pages_app.test_client(), "en", author="nobody")
    assert response.status_code == 400
    assert doc.find("p", **{"class": "err-reason"}).text


def test_nojs_check_ignores_an_empty_file_part(pages_app: Flask) -> None:
    # what a browser sends when the text box is filled and no file is chosen
    response, doc = check(pages_app.test_client(), "en", data=CONFORMING, format="turtle",
                          file=(BytesIO(b""), ""))
    assert response.status_code == 200
    assert doc.find("div", id="paste-results").find("p", **{"class": "contrib-ok"})


def test_nojs_send(pages_app: Flask) -> None:
    from clusterld.web.contrib import contributions

    client = pages_app.test_client()
    with pages_app.app_context():
        store = contributions()
        before = len(store.list())
    response, doc = check(client, "fr", "send", data=AGREEMENT, format="turtle",
                          author="form test", file=(BytesIO(b""), ""))
    assert response.status_code == 422
    assert any("au moins 2" in li.text for li in doc.find("div", id="paste-results")
               .find_all("li"))
    with pages_app.app_context():
        assert len(contributions().list()) == before  # refused: nothing kept
    response, doc = check(client, "en", "send", data=CONFORMING, format="turtle",
                          author="form test", comment=XSS)
    assert response.status_code == 201
    cid = doc.find("dd", **{"class": "contribution-id"}).text
    assert response.headers["Location"] == f"/contributions/{cid}"
    assert doc.find("dd", **{"class": "contribution-status"}).text == "pending"
    with pages_app.app_context():
        item = contributions().get(cid)
    assert (item.author, item.comment, item.status) == ("form test", XSS, "pending")
    assert doc.find("button", role="tab", id="tab-paste").attrs["aria-selected"] == "true"
