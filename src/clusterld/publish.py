"""Stage 4: validate the converted dataset and write the dumps, VoID/DCAT and checksums.

After conversion the build runs on a pyoxigraph store (Rust): the converter's rdflib
``Dataset`` goes into an in-memory ``Store`` with canonical blank node labels (RDFC-1.0), SHACL
reads it through :class:`clusterld.graphsource.OxigraphSource`, the dumps are written by
pyoxigraph's serialisers (:mod:`clusterld.dumps`) and the VoID statistics are SPARQL queries.
The rdflib helpers (:func:`canonical`, :func:`data_graph`, …) stay for the tests and commands
that work on small rdflib graphs.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS, VOID, XSD

from clusterld import __version__, schema, sssom
from clusterld import seeds as seeds_mod
from clusterld.convert import Converter, QuadList
from clusterld.dumps import (
    DUMPS,
    BuildResult,
    Laps,
    by_graph,
    context,
    sha256,
    write_graph_turtle,
    write_rdf,
)
from clusterld.errors import ValidationFailed
from clusterld.graphsource import OxigraphSource, from_ox, to_ox
from clusterld.incremental import IncrementalValidator
from clusterld.iri import Minter
from clusterld.paths import data_path
from clusterld.setshacl import SetValidator
from clusterld.sharded import ShardedReport
from clusterld.validate import Validator, format_report

SPDX = Namespace("http://spdx.org/rdf/terms#")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def _stderr_log() -> Callable[[str], None]:
    """A logger bound to today's stderr: the reasoner's thread swaps ``sys.stderr`` for a
    buffer while owlready2 talks (``contextlib.redirect_stderr`` is process-wide)."""
    stream = sys.stderr

    def log(msg: str) -> None:
        print(msg, file=stream, flush=True)

    return log


def canonical(ds: Dataset) -> Dataset:
    """A copy of ``ds`` whose blank nodes carry content-derived labels (deterministic output)."""
    out = Dataset()
    for prefix, ns in ds.namespaces():
        out.bind(prefix, ns)
    for graph in ds.graphs():
        if not len(graph):
            continue
        target = out.graph(graph.identifier)
        source = to_canonical_graph(graph) if any(
            t.__class__.__name__ == "BNode" for triple in graph for t in triple) else graph
        for triple in source:
            target.add(triple)
    return out


def nquads_lines(ds: Dataset) -> list[str]:
    """The dataset as sorted N-Quads lines."""
    text = ds.serialize(format="nquads")
    return sorted({line for line in text.splitlines() if line.strip()})


def union_graph(ds: Dataset) -> Graph:
    """All triples of every graph, with the dataset's prefixes."""
    graph = Graph()
    for prefix, ns in ds.namespaces():
        graph.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def data_graph(ds: Dataset, mint: Minter) -> Graph:
    """The facts without the ontology graph (what SHACL and the reasoner check)."""
    graph = Graph()
    ontology = mint.graph("ontology")
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g != ontology:
            graph.add((s, p, o))
    return graph


def build_dataset(base: str | None = None) -> Dataset:
    """Seeds → converted, canonical dataset (no validation)."""
    seeds = seeds_mod.load()
    return canonical(Converter(seeds, base).convert())


@dataclass
class Loaded:
    """The converted graph: its distinct quads as N-Quads lines in pyoxigraph's form (blank
    nodes labelled by RDFC-1.0, literals as written: what the dumps are made of) and an
    in-memory pyoxigraph store of them (SPARQL and pattern lookups: SHACL, statistics)."""

    lines: list[bytes]
    store: ox.Store


def from_nquads(data: bytes | Path, laps: Laps | None = None) -> Loaded:
    """N-Quads (bytes or a file) → pyoxigraph, with canonical blank node labels.

    RDFC-1.0 gives every blank node a label derived from the dataset's content, so the same
    graph makes the same dumps byte for byte, whatever labels it was parsed with. The lines
    are re-serialised by pyoxigraph (one form per quad), not kept as given. ``laps`` gets the
    seconds of the parse, canonical and store steps.
    """
    laps = laps or Laps()
    blank, rest = split_blank(data.read_bytes() if isinstance(data, Path) else data)
    lines = set(ox.serialize(ox.parse(rest, format=ox.RdfFormat.N_QUADS),
                             format=ox.RdfFormat.N_QUADS).splitlines())
    laps.mark("parse")
    canonical_part = ox.Dataset(ox.parse(blank, format=ox.RdfFormat.N_QUADS))
    canonical_part.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines.update(ox.serialize(canonical_part, format=ox.RdfFormat.N_QUADS).splitlines())
    laps.mark("canonical")
    store = ox.Store()
    store.bulk_load(rest, format=ox.RdfFormat.N_QUADS)
    store.bulk_extend(canonical_part)
    laps.mark("store")
    return Loaded(list(lines), store)


