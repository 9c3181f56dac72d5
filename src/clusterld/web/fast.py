"""A thin WSGI fast path in front of Flask for the hottest public requests.

Flask/werkzeug request handling (request and response objects, routing, header
structures) was ~60 % of a cold bounded lookup. :class:`FastPath` answers the plain cases
of the hottest routes itself, calling the same core functions as the blueprints:

- ``GET /sparql?query=…`` and ``POST /sparql`` (``application/sparql-query`` or a form)
  when the query is a bounded lookup (``KnowledgeGraph.local_lookup``: in-process, row cap);
- ``GET /data/{path}.{ext}`` (``KnowledgeGraph.describe``);
- ``GET /id/{path}`` and ``/vocab/{path}`` (303 to the page or the data document).

Embedded stores only. Anything unusual (other parameters, ``If-None-Match``, an
``Authorization`` header, an odd path, a query that is not a bounded lookup, a 404 or any
error) falls through to the Flask app, which answers as it always did: error bodies, 304s
and the worker path stay in ONE place. Answers are the same bytes and headers as Flask's
(``tests/web/test_fast.py`` sends a table of requests to both).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from markupsafe import escape
from werkzeug.http import parse_accept_header
from werkzeug.sansio.utils import get_current_url
from werkzeug.wsgi import get_host

from clusterld import results
from clusterld.schema import VOCAB_NS
from clusterld.web import COMPRESSIBLE, EXPOSED
from clusterld.web.conneg import NotAcceptable, negotiate
from clusterld.web.ld import DOC_TYPES, EXT_OF
from clusterld.web.sparql import _content_type, _negotiated

Answer = tuple[str, list[tuple[str, str]], bytes]
SPARQL_PATHS = ("/sparql", "/sparql/")
# plain local paths only: no empty segment, no dot segment, no percent sign, ASCII
_LOCAL = re.compile(r"(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*)(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*")
_FORM_TYPES = {"application/sparql-query", "application/x-www-form-urlencoded"}
_UTF8 = ("", "charset=utf-8", "charset=utf8", "charset=us-ascii")
MAX_BODY = 1 << 16  # larger POST bodies go through Flask


INLINE = "clusterld.inline"  # environ key: answer without Flask or raise NotInline
TRIED = "clusterld.fast.tried"  # environ key: this request fell through once already


class FallThrough(Exception):
    """This request is not a plain case: let the Flask app answer it."""


class NotInline(Exception):
    """Raised instead of calling Flask when the request runs inline (``environ[INLINE]``):
    the caller must run it where Flask may block (:mod:`clusterld.web.rsgi`)."""


def _params(query_string: str) -> dict[str, str]:
    """Query parameters as werkzeug reads them; FallThrough when one is repeated."""
    raw = query_string.encode("latin-1").decode()
    out: dict[str, str] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True, errors="werkzeug.url_quote"):
        if key in out:
            raise FallThrough
        out[key] = value
    return out


class FastPath:
    """WSGI middleware: the plain cases of the hottest routes without Flask."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.kg = app.extensions["clusterld"]
        self.max_age = f"public, max-age={app.config['CLUSTERLD_CACHE_SECONDS']}"
        self.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        self.answered = 0  # requests answered here (the rest fell through)
        # embedded stores only: a remote store's failure would be waited for twice
        self.enabled = bool(getattr(self.kg, "local_lookups", False))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        answer = None
        if (self.enabled and "HTTP_AUTHORIZATION" not in environ
                and "HTTP_IF_NONE_MATCH" not in environ and TRIED not in environ):
            try:
                answer = self._answer(environ)
            except Exception:  # FallThrough, or an error: Flask answers (and logs) it
                answer = None
        if answer is None:
            if environ.get(INLINE):
                environ[TRIED] = True
                raise NotInline
            return self.wsgi_app(environ, start_response)
        self.answered += 1
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    # -- dispatch -------------------------------------------------------------------------
    def _answer(self, environ: dict[str, Any]) -> Answer | None:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        if environ.get("SCRIPT_NAME"):
            return None
        if path in SPARQL_PATHS:
            if method == "GET":
                params = _params(environ.get("QUERY_STRING", ""))
                if "query" not in params or not set(params) <= {"query", "format"}:
                    return None
                return self._lookup(environ, params["query"], params.get("format"))
            if method == "POST":
                return self._post(environ)
            return None
        if method != "GET":
            return None
        if path.startswith("/data/"):
            return self._data(environ, path[len("/data/"):])
        if path.startswith("/id/"):
            return self._see_other(environ, path[len("/id/"):])
        if path.startswith("/vocab/"):
            return self._see_other(environ, path[1:])
        return None

    def _post(self, environ: dict[str, Any]) -> Answer | None:
        content_type = environ.get("CONTENT_TYPE", "")
        mimetype, _, extra = content_type.partition(";")
        mimetype = mimetype.strip().lower()
        if mimetype not in _FORM_TYPES or extra.strip().lower().replace(" ", "") not in _UTF8:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 <= length <= MAX_BODY or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # Flask can still read it if we fall through
        environ["CONTENT_LENGTH"] = str(len(body))
        args = _params(environ.get("QUERY_STRING", ""))
        if not set(args) <= {"format"}:
            return None
        text = body.decode("utf-8")
        if mimetype == "application/x-www-form-urlencoded":
            form: dict[str, str] = {}
            for key, value in parse_qsl(text, keep_blank_values=True):
                if key in form or key in args:
                    return None
                form[key] = value
            if "query" not in form or not set(form) <= {"query", "format"}:
                return None
            text = form["query"]
        # ?format= is read from the URL only, as the blueprint does
        return self._lookup(environ, text, args.get("format"))

    # -- helpers --------------------------------------------------------------------------
    def _base_url(self, environ: dict[str, Any], path: str) -> str:
        return get_current_url(environ.get("wsgi.url_scheme", "http"),
                               get_host(environ, self.trusted_hosts), "", path)

    def _finish(self, environ: dict[str, Any], status: str, headers: list[tuple[str, str]],
                body: bytes, vary: list[str]) -> Answer:
        """What ``clusterld.web._finish`` adds: CORS, ``Vary``, gzip when taken."""
        media = next((v for k, v in headers if k == "Content-Type"), "")
        compressible = media.startswith(COMPRESSIBLE)
        if compressible:
            vary = [*vary, "Accept-Encoding"]
        gzipped = False
        if compressible and len(body) >= 1024:
            accept = environ.get("HTTP_ACCEPT_ENCODING", "")
            if "gzip" in accept.lower() and parse_accept_header(accept)["gzip"]:
                body = gzip.compress(body, compresslevel=5, mtime=0)
                gzipped = True
        # werkzeug's order: Content-Type, Content-Length, then the route's headers
        out = [headers[0], ("Content-Length", str(len(body))), *headers[1:]]
        out.append(("Vary", ", ".join(vary)))
        out += [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]
        if gzipped:
            out.append(("Content-Encoding", "gzip"))
        return status, out, body

    # -- routes ---------------------------------------------------------------------------
    def _lookup(self, environ: dict[str, Any], text: str, fmt: str | None) -> Answer | None:
        """A bounded lookup, as ``sparql.run_query`` answers it (no dataset, no timeout)."""
        formats = dict(_negotiated(environ.get("HTTP_ACCEPT"), fmt))
        if not any(formats.values()):
            return None
        path = environ["PATH_INFO"]
        version = self.kg.version  # read before the query, as the blueprint does
        answer = self.kg.local_lookup(text, formats, base_iri=self._base_url(environ, path))
        if answer is None:
            return None
        digest = hashlib.sha256()
        for part in (text, "|", "|", repr(formats), ""):
            digest.update(part.encode())
            digest.update(b"\0")
        etag = f"{version}-{digest.hexdigest()[:24]}"
        headers = [("Content-Type", _content_type(answer.media_type))]
        if answer.truncated:
            rows = self.kg.limits.max_rows
            headers += [("X-Clusterld-Truncated", "true"), ("X-Clusterld-Row-Limit", str(rows)),
                        ("Warning", f'199 clusterld "result cut at {rows} rows; use '
                                    'LIMIT/OFFSET or the dumps"')]
        headers += [("ETag", f'W/"{etag}"'), ("Cache-Control", self.max_age)]
        return self._finish(environ, "200 OK", headers, answer.body, ["Accept"])

    def _data(self, environ: dict[str, Any], path: str) -> Answer | None:
        """A data document, as ``ld.data`` answers it."""
        stem, _, ext = path.rpartition(".")
        if not stem or ext not in results.EXTENSIONS or not _LOCAL.fullmatch(stem):
            return None
        media_type = results.EXTENSIONS[ext]
        kg = self.kg
        iri = (VOCAB_NS + stem[len("vocab/"):] if stem.startswith("vocab/")
               else kg.base + "id/" + stem)
        doc = kg.describe(iri, graphs=ext in ("trig", "nq"))
        if not doc:
            return None  # 404: Flask writes it
        headers = [("Content-Type", f"{media_type}; charset=utf-8"),
                   ("Cache-Control", self.max_age),
                   ("ETag", f'W/"{kg.version}-{EXT_OF.get(media_type, "x")}"'),
                   ("Link", f'<{iri}>; rel="describes"')]
        if doc.truncated:
            headers.append(("X-Clusterld-Truncated", "true"))
        return self._finish(environ, "200 OK", headers, doc.serialize(media_type), ["Accept"])

    def _see_other(self, environ: dict[str, Any], path: str) -> Answer | None:
        """``/id/…`` and ``/vocab/…``: 303 to the page or the data document."""
        if not _LOCAL.fullmatch(path):
            return None
        params = _params(environ.get("QUERY_STRING", ""))
        iri = (VOCAB_NS + path[len("vocab/"):] if path.startswith("vocab/")
               else self.kg.base + "id/" + path)
        if not self.kg.exists(iri):
            return None
        try:
            media_type = negotiate(environ.get("HTTP_ACCEPT"), DOC_TYPES, params.get("format"))
        except NotAcceptable:
            return None
        if media_type == "text/html":
            query = environ.get("QUERY_STRING", "")
            target = f"/page/{path}{'?' + query if query else ''}"
        else:
            target = f"/data/{path}.{EXT_OF[media_type]}"
        html = escape(target)
        body = ("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
                "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the "
                f'target URL: <a href="{html}">{html}</a>. If not, click the link.\n').encode()
        headers = [("Content-Type", "text/html; charset=utf-8")]
        answer = self._finish(environ, "303 SEE OTHER", headers, body, ["Accept"])
        status, out, data = answer
        # Flask's order: Content-Length, Location, Vary, Cache-Control
        out.insert(2, ("Location", target))
        out.insert(4, ("Cache-Control", "public, max-age=3600"))
        return status, out, data
