"""Contributions for the tests of issue 4 (on tests/fixtures/mini.trig): good, bad, sneaky."""

from __future__ import annotations

from rdflib import Graph

ID = "https://w3id.org/clusterld/id/"
CLD = "https://w3id.org/clusterld/ontology#"
PREFIXES = """@prefix cld: <https://w3id.org/clusterld/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/clusterld/id/> .
"""


def agreement(slug: str, *, date: str = '"2022-01-01"^^xsd:date',
              parties: tuple[str, ...] = ("id:cluster\\/ce3m", "id:association\\/sample"),
              label: str = "New agreement") -> str:
    """A partnership agreement (6 triples) between existing entities, in Turtle."""
    return PREFIXES + f"""
<{ID}agreement/{slug}> a cld:PartnershipAgreement ;
    skos:prefLabel "{label}"@en ;
    rdfs:label "{label}"@en ;
    cld:party {", ".join(parties)} ;
    cld:signingDate {date} .
"""


def bad_date(slug: str) -> str:
    """An agreement whose signing date is not a date (line 9 of the text)."""
    return agreement(slug, date='"notadate"')


def graph(turtle: str) -> Graph:
    """Parse Turtle into an rdflib graph."""
    return Graph().parse(data=turtle, format="turtle")


def as_format(turtle: str, fmt: str) -> bytes:
    """The same triples in another syntax (``nt``, ``json-ld``, ``xml``, ``trig``)."""
    return graph(turtle).serialize(format=fmt, encoding="utf-8")


_VALIDATOR: list[object] = []


def shared_validator() -> object:
    """One IncrementalValidator for all the test apps of a process (shapes parsed once)."""
    if not _VALIDATOR:
        from clusterld.incremental import IncrementalValidator

        _VALIDATOR.append(IncrementalValidator())
    return _VALIDATOR[0]
