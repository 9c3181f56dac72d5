"""The build's dumps, written by pyoxigraph: N-Quads, TriG, Turtle, JSON-LD, N-Triples.

Every data dump is derived from the N-Quads lines of the parsed input (pyoxigraph's form),
graph by graph, sorted as bytes, so the files are byte for byte the same for the same graph
(blank nodes carry the RDFC-1.0 labels given by :func:`clusterld.publish.from_nquads`).
Parsing and serialising run in pyoxigraph (Rust); Python sorts lines and, for JSON-LD,
groups the triples of each subject under the terms of ``ontology/context.jsonld``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterld.convert import PREFIXES
from clusterld.paths import data_path

DUMPS = {
    "clusterld.nq": ("application/n-quads", "All named graphs, N-Quads (sorted)"),
    "clusterld.trig": ("application/trig", "All named graphs, TriG"),
    "clusterld.ttl": ("text/turtle", "Union of all graphs, Turtle"),
    "clusterld.jsonld": ("application/ld+json", "Union of all graphs, JSON-LD"),
    "clusterld.nt.gz": ("application/n-triples", "Union of all graphs, gzipped N-Triples"),
    "ontology.ttl": ("text/turtle", "The clusterld ontology and concept schemes"),
    "shapes.ttl": ("text/turtle", "The SHACL shapes"),
    "context.jsonld": ("application/ld+json", "The JSON-LD context of clusterld.jsonld"),
    "wikidata.sssom.tsv": ("text/tab-separated-values", "Links to Wikidata, SSSOM/TSV mapping set"),
}
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = RDF_NS + "type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass
class BuildResult:
    """What a build wrote and what it measured."""

    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    triples: int = 0
    quads: int = 0
    per_class: dict[str, int] = field(default_factory=dict)
    conforms: bool = True
    seconds: float = 0.0


_MORE_PREFIXES = {
    "rdf": RDF_NS, "dcat": "http://www.w3.org/ns/dcat#", "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/", "vann": "http://purl.org/vocab/vann/",
}


def prefixes() -> dict[str, str]:
    """The prefixes of the Turtle and TriG dumps: the vocabularies the converter uses.

    Entity IRIs stay in full (``<…/id/cluster/ce3m>``): as ``id:`` names their slashes would
    have to be escaped (``id:cluster\\/ce3m``).
    """
    found = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    found.update(_MORE_PREFIXES)
    return dict(sorted(found.items()))


def by_graph(lines: Iterable[bytes], store: ox.Store) -> dict[bytes, list[bytes]]:
    """N-Quads lines (pyoxigraph's form) by graph name in N-Triples form (``b""``: the default
    graph), the names of the graphs taken from ``store``.

    A line is ``S P O G .`` or ``S P O .``; S, P and G hold no space. The next to last token is
    the graph name when it is one and two spaces or more precede it (``S P O``); ``<s> <p> <g>
    .`` (a default-graph triple whose object is named like a graph) has one.
    """
    names = {str(g).encode() for g in store.named_graphs()}
    groups: dict[bytes, list[bytes]] = {}
    for line in lines:
        head, name, _ = line.rsplit(b" ", 2)
        if name not in names or head.count(b" ") < 2:
            name = b""
        found = groups.get(name)
        if found is None:
            found = groups[name] = []
        found.append(line)
    return groups


def _triple_lines(name: bytes, lines: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of graph ``name`` as N-Triples lines."""
    if not name:
        return iter(lines)
    cut = len(name) + 3  # " <g> ."
    return (line[:-cut] + b" ." for line in lines)


def _joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n" if lines else b""


