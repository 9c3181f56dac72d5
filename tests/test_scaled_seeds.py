"""``bench.scaled_seeds``: copies of the seeds are valid seeds stating the graph again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from bench import scaled_seeds

from clusterld import seeds
from clusterld.convert import Converter
from clusterld.paths import sources_dir


@pytest.mark.skipif(sources_dir() is None, reason="needs ../shared/sources")
def test_two_copies_load_and_state_every_fact_twice(tmp_path: Path) -> None:
    one = seeds.load()
    out = scaled_seeds.write(tmp_path / "seeds", copies=2)
    two = seeds.load(out)  # raises SeedError on any broken reference or offset
    assert len(two.entities) == 2 * len(one.entities)
    assert len(two.sources) == 2 * len(one.sources)
    copied = {e for e in two.entities if e not in one.entities}
    assert copied == {f"{e}-1" for e in one.entities}

    def per_source_graph(seedset: seeds.SeedSet) -> Counter[str]:
        quads = Converter(seedset).quads().quads
        return Counter(str(g).rsplit("/", 1)[-1] for *_, g in quads
                       if "/graph/source/" in str(g))

    single, double = per_source_graph(one), per_source_graph(two)
    per_copy = len(one.sources)
    for graph, count in single.items():
        assert double[graph] == count
        assert double[f"{int(graph) + per_copy:03d}"] == count


def test_copies_for_a_size() -> None:
    assert scaled_seeds.copies_for(1) == 1
    assert scaled_seeds.copies_for(1_000_000) == 108
