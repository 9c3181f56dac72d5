"""The seed schema: which keys a seed file may use and what each becomes in RDF.

This table is the single contract between ``seeds/``, the converter, the ontology
and the shapes. A test checks that every predicate and class named here is declared
in ``ontology/clusterld.ttl``.
"""

from __future__ import annotations

from dataclasses import dataclass

ONTOLOGY_NS = "https://w3id.org/clusterld/ontology#"
VOCAB_NS = "https://w3id.org/clusterld/vocab/"
SHAPES_NS = "https://w3id.org/clusterld/shapes#"
DEFAULT_BASE = "https://w3id.org/clusterld/"

# Concept schemes live in ontology/*.ttl under VOCAB_NS + scheme + "/" + name.
# A seed refers to a concept as "scheme:name", e.g. "sector:mechatronics".
CONCEPT_SCHEMES = ("sector", "role", "indicator", "qualifier", "unit")

# Entity kinds: the first path segment of an entity id ("cluster/ce3m") and the
# classes an entity of that kind may have. The IRI is {base}id/{kind}/{slug}.
KINDS: dict[str, tuple[str, ...]] = {
    "cluster": ("Cluster",),
    "association": ("Association", "Federation"),
    "network": ("Network",),
    "org": (
        "Organisation", "Company", "HigherEducationInstitution", "TrainingInstitute",
        "ResearchCentre", "PublicBody", "Ministry", "PublicAgency", "Government",
        "AdvisoryCouncil", "InternationalOrganisation", "Chamber",
    ),
    "person": ("Person",),
    "agreement": ("Agreement", "PartnershipAgreement", "MemorandumOfUnderstanding"),
    "programme": (
        "Programme", "Project", "ActionPlan", "WorkPackage", "DegreeProgramme",
        "Initiative",
    ),
    "policy": ("Policy", "Strategy"),
    "event": ("Event", "Forum", "TradeFair", "Ceremony", "Meeting", "LaunchEvent"),
    "place": ("Place", "Country", "City", "Region", "Venue"),
    "work": ("Report", "DigitalPlatform"),
}


@dataclass(frozen=True)
class Prop:
    """One seed key: the ontology property it maps to and the kind of value it takes.

    ``range`` is one of:
      ``text``      language map ``{fr: "…", en: "…"}`` (a value may be a list)
      ``string``    plain string (xsd:string)
      ``date``      "YYYY-MM-DD" → xsd:date, "YYYY-MM" → xsd:gYearMonth, "YYYY" → xsd:gYear
      ``integer`` / ``decimal`` / ``boolean`` / ``uri``
      ``ref:C``     an entity id whose class is C or a subclass of C
      ``concept:S`` a concept of scheme S, written "S:name"
      ``struct:C``  a nested mapping (or list of them) that becomes a node of class C
    """

    predicate: str
    range: str
    many: bool = True


# Keys allowed inside a fact of any entity.
COMMON: dict[str, Prop] = {
    # a name as the source spells it (skos:prefLabel where equal to the label)
    "name": Prop("skos:altLabel", "text"),
    "acronym": Prop("acronym", "string"),
    "description": Prop("dcterms:description", "text"),  # our own words, never the article's
    "country": Prop("country", "ref:Country"),
    "location": Prop("location", "ref:Place"),
    "sector": Prop("sector", "concept:sector"),
    "website": Prop("website", "uri"),
    "figure": Prop("hasFigure", "struct:Figure"),
}

AGENT: dict[str, Prop] = {
    "memberOf": Prop("memberOf", "ref:Organisation"),
    "foundingMemberOf": Prop("foundingMemberOf", "ref:Organisation"),
    "foundingDate": Prop("foundingDate", "date", many=False),
    "founder": Prop("founder", "ref:Agent"),
    "subOrganisationOf": Prop("subOrganisationOf", "ref:Organisation"),
    "secretariatOf": Prop("secretariatOf", "ref:Organisation"),
    "supervisedBy": Prop("supervisedBy", "ref:PublicBody"),
    "supportedBy": Prop("supportedBy", "struct:Support"),
    "branchIn": Prop("branchIn", "ref:Place"),
    "plannedBranchIn": Prop("plannedBranchIn", "ref:Place"),
    "headquartersIn": Prop("headquartersIn", "ref:Place"),
    "legalStatus": Prop("legalStatus", "text"),
    "brand": Prop("brand", "string"),
    "exportsTo": Prop("exportsTo", "ref:Place"),
    "partnerOf": Prop("partnerOf", "ref:Agent"),
    "email": Prop("email", "string"),
    "telephone": Prop("telephone", "string"),
    "givenName": Prop("givenName", "string", many=False),
    "familyName": Prop("familyName", "string", many=False),
    "honorific": Prop("honorific", "string", many=False),
    "post": Prop("holds", "struct:Post"),  # on a Person
}

