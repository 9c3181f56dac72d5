"""SPARQL 1.1 Graph Store HTTP Protocol at ``/graph-store`` (indirect identification).

``?graph=IRI`` or ``?default`` names the graph. GET and HEAD are public (a graph is a dump,
not capped); PUT, POST and DELETE need the maintainer's token.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from clusterld import results
from clusterld.rdfio import format_for
from clusterld.web import knowledge_graph
from clusterld.web.auth import require_maintainer
from clusterld.web.conneg import negotiate

bp = Blueprint("gsp", __name__)

TRIPLE_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml",
                "application/ld+json")


def target() -> str | None:
    """The graph named by the request: an IRI, or None for the default graph."""
    graph = request.args.getlist("graph")
    if "default" in request.args and not graph:
        return None
    if len(graph) == 1 and "default" not in request.args:
        return graph[0]
    raise BadRequest("name exactly one graph: ?graph=IRI or ?default")


def _payload() -> tuple[bytes, str]:
    media_type = request.mimetype
    if format_for(media_type=media_type) is None or media_type not in (*TRIPLE_TYPES,
                                                                        "text/plain",
                                                                        "application/json"):
        raise UnsupportedMediaType(f"send one graph as {', '.join(TRIPLE_TYPES)}, "
                                   f"not {media_type or '(no Content-Type)'}")
    return request.get_data(), media_type


@bp.route("/graph-store", methods=["GET", "HEAD"])
def read() -> Response:
    """A whole graph."""
    graph = target()
    media_type = negotiate(request.headers.get("Accept"), results.GRAPH_TYPES,
                           request.args.get("format"))
    triples = knowledge_graph().graph_triples(graph)
    response = Response(results.rdf(triples, media_type),
                        content_type=f"{media_type}; charset=utf-8")
    response.set_etag(f"{knowledge_graph().version}-{media_type}", weak=True)
    response.vary.add("Accept")
    return response


@bp.route("/graph-store", methods=["PUT"])
def replace() -> Response:
    """Replace a graph (201 when it is new)."""
    require_maintainer()
    graph = target()
    data, media_type = _payload()
    created = knowledge_graph().replace_graph(graph, data, media_type, base_iri=graph)
    return Response(status=201 if created else 204)


@bp.route("/graph-store", methods=["POST"])
def add() -> Response:
    """Add triples to a graph (201 when it is new)."""
    require_maintainer()
    graph = target()
    data, media_type = _payload()
    created = knowledge_graph().add_to_graph(graph, data, media_type, base_iri=graph)
    return Response(status=201 if created else 204)


@bp.route("/graph-store", methods=["DELETE"])
def delete() -> Response:
    """Drop a graph (404 when absent)."""
    require_maintainer()
    knowledge_graph().drop_graph(target())
    return Response(status=204)
