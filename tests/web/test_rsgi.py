"""The RSGI front (granian): the same answers as the WSGI app, quick ones on the event loop,
request and response bodies streamed, a slow request never holding a quick one up."""

from __future__ import annotations

import asyncio
import logging
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from clusterld.web.fast import INLINE, MAX_BODY, NotInline
from clusterld.web.rsgi import CHUNK, RSGIFront
from tests.web.test_fast import TABLE, apps, send  # noqa: F401  (apps: the fixture)


class Headers:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def items(self) -> list[tuple[str, str]]:
        return list(self.pairs)

    def get(self, key: str, default: Any = None) -> Any:
        return next((v for k, v in self.pairs if k == key), default)


class Scope:
    """What granian gives an RSGI app: the path percent-decoded, header names lower case."""

    def __init__(self, method: str, target: str, headers: dict[str, str] | None = None, *,
                 client: str = "127.0.0.1:50000", authority: str | None = None) -> None:
        path, _, query = target.partition("?")
        self.proto, self.http_version, self.scheme = "http", "1.1", "http"
        self.method, self.path, self.query_string = method, urllib.parse.unquote(path), query
        self.server, self.client, self.authority = "localhost:80", client, authority
        pairs = [("host", "localhost")] if authority is None else []
        self.headers = Headers(pairs + [(k.lower(), v) for k, v in (headers or {}).items()])


class Proto:
    """Records the answer; gives the body whole (``await proto()``) or in chunks."""

    def __init__(self, chunks: Iterable[bytes] = ()) -> None:
        self.chunks = list(chunks)
        self.read_whole = False
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()
        self.streamed = False

    async def __call__(self) -> bytes:
        self.read_whole = True
        return b"".join(self.chunks)

    def __aiter__(self) -> Any:
        async def gen() -> Any:
            for chunk in self.chunks:
                yield chunk
        return gen()

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers = status, headers
        self.body += body

    def response_stream(self, status: int, headers: list[tuple[str, str]]) -> Any:
        self.status, self.headers, self.streamed = status, headers, True
        proto = self

        class Transport:
            async def send_bytes(self, data: bytes) -> None:
                proto.body += data
        return Transport()


def run(front: RSGIFront, scope: Scope, proto: Proto) -> Proto:
    """One request through ``front``; its thread pool is shut down afterwards."""
    try:
        asyncio.run(front.__rsgi__(scope, proto))
    finally:
        front.close()
    return proto


@pytest.mark.parametrize(("method", "path", "headers", "body", "answered"), TABLE,
                         ids=[f"{m} {p[:60]} {h}" for m, p, h, _, _ in TABLE])
def test_same_answer_as_flask(apps: tuple[Flask, Flask], method: str,  # noqa: F811
                              path: str, headers: dict[str, str], body: bytes | None,
                              answered: bool) -> None:
    """Every row of the fast path's table: the answer Flask gives, on the event loop exactly
    when the fast path answers it."""
    fast, slow = apps
    front = RSGIFront(fast, threads=2)
    sent = {**headers, **({"Content-Length": str(len(body))} if body is not None else {})}
    got = run(front, Scope(method, path, sent), Proto([body] if body else []))
    want = send(slow, method, path, headers, body)
    assert front.inline == (1 if answered else 0)
    assert got.status == want.status_code
    assert sorted(got.headers) == sorted(want.headers.items())
    assert bytes(got.body) == want.data


def test_without_a_fast_path_nothing_runs_inline(apps: tuple[Flask, Flask]) -> None:  # noqa: F811
    _, slow = apps
    front = RSGIFront(slow, threads=2, inline=False)
    method, path, headers, _, _ = TABLE[0]
    got = run(front, Scope(method, path, headers), Proto())
    assert front.inline == 0 and got.status == 200
    assert bytes(got.body) == send(slow, method, path, headers, None).data


def test_environ() -> None:
    """PEP 3333: PATH_INFO is the path's bytes as latin-1; repeated headers are joined; a
    header spelt with ``_`` is dropped (it would pass for the ``-`` one)."""
    front = RSGIFront(lambda e, s: [], threads=1)
    scope = Scope("POST", "/id/caf%C3%A9%20x?a=%C3%A9", {"Content-Type": "text/turtle",
                                                       "Content-Length": "12"},
                  client="[::1]:4000", authority="example.org:8080")
    scope.headers.pairs += [("x-a", "1"), ("x-a", "2"), ("x_forwarded_for", "1.2.3.4")]
    env = front.environ(scope)
    assert env["PATH_INFO"].encode("latin-1").decode("utf-8") == "/id/café x"
    assert env["QUERY_STRING"] == "a=%C3%A9"
    assert env["CONTENT_TYPE"] == "text/turtle" and env["CONTENT_LENGTH"] == "12"
    assert env["HTTP_X_A"] == "1,2" and "HTTP_X_FORWARDED_FOR" not in env
    assert env["HTTP_HOST"] == "example.org:8080" and env["REMOTE_ADDR"] == "::1"
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1" and env["wsgi.url_scheme"] == "http"


class Echo:
    """A WSGI app: reads its body in small reads, answers it back ``times`` times in
    chunks; records whether its answer was closed."""

    def __init__(self, times: int = 1) -> None:
        self.times = times
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get(INLINE):
            raise NotInline
        data = bytearray()
        while piece := environ["wsgi.input"].read(1000):
            data += piece
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        echo = self

        class Answer:
            def __iter__(self) -> Iterator[bytes]:
                for _ in range(echo.times):
                    yield from (bytes(data[i:i + 4096]) for i in range(0, len(data), 4096))

            def close(self) -> None:
                echo.closed = True
        return Answer()


