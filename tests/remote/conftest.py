"""Session fixtures: real Oxigraph and Virtuoso servers on loopback (skipped when not
installed, except under CI — ``CI`` set — where a missing store fails the tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from clusterld.remote import RemoteStore, endpoints_for
from clusterld.remotekg import RemoteKnowledgeGraph
from clusterld.store import KnowledgeGraph, Limits
from tests.remote.servers import Server, start_oxigraph, start_virtuoso

BACKENDS = ["embedded", "oxigraph", "virtuoso"]
REMOTE = ["oxigraph", "virtuoso"]
STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


def unavailable(reason: str) -> None:
    """Skip, or fail under CI, where both stores must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"remote store test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server | str]]:
    """Started lazily, one of each per session; a failure to start is kept as its reason."""
    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> Server | str:
            try:
                value: Server | str = STARTERS[name](tmp_path_factory.mktemp(name))
            except (FileNotFoundError, RuntimeError) as exc:
                value = str(exc)
            self[name] = value
            return value

    lazy = Lazy()
    yield lazy
    for value in lazy.values():
        if isinstance(value, Server):
            value.stop()


def server(servers: dict[str, Server | str], name: str) -> Server:
    """The running server ``name``, or skip/fail."""
    value = servers[name]
    if isinstance(value, str):
        unavailable(value)
    assert isinstance(value, Server)
    return value


def remote_store(srv: Server) -> RemoteStore:
    return RemoteStore(endpoints_for(srv.url, user=srv.user, password=srv.password))


def open_kg(backend: str, servers: dict[str, Server | str], folder: Path,
            limits: Limits | None = None, base: str | None = None) -> KnowledgeGraph:
    """An empty-or-not knowledge graph on ``backend`` (remote stores are shared: load with
    ``replace=True``)."""
    limits = limits or Limits(query_timeout=5.0, workers=1)
    if backend == "embedded":
        return KnowledgeGraph(folder / "store", limits=limits, base=base)
    return RemoteKnowledgeGraph(remote_store(server(servers, backend)), limits=limits,
                                base=base)


@pytest.fixture(scope="module", params=REMOTE)
def backend(request: pytest.FixtureRequest) -> str:
    """Each remote store in turn (module-scoped: one app per store and module)."""
    return str(request.param)
