"""Contributions on a remote store: validated against the store's graph, kept pending on this
machine, merged into the store when a maintainer accepts them."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterld.web import create_app
from tests.remote.conftest import open_kg
from tests.web.contribdata import CLD, ID, agreement, bad_date

MINI = Path(__file__).parent.parent / "fixtures" / "mini.trig"
TOKEN = "remote-contrib-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("backend", ["oxigraph", "virtuoso"])
def test_submit_review_and_accept_on_a_remote_store(servers, backend: str,
                                                    tmp_path: Path) -> None:
    kg = open_kg(backend, servers, tmp_path)
    kg.load([MINI], replace=True)
    app = create_app({"TESTING": True, "CLUSTERLD_KG": kg, "CLUSTERLD_TOKEN": TOKEN,
                      "CLUSTERLD_CONTRIBUTIONS": str(tmp_path / "contributions"),
                      "CLUSTERLD_CONTRIBUTION_RATE": 0, "CLUSTERLD_RESPONSE_CACHE_MB": 0})
    c = app.test_client()
    try:
        refused = c.post("/contributions", data=bad_date("r1"), content_type="text/turtle")
        assert refused.status_code == 422 and refused.get_json()["conforms"] is False
        # the parties are existing entities of the remote store: their references resolve
        r = c.post("/contributions", data=agreement("r1", label="Remote accord"),
                   content_type="text/turtle", query_string={"author": "Karim"})
        assert r.status_code == 201, r.get_data(as_text=True)
        cid = r.get_json()["id"]
        ask = f"ASK {{ <{ID}agreement/r1> <{CLD}party> ?p }}"
        before = c.get("/sparql", query_string={"query": ask},
                       headers={"Accept": "application/sparql-results+json"})
        assert before.get_json()["boolean"] is False  # pending: not published
        assert c.post(f"/contributions/{cid}/accept", headers=AUTH).status_code == 200
        after = c.get("/sparql", query_string={"query": ask},
                      headers={"Accept": "application/sparql-results+json"})
        assert after.get_json()["boolean"] is True
        graph = f"https://w3id.org/clusterld/graph/contribution/{cid}"
        assert graph in kg.graph_names()
        page = c.get("/page/agreement/r1", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Karim" in page.get_data(as_text=True)
    finally:
        from clusterld.web.contrib import close_contributions

        close_contributions(app)
        kg.close()
