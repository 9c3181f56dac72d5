"""The knowledge graph behind the server: one object that holds the store and answers for it.

The web layer only parses requests and calls :class:`KnowledgeGraph`; nothing here knows
about HTTP. Trusted code (the pages) queries in-process with :meth:`KnowledgeGraph.query`;
the public endpoint goes through :meth:`KnowledgeGraph.run_query`, which runs in a worker
process under a hard time limit and a row cap (see :mod:`clusterld.workers`).
Values are bound with ``substitutions=``, never pasted into SPARQL text.
"""

from __future__ import annotations

import gzip
import json
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterld import results, sparqltext
from clusterld.entities import HIDDEN_PREFIX, Description, EntityViews, Page, visible
from clusterld.errors import ClusterldError, InputError
from clusterld.iri import normalise_base
from clusterld.rdfio import FORMATS, format_for
from clusterld.sparqlterms import bind_values
from clusterld.workers import (
    PoolBusy,
    PublicDataset,
    QueryPool,
    QueryTask,
    QueryTimeout,
    WorkerFailed,
    bounded_lookup,
    execute,
    native_lookup,
)

STAMP = "clusterld-loaded.json"

__all__ = ["Description", "KnowledgeGraph", "Limits", "NotFound", "Page", "PoolBusy",
           "QueryTimeout", "ReadOnlyStore", "Serialized", "WorkerFailed"]
Serialized = results.Serialized
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class NotFound(ClusterldError):
    """Nothing is known about the IRI or graph asked for."""


class ReadOnlyStore(ClusterldError):
    """A write on a store opened read-only."""


@dataclass
class Limits:
    """Guard rails of the public endpoint."""

    query_timeout: float = 10.0  # seconds; the work is killed past it
    max_rows: int = 10_000  # solutions or triples per answer; more is cut and reported
    workers: int = 2  # query worker processes
    describe_limit: int = 500  # incoming links in a data document
    worker_memory_mb: int = 4_096  # data segment of a query worker (0: no limit)
    inprocess_lookups: bool = True  # run bounded lookups (workers.bounded_lookup) in-process


def _term(value: Any) -> Term:
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
        return value
    if isinstance(value, str):
        return ox.NamedNode(value)
    if isinstance(value, bool | int | float):
        return ox.Literal(value)
    raise TypeError(f"cannot bind {value!r}")


def _graph_name(name: str | None) -> ox.NamedNode | ox.DefaultGraph:
    if name is None or name == "":
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(name)
    except ValueError as exc:
        raise InputError(f"not an IRI: {name!r} ({exc})") from None


def _rdf_format(media_type: str | None, name: str | None = None) -> ox.RdfFormat:
    key = format_for(name, media_type)
    if key is None:
        raise InputError(f"unsupported RDF format {media_type or name!r}")
    return FORMATS[key]


def check_files(files: Iterable[Path]) -> None:
    """Every file exists and names its RDF format (else :class:`InputError`)."""
    for f in files:
        if format_for(f.name) is None:
            raise InputError("cannot tell the RDF format from the file name", source=str(f))
        if not f.is_file():
            raise InputError("no such file", source=str(f))


def _parse_error(exc: SyntaxError, source: str) -> InputError:
    detail = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else ()
    line = detail[1] if len(detail) > 1 else None
    column = detail[2] if len(detail) > 2 else None
    return InputError(str(exc.args[0]) if exc.args else str(exc), source=source, line=line,
                      column=column)