AGREEMENT: dict[str, Prop] = {
    "party": Prop("party", "ref:Agent"),
    "signature": Prop("hasSignature", "struct:Signature"),
    "signingDate": Prop("signingDate", "date", many=False),
    "signingPlace": Prop("signingPlace", "ref:Place", many=False),
    "signedDuring": Prop("signedDuring", "ref:Event", many=False),
    "inFrameworkOf": Prop("inFrameworkOf", "ref:Plan"),
    "establishes": Prop("establishes", "ref:Programme"),
}

PROGRAMME: dict[str, Prop] = {
    "ledBy": Prop("ledBy", "ref:Agent"),
    "initiatedBy": Prop("initiatedBy", "ref:Agent"),
    "implementedBy": Prop("implementedBy", "ref:Agent"),
    "funding": Prop("hasFunding", "struct:Funding"),
    "partOf": Prop("partOf", "ref:Plan"),
    "previousEdition": Prop("previousEdition", "ref:Programme", many=False),
    "startDate": Prop("startDate", "date", many=False),
    "endDate": Prop("endDate", "date", many=False),
    "participation": Prop("hasParticipation", "struct:Participation"),
    "targetRegion": Prop("targetRegion", "ref:Place"),
    "offeredBy": Prop("offeredBy", "ref:Agent"),
    "inFrameworkOf": Prop("inFrameworkOf", "ref:Plan"),
    "online": Prop("online", "boolean", many=False),
}

EVENT: dict[str, Prop] = {
    "startDate": Prop("startDate", "date", many=False),
    "endDate": Prop("endDate", "date", many=False),
    "organizer": Prop("organizer", "ref:Agent"),
    "superEvent": Prop("superEvent", "ref:Event", many=False),
    "venue": Prop("venue", "ref:Place", many=False),
    "online": Prop("online", "boolean", many=False),
    "speaker": Prop("speaker", "ref:Person"),
    "attendee": Prop("attendee", "ref:Agent"),
    "topic": Prop("topic", "concept:sector"),
    "launchOf": Prop("launchOf", "ref:Programme"),
    "partOf": Prop("partOf", "ref:Plan"),  # an event held as part of a programme
}

PLACE: dict[str, Prop] = {
    "locatedIn": Prop("locatedIn", "ref:Place"),
}

WORK: dict[str, Prop] = {
    "author": Prop("author", "ref:Agent"),
    "title": Prop("title", "text"),
    "publisher": Prop("publisher", "ref:Agent"),
}

# Keys per class family. A class not listed inherits its family by kind.
FAMILY_BY_KIND: dict[str, tuple[dict[str, Prop], ...]] = {
    "cluster": (COMMON, AGENT),
    "association": (COMMON, AGENT),
    "network": (COMMON, AGENT),
    "org": (COMMON, AGENT),
    "person": (COMMON, AGENT),
    "agreement": (COMMON, AGREEMENT),
    "programme": (COMMON, PROGRAMME),
    "policy": (COMMON, PROGRAMME),
    "event": (COMMON, EVENT),
    "place": (COMMON, PLACE),
    "work": (COMMON, WORK),
}

