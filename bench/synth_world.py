"""What the synthetic ecosystem says: a base layer of places and public bodies, then an
endless sequence of cluster ecosystems (cluster, association, firms, school, people with
posts, programme with participations and fundings, event, agreement with signatures).

Every reference points to an entity already written, so the output can stop after any
entity and still be closed: :meth:`World.plan` yields after each one.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from bench import synth_io as io
from bench.synth_core import ALT, DESC, Emitter, Entity, Source, cld, day, slugify
from bench.synth_vocab import (
    COMPANY_HEAD,
    COMPANY_TAIL,
    COUNTRIES,
    EVENT_KINDS,
    FAMILY,
    GIVEN,
    HONORIFIC,
    INTERNATIONAL,
    LEGAL,
    PROGRAMME_KINDS,
    PROGRAMME_THEMES,
    REGIONS,
    SCHOOL_KINDS,
    SUPPORT_KINDS,
)

ROLE_TITLES = {
    "president": ("Président", "President"), "director": ("Directeur", "Director"),
    "director-general": ("Directeur général", "Director-General"),
    "ceo": ("Directeur général", "Chief executive officer"),
    "secretary-general": ("Secrétaire général", "Secretary-General"),
}
PARTICIPATION_ROLES = ("mentor", "mentee", "partner", "beneficiary", "lead", "coordinator",
                       "member", "expert")


@dataclass
class Org:
    """An organisation already written, with what later facts need to know about it."""

    iri: str
    slug: str
    fr: str
    en: str
    country: str  # country slug
    head: tuple[str, str, str] | None = None  # person IRI, person slug, role name


@dataclass
class Place:
    iri: str
    slug: str
    fr: str
    en: str


class World(Emitter):
    """The ecosystem: call :meth:`plan` and pull one entity at a time."""

    def setup(self, target: int) -> None:
        """Size the base layer for a target of ``target`` lines."""
        self.n_focus = 2 if target < 50_000 else 3 if target < 200_000 else \
            5 if target < 1_000_000 else 7
        self.n_cities = max(12, min(200, target // 20_000))
        self.n_international = 2 if target < 100_000 else len(INTERNATIONAL)
        self.countries: dict[str, Place] = {}
        self.cities: dict[str, list[Place]] = {}
        self.all_cities: list[Place] = []
        self.ministry: dict[str, Org] = {}
        self.agency: dict[str, Org] = {}
        self.network: dict[str, Org] = {}
        self.strategy: dict[str, str] = {}
        self.international: list[Org] = []
        self.clusters: list[Org] = []
        self.companies: list[Org] = []
        self.programmes: list[str] = []
        self.forums: list[str] = []
        self.venues: dict[str, Place] = {}
        self.schools: dict[tuple[str, int], Org] = {}
        self.associations: dict[tuple[str, str], Org] = {}
        self.editions: dict[tuple[str, int], str] = {}
        self.units = 0

    # ------------------------------------------------------------------------ helpers

    def _year(self, src: Source, back: int = 30) -> str:
        return day(src.ordinal - self.rng.randrange(365, 365 * back))[:4]

    def _date_near(self, src: Source, spread: int = 400) -> int:
        return src.ordinal + self.rng.randrange(-spread, spread // 4)

    def _sector(self) -> tuple[str, str, str]:
        name = self.rng.choice(self.concepts.names["sector"])
        fr, en = self.concepts.label("sector", name)
        return name, fr, en

    def _figure(self, owner: str, src: Source, indicator: str, value: int, *,
                unit: str = "", qualifier: bool = True, scope: Place | None = None,
                ref: str = "") -> list[tuple[str, str, str]]:
        """A cld:Figure reported at the source's date (``value`` in tenths)."""
        names = self.concepts.names["indicator"]
        if indicator not in names:
            return []
        pairs = [(cld("indicator"), io.iri(f"https://w3id.org/clusterld/vocab/indicator/"
                                           f"{indicator}")),
                 (cld("value"), io.tenths(value)), (cld("reportedOn"), io.date(src.date))]
        key = indicator
        if scope is not None:
            pairs.append((cld("scope"), scope.iri))
            key += f"-{scope.slug}"
        key += f"-{src.date}"
        if ref:
            pairs.append((cld("referenceDate"), io.date(ref)))
            key += f"-{ref}"
        if unit:
            pairs.append((cld("unit"), self.concept("unit", unit)))
        if qualifier and self.rng.random() < 0.3:
            pairs.append((cld("qualifier"),
                          self.concept_any("qualifier", "about", "moreThan", "atLeast", "exact")))
        if self.rng.random() < 0.2:
            pairs.append((cld("note"), io.lang("selon la source", "fr")))
            pairs.append((cld("note"), io.lang("according to the source", "en")))
        return self.struct(owner, cld("hasFigure"), "figure", "Figure", key, pairs)

    def _city(self, country: str) -> Place:
        return self.rng.choice(self.cities.get(country) or self.all_cities)

    def _org(self, e: Entity, country: str) -> Org:
        return Org(e.iri, e.slug, e.fr, e.en, country)

    def _agent_basics(self, e: Entity, src: Source, country: str, city: Place,
                      sectors: int = 1) -> None:
        pairs = [(cld("country"), self.countries[country].iri),
                 (cld("headquartersIn"), city.iri)]
        for _ in range(sectors):
            pairs.append((cld("sector"), io.iri(f"https://w3id.org/clusterld/vocab/sector/"
                                                f"{self._sector()[0]}")))
        e.says(src, *pairs)

    # -------------------------------------------------------------------------- plan

    def plan(self) -> Generator[None, None, None]:
        """Write entities forever; yields after each one."""
        yield from self._places()
        yield from self._public_layer()
        while True:
            self.units += 1
            yield from self._unit()

    def _places(self) -> Generator[None, None, None]:
        src = self.source()
        for slug, fr, en in REGIONS:
            e = Entity("place", slug, io.iri(f"{self.base}id/place/{slug}"), "Region", fr, en)
            e.says(src, (DESC, io.lang(f"Région : {fr}.", "fr")),
                   (DESC, io.lang(f"Region: {en}.", "en")))
            self.emit(e)
            yield
        for c in COUNTRIES:
            src = self.source()
            e = Entity("place", c.slug, io.iri(f"{self.base}id/place/{c.slug}"), "Country",
                       c.fr, c.en)
            e.says(src, (cld("locatedIn"), io.iri(f"{self.base}id/place/{c.region}")))
            if c.official_fr:
                e.says(self.older_source(), (ALT, io.lang(c.official_fr, "fr")),
                       (ALT, io.lang(c.official_en, "en")))
            self.emit(e)
            self.countries[c.slug] = Place(e.iri, c.slug, c.fr, c.en)
            yield
        depth = max(len(c.cities) for c in COUNTRIES)
        order = [(c, c.cities[i]) for i in range(depth) for c in COUNTRIES if i < len(c.cities)]
        for country, (slug, fr, en) in order[:self.n_cities]:
            src = self.source()
            e = Entity("place", slug, io.iri(f"{self.base}id/place/{slug}"), "City", fr, en)
            e.says(src, (cld("locatedIn"), self.countries[country.slug].iri),
                   (cld("country"), self.countries[country.slug].iri))
            self.emit(e)
            place = Place(e.iri, slug, fr, en)
            self.cities.setdefault(country.slug, []).append(place)
            self.all_cities.append(place)
            yield

    def _public_layer(self) -> Generator[None, None, None]:
        for c in COUNTRIES[:self.n_focus]:
            cap = self._city(c.slug)
            src = self.source()
            e = self.entity("org", "Ministry", f"ministere-industrie-{c.slug}",
                            f"Ministère de l'Industrie ({c.fr})", f"Ministry of Industry ({c.en})")
            self._agent_basics(e, src, c.slug, cap, sectors=0)
            e.says(src, (cld("acronym"), io.plain(f"MI{c.slug[:2].upper()}")))
            self.emit(e)
            self.ministry[c.slug] = self._org(e, c.slug)
            yield
            e = self.entity("org", "PublicAgency", f"agence-promotion-industrielle-{c.slug}",
                            f"Agence de promotion de l'industrie et de l'innovation ({c.fr})",
                            f"Industry and Innovation Promotion Agency ({c.en})")
            self._agent_basics(e, src, c.slug, cap, sectors=0)
            e.says(src, (cld("supervisedBy"), self.ministry[c.slug].iri),
                   (cld("acronym"), io.plain(f"APII-{c.slug[:2].upper()}")))
            self.emit(e)
            self.agency[c.slug] = self._org(e, c.slug)
            yield
            e = self.entity("network", "Network", f"reseau-clusters-{c.slug}",
                            f"Réseau national des clusters ({c.fr})",
                            f"National Cluster Network ({c.en})")
            self._agent_basics(e, src, c.slug, cap, sectors=0)
            e.says(src, (cld("foundingDate"), io.date(self._year(src))))
            self.emit(e)
            self.network[c.slug] = self._org(e, c.slug)
            yield
            for org, role in ((self.ministry[c.slug], "director-general"),
                              (self.agency[c.slug], "director-general"),
                              (self.network[c.slug], "president")):
                yield from self._person(org, role)
            e = self.entity("policy", "Strategy", f"strategie-industrielle-{c.slug}",
                            f"Stratégie nationale de développement industriel ({c.fr})",
                            f"National Industrial Development Strategy ({c.en})")
            start = self._year(src, 8)
            e.says(src, (cld("ledBy"), self.ministry[c.slug].iri),
                   (cld("implementedBy"), self.agency[c.slug].iri),
                   (cld("targetRegion"), self.countries[c.slug].iri),
                   (cld("startDate"), io.date(start)),
                   (cld("endDate"), io.date(str(int(start) + 10))))
            e.fact(src, self._figure(e.iri, src, "clusterCount", 10 * self.rng.randrange(5, 40),
                                     qualifier=False))
            self.emit(e)
            self.strategy[c.slug] = e.iri
            yield
        for slug, fr, en, acronym in INTERNATIONAL[:self.n_international]:
            src = self.source()
            e = Entity("org", slug, io.iri(f"{self.base}id/org/{slug}"),
                       "InternationalOrganisation", fr, en)
            city = self.rng.choice(self.all_cities)
            e.says(src, (cld("acronym"), io.plain(acronym)), (cld("headquartersIn"), city.iri))
            self.emit(e)
            org = Org(e.iri, slug, fr, en, "")
            self.international.append(org)
            yield
            yield from self._person(org, "director")

    # -------------------------------------------------------------------------- people

    def _person(self, org: Org, role: str) -> Generator[None, None, None]:
        rng = self.rng
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        name = f"{given} {family}"
        e = self.entity("person", "Person", name, name, name)
        src = self.source()
        honorific = rng.choice(HONORIFIC)
        title_fr, title_en = ROLE_TITLES.get(role, (role, role))
        post = self.struct(e.iri, cld("holds"), "post", "Post", f"{org.slug}-{role}", [
            (cld("postIn"), org.iri), (cld("role"), self.concept("role", role)),
            (cld("postTitle"), io.lang(f"{title_fr} ({org.fr})", "fr")),
            (cld("postTitle"), io.lang(f"{title_en} ({org.en})", "en"))])
        e.fact(src, [(e.iri, cld("givenName"), io.plain(given)),
                     (e.iri, cld("familyName"), io.plain(family)),
                     (e.iri, cld("honorific"), io.plain(honorific))], post)
        if rng.random() < 0.4:
            e.says(self.older_source(), (ALT, io.lang(f"{honorific} {name}", "fr")))
        if rng.random() < 0.3:
            e.says(src, (cld("email"), io.plain(f"{slugify(given)}.{e.slug}@example.org")))
        if rng.random() < 0.15 and self.clusters:
            other = rng.choice(self.clusters)
            e.fact(src, self.struct(e.iri, cld("holds"), "post", "Post", f"{other.slug}-member", [
                (cld("postIn"), other.iri), (cld("role"), self.concept("role", "member"))]))
        self.emit(e)
        org.head = (e.iri, e.slug, role)
        yield

    # ---------------------------------------------------------------------------- unit

    def _unit(self) -> Generator[None, None, None]:
        """One cluster ecosystem."""
        rng = self.rng
        country = COUNTRIES[(self.units + rng.randrange(2)) % self.n_focus].slug
        city = self._city(country)
        sector, sector_fr, sector_en = self._sector()
        cluster = yield from self._cluster(country, city, sector, sector_fr, sector_en)
        members: list[Org] = []
        assoc = self.associations.get((city.slug, sector))
        if assoc is None and rng.random() < 0.5:
            assoc = yield from self._association(country, city, sector, sector_fr, sector_en,
                                                 cluster)
        for _ in range(rng.randrange(3, 7)):
            members.append((yield from self._company(country, city, cluster, assoc)))
        school = yield from self._school(country, city, cluster)
        yield from self._person(cluster, "president")
        for org in [*members, school] + ([assoc] if assoc and not assoc.head else []):
            if org.head is None:
                yield from self._person(org, "ceo" if org in members else "director")
        programme = yield from self._programme(country, cluster, members, school, sector_fr,
                                               sector_en)
        event = yield from self._event(country, city, cluster, members, programme, sector)
        yield from self._agreement(country, city, cluster, members, school, assoc, programme,
                                   event)
        if self.units % 6 == 0:
            yield from self._work(cluster)

    def _cluster(self, country: str, city: Place, sector: str, sector_fr: str,
                 sector_en: str) -> Generator[None, None, Org]:
        rng = self.rng
        if rng.random() < 0.7:
            fr, en = f"Cluster {sector_fr} de {city.fr}", f"{city.en} {sector_en} cluster"
        else:
            fr = f"Pôle de compétitivité {sector_fr} {city.fr}"
            en = f"{city.en} {sector_en} competitiveness pole"
        e = self.entity("cluster", "Cluster", f"{sector}-{city.slug}", fr, en)
        src, old = self.source(), self.older_source()
        acronym = "C" + "".join(w[0] for w in slugify(sector_en).split("-")).upper() + \
            city.slug[:1].upper()
        self._agent_basics(e, src, country, city, sectors=rng.randrange(1, 3))
        e.says(src, (cld("acronym"), io.plain(acronym)),
               (ALT, io.lang(rng.choice((f"Cluster {sector_fr.capitalize()} {city.fr}",
                                         f"le \"{fr}\"", f"{acronym} – {city.fr}")), "fr")))
        e.says(old, (DESC, io.lang(f"Cluster de la filière {sector_fr} fondé à {city.fr}.", "fr")),
               (DESC, io.lang(f"Cluster of the {sector_en} industry founded in {city.en}.", "en")),
               (cld("foundingDate"), io.date(self._year(src))))
        if rng.random() < 0.2:
            e.says(old, (io.iri("http://www.w3.org/2004/02/skos/core#prefLabel"),
                         io.lang(fr, "fr")))  # the source spells it like our label
        e.says(src, (cld("memberOf"), self.network[country].iri),
               (cld("website"), io.iri(f"https://www.{e.slug}.example.org/")))
        if rng.random() < 0.5:
            e.says(src, (cld("supervisedBy"), self.ministry[country].iri))
        if rng.random() < 0.3 and self.clusters:
            e.says(old, (cld("partnerOf"), rng.choice(self.clusters).iri))
        if rng.random() < 0.6:
            supporter = rng.choice([self.agency[country], *self.international])
            when = day(self._date_near(src))
            kind_fr, kind_en = rng.choice(SUPPORT_KINDS)
            e.fact(src, self.struct(e.iri, cld("supportedBy"), "support", "Support",
                                    f"{supporter.slug}-{when}", [
                (cld("supporter"), supporter.iri), (cld("date"), io.date(when)),
                (cld("supportKind"), io.lang(kind_fr, "fr")),
                (cld("supportKind"), io.lang(kind_en, "en")),
                (cld("through"), self.strategy[country])]))
        e.fact(src, self._figure(e.iri, src, "memberCount", 10 * rng.randrange(8, 300)))
        if rng.random() < 0.5:
            e.fact(old, self._figure(e.iri, old, "companyCount", 10 * rng.randrange(5, 200)))
        if rng.random() < 0.3:
            e.fact(src, self._figure(e.iri, src, "memberCount", 10 * rng.randrange(5, 40),
                                     ref=self._year(src, 12), qualifier=False))
        e.says(src, (cld("email"), io.plain(f"contact@{e.slug}.example.org")),
               (cld("telephone"), io.plain(f"+216 {rng.randrange(10, 99)} "
                                           f"{rng.randrange(100, 999)} {rng.randrange(100, 999)}")))
        self.emit(e)
        org = self._org(e, country)
        self.clusters.append(org)
        yield None
        return org

    def _association(self, country: str, city: Place, sector: str, sector_fr: str,
                     sector_en: str, cluster: Org) -> Generator[None, None, Org]:
        rng = self.rng
        cls = "Federation" if rng.random() < 0.3 else "Association"
        word_fr, word_en = ("Fédération", "Federation") if cls == "Federation" else \
            ("Association", "Association")
        e = self.entity("association", cls, f"{word_fr}-{sector}-{city.slug}",
                        f"{word_fr} des industriels de la filière {sector_fr} de {city.fr}",
                        f"{city.en} {sector_en} Industry {word_en}")
        src = self.source()
        self._agent_basics(e, src, country, city)
        e.says(src, (cld("acronym"), io.plain(f"A{slugify(sector)[:3].upper()}{city.slug[:1]}")),
               (cld("foundingMemberOf"), cluster.iri),
               (cld("legalStatus"), io.lang("association à but non lucratif", "fr")),
               (cld("legalStatus"), io.lang("non-profit association", "en")))
        e.fact(src, self._figure(e.iri, src, "memberCount", 10 * rng.randrange(10, 500)))
        self.emit(e)
        org = self._org(e, country)
        self.associations[(city.slug, sector)] = org
        yield None
        return org

    def _company(self, country: str, city: Place, cluster: Org,
                 assoc: Org | None) -> Generator[None, None, Org]:
        rng = self.rng
        name = rng.choice(COMPANY_HEAD) + rng.choice(COMPANY_TAIL)
        legal, legal_fr, legal_en = rng.choice(LEGAL)
        e = self.entity("org", "Company", name, f"{name} {legal}", name)
        src = self.source()
        self._agent_basics(e, src, country, city, sectors=rng.randrange(1, 3))
        e.says(src, (cld("memberOf"), cluster.iri),
               (cld("legalStatus"), io.lang(legal_fr, "fr")),
               (cld("legalStatus"), io.lang(legal_en, "en")))
        if rng.random() < 0.3:
            e.says(src, (cld("foundingMemberOf"), cluster.iri))
        if assoc is not None and rng.random() < 0.5:
            e.says(src, (cld("memberOf"), assoc.iri))
        if rng.random() < 0.5:
            e.says(self.older_source(), *[(cld("exportsTo"), rng.choice(
                list(self.countries.values())).iri) for _ in range(rng.randrange(1, 4))])
        if rng.random() < 0.3:
            e.says(src, (ALT, io.lang(name.upper(), "fr")), (cld("brand"), io.plain(name)))
        if rng.random() < 0.2:
            e.says(src, (cld("branchIn"), rng.choice(self.all_cities).iri))
        if rng.random() < 0.2 and self.companies:
            e.says(src, (cld("partnerOf"), rng.choice(self.companies).iri))
        e.says(src, (cld("foundingDate"), io.date(self._year(src, 40))))
        e.fact(src, self._figure(e.iri, src, "employeeCount", 10 * rng.randrange(10, 3000)))
        if rng.random() < 0.3:
            e.fact(src, self._figure(e.iri, src, "exportCountryCount", 10 * rng.randrange(1, 40)))
        self.emit(e)
        org = self._org(e, country)
        self.companies.append(org)
        yield None
        return org

    def _school(self, country: str, city: Place, cluster: Org) -> Generator[None, None, Org]:
        rng = self.rng
        k = rng.randrange(len(SCHOOL_KINDS))
        known = self.schools.get((city.slug, k))
        if known is not None:
            return known
        cls, fr, en, acronym = SCHOOL_KINDS[k]
        e = self.entity("org", cls, f"{acronym}-{city.slug}", f"{fr} {city.fr}",
                        f"{en} {city.en}")
        src = self.source()
        self._agent_basics(e, src, country, city, sectors=1)
        e.says(src, (cld("acronym"), io.plain(f"{acronym}{city.slug[:1].upper()}")),
               (cld("memberOf"), cluster.iri),
               (cld("supervisedBy"), self.ministry[country].iri))
        e.fact(src, self._figure(e.iri, src, "studentsPerYear", 10 * rng.randrange(100, 3000)))
        self.emit(e)
        org = self._org(e, country)
        self.schools[(city.slug, k)] = org
        yield None
        return org

    # -------------------------------------------------------------- plans and events

    def _programme(self, country: str, cluster: Org, members: list[Org], school: Org,
                   sector_fr: str, sector_en: str) -> Generator[None, None, str]:
        rng = self.rng
        k = rng.randrange(len(PROGRAMME_KINDS))
        cls, kind_fr, kind_en = PROGRAMME_KINDS[k]
        t = rng.randrange(len(PROGRAMME_THEMES))
        theme_fr, theme_en = PROGRAMME_THEMES[t]
        src = self.source()
        year = int(day(src.ordinal)[:4])
        fr = f"{kind_fr} {theme_fr} ({sector_fr}, {self.countries[country].fr}) {year}"
        en = f"{theme_en.capitalize()} {kind_en} ({sector_en}, {self.countries[country].en}) " \
             f"{year}"
        e = self.entity("programme", cls, f"{theme_en}-{country}-{year}", fr, en)
        start = src.ordinal - rng.randrange(0, 200)
        e.says(src, (cld("ledBy"), (school if cls == "DegreeProgramme" else cluster).iri),
               (cld("implementedBy"), self.agency[country].iri),
               (cld("startDate"), io.date(day(start))),
               (cld("endDate"), io.date(day(start + rng.randrange(180, 1500))[:7])),
               (cld("targetRegion"), self.countries[country].iri),
               (cld("partOf"), self.strategy[country]))
        if cls == "DegreeProgramme":
            e.says(src, (cld("offeredBy"), school.iri))
        previous = self.editions.get((country, t))
        if previous and rng.random() < 0.5:
            e.says(self.older_source(), (cld("previousEdition"), previous))
        elif rng.random() < 0.3:
            e.says(src, (cld("initiatedBy"), self.network[country].iri))
        funders = rng.sample([self.agency[country], self.ministry[country], *self.international],
                             rng.randrange(1, 3))
        shares = [500, 1000] if len(funders) == 2 else [1000]
        fundings = []
        for funder, share in zip(funders, shares, strict=True):
            pairs = [(cld("funder"), funder.iri)]
            if len(funders) > 1 or rng.random() < 0.5:
                pairs.append((cld("fundingShare"), io.tenths(share - rng.randrange(0, 200))))
            fundings += self.struct(e.iri, cld("hasFunding"), "funding", "Funding",
                                    funder.slug, pairs)
            fundings.append((e.iri, cld("fundedBy"), funder.iri))
        e.fact(src, fundings)
        candidates = [cluster, *members, *rng.sample(self.clusters, min(4, len(self.clusters)))]
        chosen: dict[str, Org] = {o.slug: o for o in candidates}
        for org in list(chosen.values())[: rng.randrange(2, 9)]:
            role = rng.choice(PARTICIPATION_ROLES)
            pairs = [(cld("participant"), org.iri),
                     (cld("participationRole"), self.concept("role", role, "partner"))]
            if org.country:
                pairs.append((cld("country"), self.countries[org.country].iri))
            e.fact(rng.choice((src, src, self.older_source())),
                   self.struct(e.iri, cld("hasParticipation"), "participation", "Participation",
                               org.slug, pairs))
        e.fact(src, self._figure(e.iri, src, "budget", 10 * 1000 * rng.randrange(50, 20_000),
                                 unit=rng.choice(("EUR", self._currency(country)))))
        e.fact(src, self._figure(e.iri, src, "participantCount", 10 * rng.randrange(5, 400)))
        if rng.random() < 0.3:
            e.fact(src, self._figure(e.iri, src, "duration", 10 * rng.randrange(6, 48),
                                     unit="month", qualifier=False))
        self.emit(e)
        self.programmes.append(e.iri)
        self.editions[(country, t)] = e.iri
        yield None
        return e.iri

    def _currency(self, country: str) -> str:
        return next(c.currency for c in COUNTRIES if c.slug == country)

    def _venue(self, city: Place) -> Generator[None, None, Place]:
        known = self.venues.get(city.slug)
        if known is not None:
            return known
        e = self.entity("place", "Venue", f"palais-des-congres-{city.slug}",
                        f"Palais des congrès de {city.fr}", f"{city.en} Convention Centre")
        e.says(self.source(), (cld("locatedIn"), city.iri))
        self.emit(e)
        place = Place(e.iri, e.slug, e.fr, e.en)
        self.venues[city.slug] = place
        yield None
        return place

    def _event(self, country: str, city: Place, cluster: Org, members: list[Org],
               programme: str, sector: str) -> Generator[None, None, tuple[str, int]]:
        rng = self.rng
        venue = yield from self._venue(city)
        cls, kind_fr, kind_en = rng.choice(EVENT_KINDS)
        src = self.source()
        when = self._date_near(src, 200)
        year = day(when)[:4]
        e = self.entity("event", cls, f"{kind_en}-{city.slug}-{year}",
                        f"{kind_fr} de {city.fr} {year}", f"{city.en} {kind_en.lower()} {year}")
        e.says(src, (cld("startDate"), io.date(day(when))),
               (cld("endDate"), io.date(day(when + rng.randrange(0, 3)))),
               (cld("venue"), venue.iri), (cld("organizer"), cluster.iri),
               (cld("topic"), io.iri(f"https://w3id.org/clusterld/vocab/sector/{sector}")))
        if rng.random() < 0.5:
            e.says(src, (cld("organizer"), self.network[country].iri))
        speakers = [o.head[0] for o in (cluster, *members) if o.head][: rng.randrange(1, 4)]
        e.says(self.older_source(), *[(cld("speaker"), p) for p in speakers],
               *[(cld("attendee"), o.iri) for o in members[: rng.randrange(1, 5)]])
        if cls == "LaunchEvent":
            e.says(src, (cld("launchOf"), programme))
        if cls != "Forum" and self.forums and rng.random() < 0.2:
            e.says(src, (cld("superEvent"), rng.choice(self.forums)))
        if rng.random() < 0.3:
            e.says(src, (cld("online"), io.boolean(False)))
        e.fact(src, self._figure(e.iri, src, "participantCount", 10 * rng.randrange(20, 2000)))
        self.emit(e)
        if cls == "Forum":
            self.forums.append(e.iri)
        yield None
        return e.iri, when

    def _agreement(self, country: str, city: Place, cluster: Org, members: list[Org],
                   school: Org, assoc: Org | None, programme: str,
                   event: tuple[str, int]) -> Generator[None, None, None]:
        rng = self.rng
        others = [school, *members[:2], self.agency[country]] + ([assoc] if assoc else [])
        if len(self.clusters) > 1:
            others.append(rng.choice(self.clusters[:-1]))
        parties = [cluster] + [o for o in rng.sample(others, rng.randrange(1, 4))
                               if o.iri != cluster.iri]
        mou = rng.random() < 0.4
        cls = "MemorandumOfUnderstanding" if mou else "PartnershipAgreement"
        word_fr, word_en = ("Protocole d'accord", "Memorandum of understanding") if mou else \
            ("Convention de partenariat", "Partnership agreement")
        second = parties[1]
        e = self.entity("agreement", cls, f"{cluster.slug}-{second.slug}",
                        f"{word_fr} entre {cluster.fr} et {second.fr}",
                        f"{word_en} between {cluster.en} and {second.en}")
        src = self.source()
        during = rng.random() < 0.5
        when = event[1] if during else self._date_near(src)
        e.says(src, *[(cld("party"), p.iri) for p in parties],
               (cld("signingDate"), io.date(day(when))), (cld("signingPlace"), city.iri))
        if during:
            e.says(src, (cld("signedDuring"), event[0]))
        signatures = []
        for party in parties:
            if party.head is None:
                continue
            person, person_slug, role = party.head
            signatures += self.struct(e.iri, cld("hasSignature"), "signature", "Signature",
                                      person_slug, [
                (cld("signatory"), person), (cld("onBehalfOf"), party.iri),
                (cld("role"), self.concept("role", role))])
        e.fact(src, signatures)
        e.says(self.older_source(), (cld("inFrameworkOf"), programme),
               (DESC, io.lang("Accord de coopération (formation, innovation, export).", "fr")),
               (DESC, io.lang("Cooperation agreement (training, innovation, export).", "en")))
        if rng.random() < 0.3:
            e.says(src, (cld("establishes"), programme))
        self.emit(e)
        yield

    def _work(self, cluster: Org) -> Generator[None, None, None]:
        rng = self.rng
        report = rng.random() < 0.6
        cls = "Report" if report else "DigitalPlatform"
        fr = f"Rapport annuel {cluster.fr}" if report else f"Plateforme B2B {cluster.fr}"
        en = f"{cluster.en} annual report" if report else f"{cluster.en} B2B platform"
        e = self.entity("work", cls, fr, fr, en)
        src = self.source()
        e.says(src, (cld("title"), io.lang(fr, "fr")), (cld("title"), io.lang(en, "en")),
               (cld("author" if report else "publisher"), cluster.iri))
        self.emit(e)
        yield
