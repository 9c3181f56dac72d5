"""OWL consistency check of ontology + data with owlready2 and HermiT.

HermiT runs in Java (``owlready2.sync_reasoner``) on a fresh :class:`owlready2.World`, fed
with the N-Triples of the ontology and the data. Before loading, a few kinds of triples are
left out (see :func:`reasoner_input`):

* reified statements (``?st a rdf:Statement; rdf:subject …; rdf:predicate …``) — OWL 2 DL
  reserves the RDF reification vocabulary, ``rdf:predicate`` puns every property as an
  individual, and the statements carry provenance only: they cannot make the data
  inconsistent, while they double the size of the input;
* ``prov:wasDerivedFrom`` (the link of a statement or a graph to its evidence), for the
  same reason;
* ``owl:imports`` (the check must never fetch anything).

HermiT only knows the datatypes of the OWL 2 datatype map; ``xsd:date``, ``xsd:gYear`` and
``xsd:gYearMonth`` are not among them, so HermiT runs with ``--ignoreUnsupportedDatatypes``:
constraints on dates (e.g. two different founding dates of one organisation) are the
business of the SHACL shapes, not of the reasoner.

HermiT only says *that* the input is inconsistent. To name the culprits,
:func:`diagnose` looks, in Python, for individuals whose asserted or domain/range-inferred
types include two disjoint classes — the usual cause with this ontology.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import owlready2
import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, PROV, RDF, RDFS

from clusterld.errors import ClusterldError, InconsistentOntologyError
from clusterld.graphsource import to_ox_memo

_INFERENCES_IRI = "http://inferrences/"  # spelled as owlready2 spells it
_REIFICATION = {RDF.subject, RDF.predicate, RDF.object}
_DROPPED_PREDICATES = _REIFICATION | {PROV.wasDerivedFrom, OWL.imports}


@dataclass(frozen=True)
class ReasonerReport:
    """What the reasoner saw and did on a consistent input."""

    classes: int
    individuals: int
    inferred_facts: int
    seconds: float
    input_triples: int
    dropped_triples: int
    note: str = ""

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line for the CLI."""
        return (f"{self.classes} classes, {self.individuals} individuals, "
                f"{self.inferred_facts} inferred facts, {self.input_triples} triples "
                f"({self.dropped_triples} provenance triples left out), {self.seconds:.1f} s")


def _all_triples(graph: Graph | Iterable[tuple]) -> Iterator[tuple]:
    """Every triple of a graph, of every named graph of a Dataset, or of an iterable."""
    if hasattr(graph, "quads"):
        for s, p, o, _ in graph.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from graph


def reasoner_input(*graphs: Graph | Iterable[tuple]) -> tuple[Graph, int]:
    """Merge the graphs into the one graph HermiT gets; returns it and the dropped count."""
    kept, dropped = _kept_triples(*graphs)
    return _graph(kept), dropped


