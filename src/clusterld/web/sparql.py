"""SPARQL 1.1 Protocol at ``/sparql``: query, update (maintainer only), service description.

This module only reads the request (protocol rules: methods, media types, parameters) and
calls :class:`clusterld.store.KnowledgeGraph`; limits, SERVICE refusal and the workers are
the core's business.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from clusterld import results, sparqltext
from clusterld.web import knowledge_graph
from clusterld.web.auth import require_maintainer, writes_enabled
from clusterld.web.conneg import NotAcceptable, negotiate

bp = Blueprint("sparql", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
# Extra media types some clients ask for, and what they get.
ALIASES = {"application/json": results.SPARQL_JSON, "application/xml": results.SPARQL_XML,
           "text/xml": results.SPARQL_XML, "text/plain": "application/n-triples"}
OFFERS = {
    "select": (*results.RESULT_TYPES, "application/json", "application/xml", "text/xml"),
    "ask": (*results.RESULT_TYPES, "application/json", "application/xml", "text/xml"),
    "graph": (*results.GRAPH_TYPES, "text/plain"),
}
FORM_KIND = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
W3C_FORMATS = {results.SPARQL_JSON: "SPARQL_Results_JSON",
               results.SPARQL_XML: "SPARQL_Results_XML", results.CSV: "SPARQL_Results_CSV",
               results.TSV: "SPARQL_Results_TSV", "text/turtle": "Turtle",
               "application/ld+json": "JSON-LD", "application/n-triples": "N-Triples",
               "application/rdf+xml": "RDF_XML", "application/trig": "TriG",
               "application/n-quads": "N-Quads"}


@dataclass
class ProtocolRequest:
    """A protocol operation read from the HTTP request."""

    operation: str | None  # "query", "update" or None (service description)
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the request body is not UTF-8 ({exc.reason} at byte {exc.start})"
                         ) from None


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        raise UnsupportedMediaType(f"charset {charset} is not supported: send UTF-8")


def _single(params: MultiDict, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"the request has {len(values)} '{name}' parameters; send one")
    return values[0] if values else None


def read_protocol() -> ProtocolRequest:
    """The operation of this request, by the SPARQL 1.1 Protocol's rules."""
    params = MultiDict(request.args)
    if request.method == "POST":
        mimetype = request.mimetype
        _check_charset()
        if mimetype == "application/x-www-form-urlencoded":
            form = MultiDict()
            from urllib.parse import parse_qsl

            for key, value in parse_qsl(_utf8(request.get_data()), keep_blank_values=True):
                form.add(key, value)
            for key, value in form.items(multi=True):
                params.add(key, value)
        elif mimetype == "application/sparql-query":
            if "query" in params or "update" in params:
                raise BadRequest("the query is in the body: do not also send a 'query' parameter")
            params.add("query", _utf8(request.get_data()))
        elif mimetype == "application/sparql-update":
            if "query" in params or "update" in params:
                raise BadRequest("the update is in the body: do not also send an 'update' "
                                 "parameter")
            params.add("update", _utf8(request.get_data()))
        else:
            raise UnsupportedMediaType(
                f"POST needs Content-Type application/sparql-query, application/sparql-update "
                f"or application/x-www-form-urlencoded, not {mimetype or '(none)'}")
    query, update = _single(params, "query"), _single(params, "update")
    if query is not None and update is not None:
        raise BadRequest("send either 'query' or 'update', not both")
    if update is not None and request.method != "POST":
        raise BadRequest("an update must be sent with POST")
    out = ProtocolRequest("query" if query is not None else "update" if update is not None
                          else None, query if query is not None else update or "")
    out.default_graphs = params.getlist("default-graph-uri")
    out.named_graphs = params.getlist("named-graph-uri")
    out.using_graphs = params.getlist("using-graph-uri")
    out.using_named_graphs = params.getlist("using-named-graph-uri")
    if out.operation != "query" and (out.default_graphs or out.named_graphs):
        raise BadRequest("default-graph-uri and named-graph-uri go with a query")
    if out.operation != "update" and (out.using_graphs or out.using_named_graphs):
        raise BadRequest("using-graph-uri and using-named-graph-uri go with an update")
    return out


def _timeout() -> float | None:
    value = request.args.get("timeout")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise BadRequest(f"timeout must be a number of seconds, not {value!r}") from None
    if not seconds > 0:
        raise BadRequest("timeout must be positive")
    return seconds


@lru_cache(maxsize=256)
def _negotiated(accept: str | None, fmt: str | None) -> tuple[tuple[str, str | None], ...]:
    """(kind, media type or None) for one ``Accept`` and ``?format=`` (clients repeat them)."""
    chosen = []
    for kind, offered in OFFERS.items():
        try:
            media_type = negotiate(accept, offered, fmt)
        except NotAcceptable:
            media_type = None
        chosen.append((kind, ALIASES.get(media_type, media_type) if media_type else None))
    return tuple(chosen)


