"""Stage 1: load the seed files and check them against the schema.

Every mistake is reported as ``file:line: message``; all of them are collected
before :class:`~clusterld.errors.SeedError` is raised, so one run shows them all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from clusterld import gcpause, schema
from clusterld.errors import SeedError
from clusterld.iri import SLUG
from clusterld.paths import data_path, sources_dir

LANGS = ("fr", "en")
SRC = re.compile(r"^(?P<doc>\d{3}):(?P<start>\d+)-(?P<end>\d+)$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    line: int = 0
    item_lines: list[int]


# libyaml's parser when PyYAML has it (≈5× faster on large seed sets); nodes keep their lines
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Keep dates and numbers-looking ids as written: "2016", "000", "2021-01-20".
    return str(node.value)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


@dataclass
class Source:
    """A source article."""

    id: str
    file: str
    title: str
    language: str
    publisher: str | None = None
    date: str | None = None
    place: str | None = None
    url: str | None = None
    text: str | None = None
    where: str = ""


@dataclass
class Fact:
    """One piece of evidence and the values it supports."""

    source: str
    start: int
    end: int
    values: dict[str, Any]
    where: str
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Entity:
    """A seed entity: its id, class, preferred labels and facts."""

    id: str
    type: str
    label: dict[str, str]
    where: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]


@dataclass
class SeedSet:
    """Everything loaded from ``seeds/``."""

    sources: dict[str, Source]
    entities: dict[str, Entity]
    concepts: set[str]


class _Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _read_yaml(path: Path, problems: _Problems) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 0
        problems.add(f"{path}:{line}", f"YAML syntax: {exc.problem}")
    except yaml.YAMLError as exc:
        problems.add(f"{path}:0", f"YAML syntax: {exc}")
    return None


def _rel(path: Path) -> Path:
    """``path`` relative to the working directory when under it (shorter messages)."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def load_concepts(ontology_dir: Path) -> set[str]:
    """The concept refs (``sector:ict``) declared in ``ontology/*.ttl``."""
    graph = Graph()
    for ttl in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(ttl, format="turtle")
    refs: set[str] = set()
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        text = str(concept)
        if text.startswith(schema.VOCAB_NS):
            scheme, _, name = text[len(schema.VOCAB_NS):].partition("/")
            refs.add(f"{scheme}:{name}")
    return refs


def check_date(value: Any) -> bool:
    """True for YYYY, YYYY-MM or YYYY-MM-DD naming a real date."""
    text = str(value)
    if not DATE.match(text):
        return False
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _load_sources(path: Path, text_dir: Path | None, problems: _Problems) -> dict[str, Source]:
    data = _read_yaml(path, problems)
    sources: dict[str, Source] = {}
    if data is None:
        return sources
    if not isinstance(data, list):
        problems.add(f"{path}:1", "expected a list of sources")
        return sources
    for item in data:
        if not isinstance(item, LineDict):
            problems.add(f"{path}:{data.line}", "each source must be a mapping")
            continue
        where = f"{path}:{item.line}"
        missing = [k for k in ("id", "file", "title", "language") if not item.get(k)]
        if missing:
            problems.add(where, f"source is missing {', '.join(missing)}")
            continue
        unknown = set(item) - {"id", "file", "title", "language", "publisher", "date", "place",
                               "url"}
        for key in sorted(unknown):
            problems.add(f"{path}:{item.key_lines[key]}", f"unknown source key '{key}'")
        sid = str(item["id"])
        if sid in sources:
            problems.add(where, f"duplicate source id '{sid}' (first at {sources[sid].where})")
            continue
        if item.get("date") and not check_date(item["date"]):
            problems.add(f"{path}:{item.key_lines['date']}", f"bad date '{item['date']}'")
        text = None
        if text_dir is not None:
            file = text_dir / str(item["file"])
            if file.is_file():
                text = file.read_text(encoding="utf-8")
            else:
                problems.add(where, f"source file not found: {file}")
        sources[sid] = Source(
            id=sid, file=str(item["file"]), title=str(item["title"]),
            language=str(item["language"]), publisher=item.get("publisher"),
            date=item.get("date"), place=item.get("place"), url=item.get("url"),
            text=text, where=where,
        )
    return sources


def load(seeds_dir: Path | None = None, *, text_dir: Path | None = None,
         ontology_dir: Path | None = None) -> SeedSet:
    """Load and check every seed file; raise :class:`SeedError` listing all problems."""
    with gcpause.paused():
        return _load(seeds_dir, text_dir, ontology_dir)


