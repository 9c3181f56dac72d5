"""A response cache in front of the app, keyed by the data version (exact, never stale).

The data changes only through the store's writes, each of which changes
``KnowledgeGraph.version``; so a public GET answer (a query result, a data document, an
entity page, a 303) can be replayed for the same request until then. Only anonymous GETs
of the public data routes and entity pages are cached, only 200 and 303 answers that do
not say ``no-store``, and the cache is bounded in bytes (least recently used entries go
first). A hit skips Flask entirely, which is most of the cost of a small answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

CACHED_PREFIXES = ("/sparql", "/data/", "/id/", "/vocab/", "/page/")
# what an answer may depend on besides the path and the query string: the negotiated
# format, encoding and page language, and the host (relative IRIs resolve against it)
VARY = ("HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT_LANGUAGE", "HTTP_HOST",
        "wsgi.url_scheme", "SCRIPT_NAME")
Entry = tuple[str, list[tuple[str, str]], bytes]


class ResponseCache:
    """WSGI middleware: replay answers for identical requests at the same data version."""

    def __init__(self, app: Callable, version: Callable[[], str], max_bytes: int,
                 max_entry: int = 1 << 20) -> None:
        self.app = app
        self.version = version
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, environ: dict[str, Any]) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return None
        path = environ.get("PATH_INFO", "")
        if not path.startswith(CACHED_PREFIXES):
            return None
        return (self.version(), path, environ.get("QUERY_STRING", ""),
                *(environ.get(h, "") for h in VARY))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
        if entry is not None:
            status, headers, body = entry
            etag = next((v for k, v in headers if k.lower() == "etag"), None)
            match = environ.get("HTTP_IF_NONE_MATCH")
            if etag and match and (match.strip() == "*" or etag in match or
                                   etag.removeprefix("W/") in match):
                start_response("304 Not Modified", [(k, v) for k, v in headers
                                                    if k.lower() not in ("content-length",
                                                                         "content-type")])
                return [b""]
            start_response(status, headers)
            return [body]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self.misses += 1
        self._store(key, captured.get("status", ""), captured.get("headers", []), body)
        return [body]

    def _store(self, key: tuple, status: str, headers: list[tuple[str, str]],
               body: bytes) -> None:
        if not status.startswith(("200", "303")) or len(body) > self.max_entry:
            return
        if any(k.lower() == "cache-control" and "no-store" in v for k, v in headers):
            return
        cost = len(body) + 200
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (status, list(headers), body)
            self.size += cost
            while self.size > self.max_bytes and self._entries:
                _, (_, _, old) = self._entries.popitem(last=False)
                self.size -= len(old) + 200
