"""The ONE error handler: every error, in the negotiated format (JSON, HTML, text or RDF).

Typed errors of the core map to statuses here (bad input → 400 with line and reason,
unknown → 404, time limit → 503, …). Anything unexpected is logged and answered with a
plain 500 message: never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Flask, Response, current_app, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from clusterld import results
from clusterld.errors import ClusterldError, Conflict, InputError
from clusterld.store import NotFound, PoolBusy, QueryTimeout, ReadOnlyStore, WorkerFailed
from clusterld.web.conneg import NotAcceptable, negotiate

ERROR_TYPES = ("application/json", "text/html", "text/plain", *results.GRAPH_TYPES)
HTTP = "http://www.w3.org/2011/http#"


@dataclass
class Problem:
    """What went wrong, independent of how it is written."""

    status: int
    title: str
    detail: str
    line: int | None = None
    column: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    accepted: list[str] | None = None


def classify(exc: BaseException) -> Problem:
    """The status and message of an exception."""
    if isinstance(exc, NotAcceptable):
        return Problem(406, "Not Acceptable", exc.description or "", accepted=exc.offered)
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return Problem(code, exc.name, exc.description or exc.name, headers=headers)
    if isinstance(exc, InputError):
        return Problem(400, "Bad Request", exc.reason, exc.line, exc.column)
    if isinstance(exc, NotFound):
        return Problem(404, "Not Found", str(exc))
    if isinstance(exc, Conflict):
        return Problem(409, "Conflict", str(exc))
    if isinstance(exc, ReadOnlyStore):
        return Problem(403, "Forbidden", str(exc))
    if isinstance(exc, QueryTimeout):
        return Problem(503, "Query Timeout", str(exc))
    if isinstance(exc, PoolBusy):
        return Problem(503, "Service Unavailable", str(exc), headers={"Retry-After": "1"})
    if isinstance(exc, WorkerFailed):
        return Problem(503, "Service Unavailable", str(exc))
    if isinstance(exc, ClusterldError):
        return Problem(500, "Internal Server Error", str(exc))
    return Problem(500, "Internal Server Error", "an unexpected error happened; it was logged")


def render(problem: Problem) -> Response:
    """The problem in the format the request negotiates (plain text when none fits)."""
    fmt = request.args.get("format")
    try:
        media_type = negotiate(request.headers.get("Accept"), ERROR_TYPES,
                               fmt if fmt in ("json", "html", "ttl") else None)
    except NotAcceptable:
        media_type = "text/plain"
    where = "".join(f" {k} {v}" for k, v in (("line", problem.line),
                                              ("column", problem.column)) if v is not None)
    text = f"{problem.status} {problem.title}: {problem.detail}" + (f" (at{where})"
                                                                    if where else "")
    if media_type == "application/json":
        doc = {"status": problem.status, "error": problem.title, "message": problem.detail}
        if problem.line is not None:
            doc["line"] = problem.line
        if problem.column is not None:
            doc["column"] = problem.column
        if problem.accepted:
            doc["accepted"] = problem.accepted
        body = json.dumps(doc, ensure_ascii=False).encode()
    elif media_type == "text/html":
        body = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{problem.status} "
                f"{escape(problem.title)}</title></head><body><h1>{problem.status} "
                f"{escape(problem.title)}</h1><p>{escape(problem.detail)}</p>"
                + (f"<p>At{escape(where)}.</p>" if where else "")
                + "<p><a href=\"/\">clusterld home</a></p></body></html>\n").encode()
    elif media_type in results.RDF_TYPES:
        node = ox.BlankNode("error")
        triples = [
            ox.Triple(node, ox.NamedNode(results.PREFIXES["rdf"] + "type"),
                      ox.NamedNode(HTTP + "Response")),
            ox.Triple(node, ox.NamedNode(HTTP + "statusCodeValue"), ox.Literal(problem.status)),
            ox.Triple(node, ox.NamedNode(HTTP + "reasonPhrase"), ox.Literal(problem.title)),
            ox.Triple(node, ox.NamedNode(results.PREFIXES["rdfs"] + "comment"),
                      ox.Literal(text)),
        ]
        body = results.rdf(triples, media_type, {"http": HTTP, **results.PREFIXES})
    else:
        media_type = "text/plain"
        body = (text + "\n").encode()
    response = Response(body, status=problem.status,
                        content_type=f"{media_type}; charset=utf-8")
    for name, value in problem.headers.items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response


def handle(exc: BaseException) -> Response:
    """The app's error handler."""
    problem = classify(exc)
    if isinstance(exc, WorkerFailed):
        current_app.logger.warning("%s %s: %s", request.method, request.path, exc)
    elif problem.status >= 500 and not isinstance(exc, QueryTimeout | PoolBusy):
        current_app.logger.error("error on %s %s", request.method, request.path, exc_info=exc)
    return render(problem)


def init_app(app: Flask) -> None:
    """Install the handler for every exception."""
    app.register_error_handler(Exception, handle)
