"""``clusterld serve``: build if needed, load into the on-disk store, serve with waitress."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

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
          workers: int = 2, threads: int = 8, cache_mb: int = 64,
          log: Callable[[str], None] = _log, remote: dict[str, str | None] | None = None
          ) -> None:
    """Load the data and serve it until interrupted (a remote store (``store_path`` an
    http(s) URL) is served as it is unless ``files`` are given)."""
    import waitress

    from clusterld.remotecli import remote_config
    from clusterld.web import create_app

    remote_store = str(store_path).startswith(("http://", "https://"))
    sources = [] if remote_store and not files else prepare(files, build_dir, base, log)
    config = {"CLUSTERLD_STORE": str(store_path), "CLUSTERLD_BUILD_DIR": str(build_dir),
              "CLUSTERLD_LOAD": [str(f) for f in sources],
              "CLUSTERLD_QUERY_TIMEOUT": query_timeout, "CLUSTERLD_MAX_ROWS": max_rows,
              "CLUSTERLD_WORKERS": workers, "CLUSTERLD_RESPONSE_CACHE_MB": cache_mb}
    config.update(remote_config(remote or {}))
    if base:
        config["CLUSTERLD_BASE"] = base
    if sources:
        log(f"clusterld serve: loading {', '.join(str(s) for s in sources)} into {store_path}")
    app = create_app(config)
    kg = app.extensions["clusterld"]
    kg.pool.start()
    mode = "read-write for the maintainer" if app.config["CLUSTERLD_TOKEN"] else "read-only"
    log(f"clusterld serve: {kg.stats()['triples']} triples, {mode}; "
        f"http://{host}:{port}/ (SPARQL at /sparql)")
    signal.signal(signal.SIGTERM, _stop)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="clusterld",
                       clear_untrusted_proxy_headers=True, channel_timeout=60)
    except KeyboardInterrupt:
        pass
    finally:
        kg.close()


def _stop(signum: int, frame: object) -> None:
    """SIGTERM: leave waitress's loop so the workers and checkpoints are cleaned up."""
    raise KeyboardInterrupt