def _formats(text: str) -> dict[str, str | None]:
    """The media type for each kind of answer (None: the client accepts none)."""
    fmt = request.args.get("format")
    chosen = dict(_negotiated(request.headers.get("Accept"), fmt))
    if not any(chosen.values()):  # nothing could be answered: say so before any work
        kind = FORM_KIND.get(sparqltext.query_form(text) or "", "select")
        raise NotAcceptable(OFFERS[kind], fmt)
    return chosen


def _etag(op: ProtocolRequest, formats: dict[str, str | None]) -> str:
    digest = hashlib.sha256()
    for part in (op.text, *op.default_graphs, "|", *op.named_graphs, "|", repr(formats),
                 request.args.get("timeout", "")):
        digest.update(part.encode())
        digest.update(b"\0")
    return f"{knowledge_graph().version}-{digest.hexdigest()[:24]}"


def run_query(op: ProtocolRequest) -> Response:
    """Answer a query, honouring If-None-Match, with the row cap reported."""
    kg = knowledge_graph()
    formats = _formats(op.text)
    etag = _etag(op, formats)
    cache = f"public, max-age={current_app.config['CLUSTERLD_CACHE_SECONDS']}"
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        protocol_dataset = bool(op.default_graphs or op.named_graphs)
        try:
            answer = kg.run_query(op.text, formats, base_iri=request.base_url,
                                  default_graphs=op.default_graphs if protocol_dataset else None,
                                  named_graphs=op.named_graphs if protocol_dataset else None,
                                  timeout=_timeout())
        except LookupError as exc:
            raise NotAcceptable(OFFERS.get(str(exc.args[0]) if exc.args else "select", ()),
                                request.args.get("format")) from None
        response = Response(answer.body, content_type=_content_type(answer.media_type))
        if answer.truncated:
            response.headers["X-Clusterld-Truncated"] = "true"
            response.headers["X-Clusterld-Row-Limit"] = str(kg.limits.max_rows)
            response.headers["Warning"] = (f'199 clusterld "result cut at {kg.limits.max_rows} '
                                           'rows; use LIMIT/OFFSET or the dumps"')
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = cache
    response.vary.add("Accept")
    return response


def _content_type(media_type: str) -> str:
    if media_type.startswith("text/") or media_type in (
            results.SPARQL_JSON, results.SPARQL_XML, "application/ld+json",
            "application/n-triples", "application/n-quads", "application/trig",
            "application/rdf+xml"):
        return f"{media_type}; charset=utf-8"
    return media_type


def run_update(op: ProtocolRequest) -> Response:
    """Run an update for the maintainer."""
    require_maintainer()
    knowledge_graph().update(op.text, base_iri=request.base_url, using_graphs=op.using_graphs,
                             using_named_graphs=op.using_named_graphs)
    response = Response(status=204)
    response.headers["Cache-Control"] = "no-store"
    return response


def service_description() -> Response:
    """The SPARQL 1.1 Service Description of this endpoint (HTML readers go to the editor)."""
    offered = (*results.GRAPH_TYPES, "text/html")
    media_type = negotiate(request.headers.get("Accept"), offered, request.args.get("format"))
    if media_type == "text/html" and "pages.editor" in current_app.view_functions:
        return redirect("/sparql/editor", code=303)
    if media_type == "text/html":
        media_type = "text/turtle"
    kg = knowledge_graph()
    sd = ox.NamedNode
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode(
        "default")
    a = sd(results.PREFIXES["rdf"] + "type")
    triples = [ox.Triple(service, a, sd(SD + "Service")),
               ox.Triple(service, sd(SD + "endpoint"), sd(request.base_url)),
               ox.Triple(service, sd(SD + "supportedLanguage"), sd(SD + "SPARQL11Query")),
               ox.Triple(service, sd(SD + "feature"), sd(SD + "UnionDefaultGraph")),
               ox.Triple(service, sd(SD + "defaultDataset"), dataset),
               ox.Triple(dataset, a, sd(SD + "Dataset")),
               ox.Triple(dataset, sd(SD + "defaultGraph"), default),
               ox.Triple(default, a, sd(SD + "Graph"))]
    if writes_enabled():
        triples.append(ox.Triple(service, sd(SD + "supportedLanguage"),
                                 sd(SD + "SPARQL11Update")))
    for media in W3C_FORMATS:
        triples.append(ox.Triple(service, sd(SD + "resultFormat"),
                                 sd(FORMATS_NS + W3C_FORMATS[media])))
    for i, name in enumerate(kg.graph_names()[:1000]):
        node = ox.BlankNode(f"g{i}")
        triples += [ox.Triple(dataset, sd(SD + "namedGraph"), node),
                    ox.Triple(node, a, sd(SD + "NamedGraph")),
                    ox.Triple(node, sd(SD + "name"), sd(name))]
    body = results.rdf(triples, media_type)
    response = Response(body, content_type=_content_type(media_type))
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
@bp.route("/sparql/", methods=["GET", "POST"], strict_slashes=False)
def endpoint() -> Response:
    """The protocol endpoint."""
    op = read_protocol()
    if op.operation == "query":
        return run_query(op)
    if op.operation == "update":
        return run_update(op)
    return service_description()
