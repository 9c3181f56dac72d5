"""Wikidata client on recorded responses (tests/fixtures/wikidata): the network is never reached."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clusterld.wikidata import (
    USER_AGENT,
    OfflineMiss,
    WikidataClient,
    cache_key,
    claim_ids,
    claim_years,
    names,
)

RECORDED = Path(__file__).parent / "fixtures" / "wikidata"


def recorded() -> dict[str, dict[str, Any]]:
    """Recorded answers keyed by the cache key of their request."""
    out = {}
    for path in sorted(RECORDED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[cache_key(data["request"])] = data["response"]
    return out


class Recorder:
    """An httpx transport serving recorded answers and remembering every request."""

    def __init__(self) -> None:
        self.answers = recorded()
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = dict(request.url.params)
        answer = self.answers.get(cache_key(params))
        if answer is None and params.get("action") == "wbsearchentities":
            answer = {"searchinfo": {"search": params["search"]}, "search": [], "success": 1}
        if answer is None:
            return httpx.Response(404, json={"error": {"code": "not-recorded",
                                                       "info": json.dumps(params)}})
        return httpx.Response(200, json=answer)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real connection attempt fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to reach the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(tmp_path: Path, recorder: Recorder) -> Iterator[WikidataClient]:
    with WikidataClient(tmp_path / "cache", transport=recorder.transport()) as c:
        yield c


def test_search_reads_the_recorded_answer_and_caches_it(
        client: WikidataClient, recorder: Recorder, tmp_path: Path) -> None:
    hits = client.search("Tunis", "fr")
    assert [h["id"] for h in hits] == ["Q3572", "Q948"]
    assert hits[0]["concepturi"] == "http://www.wikidata.org/entity/Q3572"
    assert len(recorder.requests) == 1
    request = recorder.requests[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.url.params["action"] == "wbsearchentities"
    assert request.url.params["format"] == "json"
    cached = list((tmp_path / "cache").glob("*.json"))
    assert len(cached) == 1
    assert json.loads(cached[0].read_text())["request"]["search"] == "Tunis"
    assert client.search("Tunis", "fr") == hits  # from the cache
    assert len(recorder.requests) == 1


def test_offline_answers_from_the_cache_only(client: WikidataClient, tmp_path: Path) -> None:
    client.search("Tunis", "en")
    with WikidataClient(tmp_path / "cache", offline=True) as offline:
        assert offline.search("Tunis", "en")[0]["id"] == "Q3572"
        with pytest.raises(OfflineMiss):
            offline.search("Tunis", "fr")


def test_entities_with_claims(client: WikidataClient) -> None:
    records = client.entities(["Q3572", "Q948"])
    tunis, tunisia = records["Q3572"], records["Q948"]
    assert claim_ids(tunis, "P31") == ["Q515", "Q5119"]
    assert claim_ids(tunis, "P17") == ["Q948"]
    assert "Republic of Tunisia" in names(tunisia, ("en",))
    assert claim_years(tunis, "P571") == []


def test_entities_follow_redirects_and_report_missing(client: WikidataClient) -> None:
    records = client.entities(["Q1028", "Q999999001", "Q999999003"], props="info")
    assert records["Q1028"]["id"] == "Q1028"
    assert records["Q999999001"]["redirects"] == {"from": "Q999999001", "to": "Q999999002"}
    assert "missing" in records["Q999999003"]


def test_api_errors_are_reported(client: WikidataClient) -> None:
    from clusterld.wikidata import WikidataError

    with pytest.raises(WikidataError):
        client.entities(["Q1"])  # not recorded: the stub answers with an API error


def test_timeouts_are_bounded(client: WikidataClient) -> None:
    assert client._http is not None
    timeout = client._http.timeout
    assert timeout.connect is not None and timeout.connect <= 10
    assert timeout.read is not None and timeout.read <= 30
