"""The knowledge graph over a remote SPARQL store (``clusterld serve --store http://…``).

:class:`RemoteKnowledgeGraph` is a :class:`~clusterld.store.KnowledgeGraph` whose ``store``
is a :class:`~clusterld.remote.RemoteStore`: every read and write of the embedded backend
goes through the same code, over HTTP. What differs: no checkpoints and no worker
processes — public queries go to the store with a client-side deadline (:class:`RemotePool`),
are read as they stream in up to the row cap, and are re-serialised by
:mod:`clusterld.results`, so answers are written exactly as the embedded backend writes them;
the hidden union graph is rebuilt by one SPARQL Update inside the store.
"""

from __future__ import annotations

import copy
import os
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterld import results, sparqltext
from clusterld.entities import HIDDEN_PREFIX
from clusterld.errors import InputError
from clusterld.iri import normalise_base
from clusterld.rdfio import FORMATS, format_for
from clusterld.remote import (
    Endpoints,
    RemoteStore,
    StoreTimeout,
    endpoints_for,
    load_path,
)
from clusterld.sparqlterms import check_query, nt, refuse_store_extensions
from clusterld.store import KnowledgeGraph, Limits, _parse_error, check_files
from clusterld.workers import QueryTask, QueryTimeout

UNION = ox.NamedNode(HIDDEN_PREFIX + "remote")  # the public union, one name for all processes
STAMP = ox.NamedNode(HIDDEN_PREFIX + "stamp")  # graph of the version stamp
VERSION = ox.NamedNode("urn:x-clusterld:version")
SYNC_SECONDS = 1.0
ENV = {"update": "CLUSTERLD_STORE_UPDATE", "gsp": "CLUSTERLD_STORE_GSP",
       "user": "CLUSTERLD_STORE_USER", "password": "CLUSTERLD_STORE_PASSWORD"}


def is_remote(store: str | os.PathLike[str] | None) -> bool:
    """Whether ``--store`` names a remote store (an http(s) URL) rather than a directory."""
    return isinstance(store, str) and store.startswith(("http://", "https://"))


def endpoints_from(url: str, **given: str | None) -> Endpoints:
    """Endpoints for ``url``; options not given come from the CLUSTERLD_STORE_* variables."""
    options = {k: given.get(k) or os.environ.get(v) or None for k, v in ENV.items()}
    return endpoints_for(url, **options)


