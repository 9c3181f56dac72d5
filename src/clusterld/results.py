"""Formats of query results and RDF documents, and the capped result serialisers.

The serialisers stop after ``max_rows`` solutions or triples and say so: a cap is reported,
never silent. They run inside the query workers (:mod:`clusterld.workers`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
# Media types of SELECT/ASK results, in the server's order of preference.
RESULT_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
BOOLEAN_TYPES = (SPARQL_JSON, SPARQL_XML)
# RDF media types → pyoxigraph formats, in the server's order of preference.
RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
GRAPH_TYPES = tuple(RDF_TYPES)
# Short names accepted by ``?format=``; "json" is whichever JSON the route offers.
FORMAT_NAMES: dict[str, str | tuple[str, ...]] = {
    "json": (SPARQL_JSON, "application/json", "application/ld+json"), "srj": SPARQL_JSON,
    "xml": SPARQL_XML, "srx": SPARQL_XML,
    "csv": CSV, "tsv": TSV, "ttl": "text/turtle", "turtle": "text/turtle",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
    "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml", "owl": "application/rdf+xml",
    "trig": "application/trig", "nq": "application/n-quads", "nquads": "application/n-quads",
    "html": "text/html",
}
EXTENSIONS = {"ttl": "text/turtle", "jsonld": "application/ld+json",
              "nt": "application/n-triples", "rdf": "application/rdf+xml",
              "trig": "application/trig", "nq": "application/n-quads"}
PREFIXES = {
    "cld": "https://w3id.org/clusterld/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


@dataclass
class Serialized:
    """A serialised result: the bytes, their media type, and whether the cap cut them."""

    body: bytes
    media_type: str
    kind: str  # "select", "ask" or "graph"
    rows: int | None = 0  # None: not counted (pyoxigraph wrote the bytes)
    truncated: bool = False


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{escape(term.value)}</literal>")
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
            f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}"
            "</object></triple>")


def _csv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _capped(items: Iterable, max_rows: int | None) -> tuple[list, bool]:
    if max_rows is None:
        return list(items), False
    taken = list(islice(items, max_rows + 1))
    return taken[:max_rows], len(taken) > max_rows


def select(solutions: ox.QuerySolutions, media_type: str,
           max_rows: int | None) -> Serialized:
    """A SELECT result in ``media_type``, at most ``max_rows`` rows."""
    names = [v.value for v in solutions.variables]
    rows, truncated = _capped(([s[n] for n in names] for s in solutions), max_rows)
    if media_type == SPARQL_JSON:
        doc: dict = {"head": {"vars": names}, "results": {"bindings": [
            {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
            for row in rows]}}
        if truncated:
            doc["clusterld"] = {"truncated": True, "rowLimit": max_rows}
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    elif media_type == SPARQL_XML:
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               "<head>"]
        out += [f"<variable name={quoteattr(n)}/>" for n in names]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                    for n, t in zip(names, row, strict=True) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        body = "".join(out).encode()
    elif media_type == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        body = buffer.getvalue().encode()
    elif media_type == TSV:
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        body = ("\n".join(lines) + "\n").encode()
    else:
        raise ValueError(f"not a SELECT result format: {media_type}")
    return Serialized(body, media_type, "select", len(rows), truncated)


def ask(value: bool, media_type: str) -> Serialized:
    """An ASK result."""
    if media_type == SPARQL_XML:
        body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    elif media_type == SPARQL_JSON:
        body = json.dumps({"head": {}, "boolean": bool(value)}).encode()
    elif media_type in (CSV, TSV):  # not standard, but better than refusing
        body = (("_askResult\r\n" if media_type == CSV else "?_askResult\n")
                + ("true" if value else "false") + "\n").encode()
    else:
        raise ValueError(f"not an ASK result format: {media_type}")
    return Serialized(body, media_type, "ask", 1)


def as_quads(triples: Iterable[ox.Triple]) -> Iterator[ox.Quad]:
    """Triples in the default graph, for the dataset formats."""
    default = ox.DefaultGraph()
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, default)


def graph(triples: Iterable[ox.Triple], media_type: str, max_rows: int | None,
          prefixes: dict[str, str] | None = None) -> Serialized:
    """Triples (CONSTRUCT, DESCRIBE) in an RDF format, at most ``max_rows`` of them."""
    items, truncated = _capped(triples, max_rows)
    return Serialized(rdf(items, media_type, prefixes), media_type, "graph", len(items),
                      truncated)


def rdf(items: Iterable[ox.Triple] | Iterable[ox.Quad], media_type: str,
        prefixes: dict[str, str] | None = None) -> bytes:
    """Triples or quads serialised in ``media_type`` (quads flattened for triple formats)."""
    fmt = RDF_TYPES[media_type]
    items = list(items)
    quads = bool(items) and isinstance(items[0], ox.Quad)
    dataset = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)  # JSON-LD stays one graph
    if dataset and not quads:
        items = list(as_quads(items))
    elif not dataset and quads:
        items = list(dict.fromkeys(q.triple for q in items))
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        # declaring every prefix then dropping the unused lines is ~20× cheaper than
        # looking at every term in Python (used_prefixes)
        return trim_prefixes(ox.serialize(items, format=fmt, prefixes=prefixes or PREFIXES))
    if fmt == ox.RdfFormat.RDF_XML:
        used = used_prefixes(items, prefixes or PREFIXES)
        return ox.serialize(items, format=fmt, prefixes=used)
    return ox.serialize(items, format=fmt)


_PREFIX_LINE = re.compile(rb"@prefix ([A-Za-z][\w.-]*)?: <[^>]*> \.\n")


def trim_prefixes(document: bytes) -> bytes:
    """A Turtle/TriG document without the leading ``@prefix`` lines it does not use.

    A prefix counts as used when ``name:`` appears in the body not glued to a name
    character before it; a literal that happens to contain ``name:`` keeps a declaration
    that is not needed, which is harmless.
    """
    lines, end = [], 0
    while (match := _PREFIX_LINE.match(document, end)) is not None:
        lines.append(match)
        end = match.end()
    body = document[end:]
    return b"".join(m.group(0) for m in lines if _uses(body, (m.group(1) or b"") + b":")) + body


def _uses(body: bytes, name: bytes) -> bool:
    at = body.find(name)
    while at >= 0:
        if at == 0 or not (body[at - 1:at].isalnum() or body[at - 1] in b"_.-"):
            return True
        at = body.find(name, at + 1)
    return False


def used_prefixes(items: list, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes some IRI of ``items`` (or literal datatype) is in (tidy documents)."""
    spaces: set[str] = set()
    for item in items:
        for term in (item.subject, item.predicate, item.object):
            if isinstance(term, ox.Literal):
                term = term.datatype
            if isinstance(term, ox.NamedNode):
                value = term.value
                cut = max(value.rfind("#"), value.rfind("/"))
                spaces.add(value[:cut + 1])
    return {p: ns for p, ns in prefixes.items() if ns in spaces}
