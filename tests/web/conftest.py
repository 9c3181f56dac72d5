"""Fixtures of the page tests: an app serving tests/web/pagedata.py's graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask

from tests.web import pagedata


class StandInGraph:
    """Stand-in for clusterld.store.KnowledgeGraph: a store queried with the union default."""

    def __init__(self, data: str) -> None:
        self.store = ox.Store()
        self.store.load(data.encode(), ox.RdfFormat.TRIG)
        self.base = pagedata.BASE

    def query(self, sparql: str):
        return self.store.query(sparql, use_default_graph_as_union=True)


def make_app(tmp: Path) -> Flask:
    from clusterld.web.pages import bp

    app = Flask("clusterld-pages-test")
    app.extensions["clusterld"] = StandInGraph(pagedata.trig())
    app.register_blueprint(bp)
    return app


@pytest.fixture(scope="module")
def pages_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("pages"))


@pytest.fixture
def pages_client(pages_app: Flask):
    return pages_app.test_client()
