"""The publishing server: ``create_app(test_config=None)`` builds the Flask app.

The app holds one :class:`clusterld.store.KnowledgeGraph` in ``app.extensions["clusterld"]``
(opened by :func:`init_app`); blueprints only parse requests and call it. Every response
gets CORS headers and, when the client takes it, gzip.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

from clusterld.schema import DEFAULT_BASE
from clusterld.store import KnowledgeGraph, Limits

DEFAULTS: dict[str, Any] = {
    "CLUSTERLD_STORE": "var/store",  # on-disk store directory, or a remote store's URL
    "CLUSTERLD_BASE": DEFAULT_BASE,
    "CLUSTERLD_BUILD_DIR": "out",  # where the dumps are (``clusterld build --out``)
    "CLUSTERLD_LOAD": [],  # RDF files loaded into the store at start (replacing it)
    "CLUSTERLD_QUERY_TIMEOUT": 10.0,
    "CLUSTERLD_MAX_ROWS": 10_000,
    "CLUSTERLD_WORKERS": 2,
    "CLUSTERLD_WORKER_MEMORY_MB": 4096,  # per query worker; 0 for no limit
    "CLUSTERLD_TOKEN": None,  # maintainer bearer token; None → read-only server
    "CLUSTERLD_CACHE_SECONDS": 60,  # Cache-Control max-age of public answers
    "CLUSTERLD_RESPONSE_CACHE_MB": 64,  # replayed answers per data version; 0 disables
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "CLUSTERLD_CONTRIBUTIONS": None,  # contributions store; None → "contributions" beside the store
    "CLUSTERLD_CONTRIBUTION_MAX_BYTES": 1024 * 1024,  # POST /validate and /contributions
    "CLUSTERLD_CONTRIBUTION_RATE": 120,  # submissions a minute per client address; 0: no limit
    "CLUSTERLD_VALIDATION_RATE": 600,  # POST /validate (the form's live checks) likewise
    "CLUSTERLD_VALIDATOR": None,  # an IncrementalValidator to share (tests); None → built once
    "CLUSTERLD_FAST_PATH": True,  # plain lookups, data documents and 303s without Flask
}
COMPRESSIBLE = ("text/", "application/sparql-results", "application/ld+json",
                "application/json", "application/n-triples", "application/n-quads",
                "application/trig", "application/rdf+xml", "application/javascript",
                "image/svg+xml")
EXPOSED = ("ETag, Link, Location, Content-Location, X-Clusterld-Truncated, "
           "X-Clusterld-Row-Limit")


def knowledge_graph() -> KnowledgeGraph:
    """The current app's knowledge graph."""
    return current_app.extensions["clusterld"]


def init_app(app: Flask) -> KnowledgeGraph:
    """Open the store named by the config (or take ``CLUSTERLD_KG``) and load its files."""
    kg = app.config.get("CLUSTERLD_KG")
    if kg is None:
        limits = Limits(query_timeout=float(app.config["CLUSTERLD_QUERY_TIMEOUT"]),
                        max_rows=int(app.config["CLUSTERLD_MAX_ROWS"]),
                        workers=int(app.config["CLUSTERLD_WORKERS"]),
                        worker_memory_mb=int(app.config["CLUSTERLD_WORKER_MEMORY_MB"]))
        store = app.config.get("CLUSTERLD_STORE")
        if isinstance(store, str) and store.startswith(("http://", "https://")):
            from clusterld.remotekg import RemoteKnowledgeGraph

            kg = RemoteKnowledgeGraph.from_config(store, app.config, limits)
        else:
            kg = KnowledgeGraph(Path(store) if store else None,
                                base=app.config["CLUSTERLD_BASE"], limits=limits)
        files = [Path(f) for f in app.config.get("CLUSTERLD_LOAD") or []]
        if files:
            kg.load(files, replace=True)
    app.extensions["clusterld"] = kg
    return kg


def _finish(response: Response) -> Response:
    """CORS on every answer; gzip when the client takes it and it is worth it."""
    headers = response.headers
    headers.setdefault("Access-Control-Allow-Origin", "*")
    headers.setdefault("Access-Control-Expose-Headers", EXPOSED)
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
        headers["Access-Control-Allow-Headers"] = ("Accept, Accept-Language, Authorization, "
                                                   "Content-Type, If-None-Match")
        headers["Access-Control-Max-Age"] = "86400"
    if (response.direct_passthrough or response.is_streamed or "Content-Encoding" in headers
            or response.status_code < 200 or response.status_code in (204, 206, 304)
            or request.method == "HEAD"):
        return response
    if not (response.mimetype or "").startswith(COMPRESSIBLE):
        return response
    response.vary.add("Accept-Encoding")
    # most clients (and every benchmark client) send no gzip: skip parsing the header
    if ("gzip" not in request.environ.get("HTTP_ACCEPT_ENCODING", "").lower()
            or not request.accept_encodings["gzip"]):
        return response
    data = response.get_data()
    if len(data) < 1024:
        return response
    response.set_data(gzip.compress(data, compresslevel=5, mtime=0))
    headers["Content-Encoding"] = "gzip"
    return response


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory (flaskr style): config, store, error handler, blueprints."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    token = os.environ.get("CLUSTERLD_TOKEN")
    app.config["CLUSTERLD_TOKEN"] = token or None
    if test_config is not None:
        app.config.update(test_config)
    from clusterld.web import contrib, errors, gsp, ld, reconcile, site, sparql

    errors.init_app(app)
    init_app(app)
    for blueprint in (sparql.bp, gsp.bp, ld.bp, site.bp, reconcile.bp, contrib.bp):
        app.register_blueprint(blueprint)
    try:
        from clusterld.web.form import bp as form_bp
        from clusterld.web.pages import bp as pages_bp
    except ImportError as exc:  # the pages are optional for the API
        app.logger.warning("HTML pages unavailable: %s", exc)
    else:
        app.register_blueprint(pages_bp)
        app.register_blueprint(form_bp)
    app.after_request(_finish)
    if app.config["CLUSTERLD_FAST_PATH"]:
        from clusterld.web.fast import FastPath

        fast = FastPath(app, app.wsgi_app)
        app.extensions["clusterld.fast"] = fast
        app.wsgi_app = fast  # type: ignore[method-assign]
    megabytes = int(app.config["CLUSTERLD_RESPONSE_CACHE_MB"] or 0)
    if megabytes > 0:
        from clusterld.web.cache import ResponseCache

        kg = app.extensions["clusterld"]
        cache = ResponseCache(app.wsgi_app, lambda: kg.version, megabytes * 1024 * 1024)
        app.extensions["clusterld.cache"] = cache
        app.wsgi_app = cache  # type: ignore[method-assign]
    return app
