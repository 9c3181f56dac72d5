"""Curated links to Wikidata as an SSSOM mapping set (``seeds/wikidata.sssom.tsv``).

The file is SSSOM/TSV with embedded metadata: ``#``-prefixed YAML lines (``curie_map``,
``mapping_set_id``, licence…), then one tab-separated row per mapping. A row whose
``mapping_justification`` is ``semapv:ManualMappingCuration`` is a *confirmed* link: a person
checked the Wikidata identifier against a source named in ``comment``. Rows proposed by
``clusterld link wikidata`` carry ``semapv:LexicalMatching`` and stay out of the graph until a
person confirms them (changes the justification and fills ``reviewer_id``).

:func:`add_links` writes the confirmed links into the named graph ``{base}graph/links``:
``<entity> skos:exactMatch <http://www.wikidata.org/entity/Q…>``, each with a reified
statement derived from a mapping node that carries the justification, confidence, author and
date (PROV + SSSOM vocabulary).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from clusterld.errors import SeedError

if TYPE_CHECKING:
    from clusterld.iri import Minter
    from clusterld.seeds import SeedSet

FILE_NAME = "wikidata.sssom.tsv"
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
WIKIDATA = "http://www.wikidata.org/entity/"
ENTITY_PREFIX = "cldid"
CONFIRMED = "semapv:ManualMappingCuration"
PROPOSED = "semapv:LexicalMatching"
JUSTIFICATIONS = (CONFIRMED, PROPOSED)
EXACT_MATCH = "skos:exactMatch"
QID = re.compile(r"^Q[1-9][0-9]*$")
CURIE_MAP = {
    ENTITY_PREFIX: "https://w3id.org/clusterld/id/",
    "wikidata": WIKIDATA,
    "skos": str(SKOS),
    "semapv": str(SEMAPV),
    "cldteam": "https://w3id.org/clusterld/team/",
}
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
           "mapping_justification", "confidence", "author_id", "author_label", "mapping_date",
           "reviewer_id", "reviewer_label", "mapping_tool", "comment")
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")


@dataclass
class Mapping:
    """One row of the mapping set (``line`` is its line in the file, 1-based)."""

    subject_id: str
    predicate_id: str = EXACT_MATCH
    object_id: str = ""
    mapping_justification: str = PROPOSED
    subject_label: str = ""
    object_label: str = ""
    confidence: str = ""
    author_id: str = ""
    author_label: str = ""
    mapping_date: str = ""
    reviewer_id: str = ""
    reviewer_label: str = ""
    mapping_tool: str = ""
    comment: str = ""
    line: int = 0

    @property
    def entity_id(self) -> str:
        """The seed id of the subject (``cldid:place/morocco`` → ``place/morocco``)."""
        sid = self.subject_id.strip()
        for prefix in (f"{ENTITY_PREFIX}:", CURIE_MAP[ENTITY_PREFIX]):
            if sid.startswith(prefix):
                return sid[len(prefix):]
        if "/id/" in sid and sid.startswith("http"):
            return sid.split("/id/", 1)[1]
        return sid

    @property
    def qid(self) -> str:
        """The Wikidata identifier of the object (``wikidata:Q1028`` → ``Q1028``)."""
        oid = self.object_id.strip()
        for prefix in ("wikidata:", WIKIDATA, "wd:"):
            if oid.startswith(prefix):
                return oid[len(prefix):]
        return oid

    @property
    def confirmed(self) -> bool:
        """True for a link a person confirmed from a source."""
        return self.mapping_justification == CONFIRMED

    def row(self) -> dict[str, str]:
        """The TSV cells of this mapping."""
        return {c: str(getattr(self, c) or "") for c in COLUMNS}


@dataclass
class MappingSet:
    """The metadata block and the rows of an SSSOM/TSV file."""

    metadata: dict[str, Any] = field(default_factory=dict)
    mappings: list[Mapping] = field(default_factory=list)

    def confirmed(self) -> list[Mapping]:
        """The confirmed rows, in file order."""
        return [m for m in self.mappings if m.confirmed]

    def linked(self) -> dict[str, str]:
        """Seed id → Wikidata id of every confirmed link."""
        return {m.entity_id: m.qid for m in self.confirmed()}


def default_metadata() -> dict[str, Any]:
    """The metadata block of a new mapping set."""
    return {
        "curie_map": dict(CURIE_MAP),
        "mapping_set_id": "https://w3id.org/clusterld/download/wikidata.sssom.tsv",
        "mapping_set_title": "clusterld entities to Wikidata items",
        "mapping_set_description": (
            "Curated skos:exactMatch links from clusterld entities to Wikidata items. Rows "
            "justified by semapv:ManualMappingCuration are confirmed from the source named in "
            "their comment; semapv:LexicalMatching rows are unconfirmed proposals."),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "subject_source": "https://w3id.org/clusterld/dataset",
        "object_source": "http://www.wikidata.org/",
    }


def read(path: Path) -> MappingSet:
    """Parse an SSSOM/TSV file; raise :class:`SeedError` (``file:line: message``) on bad input."""
    text = path.read_text(encoding="utf-8")
    header: list[str] = []
    body_start = 0
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            body_start = i
            break
        header.append(line[1:])
    else:
        body_start = len(lines)
    try:
        metadata = yaml.safe_load("".join(header)) or {}
    except yaml.YAMLError as exc:
        raise SeedError([f"{path}:1: SSSOM metadata block is not YAML: {exc}"]) from None
    if not isinstance(metadata, dict):
        raise SeedError([f"{path}:1: SSSOM metadata block must be a mapping"])
    mset = MappingSet(metadata=metadata)
    reader = csv.reader(io.StringIO("".join(lines[body_start:])), delimiter="\t",
                        quoting=csv.QUOTE_NONE)
    columns: list[str] | None = None
    known = {f.name for f in fields(Mapping)} - {"line"}
    problems: list[str] = []
    for offset, cells in enumerate(reader):
        lineno = body_start + offset + 1
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = [c.strip() for c in cells]
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                problems.append(f"{path}:{lineno}: missing column(s) {', '.join(missing)}")
                break
            continue
        if len(cells) > len(columns):
            problems.append(f"{path}:{lineno}: {len(cells)} cells for {len(columns)} columns")
            continue
        values = {c: v.strip() for c, v in zip(columns, cells, strict=False) if c in known}
        mset.mappings.append(Mapping(**values, line=lineno))
    if problems:
        raise SeedError(problems)
    return mset


def write(path: Path, mset: MappingSet) -> None:
    """Write the mapping set as SSSOM/TSV (metadata block, header, rows in order)."""
    out = io.StringIO()
    meta = yaml.safe_dump(mset.metadata or default_metadata(), sort_keys=False,
                          allow_unicode=True, width=1000)
    for line in meta.splitlines():
        out.write(f"#{line}\n")
    out.write("\t".join(COLUMNS) + "\n")
    for m in mset.mappings:
        cells = m.row()
        out.write("\t".join(" ".join(cells[c].split("\t")).replace("\n", " ")
                            for c in COLUMNS) + "\n")
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    tmp.replace(path)


def problems(mset: MappingSet, known_ids: set[str] | None, path: Path | str) -> list[str]:
    """Every mistake of the mapping set as ``file:line: message`` (empty when fine).

    ``known_ids`` are the seed ids subjects must name (``None`` skips that check).
    """
    found: list[str] = []
    confirmed_for: dict[str, int] = {}
    for m in mset.mappings:
        where = f"{path}:{m.line}"
        if known_ids is not None and m.entity_id not in known_ids:
            found.append(f"{where}: unknown subject_id '{m.subject_id}' (no such seed entity)")
        if m.predicate_id != EXACT_MATCH:
            found.append(f"{where}: predicate_id must be {EXACT_MATCH}, not '{m.predicate_id}'")
        if not QID.match(m.qid):
            found.append(f"{where}: object_id '{m.object_id}' is not a Wikidata item "
                         "(wikidata:Q…)")
        if m.mapping_justification not in JUSTIFICATIONS:
            found.append(f"{where}: mapping_justification must be one of "
                         f"{', '.join(JUSTIFICATIONS)}")
        if m.confidence:
            try:
                value = Decimal(m.confidence)
            except InvalidOperation:
                value = Decimal(-1)
            if not Decimal(0) <= value <= Decimal(1):
                found.append(f"{where}: confidence must be a number from 0 to 1")
        if m.mapping_date:
            try:
                dt.date.fromisoformat(m.mapping_date)
            except ValueError:
                found.append(f"{where}: mapping_date must be YYYY-MM-DD")
        if m.confirmed:
            for name in ("author_id", "mapping_date", "comment"):
                if not getattr(m, name):
                    found.append(f"{where}: a confirmed mapping needs {name} (who, when, how)")
            if m.entity_id in confirmed_for:
                found.append(f"{where}: '{m.entity_id}' already has a confirmed link at line "
                             f"{confirmed_for[m.entity_id]} (one Wikidata item per entity)")
            confirmed_for.setdefault(m.entity_id, m.line)
    return found


def load_checked(path: Path, known_ids: set[str] | None) -> MappingSet:
    """Read and validate; raise :class:`SeedError` listing every problem."""
    mset = read(path)
    found = problems(mset, known_ids, path)
    if found:
        raise SeedError(found)
    return mset


def links_file(seeds: SeedSet) -> Path | None:
    """The mapping set beside the seed files the set was loaded from (None if there is none)."""
    for source in seeds.sources.values():
        where = source.where.rsplit(":", 1)[0]
        if where:
            candidate = Path(where).parent / FILE_NAME
            return candidate if candidate.is_file() else None
    return None


def mapping_iri(mint: Minter, entity_id: str) -> URIRef:
    """The node describing how one entity's Wikidata link was found."""
    return URIRef(f"{mint.base}id/mapping/wikidata/{entity_id}")


