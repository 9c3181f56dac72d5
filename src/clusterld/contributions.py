"""Contributions: facts sent by people, validated, kept pending, then reviewed into the graph.

A :class:`Contributions` object sits beside the :class:`~clusterld.store.KnowledgeGraph`. Pending
and rejected contributions live in their own small on-disk pyoxigraph store, each in its named
graph ``{base}contribution/{id}``, with PROV-O/DCTerms metadata in ``{base}graph/contributions``.
Every write there is ONE ``Store.extend`` (a transaction): a crash leaves a contribution either
wholly there or not at all, and a status change only ADDS triples (``dcterms:dateAccepted``, or
``review:rejectedAt`` + ``review:reason``), so it is atomic too.

Accepting copies the triples into the main store as ``{base}graph/contribution/{id}`` and its
metadata into ``{base}graph/meta`` (one write), then marks it accepted. Both steps are
idempotent, so a crash in between is repaired by :meth:`Contributions.recover` (run at open)
or by accepting again. The web layer and the CLI only parse input and call this object.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from clusterld.entities import HIDDEN_PREFIX
from clusterld.errors import ClusterldError, Conflict, InputError, ValidationFailed
from clusterld.graphsource import OxigraphSource, from_ox, to_ox
from clusterld.incremental import IncrementalReport, IncrementalValidator
from clusterld.iri import normalise_base
from clusterld.rdfio import parse_quads
from clusterld.schema import ONTOLOGY_NS, SHAPES_NS, VOCAB_NS
from clusterld.store import KnowledgeGraph, NotFound

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
REVIEW = "https://w3id.org/clusterld/review#"
STATUSES = ("pending", "accepted", "rejected")
ID_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
FIELD_LIMITS = {"author": 200, "source": 2000, "comment": 4000, "reason": 4000}

# Namespaces whose terms a contribution may not describe: the schema, the shapes, the
# concept schemes and the standard vocabularies.
PROTECTED = (ONTOLOGY_NS, SHAPES_NS, VOCAB_NS, RDF, RDFS, OWL, SH, SKOS, PROV, XSD, DCTERMS)
# Predicates that would rewrite meaning or forge provenance rather than add a fact.
FORBIDDEN_PREDICATES = {
    OWL + "sameAs", OWL + "equivalentClass", OWL + "equivalentProperty",
    OWL + "differentFrom", OWL + "inverseOf", RDFS + "subClassOf", RDFS + "subPropertyOf",
    RDFS + "domain", RDFS + "range", RDF + "subject", RDF + "predicate", RDF + "object",
    PROV + "wasDerivedFrom", PROV + "generatedAtTime", PROV + "wasAttributedTo",
    DCTERMS + "isPartOf", DCTERMS + "dateAccepted",
}
FORBIDDEN_TYPES = {
    RDF + "Statement", RDF + "Property", RDFS + "Class", RDFS + "Datatype", OWL + "Class",
    OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    OWL + "Ontology", OWL + "Restriction", SH + "NodeShape", SH + "PropertyShape",
    SKOS + "Concept", SKOS + "ConceptScheme", PROV + "Entity", ONTOLOGY_NS + "TextSpan",
    ONTOLOGY_NS + "SourceDocument",
}


class ContributionConflict(Conflict):
    """The contribution is not in a state that allows this (e.g. accepting an accepted one)."""


class NotConforming(ValidationFailed):
    """The contribution breaks the shapes; ``report`` says how."""

    def __init__(self, report: IncrementalReport, graph: Graph, message: str) -> None:
        self.report = report
        self.graph = graph
        self.triples = len(graph)
        super().__init__(message)


@dataclass
class Checked:
    """A parsed and validated contribution."""

    graph: Graph
    report: IncrementalReport

    @property
    def triples(self) -> int:
        return len(self.graph)


@dataclass
class Contribution:
    """One contribution's metadata and review state."""

    id: str
    graph: str
    status: str
    submitted: str
    triples: int
    author: str | None = None
    source: str | None = None
    comment: str | None = None
    reviewed: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The metadata as a JSON object."""
        return {k: v for k, v in self.__dict__.items()}


def now() -> str:
    """The current time as an xsd:dateTime lexical form (UTC, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _literal(value: str, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def check_field(name: str, value: str | None) -> str | None:
    """A metadata field, trimmed; None when empty; InputError when too long."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > FIELD_LIMITS[name]:
        raise InputError(f"'{name}' is longer than {FIELD_LIMITS[name]} characters")
    return value


class Contributions:
    """The contributions store and the review operations, over one knowledge graph."""

    def __init__(self, path: Path | str | None, kg: KnowledgeGraph,
                 validator: IncrementalValidator | None = None) -> None:
        self.kg = kg
        self.base = normalise_base(kg.base)
        self._tmp = None
        if path is None:
            import tempfile

            self._tmp = tempfile.TemporaryDirectory(prefix="clusterld-contrib-")
            path = self._tmp.name
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self.store = ox.Store(str(self.path))
        except OSError as exc:
            raise ClusterldError(f"cannot open the contributions store {self.path}: {exc} "
                                 "(is another server using it?)") from None
        self._validator = validator
        self.meta = ox.NamedNode(self.base + "graph/contributions")
        self.ontology_graph = URIRef(self.base + "graph/ontology")
        self.graph_source = self._graph_source()
        self._validate_lock = threading.Lock()
        self._review_lock = threading.Lock()
        self.recover_log = self.recover()

    def close(self) -> None:
        """Release the store."""
        self.store.flush()
        self.store = None  # type: ignore[assignment]
        self.graph_source = None  # type: ignore[assignment]  # it holds the main store open
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def validator(self) -> IncrementalValidator:
        """The validator (shapes and ontology parsed once, on first use)."""
        if self._validator is None:
            with self._validate_lock:
                if self._validator is None:
                    self._validator = IncrementalValidator()
        return self._validator

    # -- IRIs -------------------------------------------------------------------------------
    def graph_iri(self, cid: str) -> str:
        """The contribution's graph in the contributions store."""
        return f"{self.base}contribution/{cid}"

    def accepted_graph_iri(self, cid: str) -> str:
        """The graph an accepted contribution gets in the main store."""
        return f"{self.base}graph/contribution/{cid}"

    def source_term(self, source: str) -> ox.NamedNode | ox.Literal:
        """``source`` as stored: one of our source documents (``002``), an absolute IRI, or
        else a literal. It is only recorded, never fetched."""
        if re.fullmatch(r"[0-9]{3}", source):
            return ox.NamedNode(f"{self.base}id/source/{source}")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", source):
            try:
                return ox.NamedNode(source)
            except ValueError:
                pass
        return ox.Literal(source)

    # -- parsing and checking ---------------------------------------------------------------
    def parse(self, data: bytes, fmt: str, cid: str | None = None) -> Graph:
        """Parse a contribution; refuse what is not a plain addition of facts.

        With ``cid`` its blank nodes become IRIs ``{base}contribution/{cid}/node/N``.
        Raises :class:`InputError` (line and column on a syntax error).
        """
        quads = parse_quads(data, fmt, source="request body")
        if not quads:
            raise InputError("the contribution holds no triples")
        skolem: dict[str, ox.NamedNode] = {}

        def term(t: Any) -> Any:
            if cid is not None and isinstance(t, ox.BlankNode):
                if t.value not in skolem:
                    skolem[t.value] = ox.NamedNode(
                        f"{self.graph_iri(cid)}/node/{len(skolem) + 1}")
                return skolem[t.value]
            return t

        graph = Graph()
        for quad in quads:
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                raise InputError("named graphs are not accepted in a contribution (graph "
                                 f"<{quad.graph_name.value}>): send triples; they all go "
                                 "into the contribution's own graph")
            if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
                raise InputError("RDF-star quoted triples are not accepted in a contribution")
            self._refuse_smuggling(quad)
            graph.add((from_ox(term(quad.subject)), from_ox(quad.predicate),
                       from_ox(term(quad.object))))
        return graph

    def _refuse_smuggling(self, quad: ox.Quad) -> None:
        """A contribution adds facts about entities: not schema, shapes, vocabularies or
        provenance, and no identity links."""
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if isinstance(subject, ox.NamedNode):
            iri = subject.value
            if iri.startswith(PROTECTED) or iri.startswith(
                    (self.base + "graph/", self.base + "contribution/", HIDDEN_PREFIX)):
                raise InputError(f"a contribution may not describe <{iri}>: the ontology, "
                                 "shapes, vocabularies and graphs change only through "
                                 "the maintainers")
        if predicate in FORBIDDEN_PREDICATES or predicate.startswith((OWL, SH)):
            raise InputError(f"a contribution may not use <{predicate}>: it would change "
                             "the schema, identities or provenance rather than add a fact")
        if predicate == RDF + "type" and isinstance(obj, ox.NamedNode) and (
                obj.value in FORBIDDEN_TYPES or obj.value.startswith((OWL, SH))):
            raise InputError(f"a contribution may not declare a <{obj.value}>")

    # -- validation -------------------------------------------------------------------------
    def _graph_source(self, *exclude: str) -> OxigraphSource:
        return OxigraphSource(self.kg.store, exclude=[self.ontology_graph,
                                                      *map(URIRef, exclude)],
                              exclude_prefixes=[HIDDEN_PREFIX])

    def validate_graph(self, graph: Graph, *, exclude: str | None = None) -> IncrementalReport:
        """Validate ``graph`` as an addition to the current knowledge graph."""
        source = self.graph_source if exclude is None else self._graph_source(exclude)
        validator = self.validator
        with self._validate_lock:  # pyshacl's shape objects are shared: one run at a time
            return validator.validate(graph, source)

    def validate(self, data: bytes, fmt: str) -> Checked:
        """Parse and validate RDF bytes (what ``POST /validate`` does)."""
        graph = self.parse(data, fmt)
        return Checked(graph, self.validate_graph(graph))

    # -- submission -------------------------------------------------------------------------
    def submit(self, data: bytes, fmt: str, *, author: str | None = None,
               source: str | None = None, comment: str | None = None
               ) -> tuple[Contribution, Checked]:
        """Validate then store a contribution as pending (one transaction).

        Raises :class:`NotConforming` (nothing stored) or :class:`InputError`.
        """
        author, source = check_field("author", author), check_field("source", source)
        comment = check_field("comment", comment)
        cid = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
        graph = self.parse(data, fmt, cid)
        report = self.validate_graph(graph)
        if not report.conforms:
            raise NotConforming(report, graph,
                                f"{len(report.violations())} violation(s); nothing stored")
        name = ox.NamedNode(self.graph_iri(cid))
        submitted = now()
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)  # type: ignore[arg-type]
                 for s, p, o in graph]
        meta = [(RDF + "type", ox.NamedNode(PROV + "Entity")),
                (REVIEW + "id", _literal(cid)),
                (PROV + "generatedAtTime", _literal(submitted, XSD + "dateTime")),
                (REVIEW + "triples", _literal(str(len(graph)), XSD + "integer"))]
        if author:
            meta.append((DCTERMS + "creator", _literal(author)))
        if source:
            meta.append((DCTERMS + "source", self.source_term(source)))
        if comment:
            meta.append((RDFS + "comment", _literal(comment)))
        quads += [ox.Quad(name, ox.NamedNode(p), o, self.meta) for p, o in meta]
        self.store.extend(quads)  # atomic: the graph and its metadata, or nothing
        return self.get(cid), Checked(graph, report)

    # -- reading ----------------------------------------------------------------------------
    def _meta_of(self, name: ox.NamedNode) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for q in self.store.quads_for_pattern(name, None, None, self.meta):
            found.setdefault(q.predicate.value, []).append(q.object)
        return found

    def _contribution(self, meta: dict[str, list[Any]], name: str) -> Contribution:
        def one(pred: str) -> str | None:
            values = meta.get(pred)
            return values[0].value if values else None

        accepted, rejected = one(DCTERMS + "dateAccepted"), one(REVIEW + "rejectedAt")
        status = "accepted" if accepted else "rejected" if rejected else "pending"
        return Contribution(
            id=one(REVIEW + "id") or "", graph=name, status=status,
            submitted=one(PROV + "generatedAtTime") or "",
            triples=int(one(REVIEW + "triples") or 0), author=one(DCTERMS + "creator"),
            source=one(DCTERMS + "source"), comment=one(RDFS + "comment"),
            reviewed=accepted or rejected, reason=one(REVIEW + "reason"))

    def get(self, cid: str) -> Contribution:
        """One contribution; :class:`NotFound` when unknown."""
        if not ID_PATTERN.match(cid):
            raise NotFound(f"no contribution {cid!r}")
        name = ox.NamedNode(self.graph_iri(cid))
        meta = self._meta_of(name)
        if not meta:
            raise NotFound(f"no contribution {cid!r}")
        return self._contribution(meta, name.value)

    def list(self, status: str | None = None) -> list[Contribution]:
        """All contributions (of one status), oldest first."""
        if status is not None and status not in STATUSES:
            raise InputError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        found = []
        for q in self.store.quads_for_pattern(None, ox.NamedNode(REVIEW + "id"), None,
                                              self.meta):
            item = self._contribution(self._meta_of(q.subject), q.subject.value)
            if status is None or item.status == status:
                found.append(item)
        return sorted(found, key=lambda c: (c.submitted, c.id))

    def triples(self, cid: str) -> list[ox.Triple]:
        """The contribution's triples, sorted."""
        self.get(cid)
        name = ox.NamedNode(self.graph_iri(cid))
        return sorted((ox.Triple(q.subject, q.predicate, q.object)
                       for q in self.store.quads_for_pattern(None, None, None, name)), key=str)

    def graph(self, cid: str) -> Graph:
        """The contribution's triples as an rdflib graph."""
        graph = Graph()
        for t in self.triples(cid):
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return graph

    def quads(self, cid: str) -> list[ox.Quad]:
        """The contribution's graph and its metadata, as stored."""
        self.get(cid)
        name = ox.NamedNode(self.graph_iri(cid))
        return [*self.store.quads_for_pattern(None, None, None, name),
                *self.store.quads_for_pattern(name, None, None, self.meta)]

    def diff(self, cid: str) -> tuple[list[str], list[str]]:
        """The N-Triples lines the contribution adds, and those the graph already has
        (the contribution's own graph in the main store, once accepted, not counted)."""
        source = self._graph_source(self.accepted_graph_iri(cid))
        added, existing = [], []
        for t in self.triples(cid):
            line = f"{t.subject} {t.predicate} {t.object} ."
            triple = (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
            (existing if source.contains(triple) else added).append(line)
        return added, existing

    # -- review -----------------------------------------------------------------------------
    def accept(self, cid: str) -> tuple[Contribution, IncrementalReport]:
        """Re-validate against the current graph, merge into it, mark accepted.

        Raises :class:`ContributionConflict` when not pending, :class:`NotConforming` when it
        no longer conforms (nothing changed then).
        """
        with self._review_lock:
            item = self.get(cid)
            if item.status != "pending":
                raise ContributionConflict(f"contribution {cid} is {item.status}, not pending")
            graph = self.graph(cid)
            target = self.accepted_graph_iri(cid)
            report = self.validate_graph(graph, exclude=target)
            if not report.conforms:
                raise NotConforming(report, graph, f"contribution {cid} no longer "
                                    f"conforms ({len(report.violations())} violation(s))")
            accepted = now()
            if not self.kg.has_graph(target):
                self._merge(item, accepted)
            self._mark_accepted(cid, accepted)
            return self.get(cid), report

    def _merge(self, item: Contribution, accepted: str) -> None:
        """Copy the triples and the PROV metadata into the main store (one write)."""
        self.kg.load_data(ox.serialize(self._merge_quads(item, accepted),
                                       format=ox.RdfFormat.N_QUADS), "application/n-quads")

    def _merge_quads(self, item: Contribution, accepted: str) -> list[ox.Quad]:
        target = ox.NamedNode(self.accepted_graph_iri(item.id))
        meta_graph = ox.NamedNode(self.base + "graph/meta")
        name = ox.NamedNode(item.graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in self.triples(item.id)]
        for q in self.store.quads_for_pattern(name, None, None, self.meta):
            if q.predicate.value != DCTERMS + "dateAccepted":
                quads.append(ox.Quad(target, q.predicate, q.object, meta_graph))
        quads.append(ox.Quad(target, ox.NamedNode(DCTERMS + "dateAccepted"),
                             _literal(accepted, XSD + "dateTime"), meta_graph))
        return quads

    def _mark_accepted(self, cid: str, when: str) -> None:
        name = ox.NamedNode(self.graph_iri(cid))
        self.store.extend([ox.Quad(name, ox.NamedNode(DCTERMS + "dateAccepted"),
                                   _literal(when, XSD + "dateTime"), self.meta)])

    def reject(self, cid: str, reason: str | None) -> Contribution:
        """Mark rejected with a reason (required); the contribution is kept."""
        reason = check_field("reason", reason)
        if not reason:
            raise InputError("a reason is required to reject a contribution")
        with self._review_lock:
            item = self.get(cid)
            if item.status != "pending":
                raise ContributionConflict(f"contribution {cid} is {item.status}, not pending")
            name = ox.NamedNode(item.graph)
            self.store.extend([
                ox.Quad(name, ox.NamedNode(REVIEW + "rejectedAt"),
                        _literal(now(), XSD + "dateTime"), self.meta),
                ox.Quad(name, ox.NamedNode(REVIEW + "reason"), _literal(reason), self.meta)])
            return self.get(cid)

    def recover(self) -> list[str]:
        """Bring the two stores back in step; return the ids repaired.

        A pending contribution whose graph is already in the main store (a crash between
        the two steps of :meth:`accept`) is marked accepted; an accepted one whose graph is
        missing there (the store was reloaded from a new build) is merged again, all in one
        write, as the maintainer accepted it (not re-validated).
        """
        if self.kg.read_only:
            return []
        fixed, missing = [], []
        for item in self.list():
            merged = self.kg.has_graph(self.accepted_graph_iri(item.id))
            if item.status == "pending" and merged:
                self._mark_accepted(item.id, now())
                fixed.append(item.id)
            elif item.status == "accepted" and not merged:
                missing.append(item)
        if missing:
            quads = [q for item in missing for q in self._merge_quads(item, item.reviewed or now())]
            self.kg.load_data(ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
                              "application/n-quads")
            fixed.extend(item.id for item in missing)
        return fixed