class RemotePool:
    """Stands where the embedded backend has its query workers: runs public queries on the
    remote store within the time limit and the row cap."""

    size = 0
    killed = 0
    pids: list[int] = []  # noqa: RUF012 - no processes: read-only, for /healthz

    def __init__(self, kg: RemoteKnowledgeGraph) -> None:
        self.kg = kg
        self.generation = 0
        self.snapshot = ""

    def start(self) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing to stop."""

    def publish(self, snapshot: Any = None) -> None:
        """The data changed: answers cached for the old version are stale."""
        self.generation += 1

    def _form(self, task: QueryTask) -> list[tuple[str, str]]:
        store, kg = self.kg.store, self.kg
        if task.public:
            names = [kg._union, *(kg._named if task.graph_patterns else [])]
            return ([("default-graph-uri", kg._union.value)]
                    + [("named-graph-uri", g.value) for g in names[1:]])
        if task.default_graphs is None and task.named_graphs is None:
            return []  # the query's own FROM / FROM NAMED
        form = [("default-graph-uri", store.default.value if g == "" else g)
                for g in task.default_graphs or []]
        return form + [("named-graph-uri", g) for g in task.named_graphs or []]

    def run(self, task: QueryTask, timeout: float) -> tuple[str, Any]:
        """``(status, payload)`` as the workers answer; :class:`QueryTimeout` past the limit."""
        try:
            check_query(task.query, task.base_iri)
        except SyntaxError as exc:
            return "syntax", str(exc.args[0]) if exc.args else str(exc)
        refuse_store_extensions(task.query)  # before anything reaches the store
        form = sparqltext.query_form(task.query) or "SELECT"
        kind = {"ASK": "ask", "SELECT": "select"}.get(form, "graph")
        media_type = task.formats.get(kind)
        if media_type is None:
            return "format", kind
        text = task.query
        if task.base_iri:
            text = f"BASE {nt(ox.NamedNode(task.base_iri))}\n{text}"

        def consume(answer: Any) -> results.Serialized:
            if kind == "ask":
                return results.ask(bool(answer), media_type)
            if kind == "select":
                return results.select(answer, media_type, task.max_rows)
            return results.graph(answer, media_type, task.max_rows)

        try:
            return "ok", self.kg.store.stream(text, self._form(task), timeout, consume)
        except StoreTimeout:
            raise QueryTimeout(timeout) from None
        except InputError as exc:
            return "error", exc.reason


class SubjectCache:
    """Pattern lookups for one data document, in few requests: the first lookup of a subject
    fetches all its quads, and the IRIs a lookup returns (objects of a subject's quads,
    subjects of an open pattern) are fetched together, ahead of the lookups that follow
    (labels of neighbours, provenance). Answers are exactly the store's: a subject's quads
    are all there or not cached."""

    BATCH = 100
    AHEAD = 1_000  # IRIs fetched ahead per lookup, at most (a hub's links are not all needed)

    def __init__(self, store: RemoteStore) -> None:
        self.store = store
        self.quads: dict[ox.NamedNode, list[ox.Quad]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)  # everything but the cached lookups: the store's

    def fetch(self, subjects: Iterable[Any], most: int | None = None) -> None:
        missing = list(dict.fromkeys(s for s in subjects if isinstance(s, ox.NamedNode)
                                     and s not in self.quads))[:most]
        for start in range(0, len(missing), self.BATCH):
            batch = missing[start:start + self.BATCH]
            for s in batch:
                self.quads[s] = []
            for q in self.store.quads_of_subjects(batch):
                self.quads[q.subject].append(q)

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> list[ox.Quad]:
        if not isinstance(s, ox.NamedNode):
            found = self.store.quads_for_pattern(s, p, o, g)
            self.fetch((q.subject for q in found), self.AHEAD)
            return found
        self.fetch([s])
        found = [q for q in self.quads[s] if (p is None or q.predicate == p)
                 and (o is None or q.object == o) and (g is None or q.graph_name == g)]
        self.fetch((q.object for q in found), self.AHEAD)
        return found


class RemoteKnowledgeGraph(KnowledgeGraph):
    """A :class:`KnowledgeGraph` publishing from a remote SPARQL 1.1 store."""

    local_lookups = False  # every query goes to the store, under the client-side deadline

    def __init__(self, store: RemoteStore | str, *, base: str | None = None,
                 limits: Limits | None = None, read_only: bool = False) -> None:
        # Not KnowledgeGraph.__init__: no directory, no checkpoints, no worker processes.
        self.store = RemoteStore(endpoints_from(store)) if isinstance(store, str) else store
        self.store.ignore = (*self.store.ignore, STAMP.value)  # bookkeeping, not data
        self._tmp = None
        # nothing of the graph is kept on this machine; beside this path (var/) go the local
        # stores that are not the graph's, like the pending contributions (var/contributions)
        self.path = Path("var") / "store"
        self.base = normalise_base(base)
        self.limits = limits or Limits()
        self.inprocess = 0
        self.read_only = read_only
        self.pool = RemotePool(self)  # type: ignore[assignment]
        self._write_lock = threading.RLock()
        self.instance = secrets.token_hex(4)
        self._union = UNION
        self._named: list[ox.NamedNode] = []
        self._stamp, self._checked = "", 0.0
        if UNION in self.store.named_graphs() or read_only:
            self._sync(force=True)
        else:
            self._rebuild_union()

    @classmethod
    def from_config(cls, url: str, config: Any, limits: Limits) -> RemoteKnowledgeGraph:
        """Open the store at ``url`` with the app config's ``CLUSTERLD_STORE_*`` options."""
        given = {k: config.get(v) for k, v in ENV.items()}
        store = RemoteStore(endpoints_from(url, **given),
                            timeout=max(60.0, 2 * limits.query_timeout))
        return cls(store, base=config.get("CLUSTERLD_BASE"), limits=limits)

    def describe(self, iri: str, *, graphs: bool = False) -> Any:
        """As the embedded backend's, with the lookups batched (:class:`SubjectCache`)."""
        self._sync()
        view = copy.copy(self)  # this request's view: the same graph, its own lookup cache
        view.store = SubjectCache(self.store)  # type: ignore[assignment]
        return KnowledgeGraph.describe(view, iri, graphs=graphs)

    def close(self) -> None:
        """Close the connections to the store (its data stays)."""
        self.store.close()

    def _snapshot(self) -> None:
        self.pool.publish()

    def _rebuild_union(self) -> None:
        """Rewrite the union graph and the version stamp, in one update request (so other
        clusterld processes on the same store never see it half done)."""
        with self._write_lock:
            graphs = [self.store.default] + [g for g in self.store.named_graphs()
                                             if not g.value.startswith(HIDDEN_PREFIX)]
            values = " ".join(nt(g) for g in graphs)
            stamp = secrets.token_hex(8)
            self.store._write(
                f"DROP SILENT GRAPH {nt(UNION)} ;\n"
                f"INSERT {{ GRAPH {nt(UNION)} {{ ?s ?p ?o }} }} WHERE {{ "
                f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} ;\n"
                f"DROP SILENT GRAPH {nt(STAMP)} ;\n"
                f"INSERT DATA {{ GRAPH {nt(STAMP)} {{ {nt(STAMP)} {nt(VERSION)} "
                f"{nt(ox.Literal(stamp))} }} }}")
            self._stamp, self._checked = stamp, time.monotonic()
            self._refresh_names()

    def _sync(self, force: bool = False) -> None:
        """Follow writes by other clusterld processes on the same store: read the version
        stamp (at most once per :data:`SYNC_SECONDS`) and, when it changed, the graph list."""
        now = time.monotonic()
        if not force and now - self._checked < SYNC_SECONDS:
            return
        rows = list(self.store.query(f"SELECT ?v WHERE {{ GRAPH {nt(STAMP)} {{ ?s ?p ?v }} }}",
                                     default_graph=[]))
        stamp = rows[0]["v"].value if rows else ""
        self._checked = now
        if stamp != self._stamp:
            with self._write_lock:
                self.store._changed()
                self._stamp = stamp
                self._refresh_names()
                self.pool.publish()

    @property
    def version(self) -> str:
        """Changes whenever the data may have changed, here or by another process."""
        self._sync()
        return f"{self._stamp}.{self.pool.generation}"

    def query(self, sparql: str, *, substitutions: Any = None) -> Any:
        """As the embedded backend's (see :meth:`KnowledgeGraph.query`)."""
        self._sync()
        return super().query(sparql, substitutions=substitutions)

    def run_query(self, sparql: str, formats: Any, **options: Any) -> Any:
        """As the embedded backend's (see :meth:`KnowledgeGraph.run_query`)."""
        self._sync()
        return super().run_query(sparql, formats, **options)

    def graph_names(self) -> list[str]:
        """Named graphs, sorted (as of the store's last write)."""
        self._sync()
        return super().graph_names()

    def load(self, files: Iterable[Path], *, replace: bool = False) -> None:
        """Load RDF files into the store (with ``replace``, clusterld's graphs are dropped
        first). The files are parsed here and sent as SPARQL Update in chunks."""
        self._writable()
        files = [Path(f) for f in files]
        check_files(files)
        with self._write_lock:
            if replace:
                self.store.clear()
            try:
                for f in files:
                    self._load_file(f)
            finally:
                self._changed()

    def _load_file(self, f: Path) -> None:
        try:
            load_path(self.store, f, FORMATS[format_for(f.name) or ""])
        except SyntaxError as exc:
            raise _parse_error(exc, str(f)) from None
        except (OSError, ValueError) as exc:
            raise InputError(str(exc), source=str(f)) from None