class KnowledgeGraph(EntityViews):
    """An on-disk pyoxigraph store with the operations the server needs.

    The public default graph is the union of every graph as a SET of triples (as in the
    ``clusterld.ttl`` dump): pyoxigraph's own union view keeps one copy per graph, which
    multiplies rows and counts, so the store keeps a deduplicated copy in a hidden graph
    (``urn:x-clusterld:union:…``), rebuilt after every write, and queries read it as their
    default graph. ``path=None`` makes a throw-away store in a temporary directory (tests).
    """

    local_lookups = True  # bounded lookups may run in this process (see run_query)

    def __init__(self, path: Path | str | None = None, *, base: str | None = None,
                 limits: Limits | None = None, read_only: bool = False) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="clusterld-store-") if path is None else None
        self.path = Path(self._tmp.name if self._tmp else path)  # type: ignore[arg-type]
        self.base = normalise_base(base)
        self.limits = limits or Limits()
        self.read_only = read_only
        if read_only:
            self.store = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self.store = ox.Store(str(self.path))
            except OSError as exc:
                raise ClusterldError(f"cannot open the store {self.path}: {exc} "
                                     "(is another server using it?)") from None
        self.pool = QueryPool(self.limits.workers, memory_mb=self.limits.worker_memory_mb)
        self.inprocess = 0  # public queries answered in-process (bounded lookups)
        self.snapshots = self.path.with_name(self.path.name + ".snapshots")
        if not read_only:
            shutil.rmtree(self.snapshots, ignore_errors=True)
        self._write_lock = threading.RLock()
        self.instance = secrets.token_hex(4)
        self._union = ox.NamedNode(HIDDEN_PREFIX + "none")
        self._named: list[ox.NamedNode] = []
        hidden = [g for g in self.store.named_graphs()
                  if isinstance(g, ox.NamedNode) and g.value.startswith(HIDDEN_PREFIX)]
        if len(hidden) == 1 or read_only:
            self._union = hidden[0] if hidden else self._union
            self._refresh_names()
        else:
            self._rebuild_union()
        self._snapshot()

    @property
    def version(self) -> str:
        """Changes whenever the data may have changed (for ETags and caches)."""
        return f"{self.instance}.{self.pool.generation}"

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the workers and release the store."""
        self.pool.close()
        if not self.read_only:
            shutil.rmtree(self.snapshots, ignore_errors=True)
        self.store = None  # type: ignore[assignment]
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _changed(self) -> None:
        self._rebuild_union()
        self._snapshot()

    def _snapshot(self) -> None:
        """Give the query workers an immutable checkpoint of the store as it is now."""
        if self.read_only:
            self.pool.snapshot = str(self.path)
            return
        with self._write_lock:
            target = self.snapshots / f"{self.instance}-{self.pool.generation + 1}"
            self.snapshots.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            self.store.flush()
            self.store.backup(str(target))
        self.pool.publish(target)

    def _refresh_names(self) -> None:
        self._named = sorted((g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)
                              and not g.value.startswith(HIDDEN_PREFIX)), key=lambda g: g.value)

    def _rebuild_union(self) -> None:
        """Write the set union of all graphs into a new hidden graph, then switch to it."""
        with self._write_lock:
            old = [g for g in self.store.named_graphs()
                   if isinstance(g, ox.NamedNode) and g.value.startswith(HIDDEN_PREFIX)]
            union = ox.NamedNode(HIDDEN_PREFIX + secrets.token_hex(6))
            self.store.add_graph(union)
            self.store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, union)
                for q in self.store.quads_for_pattern(None, None, None, None) if visible(q))
            self._union = union
            self._refresh_names()
            for g in old:
                self.store.remove_graph(g)
            self.store.flush()

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStore("the store is open read-only")

    # -- loading ----------------------------------------------------------------------------
    def load(self, files: Iterable[Path], *, replace: bool = False) -> None:
        """Load RDF files (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML; ``.gz`` too).

        Triple formats go to the default graph, which the public view unites with the named
        graphs. With ``replace`` the store is emptied first; when the same files (by size and
        modification time) were loaded last time, nothing is done.
        """
        self._writable()
        files = [Path(f) for f in files]
        stamp = self._stamp(files)
        if replace and self._loaded_stamp() == stamp:
            return
        check_files(files)
        with self._write_lock:
            (self.path / STAMP).unlink(missing_ok=True)
            if replace:
                self.store.clear()
            for f in files:
                self._load_file(f)
            self.store.flush()
            self._changed()
            (self.path / STAMP).write_text(json.dumps(stamp), encoding="utf-8")

    def _load_file(self, f: Path) -> None:
        fmt = FORMATS[format_for(f.name) or ""]
        try:
            if f.name.endswith(".gz"):
                with gzip.open(f, "rb") as fh:
                    self.store.bulk_load(fh, format=fmt)
            else:
                self.store.bulk_load(path=str(f), format=fmt)
        except SyntaxError as exc:
            raise _parse_error(exc, str(f)) from None
        except (OSError, ValueError) as exc:
            raise InputError(str(exc), source=str(f)) from None

    def _stamp(self, files: list[Path]) -> list[list[Any]]:
        out = []
        for f in files:
            st = f.stat() if f.is_file() else None
            out.append([str(f.resolve()), st.st_size if st else -1, st.st_mtime_ns if st else -1])
        return out

    def _loaded_stamp(self) -> Any:
        try:
            return json.loads((self.path / STAMP).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def load_data(self, data: bytes, media_type: str, *, graph: str | None = None,
                  base_iri: str | None = None) -> None:
        """Parse then add RDF bytes (into ``graph`` for triple formats)."""
        self._writable()
        fmt = _rdf_format(media_type)
        target = _graph_name(graph)
        try:
            quads = [q if not isinstance(q.graph_name, ox.DefaultGraph)
                     else ox.Quad(q.subject, q.predicate, q.object, target)
                     for q in ox.parse(data, format=fmt, base_iri=base_iri)]
        except SyntaxError as exc:
            raise _parse_error(exc, "request body") from None
        except ValueError as exc:
            raise InputError(str(exc), source="request body") from None
        with self._write_lock:
            self.store.extend(quads)
        self._changed()

    # -- trusted, in-process queries ---------------------------------------------------------
    def query(self, sparql: str, *, substitutions: Mapping[str, Any] | None = None) -> Any:
        """Run a query of our own code in-process (no time limit; not for user queries).

        The default graph is the union of all graphs (a set of triples); ``GRAPH`` sees the
        named graphs. ``substitutions`` binds variables (``{"entity": "https://…"}``; strings
        are IRIs); pyoxigraph requires each bound variable in the projection (use
        ``SELECT *``, ``ASK`` or ``CONSTRUCT``). A list of values binds its variable to each
        of them in turn (the labels of a page's links): pyoxigraph binds one value per
        variable, so lists are written as the WHERE group's ``VALUES`` block by
        :func:`sparqlterms.bind_values`, the binding remote stores get for every value
        (terms checked and written by :func:`sparqlterms.nt`; a remote store gets the lists
        and binds them its own way). Returns pyoxigraph's
        ``QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``.
        """
        rows = {k: [_term(t) for t in v] for k, v in (substitutions or {}).items()
                if isinstance(v, list | tuple)}
        native = isinstance(self.store, ox.Store)  # a remote store binds lists itself
        if rows and native:
            sparql = bind_values(sparql, rows)
        subs = {ox.Variable(k.lstrip("?$")): rows[k] if k in rows else _term(v)
                for k, v in (substitutions or {}).items() if not native or k not in rows}
        named = list(self._named) if sparqltext.uses_graph(sparql) else None
        return self.store.query(sparql, default_graph=[self._union], named_graphs=named,
                                substitutions=subs or None)

    # -- the public endpoint ------------------------------------------------------------------
    def run_query(self, sparql: str, formats: Mapping[str, str | None], *,
                  base_iri: str | None = None, default_graphs: list[str] | None = None,
                  named_graphs: list[str] | None = None, timeout: float | None = None,
                  max_rows: int | None = None) -> Serialized:
        """Run a user's query in a worker under the limits; return the serialised answer.

        ``formats`` maps the answer's kind (``select``, ``ask``, ``graph``) to the media type
        to write it in; a kind mapped to None raises ``LookupError(kind)``. The dataset is the
        protocol's ``default_graphs``/``named_graphs`` when given, else the query's own
        ``FROM``, else the union of all graphs. Raises :class:`InputError` (syntax, with
        line and column; SERVICE refused), :class:`QueryTimeout`, :class:`PoolBusy`.
        """
        rows = self.limits.max_rows if max_rows is None else min(max_rows, self.limits.max_rows)
        if default_graphs is None and named_graphs is None:
            answer = self.local_lookup(sparql, formats, base_iri=base_iri, max_rows=rows)
            if answer is not None:
                return answer
        sparqltext.refuse_fetching(sparql)
        limit = self.limits.query_timeout
        seconds = limit if timeout is None else max(0.001, min(timeout, limit))
        for g in (default_graphs or []) + (named_graphs or []):
            _graph_name(g)
        public = (default_graphs is None and named_graphs is None
                  and not sparqltext.has_dataset_clause(sparql))
        task = QueryTask(query=sparql, formats=dict(formats), base_iri=base_iri,
                         default_graphs=default_graphs, named_graphs=named_graphs,
                         public=public, graph_patterns=sparqltext.uses_graph(sparql),
                         max_rows=rows)
        status, payload = self.pool.run(task, seconds)
        if status == "ok":
            return payload
        if status == "syntax":
            raise sparqltext.syntax_error(SyntaxError(payload))
        if status == "format":
            raise LookupError(payload)
        raise InputError(payload, source="query")

    def union_quads(self, subject: Any = None, predicate: Any = None, obj: Any = None,
                    ) -> Iterable[ox.Quad]:
        """Quads of the public default graph (the union, each triple once) matching a
        pattern: one index scan, no SPARQL parsing or planning (trusted code only)."""
        return self.store.quads_for_pattern(subject, predicate, obj, self._union)

    def local_lookup(self, sparql: str, formats: Mapping[str, str | None], *,
                     base_iri: str | None = None, max_rows: int | None = None,
                     ) -> Serialized | None:
        """A public query answered in this process when it is a bounded lookup
        (:func:`clusterld.workers.bounded_lookup`: one lazy index scan stopped at the row
        cap, no worker round trip needed) on the public dataset; None for any other query
        and on any error (the worker then gives the usual answer or error)."""
        if not (self.local_lookups and self.limits.inprocess_lookups
                and bounded_lookup(sparql)):
            return None
        rows = self.limits.max_rows if max_rows is None else min(max_rows, self.limits.max_rows)
        task = QueryTask(query=sparql, formats=dict(formats), base_iri=base_iri,
                         public=True, graph_patterns=False, max_rows=rows)
        dataset = PublicDataset([self._union], [])
        try:
            answer = (native_lookup(self.store, task, dataset)
                      or execute(self.store, task, dataset))
        except (SyntaxError, OSError, ValueError, TypeError, RuntimeError):
            return None  # the worker gives the usual error answer
        self.inprocess += 1
        return answer

    def update(self, sparql: str, *, base_iri: str | None = None,
               using_graphs: list[str] | None = None,
               using_named_graphs: list[str] | None = None) -> None:
        """Run a SPARQL Update (the caller checked the maintainer's token). LOAD and SERVICE
        are refused; ``using_*`` are the protocol's ``using-graph-uri`` parameters."""
        self._writable()
        sparqltext.refuse_fetching(sparql)
        text = sparqltext.add_using(sparql, using_graphs or [], using_named_graphs or [])
        with self._write_lock:
            try:
                self.store.update(text, base_iri=base_iri)
            except SyntaxError as exc:
                raise sparqltext.syntax_error(exc, source="update") from None
            except (OSError, ValueError) as exc:
                self._changed()
                raise InputError(str(exc), source="update") from None
            self._changed()

    # -- Graph Store Protocol -----------------------------------------------------------------
    def graph_names(self) -> list[str]:
        """Named graphs, sorted."""
        return [g.value for g in self._named]

    def has_graph(self, graph: str | None) -> bool:
        """Whether the graph exists (the default graph always does)."""
        name = _graph_name(graph)
        if isinstance(name, ox.NamedNode) and name.value.startswith(HIDDEN_PREFIX):
            return False
        return isinstance(name, ox.DefaultGraph) or self.store.contains_named_graph(name)

    def graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """Every triple of one graph (``None``: the store's default graph). Not capped."""
        name = _graph_name(graph)
        if not self.has_graph(graph):
            raise NotFound(f"no graph {graph}")
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self.store.quads_for_pattern(None, None, None, name)]

    def replace_graph(self, graph: str | None, data: bytes, media_type: str, *,
                      base_iri: str | None = None) -> bool:
        """PUT: the graph becomes the given data. True when the graph is new."""
        self._writable()
        triples = self._parse_triples(data, media_type, base_iri)
        name = _graph_name(graph)
        created = not self.has_graph(graph)
        with self._write_lock:
            if isinstance(name, ox.DefaultGraph):
                self.store.clear_graph(name)
            else:
                self.store.remove_graph(name) if not created else None
                self.store.add_graph(name)
            self.store.extend([ox.Quad(t.subject, t.predicate, t.object, name) for t in triples])
        self._changed()
        return created

    def add_to_graph(self, graph: str | None, data: bytes, media_type: str, *,
                     base_iri: str | None = None) -> bool:
        """POST: add the data to the graph. True when the graph is new."""
        self._writable()
        triples = self._parse_triples(data, media_type, base_iri)
        name = _graph_name(graph)
        created = not self.has_graph(graph)
        with self._write_lock:
            if created and isinstance(name, ox.NamedNode):
                self.store.add_graph(name)
            self.store.extend([ox.Quad(t.subject, t.predicate, t.object, name) for t in triples])
        self._changed()
        return created

    def drop_graph(self, graph: str | None) -> None:
        """DELETE: remove the graph (empty the default graph). NotFound if absent."""
        self._writable()
        name = _graph_name(graph)
        if not self.has_graph(graph):
            raise NotFound(f"no graph {graph}")
        with self._write_lock:
            if isinstance(name, ox.DefaultGraph):
                self.store.clear_graph(name)
            else:
                self.store.remove_graph(name)
        self._changed()

    def _parse_triples(self, data: bytes, media_type: str,
                       base_iri: str | None) -> list[ox.Triple]:
        fmt = _rdf_format(media_type)
        if fmt.supports_datasets:
            raise InputError(f"{media_type} holds a dataset; send one graph (Turtle, "
                             "N-Triples, RDF/XML or JSON-LD)")
        try:
            return [ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(data, format=fmt, base_iri=base_iri)]
        except SyntaxError as exc:
            raise _parse_error(exc, "request body") from None
        except ValueError as exc:
            raise InputError(str(exc), source="request body") from None

    def dump(self, output: Path, media_type: str = "application/n-quads") -> Path:
        """Write the whole store (not capped) to ``output``."""
        fmt = _rdf_format(media_type)
        tmp = output.with_suffix(output.suffix + ".part")
        if fmt.supports_datasets:
            ox.serialize((q for q in self.store.quads_for_pattern(None, None, None, None)
                          if visible(q)), str(tmp), format=fmt)
        else:
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in
                          self.store.quads_for_pattern(None, None, None, self._union)),
                         str(tmp), format=fmt)
        shutil.move(tmp, output)
        return output

    def stats(self) -> dict[str, int]:
        """Triples of the union view and named graphs."""
        triples = next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
        return {"triples": int(triples.value), "graphs": len(self._named)}