# Nested structures: the keys each takes. Their IRIs are minted by the converter
# (see convert.py) from the owner IRI and the key marked ``*``.
STRUCTS: dict[str, dict[str, Prop]] = {
    "Post": {  # on a Person: the person holds this post in an organisation
        "org": Prop("postIn", "ref:Agent", many=False),
        "role": Prop("role", "concept:role", many=False),
        "title": Prop("postTitle", "text"),  # the title as the source gives it
        "email": Prop("email", "string"),
        "telephone": Prop("telephone", "string"),
    },
    "Signature": {  # on an Agreement
        "signatory": Prop("signatory", "ref:Person", many=False),
        "onBehalfOf": Prop("onBehalfOf", "ref:Agent", many=False),
        "role": Prop("role", "concept:role", many=False),
    },
    "Participation": {  # on a Programme
        "participant": Prop("participant", "ref:Agent", many=False),
        "role": Prop("participationRole", "concept:role", many=False),
        "country": Prop("country", "ref:Country", many=False),
    },
    "Funding": {  # on a Programme
        "funder": Prop("funder", "ref:Agent", many=False),
        "share": Prop("fundingShare", "decimal", many=False),  # percent of the budget
    },
    "Support": {  # on an organisation: who supported it, how, when
        "by": Prop("supporter", "ref:Agent", many=False),
        "kind": Prop("supportKind", "text"),
        "date": Prop("date", "date", many=False),
        "through": Prop("through", "ref:Plan", many=False),
    },
    "Figure": {  # on anything: a figure reported at a date
        "indicator": Prop("indicator", "concept:indicator", many=False),
        "value": Prop("value", "decimal", many=False),  # integers stay xsd:integer
        "unit": Prop("unit", "concept:unit", many=False),
        "qualifier": Prop("qualifier", "concept:qualifier", many=False),
        "date": Prop("reportedOn", "date", many=False),  # defaults to the source's date
        # when the figure held, if not when it was reported
        "refDate": Prop("referenceDate", "date", many=False),
        "place": Prop("scope", "ref:Place", many=False),
        "note": Prop("note", "text"),
    },
}

# The key that names a struct node (its IRI is {owner}/{struct}/{slug of that value}).
STRUCT_KEY: dict[str, tuple[str, ...]] = {
    "Post": ("org", "role"),
    "Signature": ("signatory",),
    "Participation": ("participant",),
    "Funding": ("funder",),
    "Support": ("by", "date"),
    "Figure": ("indicator", "place", "date", "refDate"),
}

# Classes above the leaves that ``ref:`` ranges use (declared in the ontology).
ABSTRACT_CLASSES = ("Agent", "Plan")

# Direct superclass of each clusterld class (the ontology declares the same
# rdfs:subClassOf axioms, plus alignments to external vocabularies).
SUPERCLASS: dict[str, str | None] = {
    "Agent": None,
    "Person": "Agent",
    "Organisation": "Agent",
    "Cluster": "Organisation",
    "Association": "Organisation",
    "Federation": "Association",
    "Network": "Organisation",
    "Company": "Organisation",
    "HigherEducationInstitution": "Organisation",
    "TrainingInstitute": "Organisation",
    "ResearchCentre": "Organisation",
    "Chamber": "Organisation",
    "InternationalOrganisation": "Organisation",
    "PublicBody": "Organisation",
    "Ministry": "PublicBody",
    "PublicAgency": "PublicBody",
    "Government": "PublicBody",
    "AdvisoryCouncil": "PublicBody",
    "Plan": None,
    "Programme": "Plan",
    "Project": "Programme",
    "ActionPlan": "Programme",
    "WorkPackage": "Programme",
    "DegreeProgramme": "Programme",
    "Initiative": "Programme",
    "Policy": "Plan",
    "Strategy": "Policy",
    "Agreement": None,
    "PartnershipAgreement": "Agreement",
    "MemorandumOfUnderstanding": "Agreement",
    "Event": None,
    "Forum": "Event",
    "TradeFair": "Event",
    "Ceremony": "Event",
    "Meeting": "Event",
    "LaunchEvent": "Event",
    "Place": None,
    "Country": "Place",
    "City": "Place",
    "Region": "Place",
    "Venue": "Place",
    "Work": None,
    "Report": "Work",
    "DigitalPlatform": "Work",
    "SourceDocument": "Work",
    # nodes minted from structs
    "Post": None,
    "Signature": None,
    "Participation": None,
    "Funding": None,
    "Support": None,
    "Figure": None,
}


def is_subclass(cls: str, ancestor: str) -> bool:
    """True when ``cls`` is ``ancestor`` or one of its subclasses (clusterld classes only)."""
    current: str | None = cls
    while current is not None:
        if current == ancestor:
            return True
        current = SUPERCLASS.get(current)
    return False
