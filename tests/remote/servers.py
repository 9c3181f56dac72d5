"""Start real SPARQL stores on loopback for the remote-backend tests and benchmarks.

Oxigraph's server comes with the test extra (PyPI ``oxigraph``); Virtuoso from the Debian
package ``virtuoso-opensource`` (``virtuoso-t``), run in the foreground with a minimal
``virtuoso.ini`` in a temporary directory: no system service, its own ports.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

VIRTUOSO_USER = "dba"  # a fresh database's administrator, password "dba"
VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 8
MaxClientConnections = 8
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 10
MaxQueryCostEstimationTime = 400
"""


@dataclass
class Server:
    """A running store: its SPARQL query URL, credentials for writes, and its process."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    user: str | None = None
    password: str | None = None

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the store exited ({process.returncode}): "
                               f"{log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the store at {url} did not answer within {seconds:g} s")


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server CLI (beside this Python, else on PATH)."""
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.is_file() else shutil.which("oxigraph")


def start_oxigraph(folder: Path) -> Server:
    """``oxigraph serve`` on a free loopback port, data in ``folder``."""
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("the oxigraph server CLI is not installed (pip install oxigraph)")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        # the store's own time limit: a query the client gave up on stops there too
        process = subprocess.Popen([binary, "serve", "--location", str(folder / "data"),
                                    "--bind", f"127.0.0.1:{port}", "--timeout-s", "20"],
                                   stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, process, 30, log)
    return Server("oxigraph", url, process)


def start_virtuoso(folder: Path) -> Server:
    """``virtuoso-t`` in the foreground on free loopback ports, database in ``folder``."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise FileNotFoundError("virtuoso-t is not installed (apt-get install "
                                "virtuoso-opensource)")
    http, sql = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql=sql, http=http), encoding="utf-8")
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"],
                                   stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{http}/sparql"
    _wait(url, process, 90, log)
    return Server("virtuoso", url, process, VIRTUOSO_USER, VIRTUOSO_USER)
