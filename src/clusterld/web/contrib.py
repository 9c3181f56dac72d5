"""``POST /validate``, ``POST /contributions`` and the maintainers' review API.

The routes only read the request (body, form or upload; metadata fields; language) and call
:class:`clusterld.contributions.Contributions`; errors go to the one error handler. See
docs/server.md ("Contributions") for the contract.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests, UnsupportedMediaType

from clusterld import results
from clusterld.contributions import Contributions, NotConforming
from clusterld.errors import InputError
from clusterld.incremental import IncrementalReport
from clusterld.rdfio import FORMATS, MEDIA_TYPES, format_for
from clusterld.web.auth import require_maintainer
from clusterld.web.conneg import negotiate
from clusterld.web.labels import negotiate_lang
from clusterld.web.shaclreport import Labeler, report_json, report_triples

bp = Blueprint("contrib", __name__)
REPORT_TYPES = ("application/json", *results.GRAPH_TYPES)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads",
                  "n-quads": "nquads", "json-ld": "jsonld", "rdf": "rdfxml", "xml": "rdfxml",
                  "rdf/xml": "rdfxml"}
_LOCK = threading.Lock()


def contributions(app: Flask | None = None) -> Contributions:
    """The app's :class:`Contributions`, opened on first use (with its validator)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("clusterld.contributions")
    if found is None:
        with _LOCK:
            found = app.extensions.get("clusterld.contributions")
            if found is None:
                kg = app.extensions["clusterld"]
                path = app.config.get("CLUSTERLD_CONTRIBUTIONS")
                if not path and getattr(kg, "_tmp", None) is None:
                    path = kg.path.parent / "contributions"  # beside the store
                found = Contributions(path or None, kg,
                                      app.config.get("CLUSTERLD_VALIDATOR"))
                app.extensions["clusterld.contributions"] = found
    return found


def close_contributions(app: Flask) -> None:
    """Release the contributions store of ``app`` (if it was opened)."""
    found = app.extensions.pop("clusterld.contributions", None)
    if found is not None:
        found.close()


# -- reading the request ---------------------------------------------------------------------
def _format_name(value: str) -> str:
    name = value.strip().lower()
    key = FORMAT_ALIASES.get(name, name)
    if key in FORMATS:
        return key
    key = MEDIA_TYPES.get(name.split(";")[0].strip())
    if key is None:
        raise InputError(f"unknown RDF format {value!r} (turtle, trig, nt, nq, jsonld, rdfxml "
                         "or a media type)")
    return key


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"a contribution is limited to {limit} bytes")