def mapping_set_iri(mint: Minter) -> URIRef:
    """The mapping set as published (the dump file)."""
    return URIRef(f"{mint.base}download/{FILE_NAME}")


def add_links(ds: Dataset, seeds: SeedSet, mint: Minter, path: Path | None = None) -> int:
    """Write the confirmed links of the seeds' mapping set into ``{base}graph/links``.

    Returns the number of links written. Unknown subjects raise :class:`SeedError`.
    """
    path = path or links_file(seeds)
    if path is None:
        return 0
    mset = load_checked(path, set(seeds.entities))
    if not mset.confirmed():
        return 0
    graph = ds.graph(mint.graph("links"))
    meta = ds.graph(mint.graph("meta"))
    ds.bind("sssom", SSSOM)
    ds.bind("semapv", SEMAPV)
    mapping_set = mapping_set_iri(mint)
    meta.add((mint.graph("links"), RDF.type, PROV.Entity))
    meta.add((mint.graph("links"), PROV.wasDerivedFrom, mapping_set))
    meta.add((mint.graph("links"), DCTERMS.source, mapping_set))
    graph.add((mapping_set, RDF.type, SSSOM.MappingSet))
    graph.add((mapping_set, RDF.type, PROV.Entity))
    graph.add((mapping_set, DCTERMS.title, Literal(
        str(mset.metadata.get("mapping_set_title") or "clusterld to Wikidata"), lang="en")))
    if mset.metadata.get("license"):
        graph.add((mapping_set, DCTERMS.license, URIRef(str(mset.metadata["license"]))))
    graph.add((mapping_set, DCAT.downloadURL, mapping_set))
    for m in mset.confirmed():
        _add_link(graph, mint, m, mapping_set)
    return len(mset.confirmed())


