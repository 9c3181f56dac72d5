"""``clusterld contributions list | show | accept | reject`` on stores on disk."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clusterld.cli import cli
from clusterld.contributions import ContributionConflict, Contributions, NotConforming
from clusterld.errors import InputError
from clusterld.store import KnowledgeGraph, Limits, NotFound
from tests.conftest import MINI
from tests.web.contribdata import ID, PREFIXES, agreement, shared_validator


@pytest.fixture
def stores(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A store with mini.trig and three pending contributions (two clash on a given name)."""
    kg = KnowledgeGraph(tmp_path / "store", limits=Limits(workers=1))
    kg.load([MINI], replace=True)
    contrib = Contributions(tmp_path / "contributions", kg, shared_validator())  # type: ignore[arg-type]
    jane = f"<{ID}person/jane-doe>"
    ids = {
        "agreement": contrib.submit(agreement("cli1").encode(), "turtle", author="Amina",
                                    source="001")[0].id,
        "jane": contrib.submit(f'{PREFIXES}{jane} cld:givenName "Jane" .'.encode(),
                               "turtle")[0].id,
        "janet": contrib.submit(f'{PREFIXES}{jane} cld:givenName "Janet" .'.encode(),
                                "turtle")[0].id,
    }
    contrib.close()
    kg.close()
    gc.collect()
    return tmp_path, ids


def run(tmp: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["contributions", *args, "--store", str(tmp / "store"),
                                      "--contributions", str(tmp / "contributions")])
    # a process ends after one command; here the kept traceback's frames would hold the
    # closed stores' last references (and their locks) until collected
    if result.exception is not None:
        result.exception.__traceback__ = None
    result.exc_info = None
    gc.collect()
    return result


def test_list_and_show(stores: tuple[Path, dict[str, str]]) -> None:
    tmp, ids = stores
    listed = run(tmp, "list")
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.output.splitlines()]
    assert {r[0] for r in rows} == set(ids.values())
    assert all(r[1] == "pending" for r in rows)
    as_json = json.loads(run(tmp, "list", "--json").output)
    assert {i["id"]: i["author"] for i in as_json}[ids["agreement"]] == "Amina"
    shown = run(tmp, "show", ids["agreement"])
    assert shown.exit_code == 0
    assert "source: https://w3id.org/clusterld/id/source/001" in shown.output
    added = [line for line in shown.output.splitlines() if line.startswith("+ ")]
    assert len(added) == 6
    assert f"+ <{ID}agreement/cli1> <https://w3id.org/clusterld/ontology#party> " \
           f"<{ID}cluster/ce3m> ." in added


def test_accept_reject_and_their_errors(stores: tuple[Path, dict[str, str]]) -> None:
    tmp, ids = stores
    ok = run(tmp, "accept", ids["jane"])
    assert ok.exit_code == 0 and "accepted" in ok.output
    clash = run(tmp, "accept", ids["janet"], "--lang", "fr")
    assert isinstance(clash.exception, NotConforming) and clash.exception.exit_code == 1
    assert "Conforms: no" in clash.output and "au plus" in clash.output
    again = run(tmp, "accept", ids["jane"])
    assert isinstance(again.exception, ContributionConflict)
    assert again.exception.exit_code == 3
    no_reason = run(tmp, "reject", ids["janet"], "--reason", " ")
    assert isinstance(no_reason.exception, InputError)
    rejected = run(tmp, "reject", ids["janet"], "--reason", "Jane already has a given name")
    assert rejected.exit_code == 0
    unknown = run(tmp, "show", "20990101T000000Z-00000000")
    assert isinstance(unknown.exception, NotFound)
    states = {i["id"]: i for i in json.loads(run(tmp, "list", "--json").output)}
    assert states[ids["jane"]]["status"] == "accepted"
    assert states[ids["janet"]]["status"] == "rejected"
    assert states[ids["janet"]]["reason"] == "Jane already has a given name"
    assert [r.split("\t")[0] for r in run(tmp, "list", "--status", "pending").output
            .splitlines()] == [ids["agreement"]]
    gc.collect()
    kg = KnowledgeGraph(tmp / "store", limits=Limits(workers=1))
    try:
        found = kg.query(f'ASK {{ <{ID}person/jane-doe> ?p "Jane" }}')
        assert bool(found)
        assert not bool(kg.query(f'ASK {{ <{ID}person/jane-doe> ?p "Janet" }}'))
    finally:
        kg.close()


def test_exit_code_of_the_real_command(stores: tuple[Path, dict[str, str]]) -> None:
    tmp, _ = stores
    proc = subprocess.run([sys.executable, "-m", "clusterld.cli", "contributions", "show",
                           "nope", "--store", str(tmp / "store")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 3 and "no contribution 'nope'" in proc.stderr
    missing = run(tmp / "elsewhere", "list")
    assert isinstance(missing.exception, InputError) and missing.exception.exit_code == 2
    assert not (tmp / "elsewhere").exists()
