"""Reading RDF safely: one parser (pyoxigraph) for every format, errors with line and column.

No remote JSON-LD context is ever fetched: pyoxigraph has no document loader set, so a
remote ``@context`` is an input error.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.term import Node

from clusterld.errors import InputError
from clusterld.graphsource import from_ox

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nq": "nquads",
    ".nt": "ntriples", ".jsonld": "jsonld", ".json": "jsonld", ".rdf": "rdfxml",
    ".owl": "rdfxml", ".xml": "rdfxml",
}
MEDIA_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/trig": "trig",
    "application/n-quads": "nquads", "application/n-triples": "ntriples",
    "text/plain": "ntriples", "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
}


def format_for(name: str | None = None, media_type: str | None = None) -> str | None:
    """Our format key from a file name (``.ttl``, ``.nq.gz``) or a media type."""
    if media_type:
        key = MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
        if key:
            return key
    if name:
        lower = name.lower().removesuffix(".gz")
        for ext, key in EXTENSIONS.items():
            if lower.endswith(ext):
                return key
    return None


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as an rdflib term; :class:`InputError` for what rdflib cannot hold
    (an RDF-star quoted triple)."""
    try:
        return from_ox(term)  # type: ignore[arg-type]
    except TypeError:
        raise InputError(f"unsupported RDF term {term!r}") from None


def parse_quads(data: bytes, fmt: str, *, source: str = "<input>",
                base_iri: str | None = None) -> list[ox.Quad]:
    """Parse ``data``; raise :class:`InputError` with line and column on a syntax error."""
    if fmt not in FORMATS:
        raise InputError(f"unknown RDF format '{fmt}' (known: {', '.join(FORMATS)})",
                         source=source)
    try:
        return list(ox.parse(data, format=FORMATS[fmt], base_iri=base_iri))
    except SyntaxError as exc:
        args = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else ()
        line = args[1] if len(args) > 1 else exc.lineno
        column = args[2] if len(args) > 2 else exc.offset
        raise InputError(str(exc.args[0] if exc.args else exc), source=source, line=line,
                         column=column) from None
    except (ValueError, OSError) as exc:
        raise InputError(str(exc), source=source) from None


def read_dataset(paths: list[Path]) -> Dataset:
    """Read RDF files of any supported format into one rdflib dataset."""
    ds = Dataset()
    for path in paths:
        fmt = format_for(path.name)
        if fmt is None:
            raise InputError("cannot tell the RDF format from the file name", source=str(path))
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), source=str(path)) from None
        if path.name.endswith(".gz"):
            import gzip

            raw = gzip.decompress(raw)
        add_quads(ds, parse_quads(raw, fmt, source=str(path)))
    return ds


def add_quads(ds: Dataset, quads: list[ox.Quad]) -> None:
    """Add pyoxigraph quads to an rdflib dataset."""
    for quad in quads:
        triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
        if isinstance(quad.graph_name, ox.DefaultGraph):
            ds.default_graph.add(triple)  # type: ignore[arg-type]
        else:
            ds.graph(to_rdflib(quad.graph_name)).add(triple)  # type: ignore[arg-type]

