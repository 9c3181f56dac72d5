"""The matching core of the reconciliation service (W3C Reconciliation Service API 0.2).

An :class:`Index` holds every entity of a :class:`~clusterld.store.KnowledgeGraph` (IRIs
``{base}id/{kind}/{slug}``) with every name it has — ``skos:prefLabel``, ``skos:altLabel``,
``rdfs:label``, ``cld:acronym`` — normalised (case, accents and punctuation ignored), its
classes and the values of the properties a query may test or a client may pull in.
:func:`index_for` builds one per store version and reuses it until the store changes.

Matching: a name equal to one of the entity's names (after normalisation) scores 100; other
candidates score by string similarity. ``match`` is true only when exactly one candidate
is an exact match once the type filter and property conditions are applied.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from clusterld import schema

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCTERMS = "http://purl.org/dc/terms/"
CLD = schema.ONTOLOGY_NS
WIKIDATA = "http://www.wikidata.org/entity/"
NAME_PREDICATES = {SKOS + "prefLabel": "pref", RDFS + "label": "label",
                   SKOS + "altLabel": "alt", CLD + "acronym": "acronym"}
EXACT = 100.0
MIN_SCORE = 40.0


@dataclass(frozen=True)
class Prop:
    """A property clients may test in a query or pull in by data extension."""

    id: str
    name: str
    predicate: str
    kind: str  # "ref" (an entity or concept), "str", or "wikidata"
    inverse: bool = False
    description: str = ""


PROPERTIES: tuple[Prop, ...] = (
    Prop("country", "country", CLD + "country", "ref", description="Country of the entity"),
    Prop("sector", "sector", CLD + "sector", "ref", description="Sector (concept)"),
    Prop("members", "members", CLD + "memberOf", "ref", inverse=True,
         description="Organisations and people that are members of it"),
    Prop("memberOf", "member of", CLD + "memberOf", "ref",
         description="Organisations it is a member of"),
    Prop("wikidata", "Wikidata ID", SKOS + "exactMatch", "wikidata",
         description="Wikidata item (curated skos:exactMatch)"),
    Prop("acronym", "acronym", CLD + "acronym", "str", description="Acronym"),
    Prop("location", "location", CLD + "location", "ref", description="Where it is located"),
    Prop("headquartersIn", "headquarters in", CLD + "headquartersIn", "ref",
         description="City of its headquarters"),
    Prop("website", "website", CLD + "website", "str", description="Website"),
    Prop("type", "type", RDF_TYPE, "ref", description="clusterld class"),
)
PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}


def normalise(text: str) -> str:
    """Lower case, accents removed, every run of punctuation or space made one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("&", " and ").replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def compact(text: str) -> str:
    """The normalised text without spaces (``C.E.3.M`` and ``CE3M`` → ``ce3m``)."""
    return normalise(text).replace(" ", "")


ACRONYM = re.compile(r"(?=.*[A-Za-z])(?:[A-Z0-9][A-Z0-9&.\- ]+|\S*@\S*)")


def name_keys(text: str) -> set[str]:
    """The keys a name is found under: itself, without its parenthesised parts, and the
    parenthesised parts that are acronyms (``École … (ENP)`` → also ``ENP``; a qualifier
    such as ``(Morocco)`` is not a name)."""
    keys = {normalise(text)}
    outside = re.sub(r"\([^)]*\)", " ", text)
    keys.add(normalise(outside))
    for inside in re.findall(r"\(([^)]*)\)", text):
        if ACRONYM.fullmatch(inside.strip()):
            keys.add(normalise(inside))
    return {k for k in keys if k}


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    return re.split(r"[#/]", iri)[-1]