def split_blank(data: bytes) -> tuple[bytes, bytes]:
    """(the N-Quads lines with ``_:`` in them, the other lines).

    The first part holds every quad mentioning a blank node (and maybe quads with ``_:`` in a
    literal or an IRI). RDFC-1.0 labels a blank node from the quads that mention it, and from
    the blank nodes those mention, so canonicalising that part alone gives the labels of the
    whole dataset (``tests/test_build_parallel.py`` checks it) without hashing every quad.
    """
    blank: list[bytes] = []
    rest: list[bytes] = []
    kept = 0
    found = data.find(b"_:")
    while found >= 0:
        start = data.rfind(b"\n", 0, found) + 1
        end = data.find(b"\n", found)
        end = len(data) if end < 0 else end + 1
        rest.append(data[kept:start])
        blank.append(data[start:end] if data.endswith(b"\n", 0, end) else data[start:end] + b"\n")
        kept = end
        found = data.find(b"_:", end)
    rest.append(data[kept:])
    return b"".join(blank), b"".join(rest)


def from_quads(converted: QuadList) -> Loaded:
    """The converter's quads in pyoxigraph (see :func:`from_nquads`)."""
    return from_nquads(ox.serialize(converted.to_ox(), format=ox.RdfFormat.N_QUADS))


def load(ds: Dataset) -> Loaded:
    """The converter's rdflib ``Dataset`` in pyoxigraph (see :func:`from_nquads`)."""
    return from_nquads(ds.serialize(format="nquads", encoding="utf-8"))


def data_source(store: ox.Store, mint: Minter) -> OxigraphSource:
    """The facts of ``store`` without the ontology graph, as SHACL reads them."""
    return OxigraphSource(store, exclude=[mint.graph("ontology")])


