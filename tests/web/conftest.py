"""Fixtures of the page tests: an app serving tests/web/pagedata.py's graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from clusterld.store import KnowledgeGraph
from clusterld.web import create_app
from tests.web import pagedata


def make_app(folder: Path) -> Flask:
    """The server app (``create_app``) on a knowledge graph of the page-test data."""
    data = folder / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    kg = KnowledgeGraph(folder / "store", base=pagedata.BASE)
    kg.load([data])
    return create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_BASE": pagedata.BASE,
                       "CLUSTERLD_BUILD_DIR": str(folder / "out")})


@pytest.fixture(scope="module")
def pages_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("pages"))
    yield app
    app.extensions["clusterld"].close()


@pytest.fixture
def pages_client(pages_app: Flask):
    return pages_app.test_client()
