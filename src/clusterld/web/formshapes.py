"""The forms of ``/contribute``, generated from the SHACL shapes and the ontology.

For each common case (new agreement, new membership, new person in a post) a :class:`CaseSpec`
names the class and the properties of each group of fields; everything else about a field comes
from the property shapes that apply to that class (``sh:targetClass`` on it or a superclass):
the label (``sh:name``, else the ontology's ``rdfs:label``), the help text (``sh:description``,
else ``skos:definition``), the widget (``sh:in`` or a concept scheme → a select, ``sh:class``
→ an entity picker, ``rdf:langString`` → text with a language, dates → a date), and the
cardinality (``sh:minCount``, ``sh:maxCount``, merged over the shapes of the same path).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS, XSD
from rdflib.term import Node

from clusterld.schema import KINDS, ONTOLOGY_NS
from clusterld.web.labels import LANGS, local_name

CLD = ONTOLOGY_NS
DATE_TYPES = (str(XSD.date), str(XSD.gYearMonth), str(XSD.gYear))
# The IRI segment of new entities of an abstract class (the concrete ones come from KINDS).
ABSTRACT_KIND = {"Agent": "org", "Organisation": "org", "Plan": "programme"}


# -- the generated form ------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One input of a form: a property of the group's node, described by the shapes."""

    key: str  # unique in its case, used for the HTML ids
    path: str  # the property IRI ("" for a group's subject picker)
    labels: dict[str, str]
    help: dict[str, str]
    widget: str  # "entity", "select", "langtext", "date", "string"
    datatypes: tuple[str, ...] = ()
    min_count: int = 0
    max_count: int | None = None
    cls: str | None = None  # the value class of an entity picker
    kind: str | None = None  # the IRI segment of a new entity of that class
    options: tuple[tuple[str, dict[str, str]], ...] = ()  # (concept IRI, its labels)

    @property
    def required(self) -> bool:
        """At least one value is needed."""
        return self.min_count > 0

    @property
    def repeatable(self) -> bool:
        """More than one value is allowed."""
        return self.max_count is None or self.max_count > 1

    def label(self, lang: str) -> str:
        """The label in ``lang`` (else the other language, else the property's name)."""
        return _pick(self.labels, lang) or local_name(self.path or self.key)

    def help_text(self, lang: str) -> str:
        """The help text in ``lang`` (may be empty)."""
        return _pick(self.help, lang)

    def option_label(self, labels: dict[str, str], lang: str) -> str:
        """An option's label in ``lang``."""
        return _pick(labels, lang)

    def config(self, lang: str) -> dict[str, Any]:
        """What the browser needs to turn the input into Turtle and place messages."""
        return {"key": self.key, "path": self.path, "widget": self.widget,
                "datatypes": list(self.datatypes), "min": self.min_count, "max": self.max_count,
                "cls": self.cls, "kind": self.kind, "label": self.label(lang)}


@dataclass(frozen=True)
class Group:
    """A node the form describes: the case's subject, or a node linked from it."""

    key: str
    cls: str  # the class of the node (the one its shapes target)
    labels: dict[str, str]
    fields: tuple[Field, ...]
    subject: Field | None = None  # a picker naming the node (existing entities)
    link: str | None = None  # the property from the case's subject to this node
    repeatable: bool = False
    iri: str = ""  # how a new node's IRI is minted (see contribute.js)

    def label(self, lang: str) -> str:
        """The group's heading."""
        return _pick(self.labels, lang) or local_name(self.cls)

    def config(self, lang: str) -> dict[str, Any]:
        """The group for the browser."""
        return {"key": self.key, "cls": self.cls, "kind": kind_of(self.cls), "link": self.link,
                "iri": self.iri,
                "repeatable": self.repeatable,
                "subject": self.subject.config(lang) if self.subject else None,
                "fields": [f.config(lang) for f in self.fields]}


@dataclass(frozen=True)
class Case:
    """One of the common contributions: its groups of fields."""

    name: str
    labels: dict[str, str]
    groups: tuple[Group, ...]
    types: tuple[tuple[str, dict[str, str]], ...] = ()  # classes the new subject may have

    def label(self, lang: str) -> str:
        """The case's name in ``lang``."""
        return _pick(self.labels, lang)

    def config(self, lang: str) -> dict[str, Any]:
        """The case for the browser."""
        return {"name": self.name, "types": [t for t, _ in self.types],
                "groups": [g.config(lang) for g in self.groups]}