def test_bodies_are_streamed_both_ways() -> None:
    """A chunked upload reaches the app chunk by chunk (never read whole first), and an
    answer larger than CHUNK is sent as a stream, whole, and then closed."""
    chunks = [bytes([i]) * 50_000 for i in range(1, 8)]
    app = Echo(times=3)
    proto = run(RSGIFront(app, threads=2),
                Scope("PUT", "/graph-store", {"Transfer-Encoding": "chunked"}), Proto(chunks))
    assert not proto.read_whole and proto.streamed and proto.status == 200
    assert bytes(proto.body) == b"".join(chunks) * 3 and len(proto.body) > CHUNK
    assert app.closed


def test_small_and_large_bodies() -> None:
    """A body within MAX_BODY is read whole (the fast path may need it); a larger one is
    streamed; both reach the app intact."""
    small, large = b"q" * 100, b"x" * (MAX_BODY + 1)
    for body, whole in ((small, True), (large, False)):
        proto = run(RSGIFront(Echo(), threads=1),
                    Scope("POST", "/sparql", {"Content-Length": str(len(body))}),
                    Proto([body[:10], body[10:]]))
        assert proto.read_whole is whole and bytes(proto.body) == body and not proto.streamed


def test_a_slow_request_does_not_hold_up_quick_ones() -> None:
    release = threading.Event()

    def wsgi(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        if environ["PATH_INFO"] == "/quick":
            start_response("200 OK", [])
            return [b"quick"]
        if environ.get(INLINE):
            raise NotInline
        assert release.wait(20)
        start_response("200 OK", [])
        return [b"slow"]

    front = RSGIFront(wsgi, threads=2)

    async def both() -> None:
        slow = Proto()
        task = asyncio.create_task(front.__rsgi__(Scope("GET", "/slow"), slow))
        await asyncio.sleep(0.05)
        quick = Proto()
        await asyncio.wait_for(front.__rsgi__(Scope("GET", "/quick"), quick), 5)
        assert quick.body == b"quick" and slow.status is None  # the slow one still waits
        release.set()
        await asyncio.wait_for(task, 20)
        assert slow.body == b"slow"

    try:
        asyncio.run(both())
    finally:
        front.close()
    assert front.inline == 1


def test_a_failure_outside_flask_is_a_plain_500(caplog: pytest.LogCaptureFixture) -> None:
    def wsgi(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        if environ.get(INLINE):
            raise NotInline
        raise RuntimeError("broken middleware")

    with caplog.at_level(logging.ERROR, logger="clusterld.serve"):
        proto = run(RSGIFront(wsgi, threads=1), Scope("GET", "/x"), Proto())
    assert proto.status == 500 and b"Traceback" not in proto.body
    assert "broken middleware" in caplog.text


def test_live_server_streams_uploads_and_downloads(tmp_path: Path) -> None:
    """Through granian: a chunked upload of ~1.8 MB, the graph read back whole, HEAD with
    the GET's length, a non-ASCII path answered 404 in JSON."""
    import httpx
    import pyoxigraph as ox

    from tests.conftest import MINI
    from tests.web.live import live_server

    lines = [f'<urn:x:s{i}> <urn:x:p> "value {i} é" .' for i in range(30_000)]
    data = "\n".join(lines).encode()
    auth = {"Authorization": "Bearer live-token"}
    with live_server([MINI], tmp_path, token="live-token") as url:
        store = url + "/graph-store?graph=urn:g:big"
        r = httpx.put(store, content=iter([data[i:i + 65536] for i in range(0, len(data),
                                                                            65536)]),
                      headers={**auth, "Content-Type": "application/n-triples"}, timeout=60)
        assert r.status_code in (201, 204), r.text
        r = httpx.get(store, headers={**auth, "Accept": "application/n-triples"}, timeout=60)
        assert r.status_code == 200
        got = set(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
        assert got == set(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        head = httpx.head(url + "/downloads", timeout=20)
        full = httpx.get(url + "/downloads", timeout=20)
        assert head.headers["content-length"] == str(len(full.content)) and not head.content
        r = httpx.get(url + "/id/caf%C3%A9/%E2%82%AC", headers={"Accept": "application/json"},
                      timeout=20)
        assert r.status_code == 404 and r.json()["status"] == 404


def test_live_server_answers_while_a_query_runs(tmp_path: Path) -> None:
    """Through granian: while one query runs into its time limit on a worker, lookups, a
    data document and a page are answered; then the slow query gets its 503."""
    import time

    import httpx

    from tests.conftest import MINI
    from tests.web.live import live_server
    from tests.web.test_sparql import SLOW

    with live_server([MINI], tmp_path, extra=["--query-timeout", "4"]) as url:
        slow: dict[str, Any] = {}

        def ask() -> None:
            r = httpx.get(url + "/sparql", params={"query": SLOW}, timeout=60,
                          headers={"Accept": "application/sparql-results+json"})
            slow["status"], slow["at"] = r.status_code, time.monotonic()

        thread = threading.Thread(target=ask)
        started = time.monotonic()
        thread.start()
        time.sleep(0.5)
        lookup = {"query": "SELECT ?p ?o WHERE { <https://w3id.org/clusterld/id/cluster/ce3m> "
                           "?p ?o }"}
        for path, params in (("/sparql", lookup), ("/data/cluster/ce3m.ttl", {}),
                             ("/page/cluster/ce3m", {}), ("/sparql", lookup)):
            r = httpx.get(url + path, params=params, timeout=20)
            assert r.status_code == 200, (path, r.text[:200])
        answered = time.monotonic()
        thread.join(60)
        assert slow["status"] == 503
        assert answered < slow["at"] and answered - started < 3.5
