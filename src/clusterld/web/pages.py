"""The pages a human reader sees: home, entity pages, class pages, search, query editor.

Blueprint ``bp``; its templates live in ``templates/pages/`` and its files under
``/assets/`` (``static/``). Every literal reaches the HTML through Jinja's autoescape.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from clusterld.schema import DEFAULT_BASE, SUPERCLASS
from clusterld.web import browse
from clusterld.web.entity import EntityBuilder
from clusterld.web.labels import PREFIXES, messages, negotiate_lang, other_lang
from clusterld.web.rdfview import CLD, RDF, LabelCache, Reader, iri
from clusterld.web.related import document_facts, inverse_groups
from clusterld.web.schemaorg import entity_jsonld

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")

DATA_FORMATS = (("ttl", "text/turtle", "Turtle"), ("jsonld", "application/ld+json", "JSON-LD"),
                ("nt", "application/n-triples", "N-Triples"),
                ("rdf", "application/rdf+xml", "RDF/XML"))
EDITOR_PATH = "/sparql/editor"
HOME_TTL = 300.0  # seconds the home page's figures are reused (while the data is unchanged)
_HOME_CACHE: dict[tuple[int, str, str], tuple[float, Any, Any, Any]] = {}


# -- access to the graph ---------------------------------------------------------------------
def knowledge_graph() -> Any:
    """The app's :class:`clusterld.store.KnowledgeGraph`."""
    app = current_app
    for key in ("clusterld", "kg", "knowledge_graph"):
        if key in app.extensions:
            return app.extensions[key]
    for key in ("KG", "KNOWLEDGE_GRAPH", "CLUSTERLD_KG"):
        if app.config.get(key) is not None:
            return app.config[key]
    kg = getattr(app, "kg", None)
    if kg is None:
        raise RuntimeError("no knowledge graph attached to the app")
    return kg


def base_iri(kg: Any) -> str:
    """The base IRI of the entities, with one trailing slash."""
    base = (current_app.config.get("CLUSTERLD_BASE") or current_app.config.get("BASE")
            or getattr(kg, "base", None) or DEFAULT_BASE)
    return str(base).rstrip("/") + "/"


def page_lang() -> str:
    """The language of this request's page."""
    return negotiate_lang(request.args.get("lang"), request.headers.get("Accept-Language"))


def reader() -> Reader:
    """A :class:`Reader` on the app's graph in the page language."""
    kg = knowledge_graph()
    cache = current_app.extensions.get("clusterld.labels")
    if cache is None and getattr(kg, "version", None) is not None:  # labels per data version
        cache = current_app.extensions.setdefault("clusterld.labels",
                                                  LabelCache(lambda: kg.version))
    # embedded stores: plain patterns are read from the indexes, not through SPARQL
    pattern = kg.union_quads if getattr(kg, "local_lookups", False) else None
    return Reader(kg.query, base_iri(kg), page_lang(), cache, pattern)


# -- rendering -------------------------------------------------------------------------------
def url_with(_changes: dict[str, Any] | None = None, **changes: Any) -> str:
    """This page's URL with some query parameters changed (``None`` removes one)."""
    changes = {**(_changes or {}), **changes}
    args = {k: v for k, v in request.args.items() if k not in changes}
    args.update({k: str(v) for k, v in changes.items() if v not in (None, "")})
    query = urlencode(sorted(args.items()))
    return request.path + ("?" + query if query else "")


def render(template: str, status: int = 200, **context: Any) -> Response:
    """Render a page template with the shared context (language, words, nav)."""
    lang = page_lang()
    body = render_template(f"pages/{template}", lang=lang, msg=messages(lang),
                           other_lang=other_lang(lang), url_with=url_with,
                           editor_path=EDITOR_PATH, **context)
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = lang
    response.vary.add("Accept-Language")
    return response


def not_found() -> Response:
    """The HTML 404 page."""
    return render("not_found.html", status=404, title=messages(page_lang())["not_found"])


def page_number(name: str = "page") -> int:
    """A positive page number from the query string (1 if absent or bad)."""
    try:
        return max(1, min(int(request.args.get(name, "1")), 1_000_000))
    except ValueError:
        return 1


def editor_link(query: str) -> str:
    """The query editor, prefilled with ``query``."""
    return f"{EDITOR_PATH}?{urlencode({'query': query})}"


def entity_query(entity: str) -> str:
    """The SELECT the entity page offers to open in the editor."""
    return ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
            "SELECT ?property ?value ?valueLabel WHERE {\n"
            f"  <{entity}> ?property ?value .\n"
            "  OPTIONAL { ?value skos:prefLabel ?valueLabel }\n"
            "}\nORDER BY ?property ?value\n")


