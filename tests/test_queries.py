"""Each named query of sparql/ answers its question: exact expected answers from the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.queries import QUERIES, load_store, query_files, run

EXPECTED = Path(__file__).parent / "expected" / "queries"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_store()


def test_at_least_twelve_named_queries() -> None:
    assert len(query_files()) >= 12


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_query_states_its_question(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and first.rstrip().endswith(("?", ".")), first


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_query_answer(store: ox.Store, path: Path) -> None:
    expected_file = EXPECTED / f"{path.stem}.json"
    assert expected_file.is_file(), f"no expected answer for {path.name}"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    actual = run(store, path)
    assert actual == expected, (
        f"{path.name}: rows only expected: "
        f"{[r for r in expected if r not in actual]}\nrows only actual: "
        f"{[r for r in actual if r not in expected]}")


def test_queries_dir_is_the_shipped_one() -> None:
    assert QUERIES.name == "sparql"
