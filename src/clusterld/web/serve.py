"""``clusterld serve``: build if needed, load into the on-disk store, serve with granian
(or waitress)."""

from __future__ import annotations

import importlib.util
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clusterld.errors import ClusterldError
from clusterld.paths import data_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
INPUT_DIRS = ("seeds", "ontology", "shapes")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_is_stale(build_dir: Path) -> bool:
    """True when the build is missing or older than a seed, ontology or shapes file."""
    nq = build_dir / "clusterld.nq"
    if not nq.is_file():
        return True
    built = nq.stat().st_mtime
    for name in INPUT_DIRS:
        folder = data_path(name)
        if folder.is_dir() and any(p.stat().st_mtime > built for p in folder.rglob("*")
                                   if p.is_file()):
            return True
    return False


def prepare(files: list[Path] | None, build_dir: Path, base: str | None,
            log: Callable[[str], None] = _log) -> list[Path]:
    """The files to serve: the given ones, else the build's N-Quads (built when stale)."""
    if files:
        return files
    if build_is_stale(build_dir):
        log(f"clusterld serve: building the knowledge graph into {build_dir}")
        from clusterld.publish import build

        build(build_dir, base)
    return [build_dir / "clusterld.nq"]


def serve(files: list[Path] | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          store_path: Path | str = Path("var/store"), build_dir: Path = Path("out"),
          base: str | None = None, query_timeout: float = 10.0, max_rows: int = 10_000,
          workers: int = 2, threads: int = 8, cache_mb: int = 64, server: str = "auto",
          inprocess_lookups: bool = True, log: Callable[[str], None] = _log,
          remote: dict[str, str | None] | None = None) -> None:
    """Load the data and serve it until interrupted.

    ``server`` is ``granian`` (Rust HTTP server, ~2.5× waitress's requests per second on
    this app), ``waitress``, or ``auto``: granian when it is installed. A remote store
    (``store_path`` an http(s) URL) is served as it is unless ``files`` are given.
    """
    from clusterld.remotecli import remote_config

    remote_store = str(store_path).startswith(("http://", "https://"))
    sources = [] if remote_store and not files else prepare(files, build_dir, base, log)
    config = {"CLUSTERLD_STORE": str(store_path), "CLUSTERLD_BUILD_DIR": str(build_dir),
              "CLUSTERLD_LOAD": [str(f) for f in sources],
              "CLUSTERLD_QUERY_TIMEOUT": query_timeout, "CLUSTERLD_MAX_ROWS": max_rows,
              "CLUSTERLD_WORKERS": workers, "CLUSTERLD_RESPONSE_CACHE_MB": cache_mb}
    config.update(remote_config(remote or {}))
    if base:
        config["CLUSTERLD_BASE"] = base
    if server == "auto":
        server = "granian" if importlib.util.find_spec("granian") else "waitress"
    if sources:
        log(f"clusterld serve: loading {', '.join(str(s) for s in sources)} into {store_path}")
    if server == "granian":
        _serve_granian(config, host, port, threads, inprocess_lookups, log)
    elif server == "waitress":
        _serve_waitress(config, host, port, threads, inprocess_lookups, log)
    else:
        raise ValueError(f"unknown server {server!r}: granian, waitress or auto")


def _app(config: dict[str, Any], inprocess_lookups: bool, log: Callable[[str], None]) -> Any:
    """The app with its store open and its query workers started."""
    from clusterld.web import create_app

    app = create_app(config)
    kg = app.extensions["clusterld"]
    kg.limits.inprocess_lookups = inprocess_lookups
    kg.pool.start()
    from clusterld.web.contrib import contributions

    reviewed = contributions(app)  # now: repairs the stores, parses the shapes once
    repaired = reviewed.recover_log
    if repaired:
        log(f"clusterld serve: {len(repaired)} contribution(s) brought back in step")
    _ = reviewed.validator  # built before the first request
    mode = "read-write for the maintainer" if app.config["CLUSTERLD_TOKEN"] else "read-only"
    log(f"clusterld serve: {len(kg.graph_names())} named graphs, {mode}")
    return app


