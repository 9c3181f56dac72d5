"""A real ``clusterld serve`` process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(files: list[Path], tmp: Path, *, token: str | None = None,
                extra: list[str] | None = None) -> Iterator[str]:
    """Start the server on ``files``; yield its root URL; stop it (by its pid)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERLD_TOKEN"}
    if token:
        env["CLUSTERLD_TOKEN"] = token
    log = (tmp / "server.log").open("wb")
    cmd = [sys.executable, "-m", "clusterld.cli", "serve", *map(str, files), "--host",
           "127.0.0.1", "--port", str(port), "--store", str(tmp / "store"), "--build-dir",
           str(tmp / "no-build"), *(extra or [])]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("server exited:\n" + (tmp / "server.log").read_text())
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + (tmp / "server.log").read_text())
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
