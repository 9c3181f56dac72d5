"""schema.org JSON-LD for an entity page, for search engines.

The template embeds the result with Jinja's ``tojson`` filter, which escapes ``<``, ``>``,
``&`` and ``'`` as ``\\u003c``…, so no literal can close the ``<script>`` element.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from clusterld.schema import SUPERCLASS
from clusterld.web.entity import EntityView
from clusterld.web.rdfview import CLD, DCTERMS, RDF, Reader

# The first clusterld class on the way up that has a schema.org counterpart.
SCHEMA_TYPES = {
    "Person": "Person", "Organisation": "Organization", "Company": "Corporation",
    "HigherEducationInstitution": "CollegeOrUniversity", "ResearchCentre": "ResearchOrganization",
    "PublicBody": "GovernmentOrganization", "Government": "GovernmentOrganization",
    "Event": "Event", "Place": "Place", "Country": "Country", "City": "City",
    "Region": "AdministrativeArea", "Venue": "Place", "Agreement": "CreativeWork",
    "Programme": "Project", "Plan": "CreativeWork", "Policy": "CreativeWork",
    "Work": "CreativeWork", "Report": "Report", "DigitalPlatform": "WebSite",
    "SourceDocument": "NewsArticle", "Agent": "Thing",
}
# clusterld property → schema.org property, for links and plain values.
SCHEMA_PROPS = {
    "memberOf": "memberOf", "foundingDate": "foundingDate", "founder": "founder",
    "subOrganisationOf": "parentOrganization", "website": "url", "email": "email",
    "telephone": "telephone", "givenName": "givenName", "familyName": "familyName",
    "honorific": "honorificPrefix", "location": "location", "country": "location",
    "headquartersIn": "location", "startDate": "startDate", "endDate": "endDate",
    "organizer": "organizer", "venue": "location", "locatedIn": "containedInPlace",
    "author": "author", "publisher": "publisher", "signingDate": "dateCreated",
    "party": "contributor", "funder": "funder", "acronym": "alternateName",
}


def schema_type(types: list[str]) -> str:
    """The schema.org type of the first clusterld class with one."""
    for t in types:
        current: str | None = t[len(CLD):] if t.startswith(CLD) else None
        while current:
            if current in SCHEMA_TYPES:
                return SCHEMA_TYPES[current]
            current = SUPERCLASS.get(current)
    return "Thing"


def entity_jsonld(view: EntityView, reader: Reader, page_url: str) -> dict[str, Any]:
    """A schema.org description of the entity."""
    types = [t.value for t in view.raw.get(RDF + "type", [])]
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": schema_type(types),
        "@id": view.iri,
        "url": page_url,
        "name": view.label,
        "inLanguage": view.label_lang or reader.lang,
    }
    alternate = sorted({v.text for v in view.alt_labels if v.text != view.label})
    for texts in view.labels.values():
        alternate += [t for t in texts if t != view.label and t not in alternate]
    same_as = [*view.wikidata, *view.same_as]
    if same_as:
        doc["sameAs"] = same_as
    description = view.raw.get(DCTERMS + "description", [])
    if description:
        chosen = [d for d in description if isinstance(d, ox.Literal)
                  and d.language == reader.lang] or description
        doc["description"] = chosen[0].value
    for pred, objects in view.raw.items():
        name = SCHEMA_PROPS.get(pred[len(CLD):]) if pred.startswith(CLD) else None
        if not name:
            continue
        for obj in objects:
            if isinstance(obj, ox.Literal):
                if name == "alternateName":
                    alternate.append(obj.value)
                else:
                    _add(doc, name, obj.value)
            elif isinstance(obj, ox.NamedNode):
                _add(doc, name, {"@id": obj.value, "name": reader.label(obj.value)}
                     if name not in ("url",) else obj.value)
    if DCTERMS + "title" in view.raw:
        doc["headline"] = view.label
        for pred, name in ((DCTERMS + "issued", "datePublished"),
                           (DCTERMS + "publisher", "publisher")):
            for obj in view.raw.get(pred, []):
                doc[name] = ({"@type": "Organization", "name": obj.value}
                             if name == "publisher" else obj.value)
    if alternate:
        doc["alternateName"] = sorted(set(alternate))
    return doc


def _add(doc: dict[str, Any], name: str, value: Any) -> None:
    """Add a value to a property, making a list when there are several."""
    current = doc.get(name)
    if current is None:
        doc[name] = value
    elif isinstance(current, list):
        if value not in current:
            current.append(value)
    elif current != value:
        doc[name] = [current, value]