def read_rdf() -> tuple[bytes, str]:
    """The RDF of the request and its format key: raw body, upload ``file`` or field ``data``.

    The size limit is checked before anything is parsed.
    """
    limit = int(current_app.config["CLUSTERLD_CONTRIBUTION_MAX_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    if request.mimetype in FORM_TYPES:
        request.max_content_length = limit  # also bounds a chunked form while it is parsed
        declared = request.form.get("format")
        upload = request.files.get("file")
        if upload is not None and not upload.filename:
            upload = None  # a browser form with no file chosen still sends an empty part
        if upload is not None:
            data = upload.stream.read(limit + 1)
            fmt = (_format_name(declared) if declared else
                   format_for(upload.filename) or format_for(media_type=upload.mimetype))
            if fmt is None:
                raise InputError(f"cannot tell the RDF format of the file {upload.filename!r}; "
                                 "name it .ttl, .trig, .nt, .nq, .jsonld or .rdf, or send "
                                 "a 'format' field")
        elif request.form.get("data", "").strip():
            data = request.form["data"].encode("utf-8")
            fmt = _format_name(declared or "turtle")
        else:
            raise InputError("no RDF: paste it in the text box (field 'data') or choose a file "
                             "(field 'file')")
    else:
        fmt = format_for(media_type=request.mimetype)
        if fmt is None:
            raise UnsupportedMediaType(
                f"cannot read {request.mimetype or 'a body without Content-Type'}; send one "
                "of " + ", ".join(sorted(MEDIA_TYPES)) + " or a form")
        data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data, fmt


def _lang() -> str:
    return negotiate_lang(request.values.get("lang"), request.headers.get("Accept-Language"))


def _answer_report(report: IncrementalReport, graph: Any, triples: int, status: int = 200,
                   ) -> Response:
    """The report in the negotiated format: JSON, or the sh:ValidationReport graph."""
    media_type = negotiate(request.headers.get("Accept"), REPORT_TYPES,
                           request.args.get("format"))
    store = contributions()
    labeler = Labeler([graph, store.validator.ontology], store.graph_source, _lang())
    if media_type == "application/json":
        response = jsonify(report_json(report, triples, labeler))
        response.status_code = status
    else:
        body = results.rdf(report_triples(report, labeler), media_type,
                           {"sh": "http://www.w3.org/ns/shacl#", **results.PREFIXES})
        response = Response(body, status=status, content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- rate bound of the public submissions ------------------------------------------------------
_RECENT: dict[str, deque[float]] = defaultdict(deque)


def rate_check(kind: str = "submissions") -> None:
    """At most CLUSTERLD_CONTRIBUTION_RATE submissions (CLUSTERLD_VALIDATION_RATE validations)
    a minute per client address; each kind is counted on its own."""
    setting = {"validations": "CLUSTERLD_VALIDATION_RATE"}.get(kind, "CLUSTERLD_CONTRIBUTION_RATE")
    rate = int(current_app.config.get(setting) or 0)
    if rate <= 0:
        return
    now = time.monotonic()
    app_id = id(current_app._get_current_object())  # type: ignore[attr-defined]
    key = f"{app_id}:{kind}:{request.remote_addr}"
    with _LOCK:
        recent = _RECENT[key]
        while recent and now - recent[0] > 60:
            recent.popleft()
        if len(recent) >= rate:
            raise TooManyRequests(f"at most {rate} {kind} a minute; try again later")
        recent.append(now)


# -- routes ----------------------------------------------------------------------------------
@bp.post("/validate")
def validate() -> Response:
    """Validate RDF as an addition to the graph; answer the SHACL report (200 either way)."""
    rate_check("validations")
    data, fmt = read_rdf()
    checked = contributions().validate(data, fmt)
    return _answer_report(checked.report, checked.graph, checked.triples)


@bp.post("/contributions")
def submit() -> Response:
    """Store a conforming contribution as pending (201); 422 with the report otherwise."""
    rate_check()
    data, fmt = read_rdf()
    store = contributions()
    try:
        item, checked = store.submit(data, fmt, author=request.values.get("author"),
                                     source=request.values.get("source"),
                                     comment=request.values.get("comment"))
    except NotConforming as exc:
        return _answer_report(exc.report, exc.graph, exc.triples, 422)
    labeler = Labeler([checked.graph, store.validator.ontology], store.graph_source, _lang())
    body = {"id": item.id, "status": item.status, "graph": item.graph,
            "submitted": item.submitted, "triples": item.triples,
            "report": report_json(checked.report, checked.triples, labeler)}
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = f"/contributions/{item.id}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contributions")
def listing() -> Response:
    """The contributions (maintainers), optionally of one status."""
    require_maintainer()
    items = contributions().list(request.args.get("status") or None)
    response = jsonify([item.to_json() for item in items])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contributions/<cid>")
def show(cid: str) -> Response:
    """One contribution (maintainers): metadata and diff as JSON, or its graph + PROV as RDF."""
    require_maintainer()
    store = contributions()
    item = store.get(cid)
    media_type = negotiate(request.headers.get("Accept"), REPORT_TYPES,
                           request.args.get("format"))
    if media_type == "application/json":
        added, existing = store.diff(cid)
        response = jsonify({**item.to_json(), "added": added, "existing": existing})
    else:
        quads: list[ox.Quad] = store.quads(cid)
        prefixes = {"prov": "http://www.w3.org/ns/prov#", **results.PREFIXES}
        response = Response(results.rdf(quads, media_type, prefixes),
                            content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/contributions/<cid>/accept")
def accept(cid: str) -> Response:
    """Re-validate against the current graph and merge (maintainers); 409 with the report
    when it no longer conforms or is not pending."""
    require_maintainer()
    store = contributions()
    try:
        item, report = store.accept(cid)
    except NotConforming as exc:
        return _answer_report(exc.report, exc.graph, exc.triples, 409)
    labeler = Labeler([store.graph(cid), store.validator.ontology], store.graph_source, _lang())
    response = jsonify({**item.to_json(), "report": report_json(report, item.triples, labeler)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/contributions/<cid>/reject")
def reject(cid: str) -> Response:
    """Reject with a reason (maintainers); the contribution is kept."""
    require_maintainer()
    body = request.get_json(silent=True) if request.is_json else None
    reason = body.get("reason") if isinstance(body, dict) else request.values.get("reason")
    item = contributions().reject(cid, reason if isinstance(reason, str) else None)
    response = jsonify(item.to_json())
    response.headers["Cache-Control"] = "no-store"
    return response