def _load(seeds_dir: Path | None, text_dir: Path | None, ontology_dir: Path | None) -> SeedSet:
    seeds_dir = seeds_dir or data_path("seeds")
    ontology_dir = ontology_dir or data_path("ontology")
    if text_dir is None:
        text_dir = sources_dir()
    problems = _Problems()
    sources = _load_sources(_rel(seeds_dir / "sources.yaml"), text_dir, problems)
    concepts = load_concepts(ontology_dir)
    entities: dict[str, Entity] = {}
    slugs: dict[str, str] = {}
    extensions: list[tuple[str, LineDict, Path]] = []
    for path in map(_rel, sorted(seeds_dir.glob("*.yaml"))):
        if path.name == "sources.yaml":
            continue
        data = _read_yaml(path, problems)
        if data is None:
            continue
        if not isinstance(data, list):
            problems.add(f"{path}:1", "expected a list of entity entries")
            continue
        for item in data:
            if not isinstance(item, LineDict):
                problems.add(f"{path}:{data.line}", "each entry must be a mapping")
                continue
            _read_entry(path, item, entities, slugs, extensions, problems)
    for target, item, path in extensions:
        if target not in entities:
            problems.add(f"{path}:{item.line}", f"unknown reference '{target}' in 'about'")
            continue
        entities[target].facts.extend(_read_facts(path, item, problems))
    seedset = SeedSet(sources=sources, entities=entities, concepts=concepts)
    for entity in entities.values():
        _check_entity(entity, seedset, problems)
    if problems:
        raise SeedError(list(problems))
    return seedset


def _read_entry(path: Path, item: LineDict, entities: dict[str, Entity], slugs: dict[str, str],
                extensions: list[tuple[str, LineDict, Path]], problems: _Problems) -> None:
    where = f"{path}:{item.line}"
    if "about" in item:
        extra = set(item) - {"about", "facts"}
        for key in sorted(extra):
            problems.add(f"{path}:{item.key_lines[key]}", f"'{key}' is not allowed with 'about'")
        extensions.append((str(item["about"]), item, path))
        return
    allowed = {"id", "type", "label", "facts", "note"}
    for key in sorted(set(item) - allowed):
        problems.add(f"{path}:{item.key_lines[key]}", f"unknown entry key '{key}'")
    missing = [k for k in ("id", "type", "label") if k not in item]
    if missing:
        problems.add(where, f"missing field {', '.join(missing)}")
        return
    eid = str(item["id"])
    kind, _, slug = eid.partition("/")
    if kind not in schema.KINDS or not SLUG.match(slug):
        problems.add(f"{path}:{item.key_lines['id']}",
                     f"bad id '{eid}': expected kind/slug with kind one of "
                     f"{', '.join(schema.KINDS)} and a lowercase-hyphenated slug")
        return
    if eid in entities:
        problems.add(where, f"duplicate id '{eid}' (first defined at {entities[eid].where})")
        return
    if slug in slugs:
        problems.add(where, f"duplicate slug '{slug}' (already used by '{slugs[slug]}')")
        return
    cls = str(item["type"])
    if cls not in schema.KINDS[kind]:
        problems.add(f"{path}:{item.key_lines['type']}",
                     f"type '{cls}' is not allowed for kind '{kind}' "
                     f"(allowed: {', '.join(schema.KINDS[kind])})")
    label = item["label"]
    labels: dict[str, str] = {}
    if not isinstance(label, dict) or not label:
        problems.add(f"{path}:{item.key_lines['label']}", "label must be a map {fr: …, en: …}")
    else:
        for lang, text in label.items():
            if lang not in LANGS or not isinstance(text, str) or not text.strip():
                problems.add(f"{path}:{item.key_lines['label']}",
                             f"label '{lang}' must be a non-empty string in fr or en")
            else:
                labels[lang] = text.strip()
    entity = Entity(id=eid, type=cls, label=labels, where=where)
    entity.facts.extend(_read_facts(path, item, problems))
    entities[eid] = entity
    slugs[slug] = eid


def _read_facts(path: Path, item: LineDict, problems: _Problems) -> list[Fact]:
    facts_data = item.get("facts", [])
    if facts_data is None:
        return []
    if not isinstance(facts_data, list):
        problems.add(f"{path}:{item.line}", "facts must be a list")
        return []
    facts: list[Fact] = []
    for fact in facts_data:
        if not isinstance(fact, LineDict):
            problems.add(f"{path}:{item.line}", "each fact must be a mapping")
            continue
        where = f"{path}:{fact.line}"
        src = fact.get("src")
        match = SRC.match(str(src)) if src is not None else None
        if not match:
            problems.add(where, f"missing or bad 'src' ('{src}'); expected 'NNN:start-end'")
            continue
        values = {k: v for k, v in fact.items() if k != "src"}
        facts.append(Fact(source=match["doc"], start=int(match["start"]), end=int(match["end"]),
                          values=values, where=where, key_lines=dict(fact.key_lines)))
    return facts


def _line_of(fact: Fact, key: str) -> str:
    if key in fact.key_lines:
        return f"{fact.where.rsplit(':', 1)[0]}:{fact.key_lines[key]}"
    return fact.where