def _graph(triples: list[tuple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _kept_triples(*graphs: Graph | Iterable[tuple]) -> tuple[list[tuple], int]:
    """The distinct triples HermiT gets (see the module's docstring), and the dropped count.

    Plain tuples: an rdflib graph of a million triples costs more than HermiT's own run.
    """
    triples: set[tuple] = set()
    for graph in graphs:
        triples.update(_all_triples(graph))
    statements = {s for s, p, o in triples if p == RDF.type and o == RDF.Statement}
    kept = [t for t in triples if t[0] not in statements and t[1] not in _DROPPED_PREDICATES]
    return kept, len(triples) - len(kept)


def _ntriples(triples: list[tuple]) -> bytes:
    """N-Triples of rdflib-term tuples, written by pyoxigraph (each term converted once)."""
    conv = to_ox_memo()
    return ox.serialize((ox.Triple(conv(s), conv(p), conv(o)) for s, p, o in triples),
                        format=ox.RdfFormat.N_TRIPLES)


def check_consistency(ontology: Graph, data: Graph | Iterable[tuple],
                      *, infer_property_values: bool = False) -> ReasonerReport:
    """Run HermiT on ontology + data; raise InconsistentOntologyError if they clash.

    Unsatisfiable classes (classes that can have no instance) also raise, naming them.
    ``data`` may be a Dataset (the union of its graphs is checked) or just its triples (the
    build passes them without making an rdflib graph of the whole data).
    """
    kept, dropped = _kept_triples(ontology, data)
    world = owlready2.World()
    try:
        # owlready2 prints its warnings on stderr: keep them out of the CLI's output.
        with contextlib.redirect_stderr(io.StringIO()):
            onto = world.get_ontology("https://w3id.org/clusterld/reasoner-input")
            onto.load(fileobj=io.BytesIO(_ntriples(kept)), format="ntriples")
            seconds, note = _run_hermit(world, kept, infer_property_values)
            unsat = tuple(sorted(c.iri for c in world.inconsistent_classes()))
            if unsat:
                raise InconsistentOntologyError(
                    "unsatisfiable classes (no individual can belong to them): "
                    + ", ".join(unsat))
            return ReasonerReport(
                classes=sum(1 for _ in world.classes()),
                individuals=count_individuals(kept),
                inferred_facts=sum(1 for _ in world.get_ontology(_INFERENCES_IRI).get_triples()),
                seconds=seconds,
                input_triples=len(kept),
                dropped_triples=dropped,
                note=note,
            )
    finally:
        world.close()


def _run_hermit(world: owlready2.World, kept: list[tuple], infer_property_values: bool
                ) -> tuple[float, str]:
    """``sync_reasoner`` on the world; returns the seconds it took and a note, if any."""
    start = time.perf_counter()
    note = ""
    try:
        owlready2.sync_reasoner(world, infer_property_values=infer_property_values, debug=0,
                                ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        raise InconsistentOntologyError(_message(diagnose(_graph(kept)))) from exc
    except owlready2.OwlReadyJavaError as exc:
        raise ClusterldError(f"the OWL reasoner failed: {exc}") from exc
    except FileNotFoundError as exc:
        raise ClusterldError(f"the OWL reasoner needs Java ({owlready2.JAVA_EXE!r}): "
                             f"{exc}") from exc
    except (TypeError, AttributeError) as exc:
        # HermiT said "consistent"; owlready2 then failed to mirror an inference on its
        # Python objects (an ontology term punned as an individual, e.g. a property used
        # as the value of an object property). The inferences are in its quadstore already.
        note = f"owlready2 could not apply every inference to Python objects: {exc}"
    return time.perf_counter() - start, note


def count_individuals(graph: Graph | Iterable[tuple]) -> int:
    """Subjects typed with a class outside the RDF/RDFS/OWL built-in vocabulary."""
    builtin = (str(RDF), str(RDFS), str(OWL))
    return len({s for s, p, o in graph if p == RDF.type
                and isinstance(o, URIRef) and not str(o).startswith(builtin)})


# --- diagnosis -------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """One individual that belongs to two disjoint classes, and why it has each type."""

    individual: str
    classes: tuple[str, str]
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return (f"{self.individual} is both {self.classes[0]} and {self.classes[1]}, which are "
                f"disjoint ({'; '.join(self.reasons)})")


def _named(nodes: Iterable) -> set[URIRef]:
    return {n for n in nodes if isinstance(n, URIRef)}


def _superclasses(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Reflexive-transitive closure of rdfs:subClassOf between named classes."""
    direct: dict[URIRef, set[URIRef]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct[sub].add(sup)
    closure: dict[URIRef, set[URIRef]] = {}

    def walk(cls: URIRef) -> set[URIRef]:
        if cls not in closure:
            closure[cls] = {cls}
            for sup in direct.get(cls, ()):
                closure[cls] |= walk(sup)
        return closure[cls]

    for cls in list(direct):
        walk(cls)
    return defaultdict(set, closure)


def _disjoint_pairs(graph: Graph) -> set[frozenset[URIRef]]:
    pairs: set[frozenset[URIRef]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        lst = graph.value(node, OWL.members)
        members = [m for m in Collection(graph, lst) if isinstance(m, URIRef)] if lst else []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add(frozenset((a, b)))
    return pairs


def _property_axioms(graph: Graph) -> tuple[dict, dict]:
    """Named domains and ranges per property, inherited along rdfs:subPropertyOf."""
    domains: dict[URIRef, set[URIRef]] = defaultdict(set)
    ranges: dict[URIRef, set[URIRef]] = defaultdict(set)
    for prop, cls in graph.subject_objects(RDFS.domain):
        domains[prop] |= _named([cls])
    for prop, cls in graph.subject_objects(RDFS.range):
        ranges[prop] |= _named([cls])
    for prop, inv in graph.subject_objects(OWL.inverseOf):  # p inverseOf q: dom p = ran q
        domains[inv] |= ranges[prop]
        ranges[inv] |= domains[prop]
        domains[prop] |= ranges[inv]
        ranges[prop] |= domains[inv]
    supers: dict[URIRef, set[URIRef]] = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subPropertyOf):
        supers[sub].add(sup)
    for prop in list(supers):
        seen, todo = set(), list(supers[prop])
        while todo:
            sup = todo.pop()
            if sup in seen:
                continue
            seen.add(sup)
            domains[prop] |= domains.get(sup, set())
            ranges[prop] |= ranges.get(sup, set())
            todo.extend(supers.get(sup, ()))
    return domains, ranges


def diagnose(graph: Graph) -> list[Clash]:
    """Individuals typed (by assertion, domain or range) with two disjoint classes."""
    supers = _superclasses(graph)
    pairs = _disjoint_pairs(graph)
    domains, ranges = _property_axioms(graph)
    why: dict[URIRef | BNode, dict[URIRef, str]] = defaultdict(dict)
    for s, p, o in graph:
        if p == RDF.type and isinstance(o, URIRef):
            why[s].setdefault(o, f"asserted a {o}")
            continue
        for cls in domains.get(p, ()):
            why[s].setdefault(cls, f"subject of {p}")
        if not isinstance(o, URIRef | BNode):
            continue
        for cls in ranges.get(p, ()):
            why[o].setdefault(cls, f"object of {p} from {s}")
    clashes: list[Clash] = []
    for individual, reasons in why.items():
        if not isinstance(individual, URIRef) or (individual, RDF.type, OWL.Class) in graph:
            continue
        origin: dict[URIRef, str] = {}
        for cls, reason in reasons.items():
            for sup in supers.get(cls) or {cls}:
                origin.setdefault(sup, reason)
        for pair in pairs:
            a, b = sorted(pair)
            if a in origin and b in origin:
                clashes.append(Clash(str(individual), (str(a), str(b)),
                                     tuple(dict.fromkeys((origin[a], origin[b])))))
    return sorted(clashes, key=lambda c: (c.individual, c.classes))


def _message(clashes: list[Clash]) -> str:
    if not clashes:
        return ("ontology and data are inconsistent (HermiT); no individual with two disjoint "
                "types was found, look for functional properties or disjoint classes")
    lines = [f"ontology and data are inconsistent: {len(clashes)} clash(es)"]
    lines += [f"  {clash}" for clash in clashes[:50]]
    if len(clashes) > 50:
        lines.append(f"  … and {len(clashes) - 50} more")
    return "\n".join(lines)
