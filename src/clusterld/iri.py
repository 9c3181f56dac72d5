"""Minting IRIs. An IRI depends on the base and the seed id only, never on a label."""

from __future__ import annotations

import hashlib
import re

from rdflib import URIRef

from clusterld.schema import DEFAULT_BASE, ONTOLOGY_NS, VOCAB_NS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def normalise_base(base: str | None) -> str:
    """The base IRI with exactly one trailing slash."""
    return (base or DEFAULT_BASE).rstrip("/") + "/"


class Minter:
    """Mints the IRIs of one build from its base IRI."""

    def __init__(self, base: str | None = None) -> None:
        self.base = normalise_base(base)

    def entity(self, entity_id: str) -> URIRef:
        """``cluster/ce3m`` → ``{base}id/cluster/ce3m``."""
        return URIRef(f"{self.base}id/{entity_id}")

    def source(self, source_id: str) -> URIRef:
        return URIRef(f"{self.base}id/source/{source_id}")

    def span(self, source_id: str, start: int, end: int) -> URIRef:
        return URIRef(f"{self.base}id/source/{source_id}#char={start},{end}")

    def source_graph(self, source_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/source/{source_id}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")

    def statement(self, s: str, p: str, o: str) -> URIRef:
        digest = hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:20]
        return URIRef(f"{self.base}id/statement/{digest}")

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")


def term(local: str) -> URIRef:
    """An ontology term: ``Cluster`` → ``https://w3id.org/clusterld/ontology#Cluster``."""
    return URIRef(ONTOLOGY_NS + local)


def concept(ref: str) -> URIRef:
    """``sector:mechatronics`` → ``https://w3id.org/clusterld/vocab/sector/mechatronics``."""
    scheme, _, name = ref.partition(":")
    return URIRef(f"{VOCAB_NS}{scheme}/{name}")


def slug_of(value: str) -> str:
    """The last path segment of an id or concept ref, for struct IRIs."""
    return re.split(r"[/:]", value)[-1]