def _serve_waitress(config: dict[str, Any], host: str, port: int, threads: int,
                    inprocess_lookups: bool, log: Callable[[str], None]) -> None:
    import waitress

    app = _app(config, inprocess_lookups, log)
    log(f"clusterld serve: waitress on http://{host}:{port}/ (SPARQL at /sparql)")
    signal.signal(signal.SIGTERM, _stop)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="clusterld",
                       clear_untrusted_proxy_headers=True, channel_timeout=60)
    except KeyboardInterrupt:
        pass
    finally:
        from clusterld.web.contrib import close_contributions

        close_contributions(app)
        app.extensions["clusterld"].close()


def _serve_granian(config: dict[str, Any], host: str, port: int, threads: int,
                   inprocess_lookups: bool, log: Callable[[str], None]) -> None:
    """One granian worker process holds the store (RocksDB allows one writer); this process
    loads the files first, then supervises it."""
    import multiprocessing

    from granian import Granian
    from granian.constants import Interfaces

    from clusterld.web.rsgi import RSGIFront

    # Load in a fresh interpreter, not here: granian forks this process, and a child forked
    # after RocksDB started its background threads would wait forever for them (a write
    # hangs at its first flush). The worker then finds the store up to date.
    if config["CLUSTERLD_LOAD"]:
        failure = multiprocessing.get_context("spawn").Queue()
        loader = multiprocessing.get_context("spawn").Process(
            target=_load, args=(config, failure), name="clusterld-load")
        loader.start()
        loader.join()
        if loader.exitcode != 0:
            code, message = (failure.get() if not failure.empty()
                             else (3, f"loading stopped (exit code {loader.exitcode})"))
            error = ClusterldError(message)
            error.exit_code = code  # the loader's error, with its exit code (2: bad input)
            raise error
    log(f"clusterld serve: granian on http://{host}:{port}/ (SPARQL at /sparql)")
    # RSGI, not WSGI: see clusterld.web.rsgi for why and how
    server = Granian("clusterld", address=host, port=port, interface=Interfaces.RSGI,
                     workers=1, log_access=False, websockets=False)
    store = str(config["CLUSTERLD_STORE"])

    def front(_target: str) -> RSGIFront:
        app = _app(config, inprocess_lookups, log)
        return RSGIFront(_named(app), max(1, min(threads, 2 * cpu_count() + 1)),
                         inline="clusterld.fast" in app.extensions)

    try:
        server.serve(target_loader=front)
    finally:  # the worker process exits without running cleanups: its checkpoints go here
        if not store.startswith(("http://", "https://")):
            local = Path(store)
            shutil.rmtree(local.with_name(local.name + ".snapshots"), ignore_errors=True)


def _load(config: dict[str, Any], failure: Any) -> None:
    """Load the configured files into the store (in a process of its own)."""
    from clusterld.store import KnowledgeGraph, Limits

    store = str(config["CLUSTERLD_STORE"])
    try:
        if store.startswith(("http://", "https://")):
            from clusterld.remotekg import RemoteKnowledgeGraph

            kg: KnowledgeGraph = RemoteKnowledgeGraph.from_config(store, config,
                                                                  Limits(workers=1))
        else:
            kg = KnowledgeGraph(Path(store), base=config.get("CLUSTERLD_BASE"))
        with kg:
            kg.load([Path(f) for f in config["CLUSTERLD_LOAD"]], replace=True)
    except ClusterldError as exc:
        failure.put((exc.exit_code, str(exc)))
        sys.exit(1)


def _named(app: Any) -> Callable:
    """The WSGI app answering with ``Server: clusterld`` (as waitress's ``ident`` does)."""
    def wsgi(environ: dict[str, Any], start_response: Callable) -> Any:
        def named(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [h for h in headers if h[0].lower() != "server"]
            return start_response(status, [*headers, ("Server", "clusterld")], exc_info)

        return app(environ, named)

    return wsgi


def cpu_count() -> int:
    """Cores this process may use."""
    from clusterld.workers import cpu_count as count

    return count()


def _stop(signum: int, frame: object) -> None:
    """SIGTERM: leave waitress's loop so the workers and checkpoints are cleaned up."""
    raise KeyboardInterrupt