def _add_link(graph: Any, mint: Minter, m: Mapping, mapping_set: URIRef) -> None:
    """The link and its mapping node, which annotates it the way SSSOM's RDF form does
    (``owl:annotatedSource``/``Property``/``Target``): the shapes reserve ``rdf:Statement``
    for facts derived from a text span."""
    subject = mint.entity(m.entity_id)
    target = URIRef(WIKIDATA + m.qid)
    graph.add((subject, SKOS.exactMatch, target))
    node = mapping_iri(mint, m.entity_id)
    graph.add((node, RDF.type, SSSOM.Mapping))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, OWL.annotatedSource, subject))
    graph.add((node, OWL.annotatedProperty, SKOS.exactMatch))
    graph.add((node, OWL.annotatedTarget, target))
    graph.add((node, DCTERMS.isPartOf, mapping_set))
    graph.add((node, PROV.wasDerivedFrom, mapping_set))
    graph.add((node, SSSOM.mapping_justification, _expand(m.mapping_justification)))
    if m.confidence:
        graph.add((node, SSSOM.confidence, Literal(Decimal(m.confidence),
                                                   datatype=XSD.decimal)))
    if m.author_id:
        graph.add((node, PROV.wasAttributedTo, _expand(m.author_id)))
    if m.author_label:
        graph.add((node, SSSOM.author_label, Literal(m.author_label)))
    if m.reviewer_id:
        graph.add((node, SSSOM.reviewer_id, _expand(m.reviewer_id)))
    if m.mapping_date:
        graph.add((node, DCTERMS.date, Literal(m.mapping_date, datatype=XSD.date)))
    if m.comment:
        graph.add((node, RDFS.comment, Literal(m.comment, lang="en")))


def _expand(curie: str) -> URIRef:
    prefix, sep, local = curie.partition(":")
    if sep and prefix in CURIE_MAP:
        return URIRef(CURIE_MAP[prefix] + local)
    return URIRef(curie)


def write_dump(out: Path, seeds_dir: Path) -> Path:
    """Copy the mapping set into the build directory (an empty set when there is none)."""
    source = seeds_dir / FILE_NAME
    target = out / FILE_NAME
    if source.is_file():
        target.write_bytes(source.read_bytes())
    else:
        write(target, MappingSet(metadata=default_metadata()))
    return target


def describe_linkset(void: Any, dataset: URIRef, union: Any, mint: Minter) -> URIRef:
    """Add the VoID linkset of the Wikidata links to a VoID graph; returns its IRI."""
    from rdflib.namespace import VOID

    linkset = URIRef(f"{dataset}#linkset-wikidata")
    wikidata = URIRef("http://www.wikidata.org/")
    links = sum(1 for _, o in union.subject_objects(SKOS.exactMatch)
                if str(o).startswith(WIKIDATA))
    void.bind("skos", SKOS)
    void.add((dataset, VOID.subset, linkset))
    void.add((linkset, RDF.type, VOID.Linkset))
    void.add((linkset, DCTERMS.title, Literal("Links to Wikidata (skos:exactMatch)", lang="en")))
    void.add((linkset, VOID.subjectsTarget, dataset))
    void.add((linkset, VOID.objectsTarget, wikidata))
    void.add((linkset, VOID.linkPredicate, SKOS.exactMatch))
    void.add((linkset, VOID.triples, Literal(links)))
    void.add((linkset, DCTERMS.source, mapping_set_iri(mint)))
    void.add((linkset, VOID.dataDump, mapping_set_iri(mint)))
    void.add((wikidata, RDF.type, VOID.Dataset))
    void.add((wikidata, VOID.uriSpace, Literal(WIKIDATA)))
    void.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    return linkset