@dataclass(frozen=True)
class GroupSpec:
    """Which properties of which class a group shows (the shapes say how)."""

    key: str
    cls: str
    paths: tuple[str, ...]
    subject: str = "new"  # "new": minted from the title; "pick": an existing (or new) entity
    link: str | None = None
    repeatable: bool = False
    iri: str = "{base}id/{kind}/{slug}"
    required: tuple[str, ...] = ()  # properties the case needs even if the shapes do not


@dataclass(frozen=True)
class CaseSpec:
    """A common contribution: its name and groups."""

    name: str
    labels: dict[str, str]
    groups: tuple[GroupSpec, ...]
    subclasses_of: str | None = None  # offer these classes as the type of the new subject


PREF, DESC = str(SKOS.prefLabel), str(DCTERMS.description)
CASES: tuple[CaseSpec, ...] = (
    CaseSpec("agreement", {"en": "New agreement", "fr": "Nouvel accord"}, (
        GroupSpec("agreement", CLD + "Agreement",
                  (PREF, CLD + "party", CLD + "signingDate", CLD + "signingPlace",
                   CLD + "signedDuring", CLD + "inFrameworkOf", DESC)),
        GroupSpec("signature", CLD + "Signature",
                  (CLD + "signatory", CLD + "onBehalfOf", CLD + "role"),
                  link=CLD + "hasSignature", repeatable=True,
                  iri="{owner}/signature/{slug:" + CLD + "signatory}"),
    ), subclasses_of="Agreement"),
    CaseSpec("membership", {"en": "New membership", "fr": "Nouvelle adhésion"}, (
        GroupSpec("member", CLD + "Agent", (CLD + "memberOf",), subject="pick",
                  required=(CLD + "memberOf",)),
    )),
    CaseSpec("post", {"en": "New person in a post", "fr": "Nouvelle personne à un poste"}, (
        GroupSpec("person", CLD + "Person", (), subject="pick"),
        GroupSpec("post", CLD + "Post", (CLD + "postIn", CLD + "role", CLD + "postTitle"),
                  link=CLD + "holds",
                  iri="{owner}/post/{slug:" + CLD + "postIn}-{slug:" + CLD + "role}"),
    )),
)


def _pick(values: dict[str, str], lang: str) -> str:
    for key in (lang, *LANGS, ""):
        if values.get(key):
            return values[key]
    return next(iter(values.values()), "")


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> dict[str, str]:
    """``{lang: text}`` of a subject's literals (one per language, the smallest)."""
    found: dict[str, str] = {}
    for value in sorted(graph.objects(subject, predicate), key=str):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


