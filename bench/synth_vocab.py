"""Name pools and concept lists for the synthetic ecosystem generator (``bench/generate.py``).

Concepts are read from ``ontology/schemes.ttl`` when it is there (names and fr/en labels);
a small fixed list is the fallback. Everything here is data: no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

VOCAB = "https://w3id.org/clusterld/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMES_TTL = Path(__file__).resolve().parent.parent / "ontology" / "schemes.ttl"

# scheme -> (name, fr, en) used when schemes.ttl is missing or lacks a scheme
FALLBACK: dict[str, list[tuple[str, str, str]]] = {
    "sector": [
        ("mechatronics", "mécatronique", "mechatronics"),
        ("electronics", "électronique", "electronics"),
        ("textile", "textile", "textile"),
        ("agrifood", "agroalimentaire", "agrifood"),
        ("renewable-energy", "énergies renouvelables", "renewable energy"),
        ("ict", "TIC", "ICT"),
    ],
    "role": [(n, n, n) for n in (
        "president", "director", "director-general", "ceo", "mentor", "mentee", "partner",
        "coordinator", "lead", "beneficiary", "member", "signatory", "secretary-general",
        "vice-president", "founder", "expert", "manager")],
    "indicator": [(n, n, n) for n in (
        "memberCount", "companyCount", "employeeCount", "participantCount", "budget",
        "studentsPerYear", "partnerCount", "duration", "exportCountryCount", "projectCount")],
    "qualifier": [(n, n, n) for n in ("exact", "about", "moreThan", "atLeast", "target")],
    "unit": [(n, n, n) for n in ("EUR", "USD", "MAD", "TND", "DZD", "percent", "month")],
}


@dataclass
class Concepts:
    """Concept names and labels per scheme."""

    names: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # "scheme/name" -> fr, en

    def pick(self, scheme: str, preferred: tuple[str, ...]) -> list[str]:
        """The preferred names that exist in ``scheme`` (all names if none does)."""
        have = self.names.get(scheme, [])
        found = [n for n in preferred if n in have]
        return found or list(have)

    def label(self, scheme: str, name: str) -> tuple[str, str]:
        """The (fr, en) labels of a concept, its name when unknown."""
        return self.labels.get(f"{scheme}/{name}", (name, name))


def load_concepts(path: Path = SCHEMES_TTL) -> Concepts:
    """Concepts of ``schemes.ttl`` (parsed with pyoxigraph), with fallbacks per scheme."""
    names: dict[str, set[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    if path.exists():
        import pyoxigraph as ox

        try:
            quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except (SyntaxError, ValueError, OSError):
            quads = []  # the file is being edited: fall back
        for q in quads:
            subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
            if not subject.startswith(VOCAB) or subject.count("/") < 6:
                continue
            scheme, _, name = subject[len(VOCAB):].partition("/")
            pred = q.predicate.value
            if pred == SKOS + "inScheme" or (pred.endswith("#type")
                                             and q.object.value == SKOS + "Concept"):
                names.setdefault(scheme, set()).add(name)
            elif pred == SKOS + "prefLabel" and isinstance(q.object, ox.Literal):
                labels.setdefault(f"{scheme}/{name}", {})[q.object.language or ""] = q.object.value
    out = Concepts()
    for scheme, fallback in FALLBACK.items():
        found = sorted(names.get(scheme, ()))
        if found:
            out.names[scheme] = found
            for name in found:
                lab = labels.get(f"{scheme}/{name}", {})
                out.labels[f"{scheme}/{name}"] = (lab.get("fr", name), lab.get("en", name))
        else:
            out.names[scheme] = [n for n, _, _ in fallback]
            for name, fr, en in fallback:
                out.labels[f"{scheme}/{name}"] = (fr, en)
    return out


@dataclass(frozen=True)
class Country:
    """A country of the base layer, its region and its main cities."""

    slug: str
    fr: str
    en: str
    region: str
    currency: str
    cities: tuple[tuple[str, str, str], ...]
    official_fr: str = ""
    official_en: str = ""


REGIONS = (
    ("mediterranean", "Méditerranée", "Mediterranean"),
    ("mena", "Moyen-Orient et Afrique du Nord (MENA)", "Middle East and North Africa (MENA)"),
    ("europe", "Europe", "Europe"),
    ("africa", "Afrique", "Africa"),
)

# The first countries are the "focus" ones: clusters, ministries and agencies live there.
COUNTRIES = (
    Country("morocco", "Maroc", "Morocco", "africa", "MAD", (
        ("casablanca", "Casablanca", "Casablanca"), ("rabat", "Rabat", "Rabat"),
        ("tanger", "Tanger", "Tangier"), ("fes", "Fès", "Fez"),
        ("marrakech", "Marrakech", "Marrakesh"), ("agadir", "Agadir", "Agadir"),
        ("kenitra", "Kénitra", "Kenitra"), ("oujda", "Oujda", "Oujda")),
        "Royaume du Maroc", "Kingdom of Morocco"),
    Country("tunisia", "Tunisie", "Tunisia", "africa", "TND", (
        ("tunis", "Tunis", "Tunis"), ("sfax", "Sfax", "Sfax"), ("sousse", "Sousse", "Sousse"),
        ("bizerte", "Bizerte", "Bizerte"), ("monastir", "Monastir", "Monastir"),
        ("nabeul", "Nabeul", "Nabeul"), ("gabes", "Gabès", "Gabes")),
        "République tunisienne", "Republic of Tunisia"),
    Country("algeria", "Algérie", "Algeria", "africa", "DZD", (
        ("algiers", "Alger", "Algiers"), ("oran", "Oran", "Oran"),
        ("constantine", "Constantine", "Constantine"), ("setif", "Sétif", "Setif"),
        ("annaba", "Annaba", "Annaba"), ("bejaia", "Béjaïa", "Bejaia")),
        "République algérienne démocratique et populaire",
        "People's Democratic Republic of Algeria"),
    Country("egypt", "Égypte", "Egypt", "mena", "USD", (
        ("cairo", "Le Caire", "Cairo"), ("alexandria", "Alexandrie", "Alexandria"),
        ("port-said", "Port-Saïd", "Port Said"), ("giza", "Gizeh", "Giza"))),
    Country("jordan", "Jordanie", "Jordan", "mena", "USD", (
        ("amman", "Amman", "Amman"), ("irbid", "Irbid", "Irbid"), ("zarqa", "Zarqa", "Zarqa"))),
    Country("lebanon", "Liban", "Lebanon", "mena", "USD", (
        ("beirut", "Beyrouth", "Beirut"), ("tripoli-lb", "Tripoli", "Tripoli"))),
    Country("palestine", "Palestine", "Palestine", "mena", "USD", (
        ("hebron", "Hébron", "Hebron"), ("nablus", "Naplouse", "Nablus"),
        ("ramallah", "Ramallah", "Ramallah"))),
    Country("france", "France", "France", "europe", "EUR", (
        ("marseille", "Marseille", "Marseille"), ("paris", "Paris", "Paris"),
        ("lyon", "Lyon", "Lyon"), ("toulouse", "Toulouse", "Toulouse")),
        "République française", "French Republic"),
    Country("italy", "Italie", "Italy", "europe", "EUR", (
        ("milan", "Milan", "Milan"), ("turin", "Turin", "Turin"), ("naples", "Naples", "Naples"))),
    Country("spain", "Espagne", "Spain", "europe", "EUR", (
        ("barcelona", "Barcelone", "Barcelona"), ("valencia", "Valence", "Valencia"),
        ("seville", "Séville", "Seville"))),
    Country("turkey", "Turquie", "Turkey", "europe", "EUR", (
        ("istanbul", "Istanbul", "Istanbul"), ("izmir", "Izmir", "Izmir"))),
    Country("germany", "Allemagne", "Germany", "europe", "EUR", (
        ("stuttgart", "Stuttgart", "Stuttgart"), ("munich", "Munich", "Munich"))),
    Country("belgium", "Belgique", "Belgium", "europe", "EUR", (
        ("brussels", "Bruxelles", "Brussels"), ("liege", "Liège", "Liege"))),
    Country("portugal", "Portugal", "Portugal", "europe", "EUR", (
        ("porto", "Porto", "Porto"), ("lisbon", "Lisbonne", "Lisbon"))),
    Country("greece", "Grèce", "Greece", "europe", "EUR", (
        ("athens", "Athènes", "Athens"), ("thessaloniki", "Thessalonique", "Thessaloniki"))),
    Country("switzerland", "Suisse", "Switzerland", "europe", "EUR", (
        ("geneva", "Genève", "Geneva"),)),
)

GIVEN = (
    "Amina", "Karim", "Youssef", "Salma", "Mehdi", "Leïla", "Nadia", "Hichem", "Sonia",
    "Rachid", "Fatima-Zahra", "Omar", "Imène", "Walid", "Sami", "Hajer", "Anis", "Rim",
    "Khaled", "Meriem", "Ahmed", "Ines", "Tarek", "Yasmine", "Hamza", "Zineb", "Nabil",
    "Sophie", "Jean-Marc", "Claire", "Giulia", "Marco", "Lucía", "Javier", "Élodie",
    "François", "Ayşe", "Mehmet", "Nour", "Rania", "Bilal", "Chiara", "Thomas", "Hélène",
)
FAMILY = (
    "Ben Salah", "El Amrani", "Bennani", "Trabelsi", "Haddad", "Benali", "Chérif",
    "Mansouri", "Gharbi", "Bouzid", "El Idrissi", "Jaziri", "Kacem", "Saïdi", "Belhadj",
    "Tazi", "Chaabane", "Ouali", "Khelifi", "Mekki", "Abdelkader", "Zouari", "Hamdi",
    "Lahlou", "Berrada", "Dubois", "Martin", "Rossi", "Esposito", "García", "Fernández",
    "Yılmaz", "Nassar", "Khoury", "Haddad-Chami", "D'Angelo", "N'Diaye", "L'Hôte",
    "Öztürk", "Lefèvre", "Moreau", "Ferrari", "Navarro", "Aït Ahmed", "Ould Ali",
)
HONORIFIC = ("M.", "Mme", "Dr", "Pr")

COMPANY_HEAD = (
    "Atlas", "Sahel", "Carthage", "Numidia", "Oasis", "Medi", "Nord", "Maghreb", "Delta",
    "Cap", "Sud", "Rif", "Hoggar", "Tell", "Kasbah", "Phénix", "Olivia", "Azur", "Argane",
    "Djurdjura", "Zitouna", "Siliana", "Tafilalet", "Sinaï", "Petra", "Cèdre", "Byrsa",
)
COMPANY_TAIL = (
    "tec", "plast", "méca", "tronic", "pack", "textile", "agro", "soft", "énergie",
    "metal", "cuir", "chimie", "pharm", "bois", "verre", "câble", "auto", "logistique",
)
LEGAL = (
    ("SARL", "société à responsabilité limitée", "limited liability company"),
    ("SA", "société anonyme", "public limited company"),
    ("SAS", "société par actions simplifiée", "simplified joint-stock company"),
    ("SpA", "société par actions", "joint-stock company"),
)
PUBLISHERS = (
    "Les ECO", "La Presse de Tunisie", "L'Économiste", "ANIMA Investment Network",
    "Le Matin", "El Watan", "Kapitalis", "Maghreb Émergent", "Médias24", "L'Usine Nouvelle",
    "Webmanagercenter", "Le Quotidien d'Oran", "Al Ahram Hebdo", "L'Orient-Le Jour",
)
EVENT_KINDS = (
    ("Forum", "Forum des clusters", "Cluster forum"),
    ("TradeFair", "Salon de l'industrie", "Industry trade fair"),
    ("Ceremony", "Cérémonie de signature", "Signing ceremony"),
    ("Meeting", "Rencontre B2B", "B2B meeting"),
    ("LaunchEvent", "Lancement officiel", "Official launch"),
)
PROGRAMME_KINDS = (
    ("Programme", "Programme", "programme"),
    ("Project", "Projet", "project"),
    ("Initiative", "Initiative", "initiative"),
    ("ActionPlan", "Plan d'action", "action plan"),
    ("DegreeProgramme", "Master professionnel", "professional master's degree"),
)
PROGRAMME_THEMES = (
    ("de mentorat de clusters", "cluster mentoring"),
    ("d'accélération à l'export", "export acceleration"),
    ("de transformation numérique", "digital transformation"),
    ("de formation aux métiers", "skills training"),
    ("d'innovation ouverte", "open innovation"),
    ("d'efficacité énergétique", "energy efficiency"),
    ("de mise à niveau industrielle", "industrial upgrading"),
    ("de soutien aux start-up", "start-up support"),
)
SCHOOL_KINDS = (
    ("HigherEducationInstitution", "École nationale d'ingénieurs de",
     "National Engineering School of", "ENI"),
    ("HigherEducationInstitution", "Université de", "University of", "U"),
    ("TrainingInstitute", "Institut supérieur des études technologiques de",
     "Higher Institute of Technological Studies of", "ISET"),
    ("ResearchCentre", "Centre technique et de recherche de", "Technical and Research Centre of",
     "CTR"),
)
SUPPORT_KINDS = (
    ("appui technique", "technical assistance"),
    ("subvention de fonctionnement", "operating grant"),
    ("accompagnement à la labellisation", "support towards labelling"),
    ("financement d'études", "funding of studies"),
)
INTERNATIONAL = (
    ("euromed-innovation-fund", "Fonds euro-méditerranéen pour l'innovation",
     "Euro-Mediterranean Innovation Fund", "FEMI"),
    ("mediterranean-cooperation-agency", "Agence de coopération méditerranéenne",
     "Mediterranean Cooperation Agency", "ACM"),
    ("african-industrial-bank", "Banque africaine de développement industriel",
     "African Industrial Development Bank", "BADI"),
    ("north-south-cluster-office", "Bureau \"Nord-Sud\" des clusters",
     "North–South Cluster Office", "BNSC"),
)
