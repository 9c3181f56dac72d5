"""A real browser (Debian's chromium, driven by Playwright) against a real server.

The server is ``clusterld serve tests/fixtures/mini.trig --port <free>``; the test opens an
entity page, checks its title and labels in both languages, opens the query editor, runs a
query and checks the results table. Screenshots go to ``$CLUSTERLD_SCREENSHOTS`` (default: a
pytest tmp dir). Without chromium or Playwright the test is skipped, except under CI (``CI``
set), where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "mini.trig"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CLD = "https://w3id.org/clusterld/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"


def unavailable(reason: str) -> None:
    """Skip, or fail under CI, where the browser must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen | None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up in {timeout} s")


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture graph the server serves."""
    if FIXTURE.exists():
        return FIXTURE
    from tests.web import pagedata

    path = tmp_path_factory.mktemp("data") / "pages.trig"
    path.write_text(pagedata.trig(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(data_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server on a free loopback port: its base URL.

    ``CLUSTERLD_TEST_SERVER`` names an already running server (serving ``data_file``) instead.
    """
    running = os.environ.get("CLUSTERLD_TEST_SERVER")
    if running:
        wait_until_up(running.rstrip("/") + "/", None, timeout=10)
        yield running.rstrip("/")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    script = Path(sys.executable).with_name("clusterld")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "clusterld.cli"]
    workdir = tmp_path_factory.mktemp("server")
    command = [*program, "serve", str(data_file), "--host", "127.0.0.1", "--port", str(port),
               "--store", str(workdir / "store")]
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                               env={k: v for k, v in os.environ.items()
                                    if k != "CLUSTERLD_TOKEN"})
    try:
        try:
            wait_until_up(base + "/", process)
        except RuntimeError as exc:
            log.flush()
            raise RuntimeError(f"{exc}; its log:\n{(workdir / 'server.log').read_text()}"
                               ) from None
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CLUSTERLD_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def a_cluster(data_file: Path) -> tuple[str, str, str]:
    """A cluster of the served graph with labels in English and French: (IRI, en, fr)."""
    store = ox.Store()
    store.load(path=str(data_file), format=ox.RdfFormat.TRIG)
    found = store.query(
        f"SELECT ?c (MIN(?en) AS ?e) (MIN(?fr) AS ?f) WHERE {{ GRAPH ?g {{ ?c a <{CLD}Cluster> ;"
        f" <{SKOS_PREF}> ?en, ?fr FILTER(LANG(?en) = 'en' && LANG(?fr) = 'fr') }} }}"
        " GROUP BY ?c ORDER BY ?c LIMIT 1")
    row = next(iter(found))
    return row["c"].value, row["e"].value, row["f"].value


def test_entity_page_and_query_editor(playwright_browser, server: str, data_file: Path,
                                      screenshots: Path) -> None:
    entity, label_en, label_fr = a_cluster(data_file)
    path = entity.split("/id/", 1)[1]
    page = playwright_browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "data:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # the entity page, in both languages
    page.goto(f"{server}/page/{path}?lang=en")
    assert page.title().startswith(label_en)
    assert page.locator("h1").inner_text().strip() == label_en
    assert page.locator("#prov").is_visible()
    assert page.locator('script[type="application/ld+json"]').count() == 1
    page.screenshot(path=str(screenshots / "entity-en.png"), full_page=True)
    page.goto(f"{server}/page/{path}?lang=fr")
    assert page.locator("h1").inner_text().strip() == label_fr
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(screenshots / "entity-fr.png"), full_page=True)

    # its "open in the SPARQL editor" link leads to a prefilled editor
    page.click("a.editor-link")
    page.wait_for_selector(".CodeMirror", timeout=30_000)
    assert entity in page.evaluate("window.clusterldEditor.firstTab.getQuery()")

    # run a query of our own and read the results table
    query = (f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             f"SELECT ?label WHERE {{ <{entity}> skos:prefLabel ?label }} ORDER BY ?label")
    page.goto(f"{server}/sparql/editor?query={quote(query)}")
    page.wait_for_selector(".CodeMirror", timeout=30_000)
    page.click(".yasqe_queryButton:visible")
    page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
    page.wait_for_timeout(300)
    header = page.locator(".yasr table thead th").all_inner_texts()
    cells = page.locator(".yasr table tbody td").all_inner_texts()
    page.screenshot(path=str(screenshots / "editor.png"), full_page=True)
    assert any("label" in h for h in header), header
    assert any(label_en in c for c in cells), cells
    assert any(label_fr in c for c in cells), cells
    # the named queries open as ready-made tabs
    options = page.locator("#example-select option")
    if options.count():
        name = options.first.get_attribute("value")
        page.select_option("#example-select", name)
        page.click("#example-open")
        page.wait_for_timeout(300)
        opened = page.evaluate("window.clusterldEditor.yasgui.getTab().getQuery()")
        assert opened == (REPO / "sparql" / f"{name}.rq").read_text(encoding="utf-8")
        page.screenshot(path=str(screenshots / "editor-example.png"))
    assert not errors, errors
    assert not outside, f"requests left the server: {outside}"
    page.close()
    print(f"screenshots in {screenshots}")