class ShapeReader:
    """The property shapes of the shapes graph, looked up by class and path."""

    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.shapes, self.ontology = shapes, ontology

    def superclasses(self, cls: str) -> set[URIRef]:
        """The class and its (transitive) superclasses in the ontology."""
        start = URIRef(cls)
        return set(self.ontology.transitive_objects(start, RDFS.subClassOf)) | {start}

    def property_shapes(self, cls: str, path: str) -> list[Node]:
        """The property shapes with this path in the node shapes targeting the class."""
        found: list[Node] = []
        for target in self.superclasses(cls):
            for node in self.shapes.subjects(SH.targetClass, target):
                for prop in self.shapes.objects(node, SH.property):
                    if self.shapes.value(prop, SH.path) == URIRef(path) and prop not in found:
                        found.append(prop)
        return sorted(found, key=str)

    def datatypes(self, prop: Node) -> list[str]:
        """``sh:datatype``, also inside an ``sh:or`` list."""
        found = [str(d) for d in self.shapes.objects(prop, SH.datatype)]
        for alternatives in self.shapes.objects(prop, SH["or"]):
            for member in Collection(self.shapes, alternatives):
                found += [str(d) for d in self.shapes.objects(member, SH.datatype)]
        return found

    def scheme_options(self, prop: Node) -> list[tuple[str, dict[str, str]]]:
        """The allowed concepts: ``sh:in``, else the scheme of the ``sh:node`` concept shape."""
        options: list[str] = []
        for listed in self.shapes.objects(prop, SH["in"]):
            options += [str(v) for v in Collection(self.shapes, listed)]
        if not options:
            for node in self.shapes.objects(prop, SH.node):
                pattern = self.shapes.value(node, SH.pattern)
                if self.shapes.value(node, SH["class"]) != SKOS.Concept or pattern is None:
                    continue
                namespace = re.sub(r"\\(.)", r"\1", str(pattern).lstrip("^").split("[")[0])
                scheme = URIRef(namespace.rstrip("/"))
                options += [str(c) for c in self.ontology.subjects(SKOS.inScheme, scheme)]
        return [(iri, _texts(self.ontology, URIRef(iri), SKOS.prefLabel))
                for iri in sorted(set(options))]

    def field(self, key: str, cls: str, path: str, required: bool = False) -> Field:
        """The input for ``path`` on a node of class ``cls``."""
        props = self.property_shapes(cls, path)
        if not props:
            raise ValueError(f"no shape of {cls} has the path {path}")
        labels: dict[str, str] = {}
        helps: dict[str, str] = {}
        minimum, maximum = (1 if required else 0), None
        datatypes: list[str] = []
        value_class = None
        options: list[tuple[str, dict[str, str]]] = []
        for prop in props:
            labels = labels or _texts(self.shapes, prop, SH.name)
            helps = helps or _texts(self.shapes, prop, SH.description)
            if (low := self.shapes.value(prop, SH.minCount)) is not None:
                minimum = max(minimum, int(low))
            if (high := self.shapes.value(prop, SH.maxCount)) is not None:
                maximum = int(high) if maximum is None else min(maximum, int(high))
            datatypes += [d for d in self.datatypes(prop) if d not in datatypes]
            value_class = value_class or self.shapes.value(prop, SH["class"])
            options = options or self.scheme_options(prop)
        target = URIRef(path)
        labels = labels or _texts(self.ontology, target, RDFS.label)
        helps = (helps or _texts(self.ontology, target, SKOS.definition)
                 or _texts(self.ontology, target, RDFS.comment))
        if options:
            widget = "select"
        elif value_class is not None and value_class != SKOS.Concept:
            widget = "entity"
        elif str(RDF.langString) in datatypes:
            widget = "langtext"
        elif datatypes and all(d in DATE_TYPES for d in datatypes):
            widget = "date"
        else:
            widget = "string"
        cls_iri = str(value_class) if widget == "entity" else None
        return Field(key, path, labels, helps, widget, tuple(datatypes), minimum, maximum,
                     cls_iri, kind_of(cls_iri) if cls_iri else None, tuple(options))

    def class_labels(self, cls: str) -> dict[str, str]:
        """The ontology's labels of a class."""
        return _texts(self.ontology, URIRef(cls), RDFS.label)

    def subject_field(self, key: str, cls: str) -> Field:
        """A picker naming the group's node: an existing entity of the class, or a new one."""
        return Field(key, "", self.class_labels(cls),
                     _texts(self.ontology, URIRef(cls), SKOS.definition), "entity",
                     min_count=1, max_count=1, cls=cls, kind=kind_of(cls))


def kind_of(cls: str) -> str | None:
    """The ``{base}id/{kind}/`` segment of a new entity of the class."""
    name = local_name(cls)
    for kind, classes in KINDS.items():
        if name in classes:
            return kind
    return ABSTRACT_KIND.get(name)


def build_cases(reader: ShapeReader, specs: Iterable[CaseSpec] = CASES) -> tuple[Case, ...]:
    """The forms of the common cases, from the shapes."""
    cases: list[Case] = []
    for spec in specs:
        groups: list[Group] = []
        for g in spec.groups:
            fields = tuple(reader.field(f"{g.key}-{local_name(p)}", g.cls, p, p in g.required)
                           for p in g.paths)
            subject = reader.subject_field(f"{g.key}-subject", g.cls) if g.subject == "pick" \
                else None
            groups.append(Group(g.key, g.cls, reader.class_labels(g.cls), fields, subject,
                                g.link, g.repeatable, g.iri))
        types: tuple[tuple[str, dict[str, str]], ...] = ()
        if spec.subclasses_of:
            kind = kind_of(CLD + spec.subclasses_of) or ""
            types = tuple((CLD + c, reader.class_labels(CLD + c)) for c in KINDS.get(kind, ()))
        cases.append(Case(spec.name, spec.labels, tuple(groups), types))
    return tuple(cases)


@lru_cache(maxsize=4)
def load_cases(shapes_file: str, ontology_dir: str) -> tuple[Case, ...]:
    """Parse the shapes and the ontology (once per file set) and build the forms."""
    shapes = Graph().parse(shapes_file, format="turtle")
    ontology = Graph()
    for path in sorted(Path(ontology_dir).glob("*.ttl")):
        ontology.parse(path, format="turtle")
    return build_cases(ShapeReader(shapes, ontology))
