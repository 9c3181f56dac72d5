"""The ``serve`` command (registered by :mod:`clusterld.cli`)."""

from __future__ import annotations

from pathlib import Path

import click

from clusterld.remotecli import remote_options
from clusterld.web.serve import DEFAULT_HOST, DEFAULT_PORT


@click.command("serve")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--store", "store", default="var/store", show_default=True,
              help="Directory of the on-disk store, or the SPARQL query URL of a remote store "
                   "(http://…; see --store-update).")
@remote_options
@click.option("--build-dir", type=click.Path(path_type=Path), default=Path("out"),
              show_default=True, help="Where the dumps are built and served from.")
@click.option("--base", envvar="CLUSTERLD_BASE", default=None,
              help="Base IRI of the entities (default https://w3id.org/clusterld/).")
@click.option("--query-timeout", type=click.FloatRange(min=0.01), default=10.0,
              show_default=True, help="Time limit of a public query, in seconds.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows or triples per query answer; more are cut and reported.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Query worker processes.")
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True,
              help="HTTP server threads (granian: the pool for the requests not answered "
                   "on its event loop).")
@click.option("--cache-mb", type=click.IntRange(min=0), default=64, show_default=True,
              help="Memory for replayed public answers (exact: dropped on every write); "
                   "0 disables.")
@click.option("--server", type=click.Choice(["auto", "granian", "waitress"]), default="auto",
              show_default=True, help="HTTP server (auto: granian when installed).")
@click.option("--inprocess-lookups/--no-inprocess-lookups", default=True, show_default=True,
              help="Answer one-pattern lookups, whose work the row cap bounds, without a "
                   "query worker.")
def serve_command(files: tuple[Path, ...], host: str, port: int, store: Path, build_dir: Path,
                  base: str | None, query_timeout: float, max_rows: int, workers: int,
                  threads: int, cache_mb: int, server: str, inprocess_lookups: bool,
                  **remote: str | None) -> None:
    """Serve the knowledge graph (or the RDF FILES given) as linked data and SPARQL.

    Writes (SPARQL Update, Graph Store PUT/POST/DELETE) need the bearer token set in the
    environment variable CLUSTERLD_TOKEN; without it the server is read-only.
    """
    from clusterld.web.serve import serve

    serve(list(files) or None, host=host, port=port, store_path=store, build_dir=build_dir,
          base=base, query_timeout=query_timeout, max_rows=max_rows, workers=workers,
          threads=threads, cache_mb=cache_mb, server=server,
          inprocess_lookups=inprocess_lookups, remote=remote)
