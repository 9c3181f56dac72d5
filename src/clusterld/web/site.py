"""Self-description: ``/downloads`` and ``/download/<name>``, VoID at ``/.well-known/void``,
a DCAT catalogue at ``/catalog``, ``/openapi.json`` and ``/healthz``.

The dumps are the files of the build directory (listed in its ``SHA256SUMS``); when the
server publishes other files there is no build, and ``/download/store.nq`` is a dump of
the store written on demand. Dumps are never capped.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, send_file
from markupsafe import escape

from clusterld import __version__, results
from clusterld.dumps import sha256
from clusterld.store import NotFound
from clusterld.web import knowledge_graph
from clusterld.web.conneg import negotiate
from clusterld.web.openapi import spec

bp = Blueprint("site", __name__)

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LIVE_DUMP = "store.nq"
MEDIA = {".nq": "application/n-quads", ".trig": "application/trig", ".ttl": "text/turtle",
         ".jsonld": "application/ld+json", ".gz": "application/gzip",
         ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass
class Download:
    """One dump file."""

    name: str
    url: str
    media_type: str
    size: int
    sha256: str
    license: str
    title: str


def _build_dir() -> Path:
    return Path(current_app.config["CLUSTERLD_BUILD_DIR"])


def _titles() -> dict[str, str]:
    try:
        from clusterld.publish import DUMPS
    except ImportError:  # pragma: no cover - the build stage is optional here
        return {}
    return {name: title for name, (_, title) in DUMPS.items()}


def list_downloads() -> list[Download]:
    """Every dump on offer, with size, SHA-256 and license (also for the home page)."""
    out = _build_dir()
    sums = out / "SHA256SUMS"
    if sums.is_file():
        titles = _titles()
        found = []
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.strip().partition("  ")
            path = out / name
            if not name or "/" in name or not path.is_file():
                continue
            found.append(Download(name, f"/download/{name}", MEDIA.get(path.suffix,
                                  "application/octet-stream"), path.stat().st_size, digest,
                                  LICENSE, titles.get(name, name)))
        found.append(Download("SHA256SUMS", "/download/SHA256SUMS", "text/plain",
                              sums.stat().st_size, sha256(sums), LICENSE, "Checksums"))
        return found
    path = _live_dump()
    return [Download(LIVE_DUMP, f"/download/{LIVE_DUMP}", "application/n-quads",
                     path.stat().st_size, sha256(path), LICENSE,
                     "Everything in the store, N-Quads")]


def _live_dump() -> Path:
    kg = knowledge_graph()
    cache = current_app.extensions.setdefault("clusterld.dumpdir", tempfile.mkdtemp(
        prefix="clusterld-dump-"))
    path = Path(cache) / f"{kg.version}.nq"
    if not path.is_file():
        for old in Path(cache).glob("*.nq"):
            old.unlink(missing_ok=True)
        kg.dump(path)
    return path


@bp.route("/downloads")
def downloads() -> Response:
    """The dumps, as HTML or JSON."""
    items = list_downloads()
    media_type = negotiate(request.headers.get("Accept"), ("text/html", "application/json"),
                           request.args.get("format"))
    if media_type == "application/json":
        return Response(json.dumps([asdict(d) for d in items], indent=1),
                        content_type="application/json")
    rows = "".join(
        f"<tr><td><a href=\"{escape(d.url)}\">{escape(d.name)}</a></td><td>{escape(d.title)}"
        f"</td><td>{escape(d.media_type)}</td><td>{d.size:,}</td><td><code>{escape(d.sha256)}"
        f"</code></td><td><a href=\"{escape(d.license)}\">CC BY 4.0</a></td></tr>"
        for d in items)
    page = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>clusterld downloads"
            "</title></head><body><h1>Downloads</h1><table><thead><tr><th>File</th><th>"
            "Content</th><th>Media type</th><th>Bytes</th><th>SHA-256</th><th>License</th>"
            f"</tr></thead><tbody>{rows}</tbody></table><p><a href=\"/\">Home</a> · "
            "<a href=\"/.well-known/void\">VoID</a> · <a href=\"/catalog\">DCAT</a></p>"
            "</body></html>")
    return Response(page, content_type="text/html; charset=utf-8")


@bp.route("/download/<name>")
def download(name: str) -> Response:
    """One dump file, as it is (ETag and ranges from send_file)."""
    for item in list_downloads():
        if item.name == name:
            path = (_live_dump() if name == LIVE_DUMP and not (_build_dir() / name).is_file()
                    else _build_dir() / name)
            response = send_file(path.resolve(), mimetype=item.media_type, as_attachment=False,
                                 conditional=True, etag=True, max_age=300)
            response.headers["Link"] = f'<{item.license}>; rel="license"'
            return response
    raise NotFound(f"no download named {name}")


def _void_triples() -> list[ox.Triple]:
    built = _build_dir() / "void.ttl"
    if built.is_file():
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(path=str(built), format=ox.RdfFormat.TURTLE)]
    kg = knowledge_graph()
    dataset = ox.NamedNode(kg.base + "dataset")
    root = request.host_url
    triples = [ox.Triple(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
               ox.Triple(dataset, RDF_TYPE, ox.NamedNode(DCAT + "Dataset")),
               ox.Triple(dataset, ox.NamedNode(DCTERMS + "title"),
                         ox.Literal("clusterld knowledge graph", language="en")),
               ox.Triple(dataset, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(LICENSE)),
               ox.Triple(dataset, ox.NamedNode(VOID + "sparqlEndpoint"),
                         ox.NamedNode(root + "sparql")),
               ox.Triple(dataset, ox.NamedNode(VOID + "uriSpace"), ox.Literal(kg.base + "id/")),
               ox.Triple(dataset, ox.NamedNode(VOID + "triples"),
                         ox.Literal(kg.stats()["triples"]))]
    for d in list_downloads():
        triples.append(ox.Triple(dataset, ox.NamedNode(VOID + "dataDump"),
                                 ox.NamedNode(root + d.url.lstrip("/"))))
    return triples


def _rdf_response(triples: list[ox.Triple]) -> Response:
    media_type = negotiate(request.headers.get("Accept"), results.GRAPH_TYPES,
                           request.args.get("format"))
    response = Response(results.rdf(triples, media_type),
                        content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset."""
    return _rdf_response(_void_triples())


