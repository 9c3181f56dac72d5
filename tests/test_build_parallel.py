"""The build's parallel levers change nothing in the output: dumps written by forked processes
are byte-identical to those written in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterld import publish
from clusterld.cli import cli
from clusterld.errors import ClusterldError
from clusterld.iri import Minter


def test_build_with_jobs_writes_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    parallel, serial = tmp_path / "parallel", tmp_path / "serial"
    done = CliRunner().invoke(cli, ["build", "--out", str(parallel), "--no-reason",
                                    "--jobs", "2"])
    assert done.exit_code == 0, done.output
    serial.mkdir()
    result = publish.write_dumps(publish.build_dataset(), serial, Minter(), processes=1)
    assert result.triples > 1_000 and result.quads > 1_000
    names = sorted(p.name for p in serial.iterdir())
    assert names == sorted(p.name for p in parallel.iterdir())
    assert {"clusterld.trig", "clusterld.ttl", "SHA256SUMS", "void.ttl"} <= set(names)
    for name in names:
        assert (parallel / name).read_bytes() == (serial / name).read_bytes(), name


def test_a_failing_child_is_reported(tmp_path: Path) -> None:
    def boom() -> None:
        raise RuntimeError("disk full")

    children = publish._start([boom])
    if not children:
        pytest.skip("no fork on this platform")
    with pytest.raises(ClusterldError, match="child process"):
        publish._join(children)