@dataclass
class Entry:
    """One entity of the index."""

    iri: str
    types: list[str] = field(default_factory=list)  # clusterld class IRIs
    labels: dict[str, str] = field(default_factory=dict)  # lang → prefLabel
    names: set[str] = field(default_factory=set)  # every name as written
    keys: set[str] = field(default_factory=set)  # normalised names
    compact_keys: set[str] = field(default_factory=set)
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    description: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str = "en") -> str:
        """The preferred label in ``lang``, else English, French, any."""
        for key in (lang, "en", "fr", ""):
            if key in self.labels:
                return self.labels[key]
        return next(iter(sorted(self.names)), local_name(self.iri))


@dataclass
class Candidate:
    """A scored candidate of one query."""

    entry: Entry
    score: float
    exact: bool
    features: dict[str, float | bool] = field(default_factory=dict)
    match: bool = False


class Index:
    """Every entity of a knowledge graph with its names, classes and property values."""

    def __init__(self, kg: Any) -> None:
        self.base = kg.base
        self.entries: dict[str, Entry] = {}
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)  # any IRI → lang → label
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_compact: dict[str, set[str]] = defaultdict(set)
        self.classes: dict[str, dict[str, str]] = {}  # class IRI → lang → label
        self._load(kg)

    # -- building -----------------------------------------------------------------------
    def is_entity(self, iri: str) -> bool:
        """``{base}id/{kind}/{slug}`` with a known kind."""
        prefix = self.base + "id/"
        if not iri.startswith(prefix):
            return False
        parts = iri[len(prefix):].split("/")
        return len(parts) == 2 and parts[0] in schema.KINDS and bool(parts[1])

    def _entry(self, iri: str) -> Entry:
        entry = self.entries.get(iri)
        if entry is None:
            entry = self.entries[iri] = Entry(iri)
        return entry

    def _load(self, kg: Any) -> None:
        for row in kg.query(f"SELECT ?s ?t WHERE {{ ?s <{RDF_TYPE}> ?t }}"):
            s, t = row["s"], row["t"]
            if not isinstance(s, ox.NamedNode) or not isinstance(t, ox.NamedNode):
                continue
            if t.value.startswith(CLD) and self.is_entity(s.value):
                entry = self._entry(s.value)
                if t.value not in entry.types:
                    entry.types.append(t.value)
                    entry.values["type"].append(t.value)
        names = " ".join(f"<{p}>" for p in NAME_PREDICATES)
        for row in kg.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {names} }} ?s ?p ?o }}"):
            s, p, o = row["s"], row["p"], row["o"]
            if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.Literal):
                continue
            kind = NAME_PREDICATES[p.value]
            if kind in ("pref", "label"):
                self.labels[s.value].setdefault(o.language or "", o.value)
            entry = self.entries.get(s.value)
            if entry is None:
                continue
            if kind == "pref":
                entry.labels.setdefault(o.language or "", o.value)
            if kind == "acronym":
                entry.values["acronym"].append(o.value)
            entry.names.add(o.value)
        preds = " ".join(f"<{p.predicate}>" for p in PROPERTIES if p.id != "type")
        query = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {preds} <{DCTERMS}description> }} "
                 "?s ?p ?o }")
        for row in kg.query(query):
            self._value(row["s"], row["p"].value, row["o"])
        for entry in self.entries.values():
            for text in entry.names:
                for key in name_keys(text):
                    entry.keys.add(key)
                    self.by_key[key].add(entry.iri)
                    entry.compact_keys.add(key.replace(" ", ""))
                    self.by_compact[key.replace(" ", "")].add(entry.iri)
        for t in {t for e in self.entries.values() for t in e.types}:
            self.classes[t] = dict(self.labels.get(t, {}))
        for cls in schema.SUPERCLASS:
            iri = CLD + cls
            if iri in self.labels:
                self.classes.setdefault(iri, dict(self.labels[iri]))

    def _value(self, s: Any, predicate: str, o: Any) -> None:
        if predicate == DCTERMS + "description":
            if isinstance(s, ox.NamedNode) and s.value in self.entries and isinstance(
                    o, ox.Literal):
                self.entries[s.value].description.setdefault(o.language or "", o.value)
            return
        for prop in PROPERTIES:
            if prop.predicate != predicate or prop.id in ("acronym", "type"):
                continue
            owner, value = (o, s) if prop.inverse else (s, o)
            if not isinstance(owner, ox.NamedNode) or owner.value not in self.entries:
                continue
            if prop.kind == "wikidata" and not value.value.startswith(WIKIDATA):
                continue
            self.entries[owner.value].values[prop.id].append(value.value)

    # -- reading ------------------------------------------------------------------------
    def label(self, iri: str, lang: str = "en") -> str:
        """The label of any IRI (entity, concept, class), else its local name."""
        found = self.labels.get(iri, {})
        for key in (lang, "en", "fr", ""):
            if key in found:
                return found[key]
        return local_name(iri)

    def class_iri(self, type_id: str) -> str:
        """``Cluster`` or ``cld:Cluster`` or the full IRI → the full class IRI."""
        if type_id.startswith(("http://", "https://")):
            return type_id
        return CLD + type_id.split(":", 1)[-1]

    def has_type(self, entry: Entry, type_id: str) -> bool:
        """Whether the entry is of the class or one of its subclasses."""
        wanted = self.class_iri(type_id)
        if not wanted.startswith(CLD):
            return wanted in entry.types
        return any(schema.is_subclass(t[len(CLD):], wanted[len(CLD):]) for t in entry.types
                   if t.startswith(CLD))

    def describe(self, entry: Entry, lang: str = "en") -> str:
        """A short description: its description, else its classes and country."""
        for key in (lang, "en", "fr"):
            if key in entry.description:
                return entry.description[key]
        parts = [self.label(t, lang) for t in entry.types]
        countries = [self.label(c, lang) for c in entry.values.get("country", [])]
        return ", ".join(parts) + (f" ({', '.join(countries)})" if countries else "")

    def values(self, entry: Entry, prop: Prop) -> list[str]:
        """The values of a property on an entry (IRIs or strings), deduplicated."""
        return list(dict.fromkeys(entry.values.get(prop.id, [])))

    # -- matching -----------------------------------------------------------------------
    def search(self, query: Mapping[str, Any], lang: str = "en") -> list[Candidate]:
        """Candidates for one reconciliation query, best first (``limit`` applied)."""
        text = str(query.get("query") or "").strip()
        types = query.get("type") or []
        types = [types] if isinstance(types, str) else [str(t) for t in types]
        strict = str(query.get("type_strict") or "any")
        conditions = list(query.get("properties") or [])
        limit = _limit(query.get("limit"), 10)
        pool = self._name_candidates(text) if text else {
            iri: (EXACT, False) for iri in self.entries}
        results: list[Candidate] = []
        for iri, (score, exact) in pool.items():
            entry = self.entries[iri]
            features: dict[str, float | bool] = {"name": round(score, 1)}
            if types:
                hits = [self.has_type(entry, t) for t in types]
                ok = all(hits) if strict == "all" else any(hits)
                if not ok and strict != "should":
                    continue
                features["type"] = ok
                if not ok:
                    score, exact = score * 0.8, False
            matched = [self.condition(entry, c) for c in conditions]
            for cond, ok in zip(conditions, matched, strict=True):
                features[f"property:{cond.get('pid')}"] = ok
            if conditions:
                if not text and not all(matched):
                    continue
                if not all(matched):
                    score, exact = score * (0.5 + 0.5 * sum(matched) / len(matched)), False
            results.append(Candidate(entry, round(score, 2), exact, features))
        results.sort(key=lambda c: (-c.score, c.entry.name(lang), c.entry.iri))
        exact = [c for c in results if c.exact]
        if len(exact) == 1 and (text or conditions):
            exact[0].match = True
        return results[:limit]

    def _name_candidates(self, text: str) -> dict[str, tuple[float, bool]]:
        key, squashed = normalise(text), compact(text)
        found: dict[str, tuple[float, bool]] = {}
        for iri in self.by_key.get(key, set()) | self.by_compact.get(squashed, set()):
            found[iri] = (EXACT, True)
        if not key:
            return found
        for iri, entry in self.entries.items():
            if iri not in found:
                score = max((similarity(key, other) for other in entry.keys), default=0.0)
                if score >= MIN_SCORE:
                    found[iri] = (score, False)
        return found

    def condition(self, entry: Entry, cond: Mapping[str, Any]) -> bool:
        """Whether a property condition (``{"pid": "country", "v": "Morocco"}``) holds."""
        prop = PROPERTY_BY_ID.get(str(cond.get("pid", "")))
        if prop is None:
            prop = next((p for p in PROPERTIES if p.predicate == cond.get("pid")), None)
        if prop is None:
            return False
        wanted = cond.get("v")
        wanted_list = wanted if isinstance(wanted, list) else [wanted]
        have = self.values(entry, prop)
        return any(self._value_matches(prop, have, w) for w in wanted_list)

    def _value_matches(self, prop: Prop, have: list[str], wanted: Any) -> bool:
        if isinstance(wanted, Mapping):
            wanted = wanted.get("id") or wanted.get("name") or ""
        text = str(wanted).strip()
        if not text:
            return False
        if prop.kind == "wikidata":
            qid = local_name(text)
            return any(local_name(h) == qid for h in have)
        if prop.kind == "str":
            return any(normalise(h) == normalise(text) for h in have)
        if prop.id == "type":
            return any(schema.is_subclass(local_name(h), local_name(self.class_iri(text)))
                       for h in have if h.startswith(CLD))
        key = normalise(text)
        for h in have:
            if text == h or key == normalise(local_name(h)):
                return True
            if any(key in name_keys(label) for label in self.labels.get(h, {}).values()):
                return True
        return False

    def suggest(self, prefix: str, types: Iterable[str] = (), limit: int = 10,
                lang: str = "en") -> list[Entry]:
        """Entities whose names start with (or contain) the prefix, best first."""
        key = normalise(prefix)
        if not key:
            return []
        ranked: list[tuple[int, str, Entry]] = []
        wanted = list(types)
        for entry in self.entries.values():
            if wanted and not any(self.has_type(entry, t) for t in wanted):
                continue
            keys = entry.keys
            if key in keys:
                rank = 0
            elif any(k.startswith(key) for k in keys):
                rank = 1
            elif any(f" {key}" in f" {k}" for k in keys):
                rank = 2
            elif any(key in k for k in keys):
                rank = 3
            else:
                continue
            ranked.append((rank, entry.name(lang), entry))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [r[2] for r in ranked[:limit]]


def similarity(key: str, other: str) -> float:
    """How alike two normalised names are, from 0 to 99 (100 is kept for exact matches)."""
    ratio = difflib.SequenceMatcher(None, key, other).ratio()
    words, other_words = set(key.split()), set(other.split())
    jaccard = len(words & other_words) / max(len(words | other_words), 1)
    inside = 0.0
    if words and words <= other_words and len(key) >= 3:
        inside = 0.7 + 0.25 * len(key) / max(len(other), 1)
    return round(min(max(ratio, jaccard, inside), 0.99) * 100, 2)


def _limit(value: Any, default: int) -> int:
    try:
        return max(1, min(int(value), 100))
    except (TypeError, ValueError):
        return default


_CACHE: dict[int, tuple[str, Index]] = {}
_LOCK = threading.Lock()


def index_for(kg: Any) -> Index:
    """The index of a knowledge graph, rebuilt when its ``version`` changes."""
    version = str(getattr(kg, "version", ""))
    with _LOCK:
        cached = _CACHE.get(id(kg))
        if cached is not None and cached[0] == version:
            return cached[1]
    index = Index(kg)
    with _LOCK:
        _CACHE[id(kg)] = (version, index)
    return index