class Laps:
    """Wall seconds between calls of :meth:`mark`, by name (the benchmark's breakdown)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, name: str) -> None:
        """Charge the time since the previous mark to ``name``."""
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


def write_rdf(graphs: dict[bytes, list[bytes]], out: Path, context: dict[str, object],
              laps: Laps | None = None) -> tuple[int, int]:
    """The five data dumps of the N-Quads lines of ``graphs`` (from :func:`by_graph`) in
    ``out``; (distinct triples, quads).

    The lines come from the parsed input, not from the store: the store keeps numbers,
    booleans and dates as values (``"1.0"^^xsd:decimal`` would come back as ``"1"``).
    """
    laps = laps or Laps()
    ordered: list[bytes] = []  # graph by graph (default graph first), sorted in each
    union: set[bytes] = set()
    for name in sorted(graphs):
        lines = sorted(graphs[name])
        ordered.extend(lines)
        union.update(_triple_lines(name, lines))
    triples = sorted(union)
    laps.mark("sorted lines")
    (out / "clusterld.nq").write_bytes(_joined(sorted(ordered)))
    laps.mark(".nq")
    ntriples = _joined(triples)
    with gzip.GzipFile(out / "clusterld.nt.gz", "wb", mtime=0, compresslevel=6) as fh:
        fh.write(ntriples)
    laps.mark(".nt.gz")
    names = prefixes()
    ox.serialize(ox.parse(_joined(ordered), format=ox.RdfFormat.N_QUADS),
                 out / "clusterld.trig", format=ox.RdfFormat.TRIG, prefixes=names)
    laps.mark(".trig")
    ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), out / "clusterld.ttl",
                 format=ox.RdfFormat.TURTLE, prefixes=names)
    laps.mark(".ttl")
    with (out / "clusterld.jsonld").open("w", encoding="utf-8") as fh:
        for chunk in jsonld_chunks(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), context):
            fh.write(chunk)
    laps.mark(".jsonld")
    return len(triples), len(ordered)


def write_graph_turtle(graphs: dict[bytes, list[bytes]], graph: ox.NamedNode, path: Path
                       ) -> None:
    """One named graph of ``graphs`` (from :func:`by_graph`) as Turtle, triples sorted, with
    the prefixes."""
    name = str(graph).encode()
    triples = sorted(_triple_lines(name, graphs.get(name, [])))
    ox.serialize(ox.parse(_joined(triples), format=ox.RdfFormat.N_TRIPLES), path,
                 format=ox.RdfFormat.TURTLE, prefixes=prefixes())


def context() -> dict[str, object]:
    """The JSON-LD context shipped with the ontology (the dump's inline context)."""
    path = data_path("ontology") / "context.jsonld"
    if path.is_file():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return loaded.get("@context", loaded)
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


class Compactor:
    """Chooses the JSON-LD key and value form of each triple from a context's term definitions.

    Only what is unambiguous under JSON-LD 1.1 expansion is used: terms without coercion, terms
    typed ``@id`` or with a datatype (only for values of that kind), ``@language`` containers
    (only for language-tagged strings), prefixes for compact IRIs; everything else is written
    as an absolute IRI and an explicit value object. Under a context with ``@vocab``,
    ``@base``, a default ``@language`` or ``@version`` (which change how plain keys and strings
    expand) no term or prefix is used and strings are explicit ``{"@value": …}`` objects.
    """

    def __init__(self, ctx: dict[str, object]) -> None:
        self.plain = not any(k in ctx for k in ("@vocab", "@base", "@language", "@version"))
        self.prefixes: dict[str, str] = {}
        for key, value in ctx.items():
            if isinstance(value, str) and ":" not in key and not key.startswith("@") and (
                    value.endswith(("/", "#", ":")) and "://" in value):
                self.prefixes[key] = value
        self.id_key = self._alias(ctx, "@id")
        self.type_key = self._alias(ctx, "@type")
        self.class_term: dict[str, str] = {}
        self.iri_term: dict[str, str] = {}  # predicate → term typed @id
        self.simple_term: dict[str, str] = {}  # predicate → term without coercion
        self.lang_term: dict[str, str] = {}  # predicate → @language container term
        self.typed_term: dict[tuple[str, str], str] = {}  # (predicate, datatype) → term
        if not self.plain:
            return
        for key in sorted(ctx):
            value = ctx[key]
            if key.startswith("@") or ":" in key:
                continue
            if isinstance(value, str):
                if value.startswith("@"):
                    continue
                iri = self.expand(value)
                self.class_term.setdefault(iri, key)
                self.simple_term.setdefault(iri, key)
            elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                iri = self.expand(str(value["@id"]))
                extra = set(value) - {"@id", "@type", "@container"}
                kind, container = value.get("@type"), value.get("@container")
                if extra or (kind is not None and container is not None):
                    continue
                if container == "@language":
                    self.lang_term.setdefault(iri, key)
                elif container is not None:
                    continue
                elif kind == "@id":
                    self.iri_term.setdefault(iri, key)
                elif isinstance(kind, str) and not kind.startswith("@"):
                    self.typed_term.setdefault((iri, self.expand(kind)), key)
                elif kind is None:
                    self.simple_term.setdefault(iri, key)

    @staticmethod
    def _alias(ctx: dict[str, object], keyword: str) -> str:
        aliases = sorted(k for k, v in ctx.items() if v == keyword)
        return aliases[0] if aliases else keyword

    def expand(self, value: str) -> str:
        """A compact IRI of the context's prefixes as an absolute IRI."""
        prefix, sep, local = value.partition(":")
        if sep and not local.startswith("//") and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        return value

    def compact(self, iri: str) -> str:
        """``prefix:local`` when a prefix of the context fits, else the absolute IRI."""
        if not self.plain:
            return iri
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(iri) > len(ns) and len(ns) > len(self.prefixes.get(
                    best, "")):
                best = prefix
        if best:
            local = iri[len(self.prefixes[best]):]
            if not local.startswith("//"):
                return f"{best}:{local}"
        return iri


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def jsonld_chunks(triples: Iterable[ox.Triple], ctx: dict[str, object]) -> Iterator[str]:
    """A JSON-LD document of ``triples`` (grouped by subject, in the order given) with ``ctx``
    inline: one node object per line."""
    comp = Compactor(ctx)
    yield '{\n  "@context": ' + json.dumps(ctx, indent=2, ensure_ascii=False).replace(
        "\n", "\n  ") + ',\n  "@graph": ['
    separator = "\n    "
    node: dict[str, object] | None = None
    subject: object = None
    for triple in triples:
        if node is None or triple.subject != subject:
            if node is not None:
                yield separator + _node_json(node, comp)
                separator = ",\n    "
            subject = triple.subject
            node = {comp.id_key: _node_id(triple.subject)}  # type: ignore[arg-type]
        _add(node, comp, triple.predicate.value, triple.object)
    if node is not None:
        yield separator + _node_json(node, comp)
    yield "\n  ]\n}\n"


def _node_json(node: dict[str, object], comp: Compactor) -> str:
    """One node object on one line: its id, its types, then the properties."""
    types = node.pop(comp.type_key, None)
    if types is not None:
        node = {comp.id_key: node.pop(comp.id_key), comp.type_key: types, **node}
    return json.dumps(node, ensure_ascii=False)


def _push(node: dict[str, object], key: str, value: object) -> None:
    old = node.get(key)
    if old is None:
        node[key] = value
    elif isinstance(old, list):
        old.append(value)
    else:
        node[key] = [old, value]


def _add(node: dict[str, object], comp: Compactor, predicate: str, obj: object) -> None:
    if isinstance(obj, (ox.NamedNode, ox.BlankNode)):
        ref = _node_id(obj)
        if predicate == _RDF_TYPE:
            name = (comp.class_term.get(ref) or comp.compact(ref)) if isinstance(
                obj, ox.NamedNode) else ref
            _push(node, comp.type_key, name)
        elif predicate in comp.iri_term:
            _push(node, comp.iri_term[predicate], ref)
        else:
            _push(node, comp.simple_term.get(predicate) or comp.compact(predicate),
                  {comp.id_key: ref})
        return
    if not isinstance(obj, ox.Literal):
        raise TypeError(f"not a JSON-LD object: {obj!r}")
    language, datatype = obj.language, obj.datatype.value
    if language:
        term = comp.lang_term.get(predicate)
        if term is not None:
            values = node.setdefault(term, {})
            assert isinstance(values, dict)
            _push(values, language, obj.value)
            return
        value: object = {"@value": obj.value, "@language": language}
    elif datatype == _XSD_STRING:
        value = obj.value if comp.plain else {"@value": obj.value}
    else:
        term = comp.typed_term.get((predicate, datatype))
        if term is not None:
            _push(node, term, obj.value)
            return
        value = {"@value": obj.value, "@type": comp.compact(datatype)}
    _push(node, comp.simple_term.get(predicate) or comp.compact(predicate), value)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
