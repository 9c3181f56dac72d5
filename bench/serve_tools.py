"""Helpers of ``bench.bench_serve``: servers under test, the load generator, memory sampling.

Loopback only; every loop is bounded in count and in time.
"""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing as mp
import os
import re
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Server:
    """One server under test."""

    name: str
    url: str  # root, e.g. http://127.0.0.1:8123
    query_path: str  # /sparql or /query
    cmd: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    process: subprocess.Popen | None = None
    log: Path | None = None
    startup: float = 0.0
    first_answer: float | None = None  # restart on the built store → first lookup answered
    rss: RssSampler | None = None

    def sparql(self, query: str) -> str:
        return f"{self.query_path}?{urllib.parse.urlencode({'query': query})}"


@dataclass
class Result:
    """Requests per second of one workload on one server over the runs."""

    server: str
    workload: str
    rates: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(server: Server, path: str, headers: dict[str, str] | None = None,
        timeout: float = 600) -> int:
    """Status of one GET (0 when the connection fails)."""
    host = urllib.parse.urlsplit(server.url)
    try:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status
    except OSError:
        return 0


def wait_up(server: Server, path: str, limit: float, poll: float = 0.5,
            headers: dict[str, str] | None = None) -> float:
    """Poll ``path`` until it answers 200 (bounded by ``limit`` seconds); the seconds taken."""
    started = time.monotonic()
    deadline = started + limit
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log}")
        if get(server, path, headers) == 200:
            return time.monotonic() - started
        time.sleep(poll)
    raise RuntimeError(f"{server.name} did not come up in {limit:.0f} s; see {server.log}")


def launch(server: Server, work: Path) -> None:
    """Start the server's process (output appended to its log) with a memory sampler."""
    server.log = work / f"{server.name}.log"
    server.process = subprocess.Popen(server.cmd, stdout=server.log.open("ab"),
                                      stderr=subprocess.STDOUT, env=server.env, cwd=work)
    server.rss = RssSampler(server.process.pid)
    server.rss.start()


def stop(server: Server) -> None:
    if server.rss is not None:
        server.rss.stop()
    if server.process is not None and server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(30)


# -- memory ---------------------------------------------------------------------------------
def _status(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for key in ("VmRSS", "VmHWM"):
        found = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
        if found:
            out[key] = int(found.group(1)) * 1024
    return out


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/PID/task/*/children)."""
    todo, seen = [pid], []
    while todo and len(seen) < 1000:
        p = todo.pop()
        seen.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            with contextlib.suppress(OSError):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{t}/children").read_text().split()]
    return seen


class RssSampler(threading.Thread):
    """Samples the summed RSS of a process tree every ``interval`` seconds.

    ``peak``: the largest sum seen; ``serving_peak``: the largest since :meth:`mark`
    (called once the server answers, so loading is left out); ``hwm``: the sum of each
    process's own high-water mark (VmHWM) at the last sample, an upper bound.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True, name=f"rss-{pid}")
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.serving_peak = 0
        self.hwm: dict[int, int] = {}
        self._serving = False
        self._halt = threading.Event()

    def mark(self) -> None:
        self._serving = True

    def sample(self) -> int:
        total = 0
        for p in tree(self.pid):
            status = _status(p)
            total += status.get("VmRSS", 0)
            if "VmHWM" in status:
                self.hwm[p] = max(self.hwm.get(p, 0), status["VmHWM"])
        self.peak = max(self.peak, total)
        if self._serving:
            self.serving_peak = max(self.serving_peak, total)
        return total

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.sample()
        self._halt.set()


# -- load -----------------------------------------------------------------------------------
def _client(args: tuple[str, list[str], dict[str, str], int, float, float]) -> tuple[int, int,
                                                                                      float]:
    """One client process: keep-alive GETs over ``paths`` until ``count`` or ``seconds``."""
    url, paths, headers, count, seconds, start_at = args
    parts = urllib.parse.urlsplit(url)
    while time.time() < start_at:
        time.sleep(0.001)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    done = errors = 0
    began = time.monotonic()
    while done < count and time.monotonic() - began < seconds:
        conn.request("GET", paths[done % len(paths)], headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
        done += 1
    return done, errors, time.monotonic() - began


def measure(server: Server, paths: list[str], headers: dict[str, str], clients: int,
            count: int, seconds: float) -> tuple[float, int, int]:
    """Requests per second with ``clients`` parallel keep-alive connections."""
    start_at = time.time() + 0.5
    jobs = [(server.url, paths[i::clients] or paths, headers, max(1, count // clients), seconds,
             start_at) for i in range(clients)]
    with mp.get_context("fork").Pool(clients) as pool:
        outcomes = pool.map(_client, jobs)
    done = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    elapsed = max(o[2] for o in outcomes)
    return done / elapsed if elapsed else 0.0, done, errors


def entities(data: Path, base: str, cache: Path) -> list[str]:
    """Every typed entity IRI ``{base}id/{kind}/{slug}`` of the N-Quads file, reified
    statements left out (cached in ``cache``)."""
    if cache.is_file():
        return cache.read_text().split()
    pattern = re.compile(rf"^<({re.escape(base)}id/(?!statement/)[^/>]+/[^/>#]+)> "
                         r"<http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> ")
    found: dict[str, None] = {}
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            match = pattern.match(line)
            if match:
                found.setdefault(match.group(1), None)
    cache.write_text("\n".join(found) + "\n")
    return list(found)
