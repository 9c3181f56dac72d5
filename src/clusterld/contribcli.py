"""``clusterld contributions list | show | accept | reject``: the review, on the stores on disk.

The server must not be running on the same stores (the on-disk stores are single-writer).
Exit codes as for the rest of the CLI: 1 the contribution no longer conforms, 2 bad input,
3 unknown contribution or not pending.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from clusterld.contributions import Contribution, Contributions, NotConforming
from clusterld.errors import InputError

STORE = click.option("--store", "store", type=click.Path(path_type=Path),
                     default=Path("var/store"), show_default=True,
                     help="Directory of the knowledge graph's store.")
CONTRIB = click.option("--contributions", "contrib", type=click.Path(path_type=Path),
                       default=None, help="Directory of the contributions store "
                       "[default: 'contributions' beside the store].")
BASE = click.option("--base", envvar="CLUSTERLD_BASE", default=None,
                    help="Base IRI (default https://w3id.org/clusterld/).")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@contextmanager
def opened(store: Path, contrib: Path | None, base: str | None) -> Iterator[Contributions]:
    """The knowledge graph and the contributions store, closed afterwards."""
    from clusterld.store import KnowledgeGraph, Limits

    if not store.is_dir():
        raise InputError("no store here (give --store, as for clusterld serve)",
                         source=str(store))
    kg = KnowledgeGraph(store, base=base, limits=Limits(workers=1))
    try:
        found = Contributions(contrib or store.parent / "contributions", kg)
        try:
            yield found
        finally:
            found.close()
    finally:
        kg.close()


def _line(item: Contribution) -> str:
    return "\t".join([item.id, item.status, item.submitted, str(item.triples),
                      item.author or "-"])


@click.group("contributions")
def contributions_command() -> None:
    """Review the contributions sent to the server."""


@contributions_command.command("list")
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected"]),
              default=None, help="Only those of this status.")
@STORE
@CONTRIB
@BASE
@AS_JSON
def list_command(status: str | None, store: Path, contrib: Path | None, base: str | None,
                 as_json: bool) -> None:
    """List the contributions: id, status, submitted, triples, author."""
    with opened(store, contrib, base) as found:
        items = found.list(status)
    if as_json:
        click.echo(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=1))
        return
    for item in items:
        click.echo(_line(item))


@contributions_command.command("show")
@click.argument("cid")
@STORE
@CONTRIB
@BASE
@AS_JSON
def show_command(cid: str, store: Path, contrib: Path | None, base: str | None,
                 as_json: bool) -> None:
    """Show a contribution and its diff against the graph (+ new, = already there)."""
    with opened(store, contrib, base) as found:
        item = found.get(cid)
        added, existing = found.diff(cid)
    if as_json:
        click.echo(json.dumps({**item.to_json(), "added": added, "existing": existing},
                              ensure_ascii=False, indent=1))
        return
    for key, value in item.to_json().items():
        if value is not None:
            click.echo(f"{key}: {value}")
    for line in added:
        click.echo(f"+ {line}")
    for line in existing:
        click.echo(f"= {line}")


@contributions_command.command("accept")
@click.argument("cid")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@STORE
@CONTRIB
@BASE
def accept_command(cid: str, lang: str, store: Path, contrib: Path | None,
                   base: str | None) -> None:
    """Re-validate against the current graph and merge the contribution into it."""
    from clusterld.validate import format_report

    with opened(store, contrib, base) as found:
        try:
            item, _ = found.accept(cid)
        except NotConforming as exc:
            context = exc.graph + found.validator.ontology
            click.echo(format_report(exc.report, context, lang))
            raise
    click.echo(f"accepted {item.id}: {item.triples} triple(s) in "
               f"{found.accepted_graph_iri(item.id)}")


@contributions_command.command("reject")
@click.argument("cid")
@click.option("--reason", required=True, help="Why (kept with the contribution).")
@STORE
@CONTRIB
@BASE
def reject_command(cid: str, reason: str, store: Path, contrib: Path | None,
                   base: str | None) -> None:
    """Reject a pending contribution, with a reason."""
    with opened(store, contrib, base) as found:
        item = found.reject(cid, reason)
    click.echo(f"rejected {item.id}: {item.reason}")