@bp.route("/catalog")
def catalog() -> Response:
    """A DCAT catalogue: the dataset, its distributions and the SPARQL service."""
    kg = knowledge_graph()
    triples = _void_triples()
    cat = ox.NamedNode(kg.base + "catalog")
    dataset = ox.NamedNode(kg.base + "dataset")
    service = ox.NamedNode(request.host_url + "sparql")
    triples += [
        ox.Triple(cat, RDF_TYPE, ox.NamedNode(DCAT + "Catalog")),
        ox.Triple(cat, ox.NamedNode(DCTERMS + "title"),
                  ox.Literal("clusterld data catalogue", language="en")),
        ox.Triple(cat, ox.NamedNode(DCAT + "dataset"), dataset),
        ox.Triple(cat, ox.NamedNode(DCAT + "service"), service),
        ox.Triple(service, RDF_TYPE, ox.NamedNode(DCAT + "DataService")),
        ox.Triple(service, ox.NamedNode(DCAT + "endpointURL"), service),
        ox.Triple(service, ox.NamedNode(DCAT + "servesDataset"), dataset),
        ox.Triple(service, ox.NamedNode(DCTERMS + "conformsTo"),
                  ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    return _rdf_response(triples)


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of the HTTP API."""
    return Response(json.dumps(spec(request.host_url.rstrip("/"), __version__), indent=1),
                    content_type="application/json")


@bp.route("/healthz")
def healthz() -> Response:
    """Liveness: the store answers, the workers are up."""
    kg = knowledge_graph()
    body = {"status": "ok", "version": __version__, "data": kg.version,
            "workers": len(kg.pool.pids), "killed_queries": kg.pool.killed}
    cache = current_app.extensions.get("clusterld.cache")
    if cache is not None:
        body["cache"] = {"hits": cache.hits, "misses": cache.misses, "bytes": cache.size}
    response = Response(json.dumps(body), content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
