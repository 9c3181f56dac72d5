"""The content-negotiation table: one function, every case."""

from __future__ import annotations

import pytest

from clusterld.web.conneg import NotAcceptable, negotiate, parse_accept

RESULTS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
RDF = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
       "application/trig", "application/n-quads")
DOC = (*RDF, "text/html")

TABLE = [
    # accept header, offered, ?format=, expected
    (None, RESULTS, None, "application/sparql-results+json"),
    ("", RESULTS, None, "application/sparql-results+json"),
    ("*/*", RESULTS, None, "application/sparql-results+json"),
    ("text/csv", RESULTS, None, "text/csv"),
    ("text/*", RESULTS, None, "text/csv"),
    ("application/sparql-results+xml, */*;q=0.1", RESULTS, None,
     "application/sparql-results+xml"),
    ("text/csv;q=0.5, text/tab-separated-values", RESULTS, None, "text/tab-separated-values"),
    ("text/*;q=0.2, text/csv;q=0", RESULTS, None, "text/tab-separated-values"),
    ("TEXT/CSV", RESULTS, None, "text/csv"),
    ("text/csv;charset=utf-8;q=0.9, application/sparql-results+json;q=0.8", RESULTS, None,
     "text/csv"),
    ("application/json, text/csv;q=0.1", RESULTS, None, "text/csv"),
    ("text/csv;q=bogus", RESULTS, None, "text/csv"),
    ("*", RESULTS, None, "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", DOC, None, "text/html"),
    ("application/rdf+xml, text/n3;q=0.9, */*;q=0.1", DOC, None, "application/rdf+xml"),
    ("text/turtle;q=1.0,application/rdf+xml;q=1.0,application/n-triples;q=0.9", DOC, None,
     "text/turtle"),
    ("application/ld+json", DOC, None, "application/ld+json"),
    ("*/*", DOC, None, "text/turtle"),
    ("text/html", DOC, "ttl", "text/turtle"),
    ("text/csv", RESULTS, "json", "application/sparql-results+json"),
    (None, RESULTS, "TSV", "text/tab-separated-values"),
    (None, RDF, "application/n-quads", "application/n-quads"),
    (None, RDF, "nt", "application/n-triples"),
]


@pytest.mark.parametrize(("accept", "offered", "fmt", "expected"), TABLE)
def test_negotiation_table(accept, offered, fmt, expected) -> None:
    assert negotiate(accept, offered, fmt) == expected


@pytest.mark.parametrize(("accept", "offered", "fmt"), [
    ("image/png", RESULTS, None),
    ("text/csv;q=0", ("text/csv",), None),
    ("application/sparql-results+json;q=0, */*;q=0", RESULTS, None),
    (None, RESULTS, "ttl"),
    (None, RDF, "pdf"),
])
def test_not_acceptable_names_what_is(accept, offered, fmt) -> None:
    with pytest.raises(NotAcceptable) as err:
        negotiate(accept, offered, fmt)
    assert err.value.code == 406
    assert offered[0] in err.value.description


def test_parse_accept_reads_q_values() -> None:
    assert parse_accept("text/csv;q=0.5, application/json") == [("text", "csv", 0.5),
                                                                ("application", "json", 1.0)]
    assert parse_accept("nonsense, ;;") == []
