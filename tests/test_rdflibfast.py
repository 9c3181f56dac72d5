"""The rdflib prefix-lookup lever gives rdflib's answers and rdflib's bytes."""

from __future__ import annotations

import random

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from clusterld import rdflibfast


def random_namespaces(rng: random.Random, n: int) -> list[str]:
    parts = ["org", "person", "figure", "post", "a", "ab", "x#", "source/0", "source/01"]
    return [f"https://w3id.org/clusterld/id/{'/'.join(rng.choices(parts, k=rng.randint(1, 4)))}"
            + rng.choice(["/", "#", "", "-"]) for _ in range(n)]


def test_longest_namespace_agrees_with_rdflib() -> None:
    rng = random.Random(3)
    trie: dict = {}
    for namespace in random_namespaces(rng, 400):
        rdflibfast.insert_trie(trie, namespace)
    for iri in random_namespaces(rng, 2_000):
        iri += rng.choice(["", "thing", "x/y"])
        assert rdflibfast.get_longest_namespace(trie, URIRef(iri)) == (
            rdflibfast._ORIGINAL_LONGEST(trie, URIRef(iri))), iri


def graph_with_many_namespaces() -> Graph:
    g = Graph(identifier=URIRef("urn:x-test:graph"))  # not a random blank node (TriG)
    rng = random.Random(5)
    for i, namespace in enumerate(random_namespaces(rng, 300)):
        s = URIRef(f"{namespace}s{i}")
        g.add((s, URIRef(f"{namespace}p"), URIRef(f"{namespace}o{i % 7}")))
        g.add((s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(f"é {i}")))
    return g


@pytest.mark.parametrize("fmt", ["turtle", "trig", "json-ld", "xml"])
def test_serialisations_are_byte_identical(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ns, "insert_trie", rdflibfast._ORIGINAL_INSERT)
    monkeypatch.setattr(ns, "get_longest_namespace", rdflibfast._ORIGINAL_LONGEST)
    expected = graph_with_many_namespaces().serialize(format=fmt)
    rdflibfast.install()
    assert ns.get_longest_namespace is rdflibfast.get_longest_namespace
    assert graph_with_many_namespaces().serialize(format=fmt) == expected
