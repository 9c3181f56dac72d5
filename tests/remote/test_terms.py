"""The term serialiser, VALUES binding, default-graph update rewriting, URL derivation."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterld.errors import InputError
from clusterld.remote import endpoints_for
from clusterld.sparqlterms import (
    bind_filter,
    bind_values,
    bind_values_or_filter,
    default_graph_update,
    nt,
    refuse_store_extensions,
    values_clause,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
D = "urn:x-clusterld:default"
TERMS = [
    ox.NamedNode("https://w3id.org/clusterld/id/cluster/ce3m"),
    ox.NamedNode("urn:x:é?a=1#f"),
    ox.Literal("plain"),
    ox.Literal('quote " and \\ backslash'),
    ox.Literal("line\nbreak\r\ttab\b\f"),
    ox.Literal("unicode é 😀 ⵜⴰⵎⴰⵣⵉⵖⵜ العربية"),
    ox.Literal("Tunis", language="fr"),
    ox.Literal("x", language="en-GB"),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2014-12", datatype=ox.NamedNode(XSD + "gYearMonth")),
    ox.Literal("odd", datatype=ox.NamedNode("urn:x:type")),
    ox.Literal("} . DROP ALL ; #", datatype=ox.NamedNode(XSD + "string")),
    ox.Literal(""),
]


@pytest.mark.parametrize("term", TERMS, ids=range(len(TERMS)))
def test_nt_round_trips_through_a_sparql_parser(term: ox.Literal | ox.NamedNode) -> None:
    store = ox.Store()
    rows = list(store.query(bind_values("SELECT ?x WHERE {}", {"x": term})))
    assert rows[0]["x"] == term
    parsed = next(iter(ox.parse(f"<urn:s> <urn:p> {nt(term)} .".encode(),
                                format=ox.RdfFormat.N_TRIPLES)))
    assert parsed.object == term


def test_nt_refuses_blank_nodes_and_non_terms() -> None:
    with pytest.raises(TypeError, match="blank node"):
        nt(ox.BlankNode("b1"))
    for value in ("<urn:a>", None, 3, ox.Variable("x")):
        with pytest.raises(TypeError):
            nt(value)


def test_values_binds_several_variables_and_joins() -> None:
    store = ox.Store()
    store.extend([ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("1")),
                  ox.Quad(ox.NamedNode("urn:b"), ox.NamedNode("urn:p"), ox.Literal("2"))])
    text = bind_values("SELECT * WHERE { ?s ?p ?o }",
                       {"?s": ox.NamedNode("urn:b"), "$p": ox.NamedNode("urn:p")})
    assert [r["o"].value for r in store.query(text)] == ["2"]
    assert values_clause({}) == "" and bind_values("ASK {}", {}) == "ASK {}"
    with pytest.raises(ValueError):
        values_clause({"bad name": ox.Literal("x")})


def test_a_list_binds_each_of_its_values() -> None:
    a, b, p = ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:p")
    store = ox.Store()
    store.extend([ox.Quad(a, p, ox.Literal("1")), ox.Quad(b, p, ox.Literal("2"))])
    assert values_clause({"s": [a, b], "p": p}) == \
        "VALUES (?p) { (<urn:p>) } VALUES ?s { <urn:a> <urn:b> }"
    text = bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": [a, b], "p": p})
    assert sorted(r["o"].value for r in store.query(text)) == ["1", "2"]
    assert not list(store.query(bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": []})))
    # for Virtuoso too: lists stay VALUES blocks, even beside a BIND
    text = bind_values_or_filter("SELECT * WHERE { ?s ?p ?o BIND(1 AS ?x) }", {"s": [b]})
    assert "VALUES ?s { <urn:b> }" in text
    assert [r["o"].value for r in store.query(text)] == ["2"]


def test_injection_through_a_value_stays_a_literal() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:a")))
    evil = ox.Literal('x" } } ; DROP ALL ; SELECT * { ?s ?p "')
    query = "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?s ?q ?v } }"
    rows = list(store.query(bind_values(query, {"v": evil})))
    assert [r["v"] for r in rows] == [evil]  # bound as a value, not code
    assert rows == list(store.query(query, substitutions={ox.Variable("v"): evil}))
    assert len(store) == 1


O_D = ("urn:s", "urn:p", "o", D)
W_W = ("urn:s", "urn:p", "w", "urn:w")


@pytest.mark.parametrize(("update", "expected"), [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", {O_D, W_W, ("urn:a", "urn:b", "urn:c", D)}),
    ("INSERT DATA { <urn:a> <urn:b> 1 . GRAPH <urn:g> { <urn:a> <urn:b> 2 } <urn:a> <urn:b> 3 }",
     {O_D, W_W, ("urn:a", "urn:b", "1", D), ("urn:a", "urn:b", "2", "urn:g"),
      ("urn:a", "urn:b", "3", D)}),
    ("PREFIX x: <urn:> INSERT { ?s x:q ?o } WHERE { ?s x:p ?o }",
     {O_D, W_W, ("urn:s", "urn:q", "o", D)}),
    ("WITH <urn:w> INSERT { ?s <urn:q> ?o } WHERE { ?s <urn:p> ?o }",
     {O_D, W_W, ("urn:s", "urn:q", "w", "urn:w")}),
    ("DELETE DATA { <urn:s> <urn:p> \"o\" }", {W_W}),
    ("DELETE WHERE { ?s <urn:p> ?o }", {W_W}),
    ("CLEAR DEFAULT", {W_W}),
    ("DROP ALL", set()),
    ("COPY DEFAULT TO <urn:c>", {O_D, W_W, ("urn:s", "urn:p", "o", "urn:c")}),
])
def test_default_graph_update_targets_the_named_default(update: str,
                                                        expected: set[tuple]) -> None:
    store = ox.Store()  # as a remote store: clusterld's default graph is the named graph D
    store.extend([ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.Literal(o), ox.NamedNode(g))
                  for s, p, o, g in (O_D, W_W)])
    store.update(default_graph_update(update, D, ["urn:w"]))
    got = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value)
           for q in store}
    assert got == expected
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_endpoints_derived_per_server() -> None:
    ox_ep = endpoints_for("http://127.0.0.1:7878/query")
    assert (ox_ep.update, ox_ep.gsp, ox_ep.flavour) == (
        "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store", "oxigraph")
    assert endpoints_for("http://h:7878").query == "http://h:7878/query"
    v = endpoints_for("http://h:8890/sparql")
    assert (v.update, v.gsp, v.flavour) == ("http://h:8890/sparql",
                                            "http://h:8890/sparql-graph-crud", "virtuoso")
    va = endpoints_for("http://h:8890/sparql/", user="dba", password="pw")
    assert (va.query, va.update, va.gsp) == ("http://h:8890/sparql", "http://h:8890/sparql-auth",
                                             "http://h:8890/sparql-graph-crud-auth")
    g = endpoints_for("https://g.example/repositories/cld")
    assert (g.update, g.gsp) == ("https://g.example/repositories/cld/statements",
                                 "https://g.example/repositories/cld/rdf-graphs/service")
    other = endpoints_for("https://q.example/api/x", update="https://q.example/u")
    assert (other.query, other.update, other.gsp) == ("https://q.example/api/x",
                                                      "https://q.example/u", None)
    for bad in ("ftp://h/sparql", "var/store", "http://"):
        with pytest.raises(InputError):
            endpoints_for(bad)


@pytest.mark.parametrize("text", [
    'PREFIX b: <bif:> SELECT (b:file_to_string("/etc/passwd") AS ?x) {}',
    'SELECT (<bif:sprintf>("%d", 1) AS ?x) {}',
    'SELECT (<SQL:anything>() AS ?x) {}',
    'PREFIX s: <sql:>\nINSERT { <urn:a> <urn:b> ?x } WHERE { BIND(s:f() AS ?x) }',
])
def test_store_functions_are_refused(text: str) -> None:
    with pytest.raises(InputError) as info:
        refuse_store_extensions(text)
    assert info.value.line is not None and info.value.column is not None


def test_store_function_names_in_strings_are_fine() -> None:
    refuse_store_extensions('SELECT * { ?s ?p "bif:file_to_string" . ?s <urn:x:bif:y> ?o }')


def test_values_bind_in_every_query_form() -> None:
    store = ox.Store()
    a, p, b = ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:b")
    store.extend([ox.Quad(a, p, ox.Literal("2014-05-01")), ox.Quad(b, p, ox.Literal("2020"))])
    bound = {"s": a}
    assert bool(store.query(bind_values("ASK { ?s ?p ?o }", bound)))
    assert not bool(store.query(bind_values("ASK { ?s ?p ?o }", {"s": ox.NamedNode("urn:c")})))
    built = list(store.query(bind_values(
        "CONSTRUCT { ?s <urn:q> ?o } WHERE { ?s ?p ?o } LIMIT 5", bound)))
    assert [t.subject for t in built] == [a]
    # a BIND of a bound variable stays legal, and filters like a substitution
    year = "SELECT * WHERE { ?s ?p ?d BIND(SUBSTR(STR(?d), 1, 4) AS ?y) } ORDER BY ?s"
    rows = list(store.query(bind_values(year, {"y": ox.Literal("2014")})))
    assert [r["s"] for r in rows] == [a]
    # aggregates see only the bound solutions (binding happens before grouping)
    count = "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s"
    rows = list(store.query(bind_values(count, bound)))
    assert [(r["s"], r["n"].value) for r in rows] == [(a, "1")]
    # a VALUES block of the query itself is not taken for the WHERE group
    text = "SELECT * WHERE { ?s ?p ?o } VALUES ?o { \"2020\" }"
    assert [r["s"] for r in store.query(bind_values(text, {"s": b}))] == [b]
    with pytest.raises(ValueError):
        bind_values("SELECT ?x", {"x": a})


@pytest.mark.parametrize("term", TERMS, ids=range(len(TERMS)))
def test_filter_binding_matches_exactly_the_term(term: ox.Literal | ox.NamedNode) -> None:
    store = ox.Store()
    s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    others = [ox.Literal("42"), ox.Literal("42", datatype=ox.NamedNode(XSD + "int")),
              ox.Literal("Tunis", language="en"), ox.NamedNode("urn:x:other")]
    store.extend([ox.Quad(s, p, o) for o in [term, *others]])
    rows = list(store.query(bind_filter("SELECT ?o WHERE { ?s ?p ?o }", {"o": term})))
    assert [r["o"] for r in rows] == [term]


def test_filter_binding_after_bind() -> None:
    store = ox.Store()
    a, b, p = ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:p")
    store.extend([ox.Quad(a, p, ox.Literal("2014-05-01")), ox.Quad(b, p, ox.Literal("2020"))])
    text = "SELECT * WHERE { ?s ?p ?d BIND(SUBSTR(STR(?d), 1, 4) AS ?y) } ORDER BY ?s"
    rows = list(store.query(bind_filter(text, {"y": ox.Literal("2014"), "p": p})))
    assert [r["s"] for r in rows] == [a]
    assert bind_filter(text, {}) == text
    with pytest.raises(TypeError):
        bind_filter(text, {"y": ox.BlankNode()})


def test_values_reach_the_filters_of_the_group() -> None:
    """A variable used only in FILTERs (a search text, a language) is seen by them, as
    pyoxigraph's substitutions are; on Virtuoso too when the query has no BIND."""
    store = ox.Store()
    a, p = ox.NamedNode("urn:a"), ox.NamedNode("urn:p")
    store.extend([ox.Quad(a, p, ox.Literal("Cluster Menzel", language="fr")),
                  ox.Quad(ox.NamedNode("urn:b"), p, ox.Literal("Other", language="en"))])
    search = ("SELECT ?s ?needle (COUNT(*) AS ?n) WHERE { ?s ?p ?l"
              " FILTER(CONTAINS(LCASE(STR(?l)), ?needle)) } GROUP BY ?s ?needle")
    bound = {"needle": ox.Literal("menzel")}
    expected = [(r["s"], r["n"]) for r in store.query(search, substitutions={
        ox.Variable("needle"): bound["needle"]})]
    assert expected == [(a, ox.Literal(1))]
    for bind in (bind_values, bind_values_or_filter):
        assert [(r["s"], r["n"]) for r in store.query(bind(search, bound))] == expected
    optional = ("SELECT ?s ?lang ?l WHERE { ?s ?p ?x OPTIONAL { ?s ?p ?l"
                " FILTER(LANG(?l) = ?lang) } }")
    rows = list(store.query(bind_values(optional, {"lang": ox.Literal("en")})))
    assert sorted((r["s"].value, r["l"] is not None) for r in rows) == [
        ("urn:a", False), ("urn:b", True)]
