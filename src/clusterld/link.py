"""``clusterld link``: propose Wikidata links for review, and check the confirmed ones.

``clusterld link wikidata`` searches Wikidata (``wbsearchentities``, labels and aliases, in
French and English) for every linkable entity without a confirmed link, reads the candidates
(``wbgetentities``) and scores them by name, type (P31), country (P17) and inception (P571).
The best candidate of each entity is written to the SSSOM file as an *unconfirmed* proposal
(``semapv:LexicalMatching``); confirmed rows are never touched, older proposals for the same
entity are replaced. A person confirms a proposal by checking it against a source and
setting ``mapping_justification`` to ``semapv:ManualMappingCuration``.

``clusterld link check`` re-reads the confirmed items and reports merged (redirected) and
deleted ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from clusterld import sssom
from clusterld.reconcile import normalise, similarity
from clusterld.seeds import Entity, SeedSet
from clusterld.wikidata import DEFAULT_CACHE, WikidataClient, claim_ids, claim_years, names

LINKABLE_KINDS = ("place", "org", "association", "network", "person", "cluster")
LANGUAGES = ("fr", "en")
THRESHOLD = 0.55
BOT = "cldteam:link-wikidata"
# P31 values that fit a clusterld class: scoring hints for proposals only, never links.
EXPECTED_P31 = {
    "Country": {"Q6256", "Q3624078"},
    "City": {"Q515", "Q1549591", "Q5119"},
    "Region": {"Q82794", "Q5107"},
    "Person": {"Q5"},
    "HigherEducationInstitution": {"Q3918", "Q38723"},
}
PLACE_P31 = EXPECTED_P31["Country"] | EXPECTED_P31["City"]


@dataclass
class Proposal:
    """The best candidate found for one entity."""

    entity: Entity
    qid: str
    label: str
    score: float
    query: str
    reasons: list[str]


def entity_names(entity: Entity) -> list[str]:
    """Every name of an entity: labels, spellings of its facts, acronyms."""
    found = list(entity.label.values())
    for fact in entity.facts:
        name = fact.values.get("name")
        if isinstance(name, dict):
            for texts in name.values():
                found.extend(texts if isinstance(texts, list) else [texts])
        acronym = fact.values.get("acronym")
        if acronym:
            found.extend(acronym if isinstance(acronym, list) else [acronym])
    return list(dict.fromkeys(str(n).strip() for n in found if str(n).strip()))


def fact_values(entity: Entity, key: str) -> list[str]:
    """The values of one seed key over all of the entity's facts."""
    out: list[str] = []
    for fact in entity.facts:
        value = fact.values.get(key)
        if value is not None:
            out.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return out


def score_candidate(entity: Entity, record: dict[str, Any], linked: dict[str, str]
                    ) -> tuple[float, list[str]]:
    """Score (0–1) and reasons of a Wikidata record as a match for the entity."""
    ours = [normalise(n) for n in entity_names(entity)]
    theirs = [normalise(n) for n in names(record)]
    name = max((similarity(a, b) for a in ours for b in theirs if a and b), default=0.0) / 99
    reasons = [f"name {name:.2f}"]
    score = 0.6 * name
    p31 = set(claim_ids(record, "P31"))
    expected = EXPECTED_P31.get(entity.type)
    if entity.kind == "cluster" and p31 & PLACE_P31:
        return 0.0, [*reasons, "P31 is a country or city: a cluster is never its place"]
    if expected is not None:
        fits = bool(p31 & expected)
        score += 0.2 if fits else 0.0
        reasons.append(f"P31 {'fits' if fits else 'differs'} ({', '.join(sorted(p31)) or '-'})")
    else:
        score += 0.1
    countries = {linked[c] for c in fact_values(entity, "country") if c in linked}
    p17 = set(claim_ids(record, "P17"))
    if countries and p17:
        same = bool(countries & p17)
        score += 0.1 if same else -0.1
        reasons.append(f"P17 {'matches' if same else 'differs'}")
    years = {int(v[:4]) for v in fact_values(entity, "foundingDate") if v[:4].isdigit()}
    inception = set(claim_years(record, "P571"))
    if years and inception:
        same = bool(years & inception)
        score += 0.1 if same else -0.05
        reasons.append(f"P571 {'matches' if same else 'differs'}")
    return round(max(0.0, min(score / 0.9, 1.0)), 3), reasons


def propose(seeds: SeedSet, mset: sssom.MappingSet, client: WikidataClient,
            kinds: Iterable[str] = LINKABLE_KINDS, only: set[str] | None = None,
            log: Any = None) -> list[Proposal]:
    """The best candidate of every linkable entity without a confirmed link."""
    linked = {eid: qid for eid, qid in mset.linked().items()}
    kinds = tuple(kinds)
    proposals = []
    for entity in sorted(seeds.entities.values(), key=lambda e: e.id):
        if entity.kind not in kinds or entity.id in linked or (only and entity.id not in only):
            continue
        queries: dict[str, set[str]] = {}
        for text in entity_names(entity)[:4]:
            for lang in LANGUAGES:
                for hit in client.search(text, lang):
                    queries.setdefault(hit["id"], set()).add(f"{lang}:{text}")
        if not queries:
            continue
        records = client.entities(queries)
        best: Proposal | None = None
        for qid, record in records.items():
            if "missing" in record:
                continue
            score, reasons = score_candidate(entity, record, linked)
            if best is None or score > best.score:
                label = (names(record, ("en", "fr")) or [qid])[0]
                best = Proposal(entity, record.get("id", qid), label, score,
                                sorted(queries[qid])[0], reasons)
        if best is not None and best.score >= THRESHOLD:
            proposals.append(best)
            if log:
                log(f"{entity.id}: {best.qid} ({best.label}) {best.score}")
    return proposals


