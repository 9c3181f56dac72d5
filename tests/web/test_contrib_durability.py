"""Nothing lost, nothing fetched: restarts, a SIGKILL mid-write, 60 submissions at once on a
real server, remote JSON-LD contexts and URLs in contributions never fetched."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from clusterld.contributions import Contributions
from clusterld.store import KnowledgeGraph, Limits
from clusterld.web.contrib import contributions
from tests.conftest import MINI, TOKEN
from tests.web.contribdata import ID, PREFIXES, agreement, shared_validator
from tests.web.live import REPO, live_server
from tests.web.test_contrib import AUTH, open_app, shut

ACCEPTED_GRAPH = "https://w3id.org/clusterld/graph/contribution/"


def test_restart_keeps_every_contribution_and_its_state(tmp_path: Path) -> None:
    app = open_app(tmp_path)
    c = app.test_client()
    ids = [c.post("/contributions", data=agreement(f"r{i}"), content_type="text/turtle",
                  query_string={"author": f"author {i}"}).get_json()["id"] for i in range(3)]
    assert c.post(f"/contributions/{ids[0]}/accept", headers=AUTH).status_code == 200
    assert c.post(f"/contributions/{ids[1]}/reject", headers=AUTH,
                  data={"reason": "not in the source"}).status_code == 200
    shut(app)

    app = open_app(tmp_path)  # same directories: a restarted server
    try:
        c = app.test_client()
        found = {i["id"]: i for i in c.get("/contributions", headers=AUTH).get_json()}
        assert [found[i]["status"] for i in ids] == ["accepted", "rejected", "pending"]
        assert found[ids[1]]["reason"] == "not in the source"
        assert found[ids[2]]["author"] == "author 2"
        html = c.get("/page/agreement/r0", headers={"Accept": "text/html"}).get_data(True)
        assert "Contributed on" in html and "author 0" in html
        assert c.get("/page/agreement/r2", headers={"Accept": "text/html"}).status_code == 404
        assert c.post(f"/contributions/{ids[2]}/accept", headers=AUTH).status_code == 200
    finally:
        shut(app)


def test_accepted_contributions_survive_a_reload_from_a_new_build(tmp_path: Path) -> None:
    build = tmp_path / "build.trig"
    shutil.copy(MINI, build)
    app = open_app(tmp_path, CLUSTERLD_LOAD=[str(build)])
    c = app.test_client()
    cid = c.post("/contributions", data=agreement("nb"), content_type="text/turtle",
                 query_string={"author": "Nadia"}).get_json()["id"]
    assert c.post(f"/contributions/{cid}/accept", headers=AUTH).status_code == 200
    shut(app)
    os.utime(build, (time.time() + 60, time.time() + 60))  # a new build: the store is reloaded

    app = open_app(tmp_path, CLUSTERLD_LOAD=[str(build)])
    try:
        kg = app.extensions["clusterld"]
        assert not kg.has_graph(ACCEPTED_GRAPH + cid)  # the reload wiped it …
        assert contributions(app).recover_log == [cid]  # … opening the contributions (as
        assert len(kg.graph_triples(ACCEPTED_GRAPH + cid)) == 6  # `serve` does) merges it
        html = app.test_client().get("/page/agreement/nb",
                                     headers={"Accept": "text/html"}).get_data(True)
        assert "Contributed on" in html and "Nadia" in html
    finally:
        shut(app)


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from clusterld.contributions import Contributions
    from clusterld.store import KnowledgeGraph, Limits
    from tests.web.contribdata import agreement

    tmp = Path(sys.argv[1])
    kg = KnowledgeGraph(tmp / "store", limits=Limits(workers=1))
    kg.load([Path(sys.argv[2])], replace=True)
    contrib = Contributions(tmp / "contributions", kg)
    print("ready", flush=True)
    for i in range(10_000):
        item, _ = contrib.submit(agreement(f"k{i}").encode(), "turtle", author="loop")
        print("S", item.id, flush=True)
        if i % 2 == 0:
            contrib.accept(item.id)
            print("A", item.id, flush=True)
""")


