"""The build's parallel levers change nothing in the output: dumps written by forked processes
are byte-identical to those written in one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterld import publish
from clusterld.errors import ClusterldError
from clusterld.iri import Minter


def test_dumps_written_in_parallel_are_byte_identical(tmp_path: Path) -> None:
    ds = publish.build_dataset()
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = publish.write_dumps(ds, one, Minter(), processes=1)
    second = publish.write_dumps(ds, two, Minter(), processes=2)
    assert (first.triples, first.quads) == (second.triples, second.quads) > (1_000, 1_000)
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert {"clusterld.trig", "clusterld.ttl", "SHA256SUMS", "void.ttl"} <= set(names)
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_a_failing_child_is_reported(tmp_path: Path) -> None:
    def boom() -> None:
        raise RuntimeError("disk full")

    children = publish._start([boom])
    if not children:
        pytest.skip("no fork on this platform")
    with pytest.raises(ClusterldError, match="child process"):
        publish._join(children)
