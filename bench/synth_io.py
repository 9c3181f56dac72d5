"""N-Quads / N-Triples output for the synthetic generator: terms, escaping and a counting sink.

Terms are handled as ready-made N-Quads strings (``<iri>``, ``"text"@fr``,
``"2024"^^<…#gYear>``) so that writing a line is one f-string.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import BinaryIO, TextIO

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Canonical N-Quads (RDF 1.2): ECHAR for " \ and the usual controls, UCHAR for the others.
_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_ESCAPES.update({0x22: '\\"', 0x5C: "\\\\", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t",
                 0x08: "\\b", 0x0C: "\\f"})
_NEEDS_ESCAPE = frozenset(chr(c) for c in _ESCAPES)


def escape(text: str) -> str:
    """The body of an N-Quads string literal."""
    if _NEEDS_ESCAPE.isdisjoint(text):
        return text
    return text.translate(_ESCAPES)


def iri(value: str) -> str:
    """``<value>`` (the caller guarantees a valid IRI)."""
    return f"<{value}>"


def lang(text: str, tag: str) -> str:
    """A language-tagged literal."""
    return f'"{escape(text)}"@{tag}'


def plain(text: str) -> str:
    """An xsd:string literal."""
    return f'"{escape(text)}"'


def typed(lexical: str, datatype: str) -> str:
    """A literal of an XSD datatype given by local name (``integer``, ``date``…)."""
    return f'"{escape(lexical)}"^^<{XSD}{datatype}>'


def integer(value: int) -> str:
    return f'"{value}"^^<{XSD}integer>'


def tenths(value: int) -> str:
    """``value``/10 like the converter writes it: xsd:integer when whole, else xsd:decimal."""
    if value % 10 == 0:
        return integer(value // 10)
    return f'"{value // 10}.{value % 10}"^^<{XSD}decimal>'


def date(text: str) -> str:
    """``2016`` → gYear, ``2016-12`` → gYearMonth, ``2016-12-01`` → date."""
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
    return f'"{text}"^^<{XSD}{kind}>'


def boolean(value: bool) -> str:
    return f'"{"true" if value else "false"}"^^<{XSD}boolean>'


class Sink:
    """Writes and counts lines; N-Triples drops the graph term."""

    def __init__(self, stream: TextIO, quads: bool = True, chunk: int = 20000) -> None:
        self.stream = stream
        self.quads = quads
        self.count = 0
        self._buf: list[str] = []
        self._chunk = chunk

    def add(self, s: str, p: str, o: str, g: str) -> None:
        """One statement; ``g`` is ignored for N-Triples."""
        if self.quads:
            self._buf.append(f"{s} {p} {o} {g} .\n")
        else:
            self._buf.append(f"{s} {p} {o} .\n")
        self.count += 1
        if len(self._buf) >= self._chunk:
            self.flush()

    def raw(self, lines: list[str]) -> None:
        """Complete lines (each ending in ``\\n``) already in the right format."""
        self._buf.extend(lines)
        self.count += len(lines)
        self.flush()

    def flush(self) -> None:
        if self._buf:
            self.stream.write("".join(self._buf))
            self._buf.clear()


def open_output(path: Path) -> tuple[BinaryIO, TextIO]:
    """A text stream to ``path``; gzip (with a fixed header) when it ends in ``.gz``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by the caller
    binary: BinaryIO = raw
    if path.suffix == ".gz":
        # no file name and mtime 0 in the header: same arguments, same bytes
        binary = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                               compresslevel=6)  # type: ignore[assignment]
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=False)
    return raw, text


def ontology_lines(paths: list[Path], graph: str, quads: bool) -> list[str]:
    """The ontology files as N-Quads lines in ``graph`` (blank nodes relabelled ``o1``…).

    Lines keep parse order, which is fixed for fixed files, so output stays deterministic.
    """
    import pyoxigraph as ox

    labels: dict[str, str] = {}
    seen: set[str] = set()
    lines: list[str] = []
    target = ox.NamedNode(graph)

    def term(node: object) -> object:
        if isinstance(node, ox.BlankNode):
            label = labels.setdefault(node.value, f"o{len(labels) + 1}")
            return ox.BlankNode(label)
        return node

    for path in paths:
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            triple = ox.Triple(term(q.subject), q.predicate, term(q.object))  # type: ignore[arg-type]
            line = f"{ox.Quad(triple.subject, triple.predicate, triple.object, target)} .\n" \
                if quads else f"{triple} .\n"
            if line not in seen:
                seen.add(line)
                lines.append(line)
    return lines
