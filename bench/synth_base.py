"""The base layer of the synthetic ecosystem and the helpers its units share.

Places (regions, countries, cities), per focus country a ministry, an agency, a national
cluster network, their heads and a national strategy, and a few international
organisations. :mod:`bench.synth_world` builds the cluster ecosystems on top.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from bench import synth_io as io
from bench import synth_vocab as v
from bench.synth_core import ALT, DESC, Emitter, Entity, Source, cld, day, slugify

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
    """A place already written."""

    iri: str
    slug: str
    fr: str
    en: str


class BaseLayer(Emitter):
    """Places, public bodies and people; the shared helpers of :class:`World`."""

    def setup(self, target: int) -> None:
        """Size the base layer for a target of ``target`` lines."""
        self.n_focus = 2 if target < 50_000 else 3 if target < 200_000 else \
            5 if target < 1_000_000 else 7
        self.n_cities = max(12, min(200, target // 20_000))
        self.n_international = 2 if target < 100_000 else len(v.INTERNATIONAL)
        self.countries: dict[str, Place] = {}
        self.cities: dict[str, list[Place]] = {}
        self.all_cities: list[Place] = []
        self.ministry: dict[str, Org] = {}
        self.agency: dict[str, Org] = {}
        self.network: dict[str, Org] = {}
        self.chamber: dict[str, Org] = {}
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

    def _places(self) -> Generator[None, None, None]:
        src = self.source()
        for slug, fr, en in v.REGIONS:
            e = Entity("place", slug, io.iri(f"{self.base}id/place/{slug}"), "Region", fr, en)
            e.says(src, (DESC, io.lang(f"Région : {fr}.", "fr")),
                   (DESC, io.lang(f"Region: {en}.", "en")))
            self.emit(e)
            yield
        for c in v.COUNTRIES:
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
        depth = max(len(c.cities) for c in v.COUNTRIES)
        order = [(c, c.cities[i]) for i in range(depth) for c in v.COUNTRIES if i < len(c.cities)]
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
        for c in v.COUNTRIES[:self.n_focus]:
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
            e = self.entity("org", "Chamber", f"chambre-commerce-industrie-{c.slug}",
                            f"Chambre de commerce et d'industrie ({c.fr})",
                            f"Chamber of Commerce and Industry ({c.en})")
            self._agent_basics(e, src, c.slug, cap, sectors=0)
            self.emit(e)
            self.chamber[c.slug] = self._org(e, c.slug)
            yield
            for org, role in ((self.ministry[c.slug], "director-general"),
                              (self.agency[c.slug], "director-general"),
                              (self.network[c.slug], "president"),
                              (self.chamber[c.slug], "president")):
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
        for slug, fr, en, acronym in v.INTERNATIONAL[:self.n_international]:
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
        given, family = rng.choice(v.GIVEN), rng.choice(v.FAMILY)
        name = f"{given} {family}"
        e = self.entity("person", "Person", name, name, name)
        src = self.source()
        honorific = rng.choice(v.HONORIFIC)
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
