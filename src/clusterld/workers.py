"""Public queries run in worker processes, so a time limit really stops the work.

pyoxigraph cannot cancel a query from another thread, so each public query goes to one of a
few worker processes, each holding the on-disk store open read-only
(``pyoxigraph.Store.read_only``). The web thread waits for the answer at most the time limit;
past it, the worker is killed (SIGKILL: the work stops at once), a fresh worker replaces it in
the background, and the caller gets :class:`QueryTimeout`. Other requests keep being served by
the other workers meanwhile.

Workers never open the live store: a read-only RocksDB view of a database that another
process writes to breaks when compaction deletes files under it. After each write the owner
takes a checkpoint (``Store.backup``: hard links, immutable) and :meth:`QueryPool.publish`-es
it; a worker switches to the newest checkpoint before its next query, and a checkpoint is
deleted once no worker uses it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import re
import select
import shutil
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterld import results
from clusterld.entities import HIDDEN_PREFIX


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the query ran longer than the time limit of {seconds:g} s "
                         "and was stopped")


class PoolBusy(Exception):
    """No worker became free in time."""


class WorkerFailed(Exception):
    """A worker died or answered something unexpected."""


@dataclass
class QueryTask:
    """One public query, as the worker runs it."""

    query: str
    formats: dict[str, str | None]  # kind ("select", "ask", "graph") → media type
    base_iri: str | None = None
    default_graphs: list[str] | None = None  # the protocol's dataset, if any
    named_graphs: list[str] | None = None
    public: bool = False  # the public dataset: union graph + visible named graphs
    graph_patterns: bool = True  # the query has GRAPH (naming 400 graphs costs ~1 ms)
    max_rows: int | None = None


@dataclass
class PublicDataset:
    """The public view of one snapshot: its union graph and its visible named graphs."""

    default: list[ox.NamedNode] = field(default_factory=list)
    named: list[ox.NamedNode] = field(default_factory=list)

    @classmethod
    def of(cls, store: ox.Store, hidden_prefix: str) -> PublicDataset:
        graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        return cls([g for g in graphs if g.value.startswith(hidden_prefix)][:1],
                   [g for g in graphs if not g.value.startswith(hidden_prefix)])


def _graph(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


def execute(store: ox.Store, task: QueryTask,
            public: PublicDataset | None = None) -> results.Serialized:
    """Run ``task`` on ``store`` and serialise the answer (capped)."""
    kwargs: dict[str, Any] = {"base_iri": task.base_iri}
    if task.public and public is not None:
        kwargs["default_graph"] = public.default
        if task.graph_patterns:
            kwargs["named_graphs"] = public.named
    elif task.default_graphs is not None or task.named_graphs is not None:
        kwargs["default_graph"] = [_graph(g) for g in task.default_graphs or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in task.named_graphs or []]
    answer = store.query(task.query, **kwargs)
    kind = ("ask" if isinstance(answer, ox.QueryBoolean)
            else "select" if isinstance(answer, ox.QuerySolutions) else "graph")
    media_type = task.formats.get(kind)
    if media_type is None:
        raise LookupError(kind)
    if kind == "ask":
        return results.ask(bool(answer), media_type)
    if kind == "select":
        return results.select(answer, media_type, task.max_rows)
    return results.graph(answer, media_type, task.max_rows)


_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_VAR = r"[?$][A-Za-z_][A-Za-z0-9_]*"
_TERM = rf"{_IRI}|{_VAR}"
_LOOKUP = re.compile(
    rf"\s*(?:PREFIX\s+(?:[A-Za-z][\w-]*)?:\s*{_IRI}\s*)*"
    rf"SELECT\s+(?P<proj>\*|(?:{_VAR}\s*)+?)\s*(?:WHERE\s*)?"
    rf"\{{\s*(?P<s>{_TERM})\s+(?P<p>{_TERM}|a)\s+(?P<o>{_TERM})\s*\.?\s*\}}"
    r"\s*(?:LIMIT\s+\d+\s*)?", re.IGNORECASE | re.ASCII)


def bounded_lookup(query: str) -> bool:
    """True for a query whose work is bounded by its row cap, so it may run in-process.

    The rule: ``SELECT`` (no ``DISTINCT``, no ``FROM``, no modifier but ``LIMIT``) of ONE
    triple pattern whose subject or object is an IRI, whose variables are all different,
    projecting only those variables. pyoxigraph answers it by one lazy index scan of the
    union graph in which every quad read is a solution (no join, no filter, no duplicate to
    drop, and the union graph holds each triple once); so stopping after ``max_rows + 1``
    solutions stops the work after as many index steps. Anything else goes to a worker.
    """
    match = _LOOKUP.fullmatch(query)
    if match is None or match["p"] == "A":  # the keyword ``a`` is lower case
        return False
    terms = [match[k] for k in ("s", "p", "o")]
    if not (terms[0].startswith("<") or terms[2].startswith("<")):
        return False
    names = [t[1:] for t in terms if t[0] in "?$"]
    if len(set(names)) != len(names):
        return False
    projected = [v[1:] for v in match["proj"].split()] if match["proj"] != "*" else names
    return set(projected) <= set(names)


_LIMIT_TAIL = re.compile(r"LIMIT\s+(\d+)\s*\Z", re.IGNORECASE | re.ASCII)
# No SPARQL JSON row of a bounded lookup is shorter: {"x":{"type":"uri","value":"a"}} (the
# only rows without a term, ``{}``, come from a pattern without variables: one at most).
_MIN_JSON_ROW = 30


def native_lookup(store: ox.Store, task: QueryTask,
                  public: PublicDataset) -> results.Serialized | None:
    """A :func:`bounded_lookup` answered by pyoxigraph's own SPARQL JSON writer.

    The row cap becomes a ``LIMIT`` of ``max_rows + 1`` (the work stays one bounded index
    scan). When the bytes could hold more than ``max_rows`` rows the answer is None and the
    caller takes :func:`execute`, which counts and cuts; so is any other format.
    """
    if task.formats.get("select") != results.SPARQL_JSON or task.max_rows is None:
        return None
    own = _LIMIT_TAIL.search(task.query)
    if own is not None and int(own[1]) > task.max_rows:
        return None
    text = task.query if own is not None else f"{task.query}\nLIMIT {task.max_rows + 1}"
    answer = store.query(text, base_iri=task.base_iri, default_graph=public.default)
    if not isinstance(answer, ox.QuerySolutions):
        return None
    body = answer.serialize(format=ox.QueryResultsFormat.JSON)
    if own is None and len(body) >= _MIN_JSON_ROW * max(task.max_rows, 1):
        return None  # perhaps cut: let execute() count the rows
    return results.Serialized(body, results.SPARQL_JSON, "select", None)


def _read_exact(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("worker pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("!Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int) -> Any:
    (size,) = struct.unpack("!Q", _read_exact(fd, 8))
    return pickle.loads(_read_exact(fd, size))


def worker_main(memory_mb: int = 0, hidden_prefix: str = HIDDEN_PREFIX) -> None:
    """Worker loop: ``(snapshot, task)`` frames on stdin, ``(status, payload)`` on stdout.

    ``memory_mb`` caps the process's data segment (``RLIMIT_DATA``): a query that needs
    more dies, and the pool answers for it.
    """
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    into, out = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break frames
    store: ox.Store | None = None
    public: PublicDataset | None = None
    opened = ""
    while True:
        try:
            message = _read_frame(into)
        except (EOFError, OSError):
            return
        if message is None:
            return
        snapshot, task = message
        try:
            if store is None or snapshot != opened:
                store = None
                store = ox.Store.read_only(snapshot)
                public = PublicDataset.of(store, hidden_prefix)
                opened = snapshot
            answer: tuple[str, Any] = ("ok", execute(store, task, public))
        except SyntaxError as exc:
            answer = ("syntax", str(exc.args[0]) if exc.args else str(exc))
        except LookupError as exc:
            answer = ("format", str(exc.args[0]) if exc.args else "")
        except MemoryError:
            answer = ("error", "the query needed more memory than a query may use")
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            answer = ("error", str(exc))
        _write_frame(out, answer)


class _Worker:
    """One worker process (``python -m clusterld.workers STORE``) and its pipes."""

    def __init__(self, memory_mb: int = 0) -> None:
        self.snapshot = ""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "clusterld.workers", str(memory_mb)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, bufsize=0, close_fds=True)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.into = self.process.stdin.fileno()
        self.out = self.process.stdout.fileno()

    def ask(self, message: object, timeout: float) -> Any:
        """Send a frame; the answer, or raise TimeoutError past ``timeout`` seconds."""
        _write_frame(self.into, message)
        ready, _, _ = select.select([self.out], [], [], max(0.0, timeout))
        if not ready:
            raise TimeoutError
        return _read_frame(self.out)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class QueryPool:
    """A fixed number of query worker processes on one on-disk store."""

    def __init__(self, size: int = 2, *, wait: float = 30.0, memory_mb: int = 0) -> None:
        self.memory_mb = memory_mb
        self.snapshot = ""
        self._published: list[str] = []
        self.size = max(1, size)
        self.wait = wait
        self.generation = 0
        self.killed = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._started = False

    def start(self) -> None:
        """Start the workers (idempotent)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self.size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self.memory_mb)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        self._cleanup()
        if not self._closed:
            threading.Thread(target=self._add, daemon=True, name="clusterld-respawn").start()

    def publish(self, snapshot: Path) -> None:
        """A new checkpoint of the store: workers move to it before their next query."""
        with self._lock:
            self.generation += 1
            self.snapshot = str(snapshot)
            self._published.append(self.snapshot)
        self._cleanup()

    def _cleanup(self) -> None:
        with self._lock:
            used = {w.snapshot for w in self._all} | {self.snapshot}
            stale = [p for p in self._published if p not in used]
            self._published = [p for p in self._published if p in used]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def run(self, task: QueryTask, timeout: float) -> tuple[str, Any]:
        """``(status, payload)`` from a worker; raise :class:`QueryTimeout` past ``timeout``."""
        self.start()
        try:
            worker = self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise PoolBusy("every query worker is busy; try again shortly") from None
        left = timeout  # the limit is on the query's own time, not on the wait for a worker
        with self._lock:
            worker.snapshot = snapshot = self.snapshot
        try:
            answer = worker.ask((snapshot, task), left)
        except TimeoutError:
            self.killed += 1
            self._replace(worker)
            raise QueryTimeout(timeout) from None
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self._replace(worker)
            raise WorkerFailed("the query worker stopped (the query may have needed more "
                               f"memory than allowed): {exc or type(exc).__name__}") from None
        self._idle.put(worker)
        if len(self._published) > 1:
            self._cleanup()
        return answer

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            with contextlib.suppress(OSError):
                _write_frame(worker.into, None)
            worker.kill()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and /healthz)."""
        with self._lock:
            return [w.process.pid for w in self._all]


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


if __name__ == "__main__":
    worker_main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
