"""``clusterld load`` and the ``--store-*`` options of a remote store (for serve and load)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clusterld.remotekg import ENV

CONFIG = {"update": "CLUSTERLD_STORE_UPDATE", "gsp": "CLUSTERLD_STORE_GSP",
          "user": "CLUSTERLD_STORE_USER", "password": "CLUSTERLD_STORE_PASSWORD"}


def remote_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --store-update, --store-gsp, --store-user, --store-password (env CLUSTERLD_STORE_*)."""
    for name, text in reversed((
            ("update", "Update endpoint of a remote store (default: derived from --store)."),
            ("gsp", "Graph Store Protocol endpoint of a remote store (default: derived)."),
            ("user", "User for a remote store's writes (digest on Virtuoso, else basic)."),
            ("password", "Password of --store-user."))):
        command = click.option(f"--store-{name}", f"store_{name}", envvar=ENV[name],
                               default=None, help=text)(command)
    return command


def remote_config(options: dict[str, str | None]) -> dict[str, str]:
    """The app config keys for the given ``store_*`` options."""
    return {CONFIG[k.removeprefix("store_")]: v for k, v in options.items()
            if v is not None and k.removeprefix("store_") in CONFIG}


@click.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--store", "store", default="var/store", show_default=True,
              help="Directory of the on-disk store, or the SPARQL query URL of a remote store.")
@click.option("--replace", is_flag=True, help="Drop clusterld's graphs before loading.")
@click.option("--base", envvar="CLUSTERLD_BASE", default=None)
@remote_options
def load_command(files: tuple[Path, ...], store: str, replace: bool, base: str | None,
                 **remote: str | None) -> None:
    """Load RDF FILES (dumps: N-Quads, TriG, Turtle, …; .gz too) into a store."""
    import time

    from clusterld.store import KnowledgeGraph, Limits

    started = time.perf_counter()
    limits = Limits(workers=1)
    if store.startswith(("http://", "https://")):
        from clusterld.remotekg import RemoteKnowledgeGraph

        kg: KnowledgeGraph = RemoteKnowledgeGraph.from_config(store, remote_config(remote),
                                                              limits)
    else:
        kg = KnowledgeGraph(Path(store), base=base, limits=limits)
    try:
        kg.load(list(files), replace=replace)
        stats = kg.stats()
    finally:
        kg.close()
    click.echo(f"loaded {len(files)} file(s) into {store}: {stats['triples']} triples in "
               f"{stats['graphs']} graphs ({time.perf_counter() - started:.1f} s)")
