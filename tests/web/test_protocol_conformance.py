"""The W3C SPARQL 1.1 Protocol suite against a real ``clusterld serve`` (34 of 34 + SD)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.live import SHARED, live_server

RUNNER = SHARED / "conformance" / "run_sparql_protocol_tests.py"
TOKEN = "conformance-token"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not RUNNER.is_file(), reason="../shared/conformance missing")]


def test_w3c_protocol_suite_passes_in_full(tmp_path: Path) -> None:
    fixture = tmp_path / "F.nq"
    subprocess.run([sys.executable, str(RUNNER), "--write-fixture", str(fixture)], check=True,
                   capture_output=True)
    with live_server([fixture], tmp_path, token=TOKEN) as url:
        report = tmp_path / "report.json"
        done = subprocess.run(
            [sys.executable, str(RUNNER), "--query-url", url + "/sparql", "--update-url",
             url + "/sparql", "--setup", "update", "--sd", "--header",
             f"Authorization: Bearer {TOKEN}", "--json", str(report)],
            capture_output=True, text=True, timeout=600)
    counts = json.loads(report.read_text())["counts"]
    assert counts["protocol"] == {"PASS": 34, "FAIL": 0, "SKIP": 0}, done.stdout
    assert counts["sd"] == {"PASS": 3, "FAIL": 0, "SKIP": 0}, done.stdout


def test_without_token_updates_are_refused(tmp_path: Path) -> None:
    fixture = tmp_path / "F.nq"
    subprocess.run([sys.executable, str(RUNNER), "--write-fixture", str(fixture)], check=True,
                   capture_output=True)
    with live_server([fixture], tmp_path) as url:
        done = subprocess.run(
            [sys.executable, str(RUNNER), "--query-url", url + "/sparql", "--only",
             "query_get", "query_dataset_full", "bad_query_syntax"],
            capture_output=True, text=True, timeout=300)
        assert done.stdout.strip().splitlines()[-1].startswith("3 passed, 0 failed"), done.stdout
        import httpx

        r = httpx.post(url + "/sparql", content=b"CLEAR ALL",
                       headers={"Content-Type": "application/sparql-update",
                                "Authorization": "Bearer guess"})
        assert r.status_code == 403