def test_sigkill_mid_write_loses_nothing_that_was_acknowledged(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(MINI)],
                            stdout=subprocess.PIPE, text=True, cwd=REPO,
                            start_new_session=True)  # its query worker dies with it
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while sum(line.startswith("A") for line in lines) < 6:
            assert time.monotonic() < deadline, lines
            line = proc.stdout.readline()
            assert line, "the writer stopped"
            lines.append(line.strip())
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # in the middle of the next write
        proc.wait(10)
    submitted = [line.split()[1] for line in lines if line.startswith("S ")]
    accepted = [line.split()[1] for line in lines if line.startswith("A ")]

    kg = KnowledgeGraph(tmp_path / "store", limits=Limits(workers=1))
    try:
        contrib = Contributions(tmp_path / "contributions", kg, shared_validator())  # type: ignore[arg-type]
        try:
            items = {i.id: i for i in contrib.list()}
            assert set(submitted) <= set(items)
            for item in items.values():  # none half-written, acknowledged or not
                assert item.triples == 6 and len(contrib.triples(item.id)) == 6
                merged = kg.has_graph(ACCEPTED_GRAPH + item.id)
                assert merged == (item.status == "accepted"), item
            for cid in accepted:
                assert items[cid].status == "accepted"
                assert len(kg.graph_triples(ACCEPTED_GRAPH + cid)) == 6
            pending = [i for i in submitted if items[i].status == "pending"]
            assert pending  # the odd ones
            contrib.accept(pending[0])  # the store still takes writes
        finally:
            contrib.close()
    finally:
        kg.close()


def test_sixty_concurrent_submissions_are_all_kept(tmp_path: Path) -> None:
    count = 60
    with live_server([MINI], tmp_path, token=TOKEN) as url:
        def send(i: int) -> tuple[int, str]:
            r = httpx.post(f"{url}/contributions", content=agreement(f"c{i}").encode(),
                           headers={"Content-Type": "text/turtle"},
                           params={"author": f"sender {i}"}, timeout=60)
            return r.status_code, r.json().get("id", "")

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=count) as pool:
            answers = list(pool.map(send, range(count)))
        seconds = time.perf_counter() - started
        print(f"\n{count} concurrent submissions answered in {seconds:.2f} s")
        assert [code for code, _ in answers] == [201] * count
        ids = {cid for _, cid in answers}
        assert len(ids) == count
        listed = httpx.get(f"{url}/contributions", headers=AUTH, timeout=30).json()
        by_id = {i["id"]: i for i in listed}
        assert ids <= set(by_id)
        assert {by_id[i]["author"] for i in ids} == {f"sender {i}" for i in range(count)}
        assert all(by_id[i]["triples"] == 6 and by_id[i]["status"] == "pending" for i in ids)


@contextmanager
def watched_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request made to it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    app = open_app(tmp_path_factory.mktemp("fetch"))
    yield app.test_client()
    shut(app)


def test_remote_jsonld_context_is_refused_without_fetching(client: object) -> None:
    with watched_server() as (url, hits):
        doc = {"@context": f"{url}/context.jsonld", "@id": f"{ID}cluster/x", "name": "X"}
        for path in ("/validate", "/contributions"):
            r = client.post(path, json=doc, content_type="application/ld+json")  # type: ignore[attr-defined]
            assert r.status_code == 400, r.get_data(as_text=True)
            assert "context" in r.get_json()["message"].lower()
        nested = {"@context": [{"cld": "https://w3id.org/clusterld/ontology#"},
                               f"{url}/other.jsonld"], "@id": f"{ID}cluster/x"}
        r = client.post("/validate", json=nested, content_type="application/ld+json")  # type: ignore[attr-defined]
        assert r.status_code == 400
    assert hits == []


def test_urls_in_a_contribution_are_never_fetched(client: object) -> None:
    with watched_server() as (url, hits):
        text = agreement("u1") + PREFIXES + (
            f"<{ID}agreement/u1> <http://purl.org/dc/terms/references> <{url}/page> ;"
            f" <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{url}/more.ttl> .\n")
        r = client.post("/contributions", data=text, content_type="text/turtle",  # type: ignore[attr-defined]
                        query_string={"source": f"{url}/article"})
        assert r.status_code == 201, r.get_data(as_text=True)
        cid = r.get_json()["id"]
        assert client.post(f"/contributions/{cid}/accept", headers=AUTH).status_code == 200  # type: ignore[attr-defined]
        page = client.get("/page/agreement/u1", headers={"Accept": "text/html"})  # type: ignore[attr-defined]
        assert f'href="{url}/article"' in page.get_data(as_text=True)
    assert hits == []