def merge(mset: sssom.MappingSet, proposals: list[Proposal], today: str) -> int:
    """Replace the unconfirmed rows of the proposed entities; confirmed rows stay as they are."""
    confirmed = {m.entity_id for m in mset.confirmed()}
    fresh = [p for p in proposals if p.entity.id not in confirmed]
    replaced = {p.entity.id for p in fresh}
    mset.mappings = [m for m in mset.mappings if m.confirmed or m.entity_id not in replaced]
    for p in fresh:
        mset.mappings.append(sssom.Mapping(
            subject_id=f"{sssom.ENTITY_PREFIX}:{p.entity.id}",
            subject_label=p.entity.label.get("en") or p.entity.label.get("fr", ""),
            predicate_id=sssom.EXACT_MATCH, object_id=f"wikidata:{p.qid}", object_label=p.label,
            mapping_justification=sssom.PROPOSED, confidence=f"{p.score:.3f}",
            author_id=BOT, author_label="clusterld link wikidata", mapping_date=today,
            mapping_tool="clusterld link wikidata",
            comment=(f"UNCONFIRMED proposal: wbsearchentities {p.query}; "
                     f"{'; '.join(p.reasons)}. Check against a source before confirming.")))
    return len(fresh)


def check_links(mset: sssom.MappingSet, client: WikidataClient) -> list[str]:
    """One line per confirmed link whose item was merged (redirected) or deleted."""
    confirmed = mset.confirmed()
    records = client.entities([m.qid for m in confirmed], props="info")
    problems = []
    for m in confirmed:
        record = records.get(m.qid, {})
        if "missing" in record:
            problems.append(f"line {m.line}: {m.entity_id} → {m.qid}: deleted (missing)")
        elif (record.get("redirects") or {}).get("to") or record.get("id", m.qid) != m.qid:
            target = (record.get("redirects") or {}).get("to") or record.get("id")
            problems.append(f"line {m.line}: {m.entity_id} → {m.qid}: merged, now {target}")
    return problems


def _mapping_file(path: Path | None) -> Path:
    from clusterld.paths import data_path

    return path or data_path("seeds") / sssom.FILE_NAME


@click.group("link")
def link_command() -> None:
    """Links to Wikidata: propose candidates, check the confirmed ones."""


_COMMON = [
    click.option("--file", "file", type=click.Path(path_type=Path), default=None,
                 help="The SSSOM file (default: seeds/wikidata.sssom.tsv)."),
    click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE,
                 show_default=True, help="Directory of cached Wikidata answers."),
    click.option("--offline", is_flag=True, help="Answer from the cache only."),
]


def _common(func: Any) -> Any:
    for option in reversed(_COMMON):
        func = option(func)
    return func


@link_command.command("wikidata")
@_common
@click.option("--entity", "entities", multiple=True, help="Only these seed ids (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(LINKABLE_KINDS),
              help="Only entities of these kinds (default: all linkable kinds).")
@click.option("--dry-run", is_flag=True, help="Print the proposals, write nothing.")
def link_wikidata(file: Path | None, cache: Path, offline: bool, entities: tuple[str, ...],
                  kinds: tuple[str, ...], dry_run: bool) -> None:
    """Propose Wikidata items for unlinked entities (written as unconfirmed SSSOM rows)."""
    from clusterld.seeds import load

    path = _mapping_file(file)
    seeds = load()
    mset = (sssom.load_checked(path, set(seeds.entities)) if path.is_file()
            else sssom.MappingSet(metadata=sssom.default_metadata()))
    with WikidataClient(cache, offline=offline) as client:
        found = propose(seeds, mset, client, kinds or LINKABLE_KINDS, set(entities) or None,
                        log=click.echo)
    if dry_run:
        click.echo(f"{len(found)} proposal(s), nothing written")
        return
    written = merge(mset, found, dt.date.today().isoformat())
    sssom.write(path, mset)
    click.echo(f"{written} unconfirmed proposal(s) written to {path}")


@link_command.command("check")
@_common
def link_check(file: Path | None, cache: Path, offline: bool) -> None:
    """Re-read the confirmed Wikidata items; report merged and deleted ones (exit 1)."""
    path = _mapping_file(file)
    mset = sssom.load_checked(path, None)
    with WikidataClient(cache, offline=offline) as client:
        problems = check_links(mset, client)
    for line in problems:
        click.echo(line)
    click.echo(f"{len(mset.confirmed())} confirmed link(s) checked, {len(problems)} problem(s)")
    if problems:
        raise click.exceptions.Exit(1)
