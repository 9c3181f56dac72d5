"""The WSGI app behind granian's RSGI interface: quick answers on the event loop, the rest
on a pool of threads.

Why not granian's WSGI interface: it hands every request to one of its Python threads, and
with several threads a bounded lookup cost ~300 µs of CPU instead of ~150 µs, most of it
threads waking each other and taking the GIL in turn (``bench/README.md``, "Quick answers on
the event loop"). With one thread the hand-off is cheap, but then a query waiting on a
worker holds every other request up.

Here a request the response cache or the fast path (:mod:`clusterld.web.fast`) can answer
is answered on the event loop's thread, without a hand-off; any other (a page, a query that
waits on a worker, a write, a download) runs the whole WSGI app on a thread of the pool, so
a slow one never holds the quick ones up. Both run the same WSGI app, so the answers are
the same bytes: the fast path is told it runs inline (``environ[INLINE]``) and raises
:class:`~clusterld.web.fast.NotInline` where it would have called Flask.

Request bodies reach the app as a stream (read on the pool's thread, chunk by chunk, from
the event loop), so an upload is never held whole in memory before the app's size limit
sees it; responses are sent in chunks of up to :data:`CHUNK` bytes as the app yields them.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from clusterld.web.fast import INLINE, MAX_BODY, NotInline

CHUNK = 256 * 1024  # bytes gathered from the app's iterable before each send
log = logging.getLogger("clusterld.serve")
Start = tuple[int, list[tuple[str, str]], bytes, Iterator[bytes] | None, Any]


class _Body(io.RawIOBase):
    """``wsgi.input`` for a thread of the pool: reads the request body from the event loop."""

    def __init__(self, proto: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._chunks = proto.__aiter__()
        self._loop = loop
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    async def _next(self) -> bytes | None:
        try:
            return bytes(await self._chunks.__anext__())
        except StopAsyncIteration:
            return None

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            chunk = asyncio.run_coroutine_threadsafe(self._next(), self._loop).result()
            if chunk is None:
                self._done = True
            else:
                self._pending = chunk
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def _gather(chunks: Iterator[bytes]) -> tuple[bytes, bool]:
    """Up to about :data:`CHUNK` bytes from the app's iterable; True once it is exhausted."""
    parts: list[bytes] = []
    size = 0
    for part in chunks:
        if part:
            parts.append(part)
            size += len(part)
            if size >= CHUNK:
                return b"".join(parts), False
    return b"".join(parts), True


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class RSGIFront:
    """An RSGI application (granian) serving the WSGI app ``wsgi`` as described above."""

    def __init__(self, wsgi: Callable[..., Iterable[bytes]], threads: int,
                 inline: bool = True) -> None:
        """``inline``: whether ``wsgi`` holds a fast path that honours ``environ[INLINE]``
        (without one nothing may run on the event loop)."""
        self.wsgi = wsgi
        self.threads = threads
        self.may_inline = inline
        self.pool: ThreadPoolExecutor | None = None
        self.inline = 0  # requests answered on the event loop
        self.base = {"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "",
                     "SERVER_SOFTWARE": "clusterld", "wsgi.errors": sys.stderr,
                     "wsgi.version": (1, 0), "wsgi.multithread": True,
                     "wsgi.multiprocess": False, "wsgi.run_once": False,
                     "wsgi.input_terminated": True}

    # -- granian's hooks ----------------------------------------------------------------
    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="clusterld-http")

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.close()

    def close(self) -> None:
        """Stop the pool's threads (requests still queued are dropped)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":  # websockets are turned off; nothing else exists
            return
        if self.pool is None:
            self.__rsgi_init__(asyncio.get_running_loop())
        await self.handle(scope, proto)

    # -- one request ----------------------------------------------------------------------
    def environ(self, scope: Any) -> dict[str, Any]:
        """The PEP 3333 environ of one request (as granian's WSGI interface builds it)."""
        server, _, port = scope.server.rpartition(":")
        environ = dict(self.base)
        environ.update({
            "REQUEST_METHOD": scope.method,
            # RSGI gives the path percent-decoded as UTF-8; WSGI wants its bytes as latin-1
            "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": server.strip("[]"), "SERVER_PORT": port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "REMOTE_ADDR": scope.client.rpartition(":")[0].strip("[]"),
            "wsgi.url_scheme": scope.scheme})
        for name, value in scope.headers.items():
            if "_" in name:  # X_Foo would pass for X-Foo: dropped, as nginx and gunicorn do
                continue
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        if "HTTP_HOST" not in environ and scope.authority:
            environ["HTTP_HOST"] = scope.authority
        return environ

    async def handle(self, scope: Any, proto: Any) -> None:
        loop = asyncio.get_running_loop()
        environ = self.environ(scope)
        length = environ.get("CONTENT_LENGTH", "")
        streamed = "HTTP_TRANSFER_ENCODING" in environ or (
            not length and scope.http_version.startswith("2")
            and scope.method not in ("GET", "HEAD"))
        quick = False
        if not streamed and length in ("", "0"):
            environ["wsgi.input"], quick = io.BytesIO(b""), True
        elif not streamed and length.isdigit() and int(length) <= MAX_BODY:
            environ["wsgi.input"], quick = io.BytesIO(await proto()), True
        else:
            environ["wsgi.input"] = io.BufferedReader(_Body(proto, loop), 1 << 16)
        if quick and self.may_inline:
            answer = self._inline(environ)
            if answer is not None:
                self.inline += 1
                status, headers, body = answer
                proto.response_bytes(int(status[:3]), headers, body)
                return
        assert self.pool is not None
        try:
            code, headers, first, chunks, result = await loop.run_in_executor(
                self.pool, self._start, environ)
        except Exception:  # Flask answers its own errors: this is a failure outside it
            log.exception("request failed: %s %s", scope.method, scope.path)
            proto.response_bytes(500, [("Content-Type", "text/plain; charset=utf-8")],
                                 b"internal server error\n")
            return
        if chunks is None:
            proto.response_bytes(code, headers, first)
            return
        transport = proto.response_stream(code, headers)
        try:
            done = False
            data = first
            while True:
                if data:
                    await transport.send_bytes(data)
                if done:
                    break
                data, done = await loop.run_in_executor(self.pool, _gather, chunks)
        except Exception:  # the client went away, or the app failed mid-answer
            log.debug("answer to %s %s cut short", scope.method, scope.path, exc_info=True)
        finally:
            await loop.run_in_executor(self.pool, _close, result)

    def _inline(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]],
                                                         bytes] | None:
        """The answer of the cache or the fast path, on the event loop; None: use the pool."""
        started: list[Any] = []
        environ[INLINE] = True
        try:
            result = self.wsgi(environ, lambda status, headers, exc_info=None:
                               started.extend((status, headers)))
            body = b"".join(result)
            _close(result)
        except NotInline:
            return None
        except Exception:  # let the pool's run answer (and log) it as it always would
            log.debug("inline answer failed", exc_info=True)
            return None
        finally:
            del environ[INLINE]
        return started[0], started[1], body

    def _start(self, environ: dict[str, Any]) -> Start:
        """Run the WSGI app on a thread of the pool up to its first chunk of body."""
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            if exc_info is not None and started.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            started["status"], started["headers"] = status, headers
            return written.append

        written: list[bytes] = []
        result = self.wsgi(environ, start_response)
        chunks = iter(result)
        try:
            first, done = _gather(chunks)
        except BaseException:
            _close(result)
            raise
        started["sent"] = True
        code = int(started["status"][:3])
        first = b"".join(written) + first
        if done:
            _close(result)
            return code, started["headers"], first, None, None
        return code, started["headers"], first, chunks, result
