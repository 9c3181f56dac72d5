"""What the synthetic ecosystem says: after the base layer (:mod:`bench.synth_base`), an
endless sequence of cluster ecosystems (cluster, association, firms, school, people with
posts, programme with participations and fundings, event, agreement with signatures).

Every reference points to an entity already written, so the output can stop after any
entity and still be closed: :meth:`World.plan` yields after each one.
"""

from __future__ import annotations

from collections.abc import Generator

from bench import synth_io as io
from bench import synth_vocab as v
from bench.synth_base import PARTICIPATION_ROLES, BaseLayer, Org, Place
from bench.synth_core import ALT, DESC, Entity, cld, day, slugify


class World(BaseLayer):
    """The ecosystem: call :meth:`plan` and pull one entity at a time."""

    def plan(self) -> Generator[None, None, None]:
        """Write entities forever; yields after each one."""
        yield from self._places()
        yield from self._public_layer()
        while True:
            self.units += 1
            yield from self._unit()

    def _unit(self) -> Generator[None, None, None]:
        """One cluster ecosystem."""
        rng = self.rng
        country = v.COUNTRIES[(self.units + rng.randrange(2)) % self.n_focus].slug
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
            kind_fr, kind_en = rng.choice(v.SUPPORT_KINDS)
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
        name = rng.choice(v.COMPANY_HEAD) + rng.choice(v.COMPANY_TAIL)
        legal, legal_fr, legal_en = rng.choice(v.LEGAL)
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
        k = rng.randrange(len(v.SCHOOL_KINDS))
        known = self.schools.get((city.slug, k))
        if known is not None:
            return known
        cls, fr, en, acronym = v.SCHOOL_KINDS[k]
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
        k = rng.randrange(len(v.PROGRAMME_KINDS))
        cls, kind_fr, kind_en = v.PROGRAMME_KINDS[k]
        t = rng.randrange(len(v.PROGRAMME_THEMES))
        theme_fr, theme_en = v.PROGRAMME_THEMES[t]
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
        if cls == "Project" and members and rng.random() < 0.6:
            yield from self._work_package(e, members[0])
        return e.iri

    def _work_package(self, project: Entity, leader: Org) -> Generator[None, None, None]:
        n = self.rng.randrange(1, 4)
        e = self.entity("programme", "WorkPackage", f"wp{n}-{project.slug}",
                        f"Lot de travail {n} – {project.fr}", f"Work package {n} – {project.en}")
        e.says(self.source(), (cld("partOf"), project.iri), (cld("ledBy"), leader.iri))
        self.emit(e)
        yield

    def _currency(self, country: str) -> str:
        return next(c.currency for c in v.COUNTRIES if c.slug == country)

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
        cls, kind_fr, kind_en = rng.choice(v.EVENT_KINDS)
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
        others = [school, *members[:2], self.agency[country], self.chamber[country]]
        others += [assoc] if assoc else []
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