def props_for(entity: Entity) -> dict[str, schema.Prop]:
    """The keys a fact on this entity may use."""
    allowed: dict[str, schema.Prop] = {}
    for family in schema.FAMILY_BY_KIND[entity.kind]:
        allowed.update(family)
    return allowed


def _check_entity(entity: Entity, seeds: SeedSet, problems: _Problems) -> None:
    if not entity.facts:
        problems.add(entity.where, f"entity '{entity.id}' has no fact citing a source")
    allowed = props_for(entity)
    for fact in entity.facts:
        source = seeds.sources.get(fact.source)
        if source is None:
            problems.add(fact.where, f"unknown source '{fact.source}'")
        elif not fact.start < fact.end:
            problems.add(fact.where, f"empty span {fact.start}-{fact.end}")
        elif source.text is not None and fact.end > len(source.text):
            problems.add(fact.where, f"span {fact.start}-{fact.end} runs past the end of "
                                     f"source {fact.source} ({len(source.text)} characters)")
        if not fact.values:
            problems.add(fact.where, "fact states nothing besides 'src'")
        for key, value in fact.values.items():
            where = _line_of(fact, key)
            prop = allowed.get(key)
            if prop is None:
                problems.add(where, f"unknown key '{key}' for a {entity.type}")
                continue
            _check_value(prop, value, where, seeds, problems)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _check_value(prop: schema.Prop, value: Any, where: str, seeds: SeedSet,
                 problems: _Problems) -> None:
    kind, _, arg = prop.range.partition(":")
    if kind == "text":
        if not isinstance(value, dict) or not value:
            problems.add(where, "expected a language map {fr: …, en: …}")
            return
        for lang, texts in value.items():
            if lang not in LANGS:
                problems.add(where, f"unknown language '{lang}' (use fr or en)")
            for text in _as_list(texts):
                if not isinstance(text, str) or not text.strip():
                    problems.add(where, f"empty text for '{lang}'")
        return
    values = _as_list(value)
    if not prop.many and len(values) > 1:
        problems.add(where, "takes a single value")
    for one in values:
        _check_one(kind, arg, one, where, seeds, problems)


def _check_one(kind: str, arg: str, value: Any, where: str, seeds: SeedSet,
               problems: _Problems) -> None:
    if kind == "struct":
        _check_struct(arg, value, where, seeds, problems)
    elif isinstance(value, dict | list):
        problems.add(where, f"expected a single {kind} value, got a {type(value).__name__}")
    elif kind == "ref":
        target = seeds.entities.get(str(value))
        if target is None:
            problems.add(where, f"unknown reference '{value}'")
        elif not schema.is_subclass(target.type, arg):
            problems.add(where, f"'{value}' is a {target.type}, expected a {arg}")
    elif kind == "concept":
        ref = str(value)
        if not ref.startswith(arg + ":"):
            problems.add(where, f"expected a concept '{arg}:…', got '{ref}'")
        elif ref not in seeds.concepts:
            problems.add(where, f"unknown concept '{ref}' (declare it in ontology/schemes.ttl)")
    elif kind == "date":
        if not check_date(value):
            problems.add(where, f"bad date '{value}' (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    elif kind in ("integer", "decimal"):
        try:
            number = float(str(value))
        except ValueError:
            problems.add(where, f"expected a number, got '{value}'")
            return
        if kind == "integer" and not number.is_integer():
            problems.add(where, f"expected a whole number, got '{value}'")
    elif kind == "boolean":
        if str(value).lower() not in ("true", "false"):
            problems.add(where, f"expected true or false, got '{value}'")
    elif kind == "uri":
        if not re.match(r"^https?://[^\s<>\"]+$", str(value)):
            problems.add(where, f"expected an http(s) URL, got '{value}'")
    elif kind == "string" and not str(value).strip():
        problems.add(where, "empty string")


def _check_struct(cls: str, value: Any, where: str, seeds: SeedSet,
                  problems: _Problems) -> None:
    if not isinstance(value, dict):
        problems.add(where, f"expected a mapping for a {cls}")
        return
    spec = schema.STRUCTS[cls]
    if isinstance(value, LineDict):
        where = f"{where.rsplit(':', 1)[0]}:{value.line}"
    for key in value:
        if key not in spec:
            problems.add(where, f"unknown key '{key}' in a {cls} (allowed: {', '.join(spec)})")
    required = [k for k in schema.STRUCT_KEY[cls][:1] if k not in value]
    if cls == "Figure" and "value" not in value:
        required.append("value")
    if required:
        problems.add(where, f"missing field {', '.join(required)} in a {cls}")
    for key, one in value.items():
        if key in spec:
            _check_value(spec[key], one, where, seeds, problems)


def find(text: str, needle: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` where ``needle`` occurs in ``text``."""
    spans, start = [], text.find(needle)
    while start != -1:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return spans
