"""Running the named queries of sparql/ on the converted graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from clusterld.paths import data_path
from clusterld.publish import build_dataset, nquads_lines

QUERIES = data_path("sparql")
BINDINGS: dict[str, dict[str, str]] = {
    "entity-facts-with-sources": {"entity": "https://w3id.org/clusterld/id/cluster/ce3m"},
}


def load_store() -> ox.Store:
    """The knowledge graph (seeds converted, not validated) in an in-memory store."""
    store = ox.Store()
    data = ("\n".join(nquads_lines(build_dataset())) + "\n").encode("utf-8")
    store.load(data, format=ox.RdfFormat.N_QUADS)
    return store


def term_text(term: object) -> str | None:
    """A result term as text: IRIs as <…>, literals as their lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    return str(getattr(term, "value", term))


def run(store: ox.Store, path: Path) -> list[dict[str, str | None]]:
    """Run one named query, binding the values listed in BINDINGS."""
    bound = {ox.Variable(k): ox.NamedNode(v) for k, v in BINDINGS.get(path.stem, {}).items()}
    solutions = store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True,
                            substitutions=bound)
    variables = [v.value for v in solutions.variables]
    return [{name: term_text(row[name]) for name in variables} for row in solutions]


def query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.rq"))
