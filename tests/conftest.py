"""Shared fixtures (flaskr style): ``app``, ``client``, ``runner`` on tests/fixtures/mini.trig.

``app`` is read-only (no maintainer token) and shared by a module; ``rw_app`` has the token
``TOKEN`` and a store of its own for each test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.trig"
TOKEN = "test-maintainer-token"
BASE = "https://w3id.org/clusterld/"


def fake_build(out: Path) -> Path:
    """A build directory as ``clusterld build`` leaves it (small files, real checksums)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "clusterld.nq").write_bytes(MINI.read_bytes())  # content does not matter here
    (out / "clusterld.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    (out / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://w3id.org/clusterld/shapes#ClusterShape> a sh:NodeShape ;\n"
        "  sh:targetClass <https://w3id.org/clusterld/ontology#Cluster> .\n", encoding="utf-8")
    (out / "void.ttl").write_text(
        "@prefix void: <http://rdfs.org/ns/void#> .\n"
        "<https://w3id.org/clusterld/dataset> a void:Dataset ;\n"
        "  void:triples 141 .\n", encoding="utf-8")
    names = ["clusterld.nq", "clusterld.ttl", "shapes.ttl", "void.ttl"]
    sums = [f"{hashlib.sha256((out / n).read_bytes()).hexdigest()}  {n}" for n in names]
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return out


def make_app(tmp: Path, **config: object) -> Flask:
    from clusterld.web import create_app

    settings = {"TESTING": True, "CLUSTERLD_STORE": str(tmp / "store"),
                "CLUSTERLD_LOAD": [str(MINI)], "CLUSTERLD_BUILD_DIR": str(fake_build(tmp / "out")),
                "CLUSTERLD_TOKEN": None, "CLUSTERLD_QUERY_TIMEOUT": 5.0, "CLUSTERLD_WORKERS": 1}
    settings.update(config)
    return create_app(settings)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("app"))
    yield app
    app.extensions["clusterld"].close()


@pytest.fixture
def rw_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, CLUSTERLD_TOKEN=TOKEN)
    yield app
    app.extensions["clusterld"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def rw_client(rw_app: Flask) -> FlaskClient:
    return rw_app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
