"""The human-readable pages, through the Flask test client, on tests/web/pagedata.py's graph."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from clusterld.web import browse
from clusterld.web.labels import negotiate_lang
from tests.web import pagedata
from tests.web.pagedata import CE3M_EN, CE3M_FR, XSS

MEMBER_OF = "https://w3id.org/clusterld/ontology%23memberOf"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def h1(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert match, "no <h1>"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def items(page: str, section_id: str) -> list[str]:
    """The link texts of the <li> items under the element with ``section_id``."""
    start = page.index(f'id="{section_id}"')
    end = page.find("</section>", start)
    return [unescape(t) for t in re.findall(r"<li><a href=\"/page/[^\"]*\"[^>]*>([^<]*)</a>",
                                            page[start:end])]


# -- languages ---------------------------------------------------------------------------
@pytest.mark.parametrize(("param", "header", "expected"), [
    (None, None, "en"), ("fr", None, "fr"), ("en", "fr", "en"), (None, "fr-FR,fr;q=0.9", "fr"),
    (None, "de, fr;q=0.5, en;q=0.4", "fr"), (None, "en;q=0.2, fr;q=0.8", "fr"),
    ("xx", "de", "en"), (None, "fr;q=abc", "en"),
])
def test_negotiate_lang(param, header, expected):
    assert negotiate_lang(param, header) == expected


def test_entity_labels_per_language(pages_client):
    en = html(pages_client.get("/page/cluster/ce3m?lang=en"))
    fr = html(pages_client.get("/page/cluster/ce3m?lang=fr"))
    assert h1(en) == CE3M_EN
    assert h1(fr) == CE3M_FR
    assert '<html lang="fr">' in fr and '<html lang="en">' in en
    assert CE3M_FR in en and CE3M_EN in fr  # the other language's label is shown too
    # Accept-Language when there is no ?lang=
    negotiated = pages_client.get("/page/cluster/ce3m", headers={"Accept-Language": "fr-FR"})
    assert h1(html(negotiated)) == CE3M_FR
    assert negotiated.headers["Content-Language"] == "fr"
    assert "Accept-Language" in negotiated.headers["Vary"]


def test_entity_label_falls_back_to_other_language(pages_client):
    page = html(pages_client.get("/page/person/jane-doe?lang=fr"))
    assert h1(page) == "Jane Doe"
    assert "pas de libellé dans la langue demandée" in page


def test_property_names_and_definitions_from_ontology(pages_client):
    en = html(pages_client.get("/page/cluster/ce3m?lang=en"))
    fr = html(pages_client.get("/page/cluster/ce3m?lang=fr"))
    assert 'title="Membership of an organisation.">Member of</span>' in en
    assert '>Membre de</span>' in fr
    assert ">Maroc</a>" in fr and ">Morocco</a>" in en  # neighbours linked by label
    assert 'href="/page/place/morocco"' in en
    assert 'href="/page/network/maroc-cluster"' in en


def test_nested_figure_inline(pages_client):
    page = unescape(html(pages_client.get("/page/cluster/ce3m?lang=en")))
    assert "member count: 120 members (approximately)" in page
    assert "2016-12-01" in page
    fr = unescape(html(pages_client.get("/page/cluster/ce3m?lang=fr")))
    assert "nombre de membres: 120 membres (environ)" in fr


def test_literal_markup_is_escaped(pages_client):
    for url in ("/page/cluster/ce3m", "/page/cluster/xss", "/class/Cluster?page=1",
                "/page/source/001", "/", "/search?q=script"):
        page = html(pages_client.get(url))
        assert XSS not in page, url
        assert "<b>bold</b>" not in page and "<b>Co</b>" not in page, url
    page = html(pages_client.get("/page/cluster/xss"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_jsonld_is_schema_org_and_cannot_break_out(pages_client):
    page = html(pages_client.get("/page/cluster/ce3m?lang=en"))
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0]  # "</script>" in the data is written \u003c/script\u003e
    doc = json.loads(blocks[0])
    assert doc["@context"] == "https://schema.org/"
    assert doc["@type"] == "Organization"
    assert doc["@id"] == "https://w3id.org/clusterld/id/cluster/ce3m"
    assert doc["name"] == CE3M_EN
    assert doc["sameAs"] == ["http://www.wikidata.org/entity/Q4242"]
    assert "</script>" in doc["description"]
    assert "CE3M" in doc["alternateName"]
    assert doc["memberOf"] == {"@id": "https://w3id.org/clusterld/id/network/maroc-cluster",
            "name": "Maroc Cluster"}
    xss = html(pages_client.get("/page/cluster/xss"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', xss, re.S)
    assert json.loads(block.group(1))["name"] == XSS


def test_provenance_box(pages_client):
    page = unescape(html(pages_client.get("/page/cluster/ce3m?lang=en")))
    box = page[page.index('id="prov"'):]
    box = box[:box.index("</section>")]
    assert '<a href="/page/source/000">Maroc Cluster et la prise en charge de son réseau</a>' in box
    assert "Les ECO" in box and "2016-12-01" in box
    assert "characters 1745–1823" in box and "characters 3110–3190" in box
    assert re.search(r"characters 3110–3190</span>: [^<]*member of", box)
    # each fact links to its passage
    assert re.search(r'CE3M</span><a class="ref" href="#prov-(\d+)"', page)


def test_wikidata_editor_and_data_links(pages_client):
    response = pages_client.get("/page/cluster/ce3m")
    page = html(response)
    assert 'href="http://www.wikidata.org/entity/Q4242"' in page
    link = re.search(r'<a class="editor-link" href="([^"]+)"', page).group(1)
    url = urlsplit(unescape(link))
    assert url.path == "/sparql/editor"
    assert "<https://w3id.org/clusterld/id/cluster/ce3m>" in parse_qs(url.query)["query"][0]
    for ext, mime in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                      ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")):
        assert f'<link rel="alternate" type="{mime}" href="/data/cluster/ce3m.{ext}"' in page
        assert f"</data/cluster/ce3m.{ext}>" in response.headers["Link"]


def test_inverse_links_counted_and_paged(pages_client):
    page = html(pages_client.get("/page/network/maroc-cluster?lang=en"))
    # named by the declared inverse property when there is one
    assert re.search(r"Has member</span> <span class=\"count\">31</span>", page)
    fr = html(pages_client.get("/page/network/maroc-cluster?lang=fr"))
    assert re.search(r"A pour membre</span> <span class=\"count\">31</span>", fr)
    # else "is X of", or "X this" for a label ending with a preposition
    place = html(pages_client.get("/page/place/morocco?lang=en"))
    assert re.search(r"Is country of</span> <span class=\"count\">15</span>", place)
    assert re.search(r"Located in this</span> <span class=\"count\">1</span>", place)
    first = items(page, "inverse")
    assert len(first) == 20
    assert first[0] == "Member company 01"
    assert "rpage=2" in page and "rev=" in page
    second = items(html(pages_client.get(
        f"/page/network/maroc-cluster?lang=en&rev={MEMBER_OF}&rpage=2")), "inverse")
    assert len(second) == 11
    assert second[-1] == CE3M_EN and "Member company 30" in second
    assert not set(first) & set(second)
    # struct nodes pointing here are shown as their owner
    cluster = unescape(html(pages_client.get("/page/cluster/ce3m?lang=en")))
    assert re.search(r'>Jane Doe</a> <span class="detail">\(post: president', cluster)


def test_source_document_page(pages_client):
    page = unescape(html(pages_client.get("/page/source/000?lang=en")))
    assert h1(page) == "Maroc Cluster et la prise en charge de son réseau"
    assert "Les ECO" in page and "2016-12-01" in page
    assert "Facts stated in this document" in page
    assert re.search(r'<span class="count">43</span>', page)
    assert "Page 1 of 1" not in page


def test_concept_page(pages_client):
    page = html(pages_client.get("/page/vocab/sector/mechatronics?lang=fr"))
    assert h1(page) == "mécatronique"
    assert CE3M_FR in unescape(page)


def test_unknown_entity_is_html_404(pages_client):
    for url in ("/page/cluster/nope", "/page/cluster/a%20b", "/class/Nope", "/class/x-y"):
        response = pages_client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "text/html"
        assert "Not found" in response.get_data(as_text=True)


def test_class_page_paging(pages_client):
    first = html(pages_client.get("/class/Cluster?lang=en"))
    assert re.search(r'<h1><span[^>]*>Cluster</span> <span class="count">31</span>', first)
    assert len(re.findall(r'<li><a href="/page/', first)) == 25
    assert "Page 1 of 2" in first
    second = html(pages_client.get("/class/Cluster?lang=en&page=2"))
    assert len(re.findall(r'<li><a href="/page/', second)) == 6
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # sorted by label in the page language
    assert first.index("Cluster 01") < first.index("Cluster 02")
    assert ">Grappe 01<" in html(pages_client.get("/class/Cluster?lang=fr"))


def test_class_page_includes_subclasses(pages_client):
    page = html(pages_client.get("/class/Organisation?lang=en"))
    assert re.search(r'<span class="count">62</span>', page)  # 31 clusters, 1 network, 30 firms
    assert 'href="/class/Cluster"' in page


def test_class_page_filters(pages_client):
    def count(url: str) -> int:
        page = html(pages_client.get(url))
        return int(re.search(r'<h1>.*?<span class="count">(\d+)</span>', page, re.S).group(1))

    assert count("/class/Cluster?country=place/morocco") == 15  # ce3m + 14 odd ones
    assert count("/class/Cluster?country=place/tunisia") == 16
    assert count("/class/Cluster?sector=textile") == 19  # textile and its narrower denim
    assert count("/class/Cluster?sector=denim") == 10
    assert count("/class/Cluster?year=2011") == 8  # 7 generated + mecatronic-tunisia
    assert count("/class/Cluster?country=place/tunisia&sector=mechatronics&year=2011") == 1
    assert count("/class/Cluster?year=abcd&country=%3Cx%3E") == 31  # bad values ignored
    page = html(pages_client.get("/class/Cluster?lang=fr&country=place/tunisia"))
    assert '<option value="place/tunisia" selected>Tunisie (16)</option>' in page
    # other facets count within the selected filters
    assert re.search(r'<option value="2011">2011 \(\d+\)</option>', page)
    assert "Maroc (15)" in page


def test_classes_tree(pages_client):
    page = html(pages_client.get("/class/?lang=en"))
    assert re.search(r'href="/class/Organisation"[^>]*>Organisation</a> <span class="count">62',
                     page)
    assert "--depth: 1" in page


def test_home_page_figures(pages_client, pages_app):
    page = html(pages_client.get("/?lang=en"))
    store = pages_app.extensions["clusterld"].store
    distinct = {(q.subject, q.predicate, q.object) for q in store}
    triples = re.search(r'id="fig-triples">([\d ]+)<', page).group(1).replace(" ", "")
    assert int(triples) == len(distinct)
    assert re.search(r'id="fig-entities">68<', page)
    assert re.search(r'id="fig-sources">2<', page)
    assert re.search(r'href="/class/Cluster">Cluster</a></dt><dd>31</dd>', page)
    assert 'href="/downloads"' in page and 'href="/class/"' in page
    assert 'action="/search"' in page and 'href="/sparql/editor"' in page
    assert '<a href="/page/source/000">' in page


def test_home_page_counts_wikidata_links_per_class(pages_client):
    page = html(pages_client.get("/?lang=en"))
    linked = re.search(r'<dl class="figures" id="fig-linked">(.*?)</dl>', page, re.S).group(1)
    # the fixture links exactly one cluster (CE3M) to a Wikidata item, and nothing else
    assert re.findall(r'href="/class/(\w+)"[^<]*</a></dt><dd>(\d+)</dd>', linked) == [
        ("Cluster", "1")]
    french = html(pages_client.get("/?lang=fr"))
    assert "Entités liées à Wikidata, par classe" in french


def test_home_page_examples(pages_client, monkeypatch, tmp_path: Path):
    (tmp_path / "b-members.rq").write_text(
        "# Who are the members?\n# Qui sont les membres ?\nSELECT * WHERE { ?s ?p ?o }\n")
    (tmp_path / "a-count.rq").write_text("# How many <things>?\nSELECT (COUNT(*) AS ?n) {}\n")
    monkeypatch.setattr(browse, "data_path", lambda name: tmp_path)
    en = html(pages_client.get("/?lang=en"))
    assert en.index("How many &lt;things&gt;?") < en.index("Who are the members?")
    assert 'href="/sparql/editor?example=b-members"' in en
    assert "Qui sont les membres ?" in html(pages_client.get("/?lang=fr"))
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        if folder.name == "empty":
            folder.mkdir()
        monkeypatch.setattr(browse, "data_path", lambda name, f=folder: f)
        assert "No example queries are published yet." in html(pages_client.get("/?lang=en"))


def test_search(pages_client):
    page = html(pages_client.get("/search?q=ce3m&lang=en"))
    assert 'href="/page/cluster/ce3m"' in page and CE3M_EN in page
    assert "Nothing matches." in html(pages_client.get("/search?q=zzzzqqq"))
    assert "Nothing matches." in html(pages_client.get('/search?q=a"b%5C%0A}'))  # no injection
    assert XSS in unescape(html(pages_client.get("/search?q=%3Cscript")))
    assert html(pages_client.get("/search")).count("<li>") == 5  # the nav only


def test_editor_page(pages_client):
    page = html(pages_client.get("/sparql/editor?query=SELECT%20%3Fx%20%7B%7D%20%23%3C/script%3E"))
    assert '/assets/yasgui/yasgui.min.js' in page and '/assets/yasgui/yasgui.min.css' in page
    assert "cdn" not in page.lower() and "unpkg" not in page
    raw = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page,
                    re.S).group(1)
    config = json.loads(raw)
    assert config["endpoint"] == "/sparql"
    assert config["query"] == "SELECT ?x {} #</script>"
    assert config["prefixes"]["cld"] == "https://w3id.org/clusterld/ontology#"
    assert {e["name"] for e in config["examples"]} == {e.name for e in browse.examples()}
    default = json.loads(re.search(r'id="editor-config">(.*?)</script>', html(
        pages_client.get("/sparql/editor")), re.S).group(1))
    assert "PREFIX cld:" in default["query"]
    redirect = pages_client.get("/editor?query=ASK%7B%7D")
    assert redirect.status_code == 302
    assert redirect.headers["Location"].endswith("/sparql/editor?query=ASK%7B%7D")


def test_assets_are_served(pages_client):
    for name in ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "editor.js", "clusterld.css"):
        response = pages_client.get(f"/assets/{name}")
        assert response.status_code == 200, name
        assert len(response.data) > 100
        response.close()


def test_pagedata_counts():
    """The figures the tests above rely on."""
    assert pagedata.MEMBERS == 30 and pagedata.EXTRA_CLUSTERS == 28


def test_links_resolve_on_the_server(pages_client):
    """The IRIs dereference to these pages, and the pages' data links answer."""
    response = pages_client.get("/id/cluster/ce3m", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/page/cluster/ce3m")
    page = html(pages_client.get("/page/cluster/ce3m"))
    for href in re.findall(r'<link rel="alternate" type="[^"]+" href="([^"]+)"', page):
        assert pages_client.get(href).status_code == 200, href
    concept = html(pages_client.get("/page/vocab/sector/mechatronics"))
    href = re.search(r'<link rel="alternate" type="text/turtle" href="([^"]+)"', concept).group(1)
    assert pages_client.get(href).status_code == 200
    editor = html(pages_client.get("/sparql/editor"))
    assert "/sparql" in editor


def test_search_binds_the_text(pages_client):
    """The search text is bound as a value: quotes and braces are searched, not parsed."""
    page = html(pages_client.get("/search?q=CE3M&lang=en"))
    assert 'href="/page/cluster/ce3m"' in page
    for text in ('") } #', "\\", "'x' } UNION { ?s ?p ?o"):
        response = pages_client.get("/search", query_string={"q": text})
        assert response.status_code == 200
        assert 'href="/page/' not in html(response).split("<main", 1)[-1]


def test_accepted_contribution_shows_after_a_page_was_seen(tmp_path: Path) -> None:
    """The page remembers per data version that no contribution is accepted: a write that
    adds one must show on the next page."""
    from clusterld.store import KnowledgeGraph
    from clusterld.web import create_app

    data = tmp_path / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    kg = KnowledgeGraph(tmp_path / "store", base=pagedata.BASE)
    kg.load([data])
    app = create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_TOKEN": "t",
                      "CLUSTERLD_BASE": pagedata.BASE, "CLUSTERLD_BUILD_DIR": str(tmp_path)})
    try:
        client = app.test_client()
        before = client.get("/page/cluster/ce3m", headers={"Accept": "text/html"})
        assert before.status_code == 200 and "Contributed on" not in before.get_data(True)
        g = f"<{pagedata.BASE}graph/contribution/20260101T000000Z-abcdef01>"
        update = (
            "PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
            f"INSERT DATA {{ GRAPH {g} {{ <{pagedata.BASE}id/cluster/ce3m> "
            "<https://w3id.org/clusterld/ontology#acronym> 'CE3M-bis' } "
            f"GRAPH <{pagedata.BASE}graph/meta> {{ {g} prov:generatedAtTime "
            "'2026-01-01T00:00:00Z'^^xsd:dateTime ; dcterms:dateAccepted "
            "'2026-01-02T00:00:00Z'^^xsd:dateTime ; dcterms:creator 'Zora Q.' } }")
        r = client.post("/sparql", data=update.encode(),
                        headers={"Content-Type": "application/sparql-update",
                                 "Authorization": "Bearer t"})
        assert r.status_code == 204
        after = client.get("/page/cluster/ce3m", headers={"Accept": "text/html"})
        html = after.get_data(True)
        assert "Contributed on" in html and "Zora Q." in html
    finally:
        kg.close()


