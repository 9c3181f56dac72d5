"""Stage 4: validate the converted dataset and write the dumps, VoID/DCAT and checksums."""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from clusterld import __version__, rdflibfast, schema, sssom
from clusterld import seeds as seeds_mod
from clusterld.convert import PREFIXES, Converter
from clusterld.errors import ClusterldError, ValidationFailed
from clusterld.incremental import IncrementalValidator
from clusterld.iri import Minter
from clusterld.paths import data_path
from clusterld.setshacl import SetValidator
from clusterld.validate import Validator, format_report

SPDX = Namespace("http://spdx.org/rdf/terms#")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
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


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


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


def build(out: Path, base: str | None = None, *, reason: bool = True, processes: int = 1,
          log: Callable[[str], None] = _log) -> BuildResult:
    """Load, convert, validate and write every dump to ``out``.

    SHACL runs through :class:`clusterld.sharded.ShardedValidator` (pyshacl's results, without
    materialising the RDFS closure of the whole graph); ``processes`` > 1 validates and writes
    the dumps in that many forked processes.
    """
    started = time.perf_counter()
    mint = Minter(base)
    log("clusterld build: loading seeds")
    seeds = seeds_mod.load()
    log(f"  {len(seeds.entities)} entities from {len(seeds.sources)} sources")
    ds = canonical(Converter(seeds, base).convert())
    data = data_graph(ds, mint)
    log(f"  converted: {len(data)} triples of data")
    validator = Validator()
    report = SetValidator(IncrementalValidator.from_validator(validator)).validate(
        data, processes=processes)
    if not report.conforms:
        raise ValidationFailed("the knowledge graph does not conform to the shapes:\n"
                               + format_report(report, data))
    log("  SHACL: conforms")
    if reason:
        from clusterld.reason import check_consistency

        rep = check_consistency(validator.ontology, data)
        log(f"  OWL reasoner: consistent ({rep})")
    out.mkdir(parents=True, exist_ok=True)
    result = write_dumps(ds, out, mint, processes=processes)
    result.per_class = entities_per_class(data)
    result.seconds = time.perf_counter() - started
    log("  entities per class: " + ", ".join(f"{k} {v}" for k, v in result.per_class.items()))
    log(f"  {result.triples} triples, {result.quads} quads, conforms: yes, "
        f"{result.seconds:.1f} s → {out}")
    return result


def entities_per_class(graph: Graph) -> dict[str, int]:
    """How many subjects have each clusterld class (asserted types only)."""
    counts: Counter[str] = Counter()
    for cls in graph.objects(None, RDF.type):
        if str(cls).startswith(schema.ONTOLOGY_NS) and cls != URIRef(
                schema.ONTOLOGY_NS + "TextSpan"):
            counts[str(cls)[len(schema.ONTOLOGY_NS):]] = len(set(graph.subjects(RDF.type, cls)))
    return dict(sorted(counts.items()))


def _context() -> dict[str, object]:
    path = data_path("ontology") / "context.jsonld"
    if path.is_file():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return loaded.get("@context", loaded)
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def write_dumps(ds: Dataset, out: Path, mint: Minter, *, processes: int = 1) -> BuildResult:
    """Write the dump files, VoID/DCAT and SHA256SUMS.

    With ``processes`` > 1 the TriG and Turtle dumps (rdflib's slowest serialisers, ~3/4 of
    the time) are written by forked child processes while this one writes the others: same
    bytes, less wall time on several cores.
    """
    rdflibfast.install()
    result = BuildResult(out=out)
    union = union_graph(ds)
    result.triples = len(union)
    jobs = [partial(_write_trig, ds, out), partial(_write_turtle, union, out)]
    children = _start(jobs) if processes > 1 else []
    if not children:
        for job in jobs:
            job()
    lines = nquads_lines(ds)
    result.quads = len(lines)
    (out / "clusterld.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    context = _context()
    (out / "context.jsonld").write_text(json.dumps({"@context": context}, indent=2,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "clusterld.jsonld").write_bytes(
        union.serialize(format="json-ld", context=context, encoding="utf-8"))
    nt = sorted({line for line in union.serialize(format="nt").splitlines() if line.strip()})
    with gzip.GzipFile(out / "clusterld.nt.gz", "wb", mtime=0) as fh:
        fh.write(("\n".join(nt) + "\n").encode("utf-8"))
    ontology = ds.graph(mint.graph("ontology"))
    (out / "ontology.ttl").write_bytes(_with_prefixes(ontology).serialize(
        format="turtle", encoding="utf-8"))
    shapes = Validator().shapes
    (out / "shapes.ttl").write_bytes(shapes.serialize(format="turtle", encoding="utf-8"))
    sssom.write_dump(out, data_path("seeds"))
    _join(children)
    result.files = {name: out / name for name in DUMPS}
    void = describe(ds, union, result, mint)
    (out / "void.ttl").write_bytes(void.serialize(format="turtle", encoding="utf-8"))
    result.files["void.ttl"] = out / "void.ttl"
    sums = [f"{sha256(path)}  {name}" for name, path in sorted(result.files.items())]
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    result.files["SHA256SUMS"] = out / "SHA256SUMS"
    return result


def _write_trig(ds: Dataset, out: Path) -> None:
    (out / "clusterld.trig").write_bytes(ds.serialize(format="trig", encoding="utf-8"))


def _write_turtle(union: Graph, out: Path) -> None:
    (out / "clusterld.ttl").write_bytes(union.serialize(format="turtle", encoding="utf-8"))


def _start(jobs: list[Callable[[], None]]) -> list[multiprocessing.process.BaseProcess]:
    """Each job in a forked child process (none where fork is not available)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return []
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=job, daemon=True) for job in jobs]
    for child in children:
        child.start()
    return children


def _join(children: list[multiprocessing.process.BaseProcess]) -> None:
    for child in children:
        child.join()
    failed = [c for c in children if c.exitcode != 0]
    if failed:
        raise ClusterldError(f"writing a dump failed in a child process (exit code "
                             f"{failed[0].exitcode})")


def _with_prefixes(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, ns in PREFIXES.items():
        copy.bind(prefix, ns)
    for triple in graph:
        copy.add(triple)
    return copy


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(ds: Dataset, union: Graph, result: BuildResult, mint: Minter) -> Graph:
    """VoID + DCAT description of the dataset and its distributions."""
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
    subjects = {s for s in union.subjects() if isinstance(s, URIRef)}
    g.add((dataset, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((dataset, VOID.entities, Literal(len({s for s in subjects
                                                if str(s).startswith(mint.base + "id/")}))))
    for i, cls in enumerate(sorted(set(union.objects(None, RDF.type)))):
        part = URIRef(f"{dataset}#class-{i}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(len(set(union.subjects(RDF.type, cls))))))
    sssom.describe_linkset(g, dataset, union, mint)
    for graph in sorted(ds.graphs(), key=lambda gr: str(gr.identifier)):
        if not len(graph) or not isinstance(graph.identifier, URIRef):
            continue
        if not str(graph.identifier).startswith(mint.base):
            continue
        g.add((dataset, VOID.subset, graph.identifier))
        g.add((graph.identifier, RDF.type, VOID.Dataset))
        g.add((graph.identifier, VOID.triples, Literal(len(graph))))
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