# -- routes ---------------------------------------------------------------------------------
@bp.route("/")
def home() -> Response:
    """The dataset's figures, downloads, example queries, search and browse entry points."""
    r = reader()
    kg = knowledge_graph()
    key = (id(kg), str(getattr(kg, "version", "")), r.lang)
    cached = _HOME_CACHE.get(key)
    if cached is None or time.monotonic() - cached[0] > HOME_TTL:
        if len(_HOME_CACHE) > 16:
            _HOME_CACHE.clear()
        figures = browse.figures(r)
        main = [(name, r.label(CLD + name), figures[name]) for name in browse.HOME_CLASSES
                if figures.get(name)]
        linked = [(name, r.label(CLD + name), n) for name, n in browse.linked_counts(r)]
        cached = (time.monotonic(), figures, main, browse.sources(r), linked)
        _HOME_CACHE[key] = cached
    _, figures, main, sources, linked = cached
    examples = browse.examples()
    return render("home.html", title="clusterld", figures=figures, main_classes=main,
                  sources=sources, examples=examples, linked=linked,
                  example_links={e.name: f"{EDITOR_PATH}?example={quote(e.name)}"
                                 for e in examples})


@bp.route("/page/<path:entity_path>")
def entity_page(entity_path: str) -> Response:
    """An entity (or a concept) for human readers."""
    r = reader()
    try:
        subject = r.iri_for_path(entity_path)
        iri(subject)
    except ValueError:
        return not_found()
    if not r.exists(subject):
        return not_found()
    builder = EntityBuilder(r)
    view = builder.build(subject)
    view.inverse = inverse_groups(builder, subject, request.args.get("rev"),
                                  page_number("rpage"))
    if CLD + "SourceDocument" in {t.value for t in view.raw.get(RDF + "type", [])}:
        view.facts = document_facts(builder, subject, page_number("fpage"))
    is_entity = subject.startswith(r.base + "id/") or entity_path.startswith("vocab/")
    quoted = quote(entity_path, safe="/")
    data_links = [(f"/data/{quoted}.{ext}", mime, name) for ext, mime, name in DATA_FORMATS
                  ] if is_entity else []
    jsonld = entity_jsonld(view, r, request.base_url)
    response = render("entity.html", title=view.label, view=view, data_links=data_links,
                      editor_url=editor_link(entity_query(subject)), jsonld=jsonld)
    links = [f'<{href}>; rel="alternate"; type="{mime}"' for href, mime, _ in data_links]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


@bp.route("/class/")
def classes() -> Response:
    """The class tree with instance counts."""
    r = reader()
    return render("classes.html", title=messages(r.lang)["classes"],
                  classes=browse.class_counts(r))


@bp.route("/class/<name>")
def class_page(name: str) -> Response:
    """All instances of a class and its subclasses, paged and filtered."""
    r = reader()
    if not name.isalnum() or not name.isascii():
        return not_found()
    if name not in SUPERCLASS and not r.exists(CLD + name):
        return not_found()
    page = browse.class_page(r, name, page_number(), request.args.get("country"),
                             request.args.get("sector"), request.args.get("year"))
    return render("class.html", title=ucfirst(page.label), cls=page,
                  superclass_label=r.label(CLD + page.superclass) if page.superclass else None,
                  sub_labels={c: r.label(CLD + c) for c in page.subclasses})


@bp.route("/search")
def search() -> Response:
    """Entities by name."""
    r = reader()
    text = request.args.get("q", "")
    return render("search.html", title=messages(r.lang)["search"], q=text,
                  items=browse.search(r, text) if text.strip() else None)


@bp.route(EDITOR_PATH)
def editor() -> Response:
    """YASGUI bound to ``/sparql``, with our prefixes and the named queries as examples."""
    lang = page_lang()
    examples = browse.examples()
    query = request.args.get("query")
    chosen = request.args.get("example")
    default = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()
                      if p in ("cld", "rdfs", "skos", "dcterms"))
    default += ("\nSELECT ?cluster ?label WHERE {\n  ?cluster a cld:Cluster ;\n"
                "           skos:prefLabel ?label .\n"
                f'  FILTER(LANG(?label) = "{lang}")\n}}\nORDER BY ?label\nLIMIT 100\n')
    config = {
        "endpoint": "/sparql",
        "query": query if query is not None else default,
        "prefixes": PREFIXES,
        "examples": [{"name": e.name, "question": e.question_for(lang), "query": e.query}
                     for e in examples],
        "open": chosen if chosen in {e.name for e in examples} else None,
    }
    return render("editor.html", title=messages(lang)["editor"], config=config,
                  examples=examples)


@bp.route("/editor")
def editor_alias() -> Response:
    """``/editor`` → the query editor, keeping the query string."""
    target = EDITOR_PATH + ("?" + request.query_string.decode("latin-1")
                            if request.query_string else "")
    return redirect(target, code=302)


@bp.app_template_filter("cld_ucfirst")
def ucfirst(text: str) -> str:
    """The text with its first letter in capitals (the rest untouched)."""
    return text[:1].upper() + text[1:]


@bp.app_template_global("pages_asset")
def asset(name: str) -> str:
    """The URL of one of this blueprint's static files."""
    return url_for("pages.static", filename=name)
