"""Graph comparison for golden-file tests: isomorphism, with a readable diff on failure."""

from __future__ import annotations

from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, to_isomorphic


def _lines(graph: Graph) -> list[str]:
    return sorted(f"  {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)


def graph_difference(expected: Graph, actual: Graph) -> str:
    """Empty when isomorphic, else the triples only in one side."""
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected == iso_actual:
        return ""
    _, only_expected, only_actual = graph_diff(iso_expected, iso_actual)
    return "\n".join(["missing (in golden, not produced):", *_lines(only_expected),
                      "unexpected (produced, not in golden):", *_lines(only_actual)])


def dataset_difference(expected: Dataset, actual: Dataset) -> str:
    """Per named graph difference of two datasets; empty when every graph is isomorphic."""
    def named(ds: Dataset) -> dict[str, Graph]:
        return {str(g.identifier): g for g in ds.graphs() if len(g)}

    left, right = named(expected), named(actual)
    out = []
    for name in sorted(set(left) | set(right)):
        diff = graph_difference(left.get(name, Graph()), right.get(name, Graph()))
        if diff:
            out.append(f"graph <{name}>:\n{diff}")
    return "\n".join(out)


def assert_isomorphic(expected: Dataset | Graph, actual: Dataset | Graph) -> None:
    """Fail with a readable diff unless the two are isomorphic."""
    if isinstance(expected, Dataset) and isinstance(actual, Dataset):
        diff = dataset_difference(expected, actual)
    else:
        diff = graph_difference(expected, actual)
    assert not diff, "graphs differ:\n" + diff
