"""Languages of the human-readable pages: negotiation, label choice and the UI's own words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

LANGS = ("en", "fr")
DEFAULT_LANG = "en"

PREFIXES: dict[str, str] = {
    "cld": "https://w3id.org/clusterld/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "wd": "http://www.wikidata.org/entity/",
    "sector": "https://w3id.org/clusterld/vocab/sector/",
    "role": "https://w3id.org/clusterld/vocab/role/",
    "indicator": "https://w3id.org/clusterld/vocab/indicator/",
    "unit": "https://w3id.org/clusterld/vocab/unit/",
    "qualifier": "https://w3id.org/clusterld/vocab/qualifier/",
}

# Labels of the terms of other vocabularies that the pages show (the ontology graph labels
# only clusterld's own terms).
BUILTIN_LABELS: dict[str, dict[str, str]] = {
    "http://purl.org/dc/terms/description": {"en": "description", "fr": "description"},
    "http://purl.org/dc/terms/title": {"en": "title", "fr": "titre"},
    "http://purl.org/dc/terms/publisher": {"en": "publisher", "fr": "éditeur"},
    "http://purl.org/dc/terms/issued": {"en": "date of publication", "fr": "date de parution"},
    "http://purl.org/dc/terms/language": {"en": "language", "fr": "langue"},
    "http://purl.org/dc/terms/identifier": {"en": "identifier", "fr": "identifiant"},
    "http://purl.org/dc/terms/source": {"en": "source", "fr": "source"},
    "http://purl.org/dc/terms/isPartOf": {"en": "part of", "fr": "partie de"},
    "http://www.w3.org/2004/02/skos/core#prefLabel": {"en": "name", "fr": "nom"},
    "http://www.w3.org/2004/02/skos/core#altLabel": {"en": "other name", "fr": "autre nom"},
    "http://www.w3.org/2004/02/skos/core#definition": {"en": "definition", "fr": "définition"},
    "http://www.w3.org/2004/02/skos/core#broader": {"en": "broader concept",
                                                    "fr": "concept plus large"},
    "http://www.w3.org/2004/02/skos/core#narrower": {"en": "narrower concept",
                                                     "fr": "concept plus étroit"},
    "http://www.w3.org/2004/02/skos/core#inScheme": {"en": "in scheme", "fr": "dans le schéma"},
    "http://www.w3.org/2004/02/skos/core#topConceptOf": {"en": "top concept of",
                                                         "fr": "concept de tête de"},
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": {"en": "top concept",
                                                          "fr": "concept de tête"},
    "http://www.w3.org/2004/02/skos/core#notation": {"en": "notation", "fr": "notation"},
    "http://www.w3.org/2004/02/skos/core#exactMatch": {"en": "same as", "fr": "identique à"},
    "http://www.w3.org/2000/01/rdf-schema#label": {"en": "label", "fr": "libellé"},
    "http://www.w3.org/2000/01/rdf-schema#comment": {"en": "comment", "fr": "commentaire"},
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": {"en": "subclass of",
                                                        "fr": "sous-classe de"},
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"en": "type", "fr": "type"},
    "http://www.w3.org/ns/prov#wasDerivedFrom": {"en": "derived from", "fr": "dérivé de"},
    "http://www.w3.org/2002/07/owl#sameAs": {"en": "same as", "fr": "identique à"},
}

# The words of the pages themselves, per language.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home", "browse": "Browse classes", "sparql": "SPARQL", "downloads": "Downloads",
        "search": "Search", "search_placeholder": "Name of a cluster, person, programme…",
        "about_entity": "Properties", "inverse": "Referenced by", "provenance": "Provenance",
        "provenance_intro": "Where each fact on this page comes from: the article and the "
                            "characters of the passage that state it.",
        "passage": "passage", "chars": "characters", "published_by": "published by",
        "issued": "issued", "source": "Source document", "no_provenance": "No source "
        "passage is recorded for the facts on this page.",
        "data": "Data", "open_editor": "Open in the SPARQL editor", "wikidata": "Wikidata",
        "type": "Type", "also_known_as": "Also known as", "instances": "instances",
        "filter": "Filter", "country": "Country", "sector": "Sector", "year": "Year",
        "any": "any", "apply": "Apply", "reset": "Reset", "previous": "Previous",
        "next": "Next", "page": "Page", "of": "of", "results": "results",
        "not_found": "Not found", "not_found_text": "There is no resource with this "
        "address in the knowledge graph.", "figures": "The dataset in figures",
        "linked_wikidata": "Entities linked to Wikidata, per class",
        "triples": "triples", "entities": "entities", "sources": "source documents",
        "examples": "Example queries", "no_examples": "No example queries are published yet.",
        "classes": "Classes", "subclass_of": "subclass of", "language": "Language",
        "editor": "Query editor", "editor_intro": "Write a SPARQL query and run it against "
        "this server's endpoint. Example queries open in new tabs.",
        "open_tab": "Open as a tab", "no_results": "Nothing matches.",
        "show_all": "show all", "is_of": "is {p} of", "more": "more", "lead": "Linked data "
        "about the industrial clusters, associations, agreements, programmes and people of "
        "North Africa and the Mediterranean, each fact traced back to the article that "
        "states it.", "browse_all": "Browse all", "reported_on": "reported on",
        "reference_date": "as of", "in_graph": "in the graph", "facts_here": "facts",
        "skip": "Skip to content", "label_lang_note": "Shown in {lang}: no label in the "
        "requested language.", "lang_en": "English", "lang_fr": "French",
        "doc_facts": "Facts stated in this document",
        "add_prefixes": "Add the clusterld prefixes to the query",
        "contributed_on": "Contributed on", "contributed_by": "by",
        "contribution_source": "source", "contribution_accepted": "accepted on",
    },
    "fr": {
        "home": "Accueil", "browse": "Parcourir les classes", "sparql": "SPARQL",
        "downloads": "Téléchargements", "search": "Rechercher",
        "search_placeholder": "Nom d'un cluster, d'une personne, d'un programme…",
        "about_entity": "Propriétés", "inverse": "Cité par", "provenance": "Provenance",
        "provenance_intro": "D'où vient chaque fait de cette page : l'article et les "
                            "caractères du passage qui l'énonce.",
        "passage": "passage", "chars": "caractères", "published_by": "publié par",
        "issued": "paru le", "source": "Document source", "no_provenance": "Aucun passage "
        "source n'est enregistré pour les faits de cette page.",
        "data": "Données", "open_editor": "Ouvrir dans l'éditeur SPARQL",
        "wikidata": "Wikidata", "type": "Type", "also_known_as": "Autres noms",
        "instances": "instances", "filter": "Filtrer", "country": "Pays",
        "sector": "Secteur", "year": "Année", "any": "tous", "apply": "Appliquer",
        "reset": "Réinitialiser", "previous": "Précédent", "next": "Suivant",
        "page": "Page", "of": "sur", "results": "résultats", "not_found": "Introuvable",
        "not_found_text": "Aucune ressource n'a cette adresse dans le graphe de "
        "connaissances.", "figures": "Le jeu de données en chiffres",
        "linked_wikidata": "Entités liées à Wikidata, par classe", "triples": "triplets",
        "entities": "entités", "sources": "documents sources",
        "examples": "Exemples de requêtes",
        "no_examples": "Aucun exemple de requête n'est encore publié.", "classes": "Classes",
        "subclass_of": "sous-classe de", "language": "Langue", "editor": "Éditeur de requêtes",
        "editor_intro": "Écrivez une requête SPARQL et exécutez-la sur le point d'accès de "
        "ce serveur. Les exemples s'ouvrent dans de nouveaux onglets.",
        "open_tab": "Ouvrir dans un onglet", "no_results": "Aucun résultat.",
        "show_all": "tout afficher", "is_of": "est {p} de", "more": "plus",
        "lead": "Données liées sur les clusters industriels, associations, accords, "
        "programmes et personnes d'Afrique du Nord et de Méditerranée ; chaque fait renvoie "
        "à l'article qui l'énonce.", "browse_all": "Tout parcourir",
        "reported_on": "publié le", "reference_date": "au", "in_graph": "dans le graphe",
        "facts_here": "faits", "skip": "Aller au contenu",
        "label_lang_note": "Affiché en {lang} : pas de libellé dans la langue demandée.",
        "lang_en": "anglais", "lang_fr": "français",
        "doc_facts": "Faits énoncés dans ce document",
        "add_prefixes": "Ajouter les préfixes de clusterld à la requête",
        "contributed_on": "Contribué le", "contributed_by": "par",
        "contribution_source": "source", "contribution_accepted": "accepté le",
    },
}

_QVALUE = re.compile(r"^\s*([a-zA-Z*]{1,8})(?:-[a-zA-Z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate_lang(param: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=`` if supported, else the best ``Accept-Language`` match."""
    if param and param.lower() in LANGS:
        return param.lower()
    best, best_q = DEFAULT_LANG, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        match = _QVALUE.match(part)
        if not match:
            continue
        tag = match.group(1).lower()
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        q -= position * 1e-6  # earlier entries win ties
        if tag in LANGS and q > best_q:
            best, best_q = tag, q
    return best


def other_lang(lang: str) -> str:
    """The fallback language."""
    return "fr" if lang == "en" else "en"


def pick(values: Mapping[str, Iterable[str]] | None, lang: str) -> tuple[str | None, str | None]:
    """``(text, its language)`` from ``{lang: [texts]}``: the wanted one, the other, then any."""
    if not values:
        return None, None
    for candidate in (lang, other_lang(lang), "", *sorted(values)):
        texts = sorted(values.get(candidate) or ())
        if texts:
            return texts[0], candidate
    return None, None


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def humanise(name: str) -> str:
    """``foundingMemberOf`` → ``founding member of``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return words.lower()


def curie(iri: str) -> str:
    """``skos:prefLabel`` for a known namespace, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def messages(lang: str) -> dict[str, str]:
    """The UI words for ``lang``."""
    return MESSAGES.get(lang, MESSAGES[DEFAULT_LANG])
