"""A remote SPARQL 1.1 store behind the part of the ``pyoxigraph.Store`` API clusterld uses.

:class:`RemoteStore` talks to a store's Query and Update endpoints over HTTP (httpx, with
timeouts, redirects refused) and answers like an embedded store: ``query`` returns
pyoxigraph's ``QuerySolutions``/``QueryBoolean`` (parsed from SPARQL XML results) or a list
of triples, ``quads_for_pattern`` a list of quads, writes go as SPARQL Update. Values are
written into the text only by :func:`clusterld.sparqlterms.nt`.

clusterld's default graph is the named graph :data:`DEFAULT_GRAPH` in the remote store:
stores disagree on what their own default graph is (Virtuoso and Neptune read it as the
union of every graph), and a consortium's store holds other graphs that clusterld must not
touch. Graphs whose IRI starts with one of ``ignore`` (Virtuoso's system graphs) are not
clusterld's and never listed.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from clusterld import sparqltext
from clusterld.errors import ClusterldError, InputError
from clusterld.sparqlterms import (
    bind_values,
    bind_values_or_filter,
    check_update,
    default_graph_update,
    nt,
    refuse_store_extensions,
)
from clusterld.workers import WorkerFailed

DEFAULT_GRAPH = "urn:x-clusterld:default"
VIRTUOSO_SYSTEM = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
                   "http://localuriqaserver/", "http://www.w3.org/2002/07/owl#",
                   "http://localhost:8890/")
RESULTS_XML = "application/sparql-results+xml"
ACCEPT = RESULTS_XML
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9"  # Virtuoso: 406 for a mixed list
CHUNK = 20_000  # quads parsed and sent at a time (per graph: one Graph Store POST)
UPDATE_CHUNK = 1_000  # triples per INSERT DATA when there is no Graph Store endpoint
_BNODE = re.compile(rb"<bnode>nodeID://")  # Virtuoso's blank node labels are not N-Triples
_RDF_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES,
              "text/plain": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
              "application/rdf+xml": ox.RdfFormat.RDF_XML,
              "application/n-quads": ox.RdfFormat.N_QUADS}


class StoreUnavailable(WorkerFailed, ClusterldError):
    """The remote store could not be reached or failed (HTTP 503; CLI exit code 3)."""


class StoreTimeout(StoreUnavailable):
    """The remote store did not answer within the time given (a public query's becomes
    :class:`~clusterld.workers.QueryTimeout`)."""


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers, and how to authenticate."""

    query: str
    update: str | None = None
    gsp: str | None = None
    user: str | None = None
    password: str | None = None
    flavour: str = "generic"  # oxigraph, virtuoso, graphdb or generic


def _replace_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def endpoints_for(url: str, *, update: str | None = None, gsp: str | None = None,
                  user: str | None = None, password: str | None = None) -> Endpoints:
    """The endpoints of the store whose query URL is ``url``, derived for known servers.

    Oxigraph server: ``…/query`` (or the bare root) → ``/update`` and ``/store``. Virtuoso:
    ``…/sparql`` → the same URL for update, or ``/sparql-auth`` (digest) with a user, and
    ``/sparql-graph-crud[-auth]``. GraphDB: ``/repositories/ID`` → ``…/statements`` and
    ``…/rdf-graphs/service``. Otherwise updates go to the query URL. Explicit ``update`` and
    ``gsp`` win.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"not an http(s) URL of a SPARQL endpoint: {url!r}")
    path = parts.path.rstrip("/")
    flavour = "generic"
    if path == "" or path.endswith("/query"):
        root = path[: -len("/query")] if path.endswith("/query") else ""
        flavour, query = "oxigraph", _replace_path(url, root + "/query")
        derived = (_replace_path(url, root + "/update"), _replace_path(url, root + "/store"))
    elif path.endswith(("/sparql", "/sparql-auth")):
        root = path.rsplit("/", 1)[0]
        flavour, query = "virtuoso", _replace_path(url, root + "/sparql")
        suffix = "-auth" if user else ""
        derived = (_replace_path(url, root + "/sparql" + suffix),
                   _replace_path(url, root + "/sparql-graph-crud" + suffix))
    elif re.search(r"/repositories/[^/]+$", path):
        flavour, query = "graphdb", _replace_path(url, path)
        derived = (_replace_path(url, path + "/statements"),
                   _replace_path(url, path + "/rdf-graphs/service"))
    else:
        query, derived = url, (url, None)
    return Endpoints(query, update or derived[0], gsp or derived[1], user, password, flavour)


class _Body(io.RawIOBase):
    """A streamed response as a file for pyoxigraph's parsers: Virtuoso's blank node labels
    fixed line by line, and a deadline checked between chunks."""

    def __init__(self, chunks: Iterator[bytes], deadline: float | None) -> None:
        self.chunks, self.deadline = chunks, deadline
        self.buffer, self.tail, self.done = b"", b"", False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while not self.buffer and not self.done:
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise StoreTimeout("the store's answer did not come within the time limit")
            chunk = next(self.chunks, None)
            if chunk is None:
                self.done, data, self.tail = True, self.tail, b""
            else:
                data = self.tail + chunk
                cut = data.rfind(b"\n") + 1
                data, self.tail = data[:cut], data[cut:]
            self.buffer = _BNODE.sub(b"<bnode>", data)

    def readinto(self, target: Any) -> int:
        self._fill()
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


def accept_for(query: str) -> str:
    """The Accept header for the query's answer: RDF for CONSTRUCT/DESCRIBE, else results."""
    form = sparqltext.query_form(query)
    return ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT


def _boolean(answer: Any) -> ox.QueryBoolean:
    """An ASK answer as a boolean: Virtuoso writes a false one as a SELECT result with no
    row (and may write a true one as a row of ``__ASK_RETVAL`` = 1)."""
    if isinstance(answer, ox.QueryBoolean):
        return answer
    rows = list(answer)
    value = bool(rows) and all(
        t is None or not isinstance(t, ox.Literal) or t.value not in ("0", "false")
        for t in (rows[0][v] for v in answer.variables))
    return ox.parse_query_results('{"head":{},"boolean":%s}' % ("true" if value else "false"),
                                  ox.QueryResultsFormat.JSON)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


class RemoteStore:
    """The subset of ``pyoxigraph.Store`` clusterld uses, over SPARQL 1.1 HTTP endpoints."""

    def __init__(self, endpoints: Endpoints, *, timeout: float = 60.0,
                 default_graph: str = DEFAULT_GRAPH,
                 ignore: tuple[str, ...] | None = None) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.default = ox.NamedNode(default_graph)
        self.ignore = ignore if ignore is not None else (
            VIRTUOSO_SYSTEM if endpoints.flavour == "virtuoso" else ())
        auth: httpx.Auth | None = None
        if endpoints.user is not None:
            password = endpoints.password or ""
            auth = (httpx.DigestAuth(endpoints.user, password)
                    if endpoints.flavour == "virtuoso"
                    else httpx.BasicAuth(endpoints.user, password))
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0), auth=auth,
                                   follow_redirects=False,
                                   headers={"User-Agent": "clusterld"})
        self._graphs: list[ox.NamedNode] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoints.query!r})"

    # -- HTTP ---------------------------------------------------------------------------------
    def _check(self, response: httpx.Response) -> None:
        if response.is_success:
            state = response.headers.get("x-sql-state")
            if state:  # Virtuoso's "anytime" answers: partial, with a 200
                response.close()
                raise StoreTimeout(response.headers.get("x-sql-message", state))
            return
        response.read()
        text = response.text.strip()[:800]
        if response.is_redirect:
            raise StoreUnavailable(f"the store at {response.url} redirects; give its "
                                   "final URL")
        if "exceeds the limit" in text:  # Virtuoso's estimate of the time a query needs
            raise StoreTimeout(text)
        if response.status_code == 400:
            raise InputError(text or "the store refused the request", source="store")
        raise StoreUnavailable(f"the store at {response.url} answered "
                               f"{response.status_code}: {text}")

    def _send(self, url: str, form: list[tuple[str, str]], *, accept: str = ACCEPT,
              timeout: float | None = None, stream: bool = False) -> httpx.Response:
        seconds = self.timeout if timeout is None else timeout
        try:
            request = self.client.build_request(
                "POST", url, content=urlencode(form).encode(),
                headers={"Accept": accept,
                         "Content-Type": "application/x-www-form-urlencoded"},
                timeout=httpx.Timeout(seconds, connect=min(5.0, seconds)))
            response = self.client.send(request, stream=stream)
        except httpx.TimeoutException:
            raise StoreTimeout(f"no answer from the store within {seconds:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"cannot reach the store at {url}: {exc}") from None
        self._check(response)
        return response

    def _parse(self, response: httpx.Response, body: IO[bytes] | bytes,
               ask: bool = False) -> Any:
        media_type = _media_type(response)
        try:
            if media_type == RESULTS_XML:
                if isinstance(body, bytes):
                    body = _BNODE.sub(b"<bnode>", body)
                answer = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
                return _boolean(answer) if ask else answer
            if media_type in _RDF_TYPES:
                quads = ox.parse(body, format=_RDF_TYPES[media_type])
                return (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        except SyntaxError as exc:
            raise StoreUnavailable(f"unreadable answer from the store: {exc}") from None
        raise StoreUnavailable(f"the store answered in {media_type or 'no media type'}, "
                               "not SPARQL XML results or N-Triples")

    def _dataset(self, default_graph: Any, named_graphs: Any) -> list[tuple[str, str]]:
        form = []
        for g in default_graph if default_graph is not None else [self.default]:
            form.append(("default-graph-uri", self._name(g).value))
        for g in named_graphs or []:
            form.append(("named-graph-uri", self._name(g).value))
        return form

    def _name(self, graph: Any) -> ox.NamedNode:
        return self.default if isinstance(graph, ox.DefaultGraph) else graph

    # -- queries ------------------------------------------------------------------------------
    def query(self, query: str, *, default_graph: Any = None, named_graphs: Any = None,
              substitutions: dict[ox.Variable, Any] | None = None, base_iri: str | None = None,
              use_default_graph_as_union: bool = False) -> Any:
        """Run a query; the answer fully read (for trusted, bounded queries)."""
        text = self._text(query, substitutions, base_iri)
        form = [("query", text), *self._dataset(default_graph, named_graphs)]
        response = self._send(self.endpoints.query, form, accept=accept_for(query))
        answer = self._parse(response, response.content,
                             sparqltext.query_form(query) == "ASK")
        if isinstance(answer, ox.QuerySolutions | ox.QueryBoolean):
            return answer
        return list(answer)  # CONSTRUCT / DESCRIBE triples

    def stream(self, query: str, form: list[tuple[str, str]], seconds: float,
               consume: Any) -> Any:
        """Run a user's query: ``consume(answer)`` reads the answer as it streams in, all
        within ``seconds`` (else :class:`StoreTimeout`)."""
        deadline = time.monotonic() + seconds
        response = self._send(self.endpoints.query, [("query", query), *form],
                              accept=accept_for(query), timeout=seconds, stream=True)
        try:
            body = io.BufferedReader(_Body(response.iter_bytes(), deadline))
            return consume(self._parse(response, body, sparqltext.query_form(query) == "ASK"))
        except httpx.TimeoutException:
            raise StoreTimeout(f"no answer from the store within {seconds:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"the store's answer broke off: {exc}") from None
        finally:
            response.close()

    def _text(self, query: str, substitutions: Any, base_iri: str | None) -> str:
        bindings = {v.value if isinstance(v, ox.Variable) else str(v): t
                    for v, t in (substitutions or {}).items()}
        bind = (bind_values_or_filter if self.endpoints.flavour == "virtuoso"
                else bind_values)
        text = bind(query, bindings)
        return f"BASE {nt(ox.NamedNode(base_iri))}\n{text}" if base_iri else text

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any,
                          graph_name: Any = None) -> list[ox.Quad]:
        """Quads matching the pattern (None: any); blank nodes match nothing here."""
        terms = (subject, predicate, obj, graph_name)
        if any(isinstance(t, ox.BlankNode) for t in terms) or isinstance(subject, ox.Literal):
            return []
        s, p, o = (nt(t) if t is not None else f"?{n}" for t, n in zip(terms, "spo",
                                                                        strict=False))
        g = nt(self._name(graph_name)) if graph_name is not None else "?g"
        rows = self.query(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}",
                          default_graph=[], named_graphs=None)
        return self._quads(rows, subject, predicate, obj, graph_name)

    def _quads(self, rows: Any, subject: Any = None, predicate: Any = None, obj: Any = None,
               graph_name: Any = None) -> list[ox.Quad]:
        out = []
        for row in rows:
            name = graph_name if graph_name is not None else row["g"]
            if graph_name is None and (name.value.startswith(self.ignore) if self.ignore
                                       else False):
                continue
            if name == self.default:
                name = ox.DefaultGraph()
            out.append(ox.Quad(subject or row["s"], predicate or row["p"],
                               obj if obj is not None else row["o"], name))
        return out

    def quads_of_subjects(self, subjects: list[ox.NamedNode]) -> list[ox.Quad]:
        """Every quad (all graphs) whose subject is one of ``subjects``, in one request."""
        if not subjects:
            return []
        values = " ".join(nt(s) for s in subjects)
        rows = self.query(f"SELECT * WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                          default_graph=[], named_graphs=None)
        return self._quads(rows)

    def __iter__(self) -> Iterator[ox.Quad]:
        """Every quad of every graph (as ``pyoxigraph.Store`` iterates)."""
        return iter(self.quads_for_pattern(None, None, None, None))

    def named_graphs(self) -> list[ox.NamedNode]:
        """clusterld's named graphs in the store (cached until the next write)."""
        with self._lock:
            if self._graphs is None:
                # Oxigraph lists its graphs (empty ones too); Virtuoso answers GROUP BY
                # from an index, DISTINCT by a scan (seconds).
                text = ("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
                        if self.endpoints.flavour == "oxigraph"
                        else "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
                rows = self.query(text, default_graph=[])
                self._graphs = [r["g"] for r in rows if isinstance(r["g"], ox.NamedNode)
                                and r["g"] != self.default
                                and not (self.ignore and r["g"].value.startswith(self.ignore))]
            return list(self._graphs)

    def contains_named_graph(self, graph: Any) -> bool:
        """Whether the named graph exists (holds triples, for stores without empty graphs)."""
        return graph in self.named_graphs()

    def __len__(self) -> int:
        graphs = " ".join(nt(g) for g in [self.default, *self.named_graphs()])
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { VALUES ?g { " + graphs
                          + " } GRAPH ?g { ?s ?p ?o } }", default_graph=[])
        return int(rows[0]["n"].value)

    # -- writes -------------------------------------------------------------------------------
    def _changed(self) -> None:
        with self._lock:
            self._graphs = None

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run an update whose default graph is clusterld's (SyntaxError as pyoxigraph's)."""
        check_update(update)
        refuse_store_extensions(update)
        text = default_graph_update(update, self.default.value,
                                    [g.value for g in self.named_graphs()])
        self._write(f"BASE {nt(ox.NamedNode(base_iri))}\n{text}" if base_iri else text)

    def _write(self, text: str) -> None:
        if not self.endpoints.update:
            raise StoreUnavailable("the store has no update endpoint: it is read-only here")
        try:
            self._send(self.endpoints.update, [("update", text)])
        finally:
            self._changed()

    def add_graph(self, graph: Any) -> None:
        self._write(f"CREATE SILENT GRAPH {nt(self._name(graph))}")

    def remove_graph(self, graph: Any) -> None:
        self._write(f"DROP SILENT GRAPH {nt(self._name(graph))}")

    def clear_graph(self, graph: Any) -> None:
        self._write(f"CLEAR SILENT GRAPH {nt(self._name(graph))}")

    def clear(self) -> None:
        """Drop clusterld's graphs (never the store's other graphs)."""
        graphs = [self.default, *self.named_graphs()]
        self._write(" ;\n".join(f"DROP SILENT GRAPH {nt(g)}" for g in graphs))

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads: per chunk of :data:`CHUNK` quads, one Graph Store Protocol POST of
        N-Triples per graph (or INSERT DATA requests without a Graph Store endpoint)."""
        items = iter(quads)
        while chunk := list(islice(items, CHUNK)):
            self._insert(chunk)

    bulk_extend = extend

    def _insert(self, quads: list[ox.Quad]) -> None:
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
        for q in quads:
            by_graph[self._name(q.graph_name)].append(ox.Triple(q.subject, q.predicate,
                                                                q.object))
        try:
            if self.endpoints.gsp:  # Graph Store Protocol: POST N-Triples, one graph each
                for g, triples in by_graph.items():
                    self._post_graph(g, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            else:
                self._insert_data(by_graph)
        finally:
            self._changed()

    def _post_graph(self, graph: ox.NamedNode, body: bytes) -> None:
        url = str(httpx.URL(self.endpoints.gsp or "", params={"graph": graph.value}))
        try:
            response = self.client.post(url, content=body,
                                        headers={"Content-Type": "text/turtle"})
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"cannot reach the store at {url}: {exc}") from None
        self._check(response)

    def _insert_data(self, by_graph: dict[ox.NamedNode, list[ox.Triple]]) -> None:
        for g, triples in by_graph.items():
            for start in range(0, len(triples), UPDATE_CHUNK):
                part = triples[start:start + UPDATE_CHUNK]
                blank = any(isinstance(t, ox.BlankNode) for x in part
                            for t in (x.subject, x.object))
                lines = "\n".join(
                    " ".join(f"_:{t.value}" if isinstance(t, ox.BlankNode) else nt(t)
                             for t in (x.subject, x.predicate, x.object)) + " ." for x in part)
                body = f"GRAPH {nt(g)} {{\n{lines}\n}}"
                # Virtuoso refuses blank nodes in INSERT DATA; INSERT … WHERE {} takes them.
                self._write(f"INSERT {{ {body} }} WHERE {{}}" if blank
                            else f"INSERT DATA {{ {body} }}")

    def bulk_load(self, input: Any = None, format: Any = None, *, path: str | None = None,
                  base_iri: str | None = None, to_graph: Any = None) -> None:
        """Parse RDF (streamed) and add it in chunks; blank nodes keep their identity only
        within one chunk of :data:`CHUNK` quads."""
        source = {"path": path} if path is not None else {"input": input}
        quads = ox.parse(format=format, base_iri=base_iri, **source)
        if to_graph is not None:
            quads = (ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in quads)
        self.extend(quads)

    def flush(self) -> None:
        """Nothing to do: every write was sent."""

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()


def load_path(store: RemoteStore, path: Path, fmt: ox.RdfFormat) -> None:
    """Load one file (gzip too) into the remote store."""
    import gzip

    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            store.bulk_load(fh, fmt)
    else:
        store.bulk_load(path=str(path), format=fmt)
