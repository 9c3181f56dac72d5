"""The SPARQL lexer: query form, dataset clauses, SERVICE/LOAD refusal, protocol USING."""

from __future__ import annotations

import pytest

from clusterld.errors import InputError
from clusterld.sparqltext import (
    RefusedQuery,
    add_using,
    has_dataset_clause,
    query_form,
    refuse_fetching,
    syntax_error,
    uses_graph,
)


@pytest.mark.parametrize(("text", "form"), [
    ("PREFIX ex: <http://ex/select#> ASK {}", "ASK"),
    ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("BASE <http://x/> describe <a>", "DESCRIBE"),
    ('SELECT ("ASK" AS ?x) {}', "SELECT"),
    ("INSERT DATA {}", None),
])
def test_query_form(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_dataset_and_graph_detection() -> None:
    assert has_dataset_clause("SELECT * FROM <g> { ?s ?p ?o }")
    assert not has_dataset_clause('SELECT * { ?s ?p "FROM" }')
    assert uses_graph("SELECT * { GRAPH ?g { ?s ?p ?o } }")
    assert not uses_graph("SELECT * { ?s <http://ex/GRAPH> ?o } # GRAPH")
    # long generated queries: the keyword checks see the same tokens
    values = " ".join(f"<http://ex/e{i}>" for i in range(300))
    long = f"SELECT * {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
    assert not uses_graph(long) and not has_dataset_clause(long)
    assert uses_graph(long.replace("?s ?p ?o", "graph ?g { ?s ?p ?o }"))
    assert has_dataset_clause(long.replace("SELECT *", "SELECT * from <http://ex/g>"))
    assert not has_dataset_clause(long.replace("?s ?p ?o", "?s ?p ?from"))


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://x/> {} }", "LOAD <http://x/>", "load silent <http://x/>",
    "SELECT * { ?s ?p 1SERVICE <http://x/> {} }", "SELECT * { ?s ?p ?o .service <x> {} }",
    "SELECT * { ?s ?p ?o . \u017fervice <http://x/> {} }",  # long s: upper-cases to S
])
def test_refused(text: str) -> None:
    with pytest.raises(RefusedQuery) as err:
        refuse_fetching(text)
    assert err.value.line == 1 and err.value.column is not None


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE <http://x/> {}" }', "SELECT * { ?s ex:service ?o }",
    "SELECT ?service { ?service ?p <http://ex/LOAD> }", "SELECT * {} # SERVICE <x>",
    "SELECT * { ?s service:x ?o }",
])
def test_not_refused(text: str) -> None:
    refuse_fetching(text)


def test_add_using() -> None:
    update = "INSERT { GRAPH <t> { ?s a <C> } } WHERE { ?s a <D> } ; DELETE WHERE { ?s ?p ?o }"
    out = add_using(update, ["http://g/1"], ["http://g/2"])
    assert out.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 1
    assert "DELETE WHERE" in out
    with pytest.raises(InputError):
        add_using("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g/1"], [])
    with pytest.raises(InputError):
        add_using(update, ["not an iri"], [])
    assert add_using(update, [], []) == update


def test_syntax_error_position() -> None:
    err = syntax_error(SyntaxError("error at 3:7: expected GRAPH"))
    assert (err.line, err.column, err.reason) == (3, 7, "expected GRAPH")