def build(out: Path, base: str | None = None, *, reason: bool = True, processes: int = 1,
          seeds_dir: Path | None = None, text_dir: Path | None = None,
          log: Callable[[str], None] | None = None) -> BuildResult:
    """Load, convert, validate and write every dump to ``out``.

    The seeds (``seeds_dir``, default ``seeds/``; article texts in ``text_dir``) are
    converted straight into pyoxigraph, without an rdflib ``Dataset``. SHACL runs through
    :class:`clusterld.setshacl.SetValidator` on the store (pyshacl's results, checked a whole
    shape at a time); ``processes`` > 1 re-validates flagged nodes in that many forked
    processes (same report, same dumps). ``log`` defaults to stderr.
    """
    started = time.perf_counter()
    if log is None:
        log = _stderr_log()
    mint = Minter(base)
    log("clusterld build: loading seeds")
    seeds = seeds_mod.load(seeds_dir, text_dir=text_dir)
    log(f"  {len(seeds.entities)} entities from {len(seeds.sources)} sources")
    converted = Converter(seeds, base).quads()
    loaded = from_quads(converted)
    store = loaded.store
    source = data_source(store, mint)
    log(f"  converted: {count_data(store, mint)} triples of data")
    validator = Validator()
    reasoning = _reasoner(validator, converted, mint) if reason else None
    report = SetValidator(IncrementalValidator.from_validator(validator)).validate(
        source, processes=processes)
    if not report.conforms:
        if reasoning is not None:
            reasoning.result()  # not left running; SHACL's verdict is the one reported
        raise ValidationFailed("the knowledge graph does not conform to the shapes:\n"
                               + format_report(report, labels_of(report, store)))
    log("  SHACL: conforms")
    staging = out.with_name(f".{out.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        result = write_dumps(loaded, staging, mint, seeds_dir=seeds_dir)
        if reasoning is not None:
            log(f"  OWL reasoner: consistent ({reasoning.result()})")
        out.mkdir(parents=True, exist_ok=True)
        for name, path in result.files.items():
            path.replace(out / name)
        for extra in staging.iterdir():
            extra.replace(out / extra.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.out = out
    result.files = {name: out / name for name in result.files}
    result.per_class = entities_per_class(store, mint)
    result.seconds = time.perf_counter() - started
    log("  entities per class: " + ", ".join(f"{k} {v}" for k, v in result.per_class.items()))
    log(f"  {result.triples} triples, {result.quads} quads, conforms: yes, "
        f"{result.seconds:.1f} s → {out}")
    return result


def _reasoner(validator: Validator, converted: QuadList, mint: Minter) -> Future[object]:
    """The OWL consistency check of the data, started in a thread: HermiT runs in a Java
    process, alongside SHACL and the dumps (which are kept out of ``out`` until it passes)."""
    from clusterld.reason import check_consistency

    ontology = mint.graph("ontology")
    triples = (quad[:3] for quad in converted.quads if quad[3] != ontology)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clusterld-reasoner")
    future = pool.submit(check_consistency, validator.ontology, triples)
    pool.shutdown(wait=False)
    return future


def _select(store: ox.Store, query: str, union: bool = False, **bound: ox.Term
            ) -> Iterator[ox.QuerySolution]:
    """The solutions of a SELECT, ``bound`` values substituted for the variables of their names
    (pyoxigraph binds them before filters and grouping; they must be projected)."""
    solutions = store.query(query, use_default_graph_as_union=union, substitutions={
        ox.Variable(name): value for name, value in bound.items()})
    assert isinstance(solutions, ox.QuerySolutions)
    return iter(solutions)


def _int(term: ox.Term | None) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def count_data(store: ox.Store, mint: Minter) -> int:
    """Distinct triples of every graph but the ontology."""
    query = """SELECT ?ontology (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?ontology ?s ?p ?o
                 WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?ontology) } }
               } GROUP BY ?ontology"""
    ontology = ox.NamedNode(str(mint.graph("ontology")))
    return sum(_int(row["n"]) for row in _select(store, query, ontology=ontology))


def entities_per_class(store: ox.Store, mint: Minter) -> dict[str, int]:
    """How many subjects of the data (not the ontology) have each clusterld class (asserted)."""
    query = """SELECT ?ontology ?ns ?span ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
                 { ?s a ?c } UNION { GRAPH ?g { ?s a ?c } FILTER(?g != ?ontology) }
                 FILTER(isIRI(?c) && STRSTARTS(STR(?c), STR(?ns)) && ?c != ?span)
               } GROUP BY ?ontology ?ns ?span ?c"""
    found = _select(store, query, ontology=ox.NamedNode(str(mint.graph("ontology"))),
                    ns=ox.Literal(schema.ONTOLOGY_NS),
                    span=ox.NamedNode(schema.ONTOLOGY_NS + "TextSpan"))
    counts = {row["c"].value[len(schema.ONTOLOGY_NS):]: _int(row["n"]) for row in found}
    return dict(sorted(counts.items()))


def labels_of(report: ShardedReport, store: ox.Store) -> Graph:
    """The labels of the nodes a failed report names (what :func:`format_report` prints)."""
    graph = Graph()
    nodes = {n for r in report.results for n in (r.focus, r.path, r.value)
             if isinstance(n, URIRef)}
    for node in sorted(nodes):
        for predicate in (SKOS.prefLabel, RDFS.label):
            for quad in store.quads_for_pattern(to_ox(node), to_ox(predicate), None, None):
                graph.add((node, predicate, from_ox(quad.object)))
    return graph


def write_dumps(loaded: Loaded, out: Path, mint: Minter, laps: Laps | None = None, *,
                seeds_dir: Path | None = None) -> BuildResult:
    """Write the dump files, VoID/DCAT and SHA256SUMS of ``loaded`` into ``out``
    (``laps``: the seconds of each step)."""
    laps = laps or Laps()
    result = BuildResult(out=out)
    ctx = context()
    (out / "context.jsonld").write_text(json.dumps({"@context": ctx}, indent=2,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    store = loaded.store
    graphs = by_graph(loaded.lines, store)
    result.triples, result.quads = write_rdf(graphs, out, ctx, laps)
    write_graph_turtle(graphs, ox.NamedNode(str(mint.graph("ontology"))), out / "ontology.ttl")
    shapes = Validator().shapes
    (out / "shapes.ttl").write_bytes(shapes.serialize(format="turtle", encoding="utf-8"))
    sssom.write_dump(out, seeds_dir or data_path("seeds"))
    laps.mark("ontology, shapes, SSSOM")
    result.files = {name: out / name for name in DUMPS}
    void = describe(store, result, mint)
    (out / "void.ttl").write_bytes(void.serialize(format="turtle", encoding="utf-8"))
    result.files["void.ttl"] = out / "void.ttl"
    laps.mark("VoID (SPARQL statistics, checksums)")
    sums = [f"{sha256(path)}  {name}" for name, path in sorted(result.files.items())]
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    result.files["SHA256SUMS"] = out / "SHA256SUMS"
    laps.mark("SHA256SUMS")
    return result


class _StoreLinks:
    """The part of an rdflib Graph :func:`clusterld.sssom.describe_linkset` reads, on a store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def subject_objects(self, predicate: URIRef) -> Iterator[tuple[object, object]]:
        query = "SELECT DISTINCT ?p ?s ?o WHERE { ?s ?p ?o }"
        for row in _select(self.store, query, union=True, p=to_ox(predicate)):
            yield from_ox(row["s"]), from_ox(row["o"])


def describe(store: ox.Store, result: BuildResult, mint: Minter) -> Graph:
    """VoID + DCAT description of the dataset and its distributions (statistics by SPARQL)."""
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("spdx", SPDX),
                       ("cld", Namespace(schema.ONTOLOGY_NS))):
        g.bind(prefix, ns)
    dataset = mint.dataset()
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("clusterld knowledge graph", lang="en")))
    g.add((dataset, DCTERMS.title, Literal("Graphe de connaissances clusterld", lang="fr")))
    g.add((dataset, DCTERMS.description, Literal(
        "Industrial clusters, associations, agreements, programmes and people of North "
        "Africa and the Mediterranean, from press articles, every fact with its source.",
        lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    g.add((dataset, VOID.uriSpace, Literal(mint.base + "id/")))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(mint.base + "sparql")))
    g.add((dataset, VOID.vocabulary, URIRef(schema.ONTOLOGY_NS)))
    g.add((dataset, VOID.triples, Literal(result.triples)))
    query = """SELECT ?ids (COUNT(DISTINCT ?s) AS ?subjects)
                      (COUNT(DISTINCT IF(STRSTARTS(STR(?s), ?ids), ?s, ?none)) AS ?entities)
               WHERE { ?s ?p ?o FILTER(isIRI(?s)) } GROUP BY ?ids"""
    rows = list(_select(store, query, union=True, ids=ox.Literal(mint.base + "id/")))
    g.add((dataset, VOID.distinctSubjects, Literal(sum(_int(r["subjects"]) for r in rows))))
    g.add((dataset, VOID.entities, Literal(sum(_int(r["entities"]) for r in rows))))
    query = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
    classes = sorted(((from_ox(r["c"]), _int(r["n"])) for r in _select(store, query, union=True)),
                     key=lambda cn: (type(cn[0]).__name__ != "URIRef", str(cn[0])))
    for i, (cls, count) in enumerate(classes):
        part = URIRef(f"{dataset}#class-{i}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    sssom.describe_linkset(g, dataset, _StoreLinks(store), mint)
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    for name, count in sorted((r["g"].value, _int(r["n"])) for r in _select(store, query)
                              if isinstance(r["g"], ox.NamedNode)):
        if name.startswith(mint.base) and count:
            graph = URIRef(name)
            g.add((dataset, VOID.subset, graph))
            g.add((graph, RDF.type, VOID.Dataset))
            g.add((graph, VOID.triples, Literal(count)))
    for name, (media, title) in DUMPS.items():
        path = result.out / name
        dist = URIRef(f"{mint.base}download/{name}")
        g.add((dataset, VOID.dataDump, dist))
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        g.add((dist, DCTERMS.license, LICENSE))
        if path.is_file():
            size = Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)
            g.add((dist, DCAT.byteSize, size))
            checksum = URIRef(f"{dist}#sha256")
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(sha256(path), datatype=XSD.hexBinary)))
    return g