def test_pages_read_plain_patterns_from_the_indexes_exactly(tmp_path: Path) -> None:
    """Embedded stores answer the pages' outgoing triples, types and existence checks from
    the indexes; every page must be the same as through SPARQL."""
    import pyoxigraph as ox

    from clusterld.store import KnowledgeGraph
    from clusterld.web import create_app
    from clusterld.web.entity import outgoing
    from clusterld.web.rdfview import Reader

    data = tmp_path / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    kg = KnowledgeGraph(tmp_path / "store", base=pagedata.BASE)
    kg.load([data])
    try:
        subjects = sorted({r["s"].value for r in kg.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
                           if isinstance(r["s"], ox.NamedNode)})
        assert len(subjects) > 20
        assert sum(1 for _ in kg.union_quads(ox.NamedNode(subjects[0]))) > 0
        fast = Reader(kg.query, pagedata.BASE, "en", None, kg.union_quads)
        plain = Reader(kg.query, pagedata.BASE, "en")
        for chunk in (subjects[:1], subjects[:7], subjects):
            a, b = outgoing(fast, chunk), outgoing(plain, chunk)
            assert {s: dict(p) for s, p in a.items()} == {s: dict(p) for s, p in b.items()}
        terms = [*subjects, "urn:x:none"]
        assert fast.types(terms) == plain.types(terms)
        tunisia = pagedata.BASE + "id/place/tunisia"
        for term in (subjects[0], tunisia, "https://w3id.org/clusterld/vocab/sector/mechatronics",
                     pagedata.BASE + "id/cluster/nobody"):
            assert fast.exists(term) == plain.exists(term)
        app = create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_BASE": pagedata.BASE,
                          "CLUSTERLD_BUILD_DIR": str(tmp_path), "CLUSTERLD_RESPONSE_CACHE_MB": 0})
        client = app.test_client()
        ids = pagedata.BASE + "id/"
        paths = [s[len(ids):] for s in subjects if s.startswith(ids)]
        pages = {p: client.get(f"/page/{p}").get_data() for p in paths}
        from clusterld.web import indexed
        limit = indexed.INCOMING_MAX
        indexed.INCOMING_MAX = 1  # entities with more links: counted and sorted by SPARQL
        try:
            for path, html in pages.items():
                assert client.get(f"/page/{path}").get_data() == html, path
        finally:
            indexed.INCOMING_MAX = limit
        kg.local_lookups = False  # the pages now read everything through SPARQL
        for path, html in pages.items():
            assert client.get(f"/page/{path}").get_data() == html, path
    finally:
        kg.close()


def test_page_queries_bind_their_values(tmp_path: Path) -> None:
    """Through SPARQL (a remote store's way), an entity page's queries name no entity:
    every value read from the request or the graph goes in the bindings."""
    from clusterld.store import KnowledgeGraph
    from clusterld.web import create_app

    data = tmp_path / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    kg = KnowledgeGraph(tmp_path / "store", base=pagedata.BASE)
    kg.load([data])
    texts: list[str] = []
    query = kg.query

    def recorded(sparql: str, **options: object) -> object:
        texts.append(sparql)
        return query(sparql, **options)

    kg.query = recorded  # type: ignore[method-assign]
    kg.local_lookups = False
    try:
        app = create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_BASE": pagedata.BASE,
                          "CLUSTERLD_BUILD_DIR": str(tmp_path), "CLUSTERLD_RESPONSE_CACHE_MB": 0})
        client = app.test_client()
        for path in ("cluster/ce3m", "place/tunisia", "source/000", "person/jane-doe"):
            texts.clear()
            assert client.get(f"/page/{path}?lang=fr").status_code == 200, path
            assert len(texts) > 5, path
            named = [t for t in texts if pagedata.BASE + "id/" in t]
            assert not named, (path, named[:1])
    finally:
        kg.close()
