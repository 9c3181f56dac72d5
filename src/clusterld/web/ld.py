"""Dereferencing ("Cool URIs for the Semantic Web"): ``/id/…`` and ``/vocab/…`` answer 303 to
the HTML page or to a data document; ``/data/….ttl|.jsonld|.nt|.rdf|.trig|.nq`` are the data
documents; ``/ontology`` and ``/shapes`` are the hash-namespace documents of the ontology
and the shapes. Unknown IRIs: 404 in the negotiated format.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request
from markupsafe import escape

from clusterld import results
from clusterld.paths import data_path
from clusterld.schema import ONTOLOGY_NS, SHAPES_NS, VOCAB_NS
from clusterld.store import NotFound
from clusterld.web import knowledge_graph
from clusterld.web.conneg import negotiate

bp = Blueprint("ld", __name__)

# */* gets Turtle: browsers ask for text/html by name, machines mostly do not.
DOC_TYPES = (*results.GRAPH_TYPES, "text/html")
EXT_OF = {media: ext for ext, media in results.EXTENSIONS.items()}


def iri_for(path: str) -> str:
    """The IRI a local path stands for: ``vocab/…`` → the concept, else ``{base}id/…``."""
    if path.startswith("vocab/"):
        return VOCAB_NS + path[len("vocab/"):]
    return knowledge_graph().base + "id/" + path


def _query_suffix() -> str:
    query = request.query_string.decode("latin-1")
    return "?" + query if query else ""


def _see_other(path: str) -> Response:
    """303 to the page or the data document of ``path``."""
    if not knowledge_graph().exists(iri_for(path)):
        raise NotFound(f"nothing is known about {iri_for(path)}")
    media_type = negotiate(request.headers.get("Accept"), DOC_TYPES, request.args.get("format"))
    if media_type == "text/html":
        target = f"/page/{path}{_query_suffix()}"
    else:
        target = f"/data/{path}.{EXT_OF[media_type]}"
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/id/<path:path>", methods=["GET"])
def entity(path: str) -> Response:
    """An entity IRI."""
    return _see_other(path)


@bp.route("/vocab/<path:path>", methods=["GET"])
def concept(path: str) -> Response:
    """A concept IRI (``https://w3id.org/clusterld/vocab/…``)."""
    return _see_other("vocab/" + path)


def _document(body: bytes, media_type: str, *, truncated: bool = False,
              about: str | None = None) -> Response:
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.headers["Cache-Control"] = (
        f"public, max-age={current_app.config['CLUSTERLD_CACHE_SECONDS']}")
    response.set_etag(f"{knowledge_graph().version}-{EXT_OF.get(media_type, 'x')}", weak=True)
    if about:
        response.headers["Link"] = f'<{about}>; rel="describes"'
    if truncated:
        response.headers["X-Clusterld-Truncated"] = "true"
    response.vary.add("Accept")
    return response


@bp.route("/data/<path:path>", methods=["GET"])
def data(path: str) -> Response:
    """The data document of an entity or concept."""
    stem, _, ext = path.rpartition(".")
    if not stem or ext not in results.EXTENSIONS or "/" in ext:
        return _see_other(path)  # no extension: negotiate and send to the right document
    if request.if_none_match.contains_weak(f"{knowledge_graph().version}-{ext}"):
        return Response(status=304)
    iri = iri_for(stem)
    doc = knowledge_graph().describe(iri, graphs=ext in ("trig", "nq"))
    if not doc:
        raise NotFound(f"nothing is known about {iri}")
    return _document(doc.serialize(results.EXTENSIONS[ext]), results.EXTENSIONS[ext],
                     truncated=doc.truncated, about=iri)


def _files_triples(files: list[Path]) -> list[ox.Triple]:
    triples: dict[ox.Triple, None] = {}
    for f in files:
        for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            triples.setdefault(ox.Triple(q.subject, q.predicate, q.object), None)
    return list(triples)


def _cached(key: str, load) -> list[ox.Triple]:
    cache = current_app.extensions.setdefault("clusterld.docs", {})
    version = knowledge_graph().version
    if key not in cache or cache[key][0] != version:
        cache[key] = (version, load())
    return cache[key][1]


def ontology_triples() -> list[ox.Triple]:
    """The ontology graph of the store, else the ontology shipped with the package."""
    kg = knowledge_graph()

    def load() -> list[ox.Triple]:
        name = kg.base + "graph/ontology"
        if kg.has_graph(name):
            return kg.graph_triples(name)
        return _files_triples(sorted(data_path("ontology").glob("*.ttl")))

    return _cached("ontology", load)


def shapes_triples() -> list[ox.Triple]:
    """The SHACL shapes: the build's ``shapes.ttl``, else the shapes shipped with the package."""
    def load() -> list[ox.Triple]:
        built = Path(current_app.config["CLUSTERLD_BUILD_DIR"]) / "shapes.ttl"
        files = [built] if built.is_file() else sorted(data_path("shapes").glob("*.ttl"))
        return _files_triples(files)

    return _cached("shapes", load)


def _vocabulary(triples: list[ox.Triple], name: str, html_target: str | None) -> Response:
    media_type = negotiate(request.headers.get("Accept"), DOC_TYPES, request.args.get("format"))
    if not triples:
        raise NotFound(f"no {name} is loaded")
    if media_type == "text/html":
        if html_target and html_target in current_app.view_functions:
            response = redirect("/class/", code=303)
            response.vary.add("Accept")
            return response
        body = results.rdf(triples, "text/turtle").decode()
        page = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>clusterld {name}"
                f"</title></head><body><h1>clusterld {name}</h1><p>Also as "
                f"<a href=\"?format=ttl\">Turtle</a>, <a href=\"?format=jsonld\">JSON-LD</a>, "
                f"<a href=\"?format=rdf\">RDF/XML</a>.</p><pre>{escape(body)}</pre></body></html>")
        response = Response(page, content_type="text/html; charset=utf-8")
        response.vary.add("Accept")
        return response
    return _document(results.rdf(triples, media_type), media_type)


@bp.route("/ontology", methods=["GET"])
@bp.route("/ontology/<version>", methods=["GET"])
def ontology(version: str | None = None) -> Response:
    """``https://w3id.org/clusterld/ontology`` (and its version IRIs): the ontology."""
    del version
    return _vocabulary(ontology_triples(), "ontology", "pages.classes")


@bp.route("/shapes", methods=["GET"])
def shapes() -> Response:
    """``https://w3id.org/clusterld/shapes``: the SHACL shapes."""
    return _vocabulary(shapes_triples(), "shapes", None)


__all__ = ["ONTOLOGY_NS", "SHAPES_NS", "bp", "iri_for"]
